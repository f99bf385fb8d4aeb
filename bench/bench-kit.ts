/**
 * Pieces the benchmark scripts share: the admin connection, throwaway database URLs, starting and stopping
 * an ALUSKORT process, a keep-alive GraphQL POST, the benchmark's canonical alert and audit event. Not a
 * benchmark itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '..');
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchProcess {
  /** Database URL. */
  url: string;
  /** Pipeline jobs (ALUSKORT_WORKERS). */
  workers: number | string;
  /** Redis key namespace (one per deployment). */
  namespace: string;
  /** HTTP port and bootstrap admin key (the API server only). */
  port?: number;
  bootstrapKey?: string;
  /** `src/main.ts` (default: API, plus pipeline jobs) or `src/worker.ts` (pipeline only). */
  script?: string;
  /** Options for node itself (e.g. `--cpu-prof`). */
  nodeArgs?: readonly string[];
}

/** Starts ALUSKORT as its own process on server PostgreSQL and Redis (rate limits off, pool of 20, warn logs). */
export function startProcess(p: BenchProcess): ChildProcess {
  return spawn(process.execPath, [...(p.nodeArgs ?? []), '-r', '@swc-node/register', p.script ?? 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: p.url,
      REDIS_URL,
      ...(p.port !== undefined ? { PORT: String(p.port), HOST: '127.0.0.1' } : {}),
      ...(p.bootstrapKey !== undefined ? { ALUSKORT_BOOTSTRAP_KEY: p.bootstrapKey } : {}),
      LOG_LEVEL: 'warn',
      ALUSKORT_RATE_LIMIT_CAPACITY: '1000000',
      ALUSKORT_RATE_LIMIT_PER_SECOND: '1000000',
      ALUSKORT_WORKERS: String(p.workers),
      ALUSKORT_REDIS_NAMESPACE: p.namespace,
      DATABASE_POOL_MAX: '20',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Waits (up to 60 s) until the server on `port` answers /readyz with 200. */
export async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/readyz' }, (r) => resolve(r.statusCode === 200)).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('server did not become ready');
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the admin URL's server. */
export function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs one statement on the admin database (CREATE / DROP DATABASE). */
export async function admin(sql: string): Promise<void> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export interface GraphQLPost {
  status: number;
  json: { data?: Record<string, unknown>; errors?: unknown[] };
}

/** POSTs a GraphQL request to 127.0.0.1:`port` over `agent` with a bearer token. */
export function postGraphQL(agent: http.Agent, port: number, token: string, body: unknown): Promise<GraphQLPost> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphQLPost['json'] }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

let alertSeq = 0;

/** A canonical alert (PowerShell download cradle on one of 50 hosts), unique per call. */
export function benchAlert(severity = 'medium'): Record<string, unknown> {
  alertSeq++;
  return {
    alertId: `bench-${process.pid}-${alertSeq}`,
    timestamp: new Date().toISOString(),
    title: `Suspicious PowerShell download cradle on host-${alertSeq % 50}`,
    description: 'powershell.exe -enc ... fetched a payload from 203.0.113.7',
    severity,
    tactics: ['execution'],
    techniques: ['T1059.001'],
    entities: [
      { type: 'host', value: `host-${alertSeq % 50}` },
      { type: 'ip', value: '203.0.113.7' },
    ],
    product: 'bench',
    rawPayload: { n: alertSeq },
  };
}

/**
 * Audit event `i` of the audit benchmarks. Every record's decision and outcome differ (the verifier
 * used to reuse the canonical text of a JSON value repeating the previous row's, which a constant
 * payload would have turned into a flattering figure).
 */
export function benchAuditEvent(i: number) {
  return {
    eventType: 'investigation.state_changed',
    investigationId: `inv-${i % 1000}`,
    context: { from_state: 'enriching', to_state: 'reasoning', agent: 'reasoning_agent', changed_fields: ['classification', 'confidence'], i },
    decision: { classification: i % 3 ? 'suspicious' : 'true_positive', confidence: (i % 97) / 100, reasoning_summary: `rules R-005, R-0${i % 90} fired` },
    outcome: { outcome_status: 'success', action_taken: 'transition', duration_ms: i % 1000 },
  };
}
