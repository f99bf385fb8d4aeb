/**
 * Pipeline benchmark: starts ALUSKORT as its own process (server PostgreSQL + Redis, BullMQ workers in
 * the same process) on a throwaway database, then measures from this process:
 *   1. alerts/s accepted with 32 concurrent clients: single-alert `ingestAlert` mutations, and batches
 *      of 100 through `ingestAlerts`;
 *   2. ingest latency p50/p99 at an offered 200 single-alert requests/s (open loop);
 *   3. investigations/s reaching a terminal or awaiting_human state (deterministic reasoning);
 *   4. commit → subscriber latency p50/p99 with 1,000 `investigationEvents` subscriptions
 *      (20 WebSockets × 50) while transitions flow at ~100 events/s;
 * next to single-row INSERT transactions/s with the same number of clients against the same PostgreSQL
 * (the ratio is the figure). Everything targets 127.0.0.1 only; every loop is bounded in time.
 *
 * Settings: BENCH_SECONDS (default 8 per phase), BENCH_PG_ADMIN_URL, BENCH_REDIS_URL.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Pool } from 'pg';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { DEFAULT_WORKERS } from '../src/config/config';
import { admin, benchAlert, dbUrl, postGraphQL, REDIS_URL, startProcess, stopProcess, waitReady } from './bench-kit';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CLIENTS = 32;
const BOOTSTRAP = `bench-${randomBytes(16).toString('hex')}`;

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** The first few distinct failures of any phase, printed under the table (an error count alone says too little). */
const errorSamples = new Set<string>();
function noteError(what: unknown): void {
  if (errorSamples.size < 5) errorSamples.add((what instanceof Error ? what.message : typeof what === 'string' ? what : JSON.stringify(what)).slice(0, 300));
}

const post = (port: number, body: unknown) => postGraphQL(agent, port, BOOTSTRAP, body);
const canonicalAlert = benchAlert;

/** The same alert as GraphQL input: the severity is the AlertSeverity enum there. */
function oneInput(): Record<string, unknown> {
  const a = canonicalAlert();
  return { ...a, severity: String(a.severity).toUpperCase() };
}

const INGEST_ONE = 'mutation($i: CanonicalAlertInput!) { ingestAlert(input: $i) { deduplicated error { code } investigation { id } } }';
const INGEST_MANY = 'mutation($p: [JSON!]!) { ingestAlerts(source: CANONICAL, payloads: $p) { deduplicated error { code } } }';

/** Closed loop: `clients` workers issue requests back to back for `seconds`. */
async function closedLoop(clients: number, seconds: number, op: () => Promise<number>): Promise<{ units: number; latencies: number[]; errors: number }> {
  const end = Date.now() + seconds * 1000;
  let units = 0;
  let errors = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        try {
          // (not `units += await op()`: that reads `units` before the await and loses the other clients' counts)
          const n = await op();
          units += n;
          latencies.push(performance.now() - t0);
        } catch (err) {
          errors++;
          noteError(err);
        }
      }
    }),
  );
  return { units, latencies, errors };
}

async function countTerminal(pool: Pool): Promise<number> {
  const r = await pool.query(`SELECT count(*)::int AS n FROM investigation_state WHERE state IN ('closed','failed','awaiting_human')`);
  return r.rows[0].n as number;
}

function startServer(url: string, port: number, workers: number, namespace: string): ChildProcess {
  return startProcess({ url, port, workers, namespace, bootstrapKey: BOOTSTRAP });
}

/** Open loop: `rate` single-alert requests/s for `seconds`; latencies of the successful ones. */
async function openLoop(port: number, rate: number, seconds: number): Promise<{ sent: number; latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const end = Date.now() + seconds * 1000;
  let sent = 0;
  const start = performance.now();
  while (Date.now() < end) {
    const due = start + (sent * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent++;
    const t0 = performance.now();
    inflight.push(
      post(port, { query: INGEST_ONE, variables: { i: oneInput() } }).then(
        (r) => {
          if (r.status === 200 && !r.json.errors) latencies.push(performance.now() - t0);
          else {
            errors++;
            noteError(r.json.errors ?? `HTTP ${r.status}`);
          }
        },
        (err: unknown) => {
          errors++;
          noteError(err);
        },
      ),
    );
  }
  await Promise.all(inflight);
  return { sent, latencies, errors };
}

async function main(): Promise<void> {
  // Two deployments on their own databases and queue namespaces, so that no phase measures the backlog
  // another phase left behind: A is an API-only process (ALUSKORT_WORKERS=0: its work waits in the queue
  // for a worker tier), B runs the API and the default number of pipeline workers in one process.
  const dbA = `aluskort_bench_pipeline_${randomBytes(4).toString('hex')}`;
  const dbB = `aluskort_bench_pipeline_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${dbA}"`);
  await admin(`CREATE DATABASE "${dbB}"`);
  const url = dbUrl(dbA);
  const urlB = dbUrl(dbB);
  const port = 30000 + Math.floor(Math.random() * 20000);
  const portB = port + 1;
  let server: ChildProcess | undefined;
  let serverB: ChildProcess | undefined;
  const pool = new Pool({ connectionString: url, max: CLIENTS });
  const poolB = new Pool({ connectionString: urlB, max: 4 });
  const rows: string[][] = [];
  try {
    const nsA = `bencha${randomBytes(3).toString('hex')}`;
    server = startServer(url, port, 0, nsA);
    await waitReady(port);

    // Baseline: single-row INSERT transactions/s with the same number of clients.
    await pool.query('CREATE TABLE bench_baseline (id bigserial primary key, payload jsonb not null, at timestamptz not null default now())');
    const base = await closedLoop(CLIENTS, SECONDS, async () => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('INSERT INTO bench_baseline (payload) VALUES ($1)', [{ n: 1 }]);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
      return 1;
    });
    const baseTps = base.units / SECONDS;
    rows.push(['single-row INSERT transactions (32 clients)', `${baseTps.toFixed(0)} tx/s`, `p50 ${pct(base.latencies, 50).toFixed(1)} ms`, `p99 ${pct(base.latencies, 99).toFixed(1)} ms`]);

    // 1a. single-alert mutations, 32 clients.
    const single = await closedLoop(CLIENTS, SECONDS, async () => {
      const r = await post(port, { query: INGEST_ONE, variables: { i: oneInput() } });
      if (r.status !== 200 || r.json.errors) throw new Error(JSON.stringify(r.json.errors));
      return 1;
    });
    const singleRate = single.units / SECONDS;
    rows.push(['A ingestAlert, 32 clients', `${singleRate.toFixed(0)} alerts/s`, `p50 ${pct(single.latencies, 50).toFixed(1)} ms`, `p99 ${pct(single.latencies, 99).toFixed(1)} ms`, `ratio to INSERT tx/s ${(singleRate / baseTps).toFixed(2)}`, `errors ${single.errors}`]);

    // 1b. batches of 100, 32 clients.
    const batch = await closedLoop(CLIENTS, SECONDS, async () => {
      const payloads = Array.from({ length: 100 }, () => canonicalAlert());
      const r = await post(port, { query: INGEST_MANY, variables: { p: payloads } });
      if (r.status !== 200 || r.json.errors) throw new Error(JSON.stringify(r.json.errors));
      return 100;
    });
    const batchRate = batch.units / SECONDS;
    rows.push(['A ingestAlerts ×100, 32 clients', `${batchRate.toFixed(0)} alerts/s`, `p50 ${pct(batch.latencies, 50).toFixed(1)} ms/batch`, `p99 ${pct(batch.latencies, 99).toFixed(1)} ms/batch`, `ratio to INSERT tx/s ${(batchRate / baseTps).toFixed(2)}`, `errors ${batch.errors}`]);

    // 2. open loop at 200 requests/s, API-only process (after the batch phase's writes have settled).
    await new Promise((r) => setTimeout(r, 3000));
    const openA = await openLoop(port, 200, SECONDS);
    rows.push(['A ingestAlert at 200 req/s offered', `${(openA.sent / SECONDS).toFixed(0)} req/s sent`, `p50 ${pct(openA.latencies, 50).toFixed(1)} ms`, `p99 ${pct(openA.latencies, 99).toFixed(1)} ms`, `errors ${openA.errors}`]);

    // 2a. the same with a separate worker process (`npm run worker`, 32 jobs) working through A's backlog.
    const worker = startProcess({ url, workers: DEFAULT_WORKERS, namespace: nsA, script: 'src/worker.ts' });
    try {
      await new Promise((r) => setTimeout(r, 5000)); // worker started and busy
      const openW = await openLoop(port, 200, SECONDS);
      rows.push(['A ingestAlert at 200 req/s, + worker process busy', `${(openW.sent / SECONDS).toFixed(0)} req/s sent`, `p50 ${pct(openW.latencies, 50).toFixed(1)} ms`, `p99 ${pct(openW.latencies, 99).toFixed(1)} ms`, `errors ${openW.errors}`]);
    } finally {
      await stopProcess(worker);
    }
    await stopProcess(server);
    server = undefined;

    // Deployment B: API + pipeline workers in one process, fresh database.
    const nsB = `benchb${randomBytes(3).toString('hex')}`;
    serverB = startServer(urlB, portB, DEFAULT_WORKERS, nsB);
    await waitReady(portB);
    const settle = async (deadlineMs: number) => {
      const end = Date.now() + deadlineMs;
      for (;;) {
        const { rows: r } = await poolB.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE state IN ('closed','failed','awaiting_human'))::int AS d FROM investigation_state`);
        if (r[0].d >= r[0].n || Date.now() > end) return r[0] as { n: number; d: number };
        await new Promise((res) => setTimeout(res, 200));
      }
    };

    // 2b. the same open loop while the same process runs the investigations it ingests.
    const openB = await openLoop(portB, 200, SECONDS);
    rows.push(['B ingestAlert at 200 req/s, workers running', `${(openB.sent / SECONDS).toFixed(0)} req/s sent`, `p50 ${pct(openB.latencies, 50).toFixed(1)} ms`, `p99 ${pct(openB.latencies, 99).toFixed(1)} ms`, `errors ${openB.errors}`]);
    await settle(180_000);

    // 3. investigations/s to a terminal or awaiting_human state: 1,000 alerts in batches of 100, timed from
    // the first request to the last investigation settling.
    const before = await countTerminal(poolB);
    const N = 1000;
    const t3 = performance.now();
    for (let i = 0; i < N / 100; i++) {
      await post(portB, { query: INGEST_MANY, variables: { p: Array.from({ length: 100 }, () => canonicalAlert()) } });
    }
    const deadline3 = Date.now() + 180_000;
    while ((await countTerminal(poolB)) < before + N && Date.now() < deadline3) await new Promise((r) => setTimeout(r, 100));
    const done3 = (await countTerminal(poolB)) - before;
    const secs3 = (performance.now() - t3) / 1000;
    rows.push([`B investigations to terminal/awaiting_human (${done3} of ${N})`, `${(done3 / secs3).toFixed(0)} investigations/s`, `${secs3.toFixed(1)} s`]);

    // 4. commit → subscriber latency, 1,000 subscriptions at ~100 events/s. The commit time of a record is
    // observed where the server publishes it after COMMIT: this process also listens on the tenant's Redis
    // channel and notes when each record arrives there; a subscriber's latency is its receipt time minus
    // that arrival (same clock). Also shown: latency from the record's own timestamp, taken when its
    // transaction locked the chain head (so it includes the INSERT and COMMIT).
    const published = new Map<number, number>();
    const observer = new Redis(REDIS_URL);
    await observer.psubscribe(`audit.records:${nsB}*`);
    observer.on('pmessage', (_p: string, _c: string, message: string) => {
      const at = Date.now();
      for (const r of (JSON.parse(message) as { records: { sequenceNumber: number }[] }).records) published.set(r.sequenceNumber, at);
    });
    const received: { seq: number; at: number; ts: number }[] = [];
    const clients = Array.from({ length: 20 }, () =>
      createClient({
        url: `ws://127.0.0.1:${portB}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${BOOTSTRAP}` },
        lazy: false,
      }),
    );
    const disposers: (() => void)[] = [];
    for (const c of clients) {
      for (let s = 0; s < 50; s++) {
        disposers.push(
          c.subscribe<{ investigationEvents: { auditSequence: number; timestamp: string } }>(
            { query: 'subscription { investigationEvents { auditSequence timestamp } }' },
            {
              next: (v) => {
                const e = v.data?.investigationEvents;
                if (e) received.push({ seq: e.auditSequence, at: Date.now(), ts: Date.parse(e.timestamp) });
              },
              error: () => undefined,
              complete: () => undefined,
            },
          ),
        );
      }
    }
    await new Promise((r) => setTimeout(r, 2000)); // subscriptions established
    const end4 = Date.now() + SECONDS * 1000;
    let ingested4 = 0;
    while (Date.now() < end4) {
      // ~20 alerts/s × ~6 transitions each ≈ 100-120 events/s
      const t = Date.now();
      await post(portB, { query: INGEST_MANY, variables: { p: [canonicalAlert(), canonicalAlert()] } });
      ingested4 += 2;
      const wait = 100 - (Date.now() - t);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await new Promise((r) => setTimeout(r, 3000));
    for (const d of disposers) d();
    await Promise.all(clients.map((c) => c.dispose()));
    observer.disconnect();
    const fromCommit = received.filter((r) => published.has(r.seq)).map((r) => r.at - published.get(r.seq)!);
    const fromTimestamp = received.map((r) => r.at - r.ts);
    const events = new Set(received.map((r) => r.seq)).size;
    rows.push([
      'B 1,000 subscribers (investigationEvents)',
      `${(events / SECONDS).toFixed(0)} events/s × 1,000`,
      `commit→subscriber p50 ${pct(fromCommit, 50).toFixed(1)} ms`,
      `p99 ${pct(fromCommit, 99).toFixed(1)} ms`,
      `(from record timestamp p50 ${pct(fromTimestamp, 50).toFixed(1)} / p99 ${pct(fromTimestamp, 99).toFixed(1)} ms)`,
      `${received.length} deliveries for ${ingested4} alerts`,
    ]);

    process.stdout.write(`\nALUSKORT pipeline benchmark (PostgreSQL + Redis on 127.0.0.1, this machine)\n  A: API-only process (ALUSKORT_WORKERS=0), later with a separate worker process; B: API + ${DEFAULT_WORKERS} pipeline jobs in one process; each on its own database\n\n`);
    for (const r of rows) process.stdout.write(`  ${r[0].padEnd(52)} ${r.slice(1).join('   ')}\n`);
    if (errorSamples.size) process.stdout.write(`\n  errors seen: ${[...errorSamples].join(' | ')}\n`);
    process.stdout.write('\n  targets: batched ≥ 1,000 alerts/s, single-alert p99 ≤ 50 ms, ≥ 200 investigations/s, subscriber p99 ≤ 50 ms\n');
  } finally {
    await stopProcess(server);
    await stopProcess(serverB);
    await pool.end().catch(() => undefined);
    await poolB.end().catch(() => undefined);
    agent.destroy();
    await admin(`DROP DATABASE IF EXISTS "${dbA}" WITH (FORCE)`).catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS "${dbB}" WITH (FORCE)`).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
