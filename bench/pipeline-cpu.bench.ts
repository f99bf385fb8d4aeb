/**
 * CPU per investigation: starts ALUSKORT (API + BENCH_WORKERS pipeline jobs, default the product's, server
 * PostgreSQL + Redis) on a throwaway database, runs 200 warm-up investigations, then ingests
 * BENCH_INVESTIGATIONS (default 1,000) alerts in batches of 100 and waits until all are terminal or
 * awaiting_human. Prints investigations/s and the CPU time per investigation of the server process, of its
 * PostgreSQL backends and of Redis (from /proc, Linux only). CPU per investigation moves far less than
 * throughput on a shared machine, so it is the figure to compare between versions.
 * BENCH_SERVER_NODE_ARGS passes options to the server's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { Pool } from 'pg';
import { DEFAULT_WORKERS } from '../src/config/config';
import { admin, benchAlert, dbUrl, postGraphQL, startProcess, stopProcess, waitReady } from './bench-kit';

const N = Number(process.env.BENCH_INVESTIGATIONS ?? 1000);
const WORKERS = process.env.BENCH_WORKERS ?? String(DEFAULT_WORKERS);
const BOOTSTRAP = `bench-${randomBytes(16).toString('hex')}`;

/** utime + stime of a process in seconds (clock ticks of 1/100 s). */
function cpuSeconds(pid: string | number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** Summed CPU of the processes whose command line contains `pattern`. */
function cpuOf(pattern: string): number {
  let sum = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(pattern)) sum += cpuSeconds(pid);
    } catch {
      /* gone */
    }
  }
  return sum;
}

const agent = new http.Agent({ keepAlive: true });

const post = (port: number, body: unknown) => postGraphQL(agent, port, BOOTSTRAP, body).then((r) => r.json);
const alert = () => benchAlert();

const INGEST_MANY = 'mutation($p: [JSON!]!) { ingestAlerts(source: CANONICAL, payloads: $p) { deduplicated error { code } } }';

async function main(): Promise<void> {
  const db = `aluskort_bench_cpu_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${db}"`);
  const url = dbUrl(db);
  const port = 30000 + Math.floor(Math.random() * 20000);
  const server = startProcess({
    url,
    port,
    workers: WORKERS,
    namespace: `benchcpu${randomBytes(3).toString('hex')}`,
    bootstrapKey: BOOTSTRAP,
    nodeArgs: process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(' ') : [],
  });
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    await waitReady(port);
    const settled = async () =>
      (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM investigation_state WHERE state IN ('closed', 'failed', 'awaiting_human')`)).rows[0]!.n;
    const ingest = async (count: number) => {
      for (let i = 0; i < count / 100; i++) {
        const r = await post(port, { query: INGEST_MANY, variables: { p: Array.from({ length: 100 }, alert) } });
        if (r.errors) throw new Error(JSON.stringify(r.errors));
      }
    };
    const waitFor = async (n: number) => {
      const end = Date.now() + 300_000;
      while ((await settled()) < n) {
        if (Date.now() > end) throw new Error('investigations did not settle');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await ingest(200);
    await waitFor(200);
    const node0 = cpuSeconds(server.pid!);
    const pg0 = cpuOf(db);
    const redis0 = cpuOf('redis-server');
    const t0 = performance.now();
    await ingest(N);
    await waitFor(200 + N);
    const secs = (performance.now() - t0) / 1000;
    const per = (a: number, b: number) => `${(((b - a) * 1000) / N).toFixed(2)} ms`;
    process.stdout.write(
      `\nALUSKORT pipeline CPU (API + ${WORKERS} pipeline jobs, one tenant, ${N} investigations after 200 warm-up)\n\n` +
        `  investigations/s            ${(N / secs).toFixed(0)}\n` +
        `  CPU per investigation       server process ${per(node0, cpuSeconds(server.pid!))}, PostgreSQL backends ${per(pg0, cpuOf(db))}, Redis ${per(redis0, cpuOf('redis-server'))}\n`,
    );
  } finally {
    await pool.end().catch(() => undefined);
    await stopProcess(server);
    agent.destroy();
    await admin(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
