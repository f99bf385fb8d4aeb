import { type TestApp, createKey, createTenant, startTestApp } from '../helpers/app';
import { loadSample } from '../ingest/samples.helper';
import { recordingQueue } from './helpers';

type WebResult = {
  investigation: { id: string; state: string; severity: string; title: string } | null;
  deduplicated: boolean;
  dropped: boolean;
  reason: string | null;
  error: { code: string; message: string; path: string } | null;
};

// Rate limit: 8 requests per key (each test uses its own keys), refilled too slowly to matter.
const RATE = { capacity: 8, refillPerSecond: 0.001 };

describe('POST /ingest/:source (SIEM webhooks)', () => {
  let t: TestApp;
  const queue = recordingQueue();
  let base: string;
  let tenant: string;

  beforeAll(async () => {
    t = await startTestApp({ queue, checkpoints: false, rateLimit: RATE });
    base = `http://127.0.0.1:${t.port}`;
    tenant = await createTenant(t.db);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = async (source: string, key: string | null, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/ingest/${source}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { results?: WebResult[]; code?: string; message?: string } };
  };
  const ingestKey = () => createKey(t.app, tenant, ['ingest']);

  it('a Sentinel alert as the SIEM posts it → 200 with its RECEIVED investigation, stored in the key’s tenant', async () => {
    const key = await ingestKey();
    const row: Record<string, unknown> = { ...(loadSample('sentinel/securityalert-loganalytics-row-01.json') as Record<string, unknown>), SystemAlertId: 'wh-sentinel-1' };
    const r = await post('sentinel', key, row);
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { investigation: { id: expect.any(String), state: 'received', severity: 'high', title: row.AlertName }, deduplicated: false, dropped: false, reason: null, error: null },
    ]);
    const inv = await t.db.prisma.investigationState.findUniqueOrThrow({ where: { investigationId: r.body.results![0].investigation!.id }, include: { alert: true } });
    expect(inv.tenantId).toBe(tenant);
    expect(inv.alert).toMatchObject({ tenantId: tenant, source: 'sentinel', sourceAlertId: 'wh-sentinel-1' });
    expect(queue.jobs.some((j) => j.job.investigationId === inv.investigationId && j.opts?.jobId === `${inv.investigationId}-received`)).toBe(true);
    expect(await t.db.prisma.auditRecord.count({ where: { tenantId: tenant, investigationId: inv.investigationId, eventType: 'investigation.state_changed' } })).toBe(1);

    // Re-delivery (webhooks retry): deduplicated, same investigation.
    const again = await post('sentinel', key, row);
    expect(again.body.results![0]).toMatchObject({ deduplicated: true, investigation: { id: inv.investigationId } });
  });

  it('an Elastic alert (es_archiver record), sent without a JSON content type → 200', async () => {
    const key = await ingestKey();
    const r = await post('elastic', key, loadSample('elastic/kibana-alert-8.1-indicator-match-esarchive.json'), { 'content-type': 'text/plain' });
    expect(r.status).toBe(200);
    expect(r.body.results).toHaveLength(1);
    expect(r.body.results![0]).toMatchObject({ deduplicated: false, error: null, investigation: { state: 'received' } });
    const inv = await t.db.prisma.investigationState.findUniqueOrThrow({ where: { investigationId: r.body.results![0].investigation!.id }, include: { alert: true } });
    expect(inv.alert).toMatchObject({ tenantId: tenant, source: 'elastic' });
  });

  it('an envelope with several alerts → one result each; a broken element is reported with its path in the body and not stored', async () => {
    const key = await ingestKey();
    const env = loadSample('defender_graph/graph-legacy-v1-security-alerts-list.json') as { value: Record<string, unknown>[] };
    const body = { ...env, value: env.value.map((a, i) => (i === 1 ? { ...a, createdDateTime: 'garbage' } : a)) };
    const before = await t.db.prisma.alert.count({ where: { tenantId: tenant } });
    const r = await post('defender', key, body);
    expect(r.status).toBe(200);
    expect(r.body.results!.map((x) => x.investigation?.state ?? x.error?.path)).toEqual(['received', 'value[1].createdDateTime', 'received']);
    expect(await t.db.prisma.alert.count({ where: { tenantId: tenant } })).toBe(before + 2);
  });

  it('a heartbeat → 200, dropped', async () => {
    const key = await ingestKey();
    const row = { ...(loadSample('sentinel/securityalert-loganalytics-row-01.json') as Record<string, unknown>), SystemAlertId: 'wh-hb', AlertName: 'Test Alert' };
    const r = await post('sentinel', key, row);
    expect(r.body.results).toEqual([{ investigation: null, deduplicated: false, dropped: true, reason: 'heartbeat', error: null }]);
    expect(await t.db.prisma.alert.count({ where: { sourceAlertId: 'wh-hb' } })).toBe(0);
  });

  it('unknown source → 404 NOT_FOUND; unparseable JSON → 400; no/invalid key → 401; viewer → 403', async () => {
    const key = await ingestKey();
    const viewer = await createKey(t.app, tenant, ['viewer']);
    expect(await post('qradar', key, {})).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await post('sentinel', key, '{"SystemAlertId": ')).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT' } });
    expect(await post('sentinel', null, {})).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await post('sentinel', 'alsk_not-a-key', {})).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    const row = { ...(loadSample('sentinel/securityalert-loganalytics-row-01.json') as Record<string, unknown>), SystemAlertId: 'wh-viewer' };
    expect(await post('sentinel', viewer, row)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await t.db.prisma.alert.count({ where: { sourceAlertId: 'wh-viewer' } })).toBe(0);
  });

  it('a body over 5 MB → 413 PAYLOAD_TOO_LARGE, nothing stored', async () => {
    const key = await ingestKey();
    const before = await t.db.prisma.alert.count({ where: { tenantId: tenant } });
    const r = await post('sentinel', key, { SystemAlertId: 'big', AlertName: 'x', TimeGenerated: '2026-01-01T00:00:00Z', Description: 'a'.repeat(5 * 1024 * 1024 + 10) });
    expect(r).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(await t.db.prisma.alert.count({ where: { tenantId: tenant } })).toBe(before);
  });

  it('another tenant posting the same vendor alert gets its own investigation', async () => {
    const other = await createTenant(t.db);
    const keyA = await ingestKey();
    const keyB = await createKey(t.app, other, ['ingest']);
    const row = { ...(loadSample('sentinel/securityalert-loganalytics-row-01.json') as Record<string, unknown>), SystemAlertId: 'wh-shared' };
    const a = await post('sentinel', keyA, row);
    const b = await post('sentinel', keyB, row);
    expect(b.body.results![0].deduplicated).toBe(false);
    expect(b.body.results![0].investigation!.id).not.toBe(a.body.results![0].investigation!.id);
    const inv = await t.db.prisma.investigationState.findUniqueOrThrow({ where: { investigationId: b.body.results![0].investigation!.id } });
    expect(inv.tenantId).toBe(other);
  });

  it('spends the key’s rate-limit budget: 429 RATE_LIMITED with retry-after once it is gone', async () => {
    const key = await ingestKey();
    for (let i = 0; i < RATE.capacity; i++) expect((await post('sentinel', key, [])).status).toBe(200);
    const r = await post('sentinel', key, []);
    expect(r).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
