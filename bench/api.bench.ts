/**
 * `npm run bench:api`: throughput and latency of the nested dashboard query through the full server
 * (express + Apollo Server 5 + API-key auth + rate limit + operation limits + metrics), next to the SAME
 * query executed by plain graphql-js (`graphql()` with the same schema, resolvers and context factory)
 * behind a bare node:http server, in the same run against the same database. The ratio is the figure.
 *
 * - Database: a throwaway database on the PostgreSQL server of BENCH_PG_ADMIN_URL (default: the server of
 *   DATABASE_URL, else postgresql://postgres@127.0.0.1:5432), migrated, dropped at the end.
 * - Data: the ATT&CK bundle (BENCH_ATTACK_FILE, default /work/shared/data/mitre/enterprise-attack-v18.1.json);
 *   when it is absent, the seed (taxonomy ids only, so the technique list is empty: numbers are then meaningless).
 * - Load: BENCH_CLIENTS (default 50) concurrent keep-alive clients, each sending one request at a time, for
 *   BENCH_SECONDS (default 10) per target after BENCH_WARMUP_SECONDS (default 2) of warm-up. The load
 *   generator runs in a worker thread so it does not share the servers' event loop. Only 127.0.0.1.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { Worker } from 'node:worker_threads';
import { graphql } from 'graphql';
import { Client } from 'pg';
import { createApp } from '../src/app';
import { systemScope } from '../src/auth/scope';
import { openDatabase } from '../src/db/database';
import { runMigrations } from '../src/db/migrate';
import { seedDatabase } from '../src/db/seed';
import { createContextFactory } from '../src/graphql/context';
import { buildAppSchema } from '../src/graphql/schema';
import { createLogger } from '../src/observability/logger';
import { importTaxonomyFile } from '../src/taxonomy/import';

const QUERY = `query Dashboard {
  mitreTechniques(first: 50) {
    edges { node { techniqueId techniqueName parent { techniqueId } subTechniques { techniqueId } groups { groupId groupName } } }
  }
}`;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const ATTACK_FILE = process.env.BENCH_ATTACK_FILE ?? '/work/shared/data/mitre/enterprise-attack-v18.1.json';
const POOL_MAX = Number(process.env.DATABASE_POOL_MAX ?? 10);

function adminUrl(): string {
  if (process.env.BENCH_PG_ADMIN_URL) return process.env.BENCH_PG_ADMIN_URL;
  const u = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  u.pathname = '/postgres';
  return u.toString();
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

interface LoadResult {
  requests: number;
  failures: number;
  elapsedMs: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Load generator (plain CommonJS, evaluated in a worker thread): closed loop, one request in flight per client. */
const WORKER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, body, headers, clients, warmupMs, durationMs } = workerData;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
function once() {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const ok = res.statusCode === 200 && !Buffer.concat(chunks).toString().includes('"errors":');
        resolve({ ms, ok });
      });
      res.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, ok: false }));
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, ok: false }));
    req.end(body);
  });
}
async function phase(ms, record) {
  const end = Date.now() + ms;
  const lat = [];
  let failures = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < end) {
      const r = await once();
      if (!record) continue;
      if (r.ok) lat.push(r.ms); else failures++;
    }
  }));
  return { lat, failures, elapsedMs: Number(process.hrtime.bigint() - started) / 1e6 };
}
(async () => {
  await phase(warmupMs, false);
  const { lat, failures, elapsedMs } = await phase(durationMs, true);
  lat.sort((a, b) => a - b);
  const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
  const mean = lat.reduce((s, x) => s + x, 0) / (lat.length || 1);
  agent.destroy();
  parentPort.postMessage({ requests: lat.length, failures, elapsedMs, p50: q(0.5), p99: q(0.99), mean });
})().catch((err) => { throw err; });
`;

function runLoad(url: string, headers: Record<string, string>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, {
      eval: true,
      execArgv: [],
      workerData: {
        url,
        headers,
        body: JSON.stringify({ query: QUERY, operationName: 'Dashboard' }),
        clients: CLIENTS,
        warmupMs: WARMUP_SECONDS * 1000,
        durationMs: SECONDS * 1000,
      },
    });
    w.once('message', (m: LoadResult) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`load worker exited with ${code}`))));
  });
}

async function post(url: string, headers: Record<string, string>): Promise<{ status: number; body: { data?: unknown; errors?: unknown[] } }> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: QUERY, operationName: 'Dashboard' }) });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: unknown[] } };
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

async function main(): Promise<void> {
  const dbName = `aluskort_bench_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const dbUrl = (() => {
    const u = new URL(adminUrl());
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  await admin((c) => c.query(`CREATE DATABASE "${dbName}"`));
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)).catch((err) =>
      process.stderr.write(`could not drop ${dbName}: ${(err as Error).message}\n`),
    );
  };
  const onSignal = () => {
    void drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const servers: http.Server[] = [];
  let closeApp: (() => Promise<void>) | undefined;
  try {
    const db = await openDatabase({ databaseUrl: dbUrl, dataDir: '', poolMax: POOL_MAX });
    const driver = await db.sqlDriver();
    let migrations: number;
    try {
      migrations = (await runMigrations(driver)).total;
    } finally {
      await driver.close();
    }

    const tenantId = 'bench';
    await db.prisma.tenant.create({ data: { tenantId, name: 'Benchmark', tier: 'standard' } });
    let dataset: string;
    if (existsSync(ATTACK_FILE)) {
      const t0 = Date.now();
      const s = await importTaxonomyFile(db.prisma, ATTACK_FILE);
      dataset = `ATT&CK ${s.version ?? '?'} (${ATTACK_FILE}, imported in ${((Date.now() - t0) / 1000).toFixed(1)} s)`;
    } else {
      await seedDatabase(db.prisma, { tenantId });
      dataset = `seed only (${ATTACK_FILE} not found: the technique list is empty)`;
    }
    const [techniques, groups] = await Promise.all([db.prisma.mitreTechnique.count(), db.prisma.mitreGroup.count()]);

    const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent');
    const app = await createApp({
      db,
      logger,
      migrationsApplied: migrations,
      rateLimit: { capacity: 1e9, refillPerSecond: 1e9 },
    });
    closeApp = () => app.close();
    const port = await app.listen(0, '127.0.0.1');
    const fullUrl = `http://127.0.0.1:${port}/graphql`;
    const { secret } = await app.services.apiKeys.create(systemScope(tenantId, 'bench'), { name: 'bench', roles: ['viewer'] });

    // Plain graphql-js: same schema object, same resolvers, same context factory (auth + per-operation loaders).
    const schema = await buildAppSchema();
    const factory = createContextFactory({ services: app.services, logger });
    const plain = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        try {
          const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString());
          const auth = await factory.authenticate(req.headers.authorization, randomBytes(8).toString('hex'));
          const contextValue = factory.build(auth.kind === 'ok' ? auth.scope : null);
          const result = await graphql({ schema, source: query, variableValues: variables, operationName, contextValue });
          const body = JSON.stringify(result);
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        } catch (err) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: (err as Error).message }] }));
        }
      });
    });
    plain.keepAliveTimeout = 60_000;
    servers.push(plain);
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/graphql`;

    const headers = { 'content-type': 'application/json', authorization: `Bearer ${secret}` };
    const [a, b] = await Promise.all([post(fullUrl, headers), post(plainUrl, headers)]);
    if (a.status !== 200 || a.body.errors || b.status !== 200 || b.body.errors) {
      throw new Error(`sanity check failed: full ${a.status} ${JSON.stringify(a.body.errors)}, plain ${b.status} ${JSON.stringify(b.body.errors)}`);
    }
    if (!isDeepStrictEqual(a.body.data, b.body.data)) throw new Error('sanity check failed: the two servers answer differently');
    const edges = (a.body.data as { mitreTechniques: { edges: unknown[] } }).mitreTechniques.edges.length;

    process.stdout.write(
      `\nALUSKORT API bench: nested dashboard query (mitreTechniques(first: 50) → parent, subTechniques, groups)\n` +
        `data: ${dataset}; ${techniques} techniques, ${groups} groups; ${edges} edges per response\n` +
        `load: ${CLIENTS} concurrent keep-alive clients, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s per target, ` +
        `DB pool ${POOL_MAX}, node ${process.version}\n\n`,
    );
    const full = await runLoad(fullUrl, headers);
    const bare = await runLoad(plainUrl, headers);

    const rps = (r: LoadResult) => (r.requests / r.elapsedMs) * 1000;
    const row = (name: string, r: LoadResult) =>
      `| ${name.padEnd(48)} | ${fmt(rps(r)).padStart(9)} | ${fmt(r.p50).padStart(8)} | ${fmt(r.p99).padStart(8)} | ${String(r.requests).padStart(8)} | ${String(r.failures).padStart(6)} |`;
    const lines = [
      `| ${'target'.padEnd(48)} | ${'req/s'.padStart(9)} | ${'p50 ms'.padStart(8)} | ${'p99 ms'.padStart(8)} | ${'requests'.padStart(8)} | ${'failed'.padStart(6)} |`,
      `|${'-'.repeat(50)}|${'-'.repeat(11)}|${'-'.repeat(10)}|${'-'.repeat(10)}|${'-'.repeat(10)}|${'-'.repeat(8)}|`,
      row('full server (express + Apollo 5 + auth + limits)', full),
      row('plain graphql-js over node:http', bare),
      `| ${'ratio full / plain'.padEnd(48)} | ${fmt(rps(full) / rps(bare), 2).padStart(9)} | ${fmt(full.p50 / bare.p50, 2).padStart(8)} | ${fmt(full.p99 / bare.p99, 2).padStart(8)} | ${''.padStart(8)} | ${''.padStart(6)} |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n\n`);
    if (full.failures || bare.failures) process.exitCode = 1;
  } finally {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    await closeApp?.().catch(() => undefined);
    await drop();
  }
}

main().catch(async (err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
