import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type TestDatabase, createTestDatabase } from '../helpers/db';

const ROOT = path.resolve(__dirname, '../..');

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no healthy server at ${url}`);
}

describe('process lifecycle', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('starts with a bootstrap key, serves, and exits 0 on SIGTERM after draining', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const bootstrap = 'test-bootstrap-key-0123456789abcdef';
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ALUSKORT_BOOTSTRAP_KEY: bootstrap, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout!.on('data', (d) => (logs += d));
    child.stderr!.on('data', (d) => (logs += d));
    const exited = waitForExit(child);
    try {
      await waitForHealth(`http://127.0.0.1:${port}/healthz`, 30_000);
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bootstrap}`, 'x-request-id': 'req-lifecycle-1' },
        body: JSON.stringify({ query: 'query Probe { mitreTechniques(first: 5) { totalCount edges { node { techniqueId } } } }' }),
      });
      const body = (await res.json()) as { data: { mitreTechniques: { totalCount: number } } };
      expect(res.headers.get('x-request-id')).toBe('req-lifecycle-1');
      // The seed loaded at start gives the API techniques to show.
      expect(body.data.mitreTechniques.totalCount).toBeGreaterThan(50);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // Structured logs carry the request id, tenant and operation name.
    const opLine = logs.split('\n').find((l) => l.includes('"graphql operation"'));
    expect(opLine).toBeDefined();
    expect(JSON.parse(opLine!)).toMatchObject({ requestId: 'req-lifecycle-1', tenantId: 'default', operation: 'Probe' });
    expect(logs).toContain('shutting down');
  }, 60_000);
});
