import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parse } from 'graphql';
import WebSocket from 'ws';
import { createAluskortClient } from '../../src/client/sdk';
import { type TestDatabase, createTestDatabase } from '../helpers/db';

const ROOT = path.resolve(__dirname, '../..');
const KEY = `two-process-${randomBytes(12).toString('hex')}`;
const NAMESPACE = `t2p${randomBytes(4).toString('hex')}`;

function startServer(dbUrl: string, port: number, entry = 'src/main.ts', extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      REDIS_URL: 'redis://127.0.0.1:6379',
      ALUSKORT_REDIS_NAMESPACE: NAMESPACE,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ALUSKORT_BOOTSTRAP_KEY: KEY,
      ALUSKORT_WORKERS: '2',
      NODE_OPTIONS: '',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server on ${port} not ready`);
}

async function ingest(port: number, n: number, tag: string): Promise<void> {
  const payloads = Array.from({ length: n }, (_, i) => ({
    alertId: `${tag}-${i}`,
    timestamp: new Date().toISOString(),
    title: `Suspicious sign-in ${tag}-${i}`,
    description: 'impossible travel',
    severity: 'medium',
    tactics: ['initial-access'],
    techniques: ['T1078'],
    entities: [{ type: 'account', value: `user${i}@example.com` }],
    product: 'test',
    rawPayload: { i },
  }));
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ query: 'mutation($p: [JSON!]!) { ingestAlerts(source: CANONICAL, payloads: $p) { error { code } } }', variables: { p: payloads } }),
  });
  const body = (await res.json()) as { data?: { ingestAlerts: { error: unknown }[] }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  expect(body.data!.ingestAlerts.every((r) => r.error === null)).toBe(true);
}

async function settled(db: TestDatabase, expected: number): Promise<void> {
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM investigation_state WHERE state IN ('closed','failed','awaiting_human')`,
    );
    if (rows[0].n >= expected) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('investigations did not settle');
}

async function transitions(db: TestDatabase): Promise<number[]> {
  const { rows } = await db.pool.query(
    `SELECT sequence_number::int AS s FROM audit_records WHERE tenant_id = 'default' AND event_type = 'investigation.state_changed' ORDER BY sequence_number`,
  );
  return rows.map((r) => r.s as number);
}

describe('two server processes on one PostgreSQL and Redis', () => {
  let db: TestDatabase;
  const procs: ChildProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await db.drop();
  });

  it('a subscriber on A sees every transition of alerts ingested through B, then resumes on B after A dies: no gap, no duplicate', async () => {
    const portA = 20000 + Math.floor(Math.random() * 20000);
    const portB = portA + 1;
    const a = startServer(db.url, portA);
    procs.push(a);
    await waitReady(portA);
    const b = startServer(db.url, portB);
    procs.push(b);
    await waitReady(portB);

    const seen: number[] = [];
    const states: string[] = [];
    const onA = createAluskortClient({ url: `http://127.0.0.1:${portA}/graphql`, apiKey: KEY, webSocketImpl: WebSocket });
    const doc = parse('subscription($after: Int) { investigationEvents(afterSequence: $after) { auditSequence toState investigationId } }');
    onA.subscribe(doc as never, { after: 0 } as never, {
      onNext: (v: { investigationEvents: { auditSequence: number; toState: string } }) => {
        seen.push(v.investigationEvents.auditSequence);
        states.push(v.investigationEvents.toState);
      },
      onError: () => undefined,
    } as never);
    await new Promise((r) => setTimeout(r, 500));

    await ingest(portB, 10, 'first');
    await settled(db, 10);
    let expected = await transitions(db);
    const deadline = Date.now() + 10_000;
    while (seen.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(expected);
    expect(states).toContain('RECEIVED');
    expect(states.filter((s) => s === 'RECEIVED')).toHaveLength(10);

    // A dies without a goodbye; the client resumes on B from the last sequence it saw.
    a.kill('SIGKILL');
    await onA.close().catch(() => undefined);
    const last = seen[seen.length - 1];
    await ingest(portB, 5, 'second');
    const resumed: number[] = [];
    const onB = createAluskortClient({ url: `http://127.0.0.1:${portB}/graphql`, apiKey: KEY, webSocketImpl: WebSocket });
    onB.subscribe(doc as never, { after: last } as never, {
      onNext: (v: { investigationEvents: { auditSequence: number } }) => resumed.push(v.investigationEvents.auditSequence),
      onError: () => undefined,
    } as never);
    await settled(db, 15);
    expected = await transitions(db);
    const deadline2 = Date.now() + 15_000;
    while (seen.length + resumed.length < expected.length && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 100));
    await onB.close();
    expect([...seen, ...resumed]).toEqual(expected);
    b.kill('SIGTERM');
  }, 120_000);

  it('an API-only process (ALUSKORT_WORKERS=0) hands the work to a separate `npm run worker` process', async () => {
    const other = await createTestDatabase();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const api = startServer(other.url, port, 'src/main.ts', { ALUSKORT_WORKERS: '0', ALUSKORT_REDIS_NAMESPACE: `${NAMESPACE}w` });
    procs.push(api);
    try {
      await waitReady(port);
      await ingest(port, 3, 'api-only');
      await new Promise((r) => setTimeout(r, 1500));
      const idle = await other.pool.query(`SELECT count(*)::int AS n FROM investigation_state WHERE state <> 'received'`);
      expect(idle.rows[0].n).toBe(0); // nobody works in the API process
      const worker = startServer(other.url, 0, 'src/worker.ts', { ALUSKORT_REDIS_NAMESPACE: `${NAMESPACE}w` });
      procs.push(worker);
      await settled(other, 3);
      worker.kill('SIGTERM');
    } finally {
      api.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      await other.drop();
    }
  }, 120_000);
});
