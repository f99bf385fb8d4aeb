import { verifyAuditChain } from '../../src/audit/audit.verify';
import { severityPriority } from '../../src/engine/queue';
import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';
import { loadSample, sampleFiles } from '../ingest/samples.helper';
import { EXPECTED_COUNTS, RESULT_FIELDS, SOURCE_OF_DIR, gqlSource, recordingQueue } from './helpers';

type Inv = { id: string; state: string; severity: string; title: string; source: string | null; alertId: string; version: number; createdAt: string };
type Result = { deduplicated: boolean; dropped: boolean; reason: string | null; error: { code: string; message: string; path: string } | null; investigation: Inv | null };

const INGEST_ALERTS = `mutation($source: AlertSource!, $payloads: [JSON!]!) { ingestAlerts(source: $source, payloads: $payloads) { ${RESULT_FIELDS} } }`;
const INGEST_ALERT = `mutation($input: CanonicalAlertInput!) { ingestAlert(input: $input) { ${RESULT_FIELDS} } }`;
const INVESTIGATION = `query($id: ID!) { investigation(id: $id) { id state title alert { id sourceAlertId } } }`;

/** Samples whose alerts share a vendor id (both Defender alerts of this file have id "pid"): stored investigations. */
const SAME_ID_IN_FILE: Record<string, number> = { 'defender_graph/graph-alerts-v2-linux-customti-and-air.json': 1 };

const sentinelRow = (over: Record<string, unknown> = {}) => ({
  ...(loadSample('sentinel/securityalert-loganalytics-row-01.json') as Record<string, unknown>),
  ...over,
});

function ok<T>(r: GqlResponse<T>): T {
  expect(r.body.errors).toBeUndefined();
  return r.body.data as T;
}

describe('ingestAlerts / ingestAlert (GraphQL)', () => {
  let t: TestApp;
  const queue = recordingQueue();
  let tenantA: string;
  let tenantB: string;
  let ingestA: string;
  let ingestB: string;
  let viewerA: string;
  let analystA: string;
  let seq = 0;
  const uid = () => `it-${Date.now().toString(36)}-${++seq}`;

  beforeAll(async () => {
    t = await startTestApp({ queue, checkpoints: false });
    tenantA = await createTenant(t.db);
    tenantB = await createTenant(t.db);
    ingestA = await createKey(t.app, tenantA, ['ingest']);
    ingestB = await createKey(t.app, tenantB, ['ingest']);
    viewerA = await createKey(t.app, tenantA, ['viewer']);
    analystA = await createKey(t.app, tenantA, ['analyst']);
  });
  afterAll(async () => {
    await t.close();
  });

  const p = () => t.db.prisma;
  const ingestAlerts = (key: string, source: string, payloads: unknown[]) => gql<{ ingestAlerts: Result[] }>(t.url, key, INGEST_ALERTS, { source, payloads });
  const ingestAlert = (key: string, input: Record<string, unknown>) => gql<{ ingestAlert: Result }>(t.url, key, INGEST_ALERT, { input });
  const counts = async (tenantId: string) => ({
    alerts: await p().alert.count({ where: { tenantId } }),
    investigations: await p().investigationState.count({ where: { tenantId } }),
    audit: await p().auditRecord.count({ where: { tenantId } }),
  });

  describe('every alert sample of the formats', () => {
    const files = Object.keys(SOURCE_OF_DIR).flatMap((d) => sampleFiles(d));

    it('is the same sample set as the adapter tests', () => {
      expect([...files].sort()).toEqual(Object.keys(EXPECTED_COUNTS).sort());
    });

    it.each(files)('%s ingests: one result per alert, RECEIVED investigations, rows in the caller’s tenant', async (file) => {
      // A tenant per file: samples of one vendor may share alert ids.
      const tenant = await createTenant(t.db);
      const key = await createKey(t.app, tenant, ['ingest']);
      const source = SOURCE_OF_DIR[file.split('/')[0]];
      const [count, okCount] = EXPECTED_COUNTS[file];
      const results = ok(await ingestAlerts(key, gqlSource(source), [loadSample(file)])).ingestAlerts;
      expect(results).toHaveLength(count);
      expect(results.filter((r) => r.investigation)).toHaveLength(okCount);
      // Within one call a repeated vendor id is stored once; the repeats report the first one's investigation.
      const stored = results.filter((r) => r.investigation && !r.deduplicated);
      const storedCount = SAME_ID_IN_FILE[file] ?? okCount;
      expect(stored).toHaveLength(storedCount);
      for (const r of results) {
        expect(r.dropped).toBe(false);
        if (r.deduplicated) expect(stored.map((s) => s.investigation!.id)).toContain(r.investigation!.id);
        if (r.investigation) {
          expect(r.error).toBeNull();
          expect(r.investigation).toMatchObject({ state: 'RECEIVED', version: 0, source: gqlSource(source) });
        } else {
          expect(r.error?.code).toBe('BAD_USER_INPUT');
          expect(r.error?.path).toMatch(/^payloads\[0\]/);
        }
      }
      const invs = await p().investigationState.findMany({ where: { investigationId: { in: stored.map((r) => r.investigation!.id) } }, include: { alert: true } });
      expect(invs).toHaveLength(storedCount);
      for (const inv of invs) {
        expect(inv.tenantId).toBe(tenant);
        expect(inv.alert.tenantId).toBe(tenant);
        expect(inv.alert.source).toBe(source);
        expect(inv.state).toBe('received');
        expect((inv.graphState as { tenantId: string; investigationId: string; alertId: string; state: string })).toMatchObject({
          tenantId: tenant,
          investigationId: inv.investigationId,
          alertId: inv.alertId,
          state: 'received',
        });
        expect(inv.alert.rawPayload).toEqual(expect.any(Object));
      }
      expect(await counts(tenant)).toMatchObject({ alerts: storedCount, investigations: storedCount });
      const audit = await p().auditRecord.findMany({ where: { tenantId: tenant, eventType: 'investigation.state_changed' } });
      expect(audit.map((a) => a.investigationId).sort()).toEqual(invs.map((i) => i.investigationId).sort());
    });
  });

  it('stores the alert with the caller’s tenant (never the payload’s), its raw payload, entities and techniques, and enqueues the step', async () => {
    const id = uid();
    const payload = sentinelRow({ SystemAlertId: id, TenantId: tenantB, tenant_id: tenantB, Techniques: '["T1078"]' });
    const [r] = ok(await ingestAlerts(ingestA, 'SENTINEL', [payload])).ingestAlerts;
    const alert = await p().alert.findFirstOrThrow({ where: { sourceAlertId: id } });
    expect(alert.tenantId).toBe(tenantA);
    expect(await p().alert.count({ where: { tenantId: tenantB, sourceAlertId: id } })).toBe(0);
    expect(alert.rawPayload).toEqual(payload);
    expect(alert.severity).toBe('high');
    expect(alert.entities).toEqual([expect.objectContaining({ type: 'account' })]);
    expect(r.investigation).toMatchObject({ alertId: alert.alertPk, severity: 'HIGH', title: alert.title });
    const job = queue.jobs.find((j) => j.job.investigationId === r.investigation!.id);
    expect(job).toEqual({
      job: { tenantId: tenantA, investigationId: r.investigation!.id, kind: 'step' },
      opts: { priority: severityPriority('high'), jobId: `${r.investigation!.id}-received` },
    });
    expect(job!.opts!.jobId).not.toContain(':');
  });

  it('the same alert twice → the existing investigation, deduplicated, no new rows, audit records or jobs', async () => {
    const payload = sentinelRow({ SystemAlertId: uid() });
    const [first] = ok(await ingestAlerts(ingestA, 'SENTINEL', [payload])).ingestAlerts;
    expect(first.deduplicated).toBe(false);
    const before = await counts(tenantA);
    const jobs = queue.jobs.length;
    const [again] = ok(await ingestAlerts(ingestA, 'SENTINEL', [payload])).ingestAlerts;
    expect(again).toMatchObject({ deduplicated: true, dropped: false, error: null });
    expect(again.investigation?.id).toBe(first.investigation?.id);
    expect(await counts(tenantA)).toEqual(before);
    expect(queue.jobs.length).toBe(jobs);
    // ... also next to a new alert in one call: only the new one is stored
    const inCall = ok(await ingestAlerts(ingestA, 'SENTINEL', [payload, sentinelRow({ SystemAlertId: uid() }), payload])).ingestAlerts;
    expect(inCall.map((r) => r.deduplicated)).toEqual([true, false, true]);
    expect(await counts(tenantA)).toMatchObject({ alerts: before.alerts + 1, investigations: before.investigations + 1, audit: before.audit + 1 });
    expect(queue.jobs.length).toBe(jobs + 1);
    expect(inCall[0].investigation?.id).toBe(first.investigation?.id);
    expect(inCall[2].investigation?.id).toBe(first.investigation?.id);
  });

  it('one new alert given twice in one call is stored once', async () => {
    const payload = sentinelRow({ SystemAlertId: uid() });
    const before = await counts(tenantA);
    const rs = ok(await ingestAlerts(ingestA, 'SENTINEL', [payload, payload])).ingestAlerts;
    expect(rs.map((r) => r.deduplicated)).toEqual([false, true]);
    expect(rs[1].investigation?.id).toBe(rs[0].investigation?.id);
    const after = await counts(tenantA);
    expect(after.alerts - before.alerts).toBe(1);
    expect(after.investigations - before.investigations).toBe(1);
  });

  it('concurrent identical ingests (5 at once) → exactly one investigation and one audit record', async () => {
    const id = uid();
    const payload = sentinelRow({ SystemAlertId: id });
    const all = await Promise.all(Array.from({ length: 5 }, () => ingestAlerts(ingestA, 'SENTINEL', [payload])));
    const results = all.map((r) => ok(r).ingestAlerts[0]);
    expect(new Set(results.map((r) => r.investigation?.id)).size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    const alerts = await p().alert.findMany({ where: { tenantId: tenantA, sourceAlertId: id } });
    expect(alerts).toHaveLength(1);
    expect(await p().investigationState.count({ where: { alertId: alerts[0].alertPk } })).toBe(1);
    expect(await p().auditRecord.count({ where: { tenantId: tenantA, alertId: alerts[0].alertPk } })).toBe(1);
  });

  it('concurrent overlapping batches (same alerts, different orders) all succeed without duplicates', async () => {
    const ids = Array.from({ length: 6 }, () => uid());
    const rows = ids.map((id) => sentinelRow({ SystemAlertId: id }));
    const orders = [rows, [...rows].reverse(), [rows[3], rows[0], rows[5], rows[1], rows[4], rows[2]]];
    const all = await Promise.all(orders.map((o) => ingestAlerts(ingestA, 'SENTINEL', o)));
    const byAlert = new Map<string, Set<string>>();
    all.forEach((r, k) =>
      ok(r).ingestAlerts.forEach((res, i) => {
        const sid = (orders[k][i] as { SystemAlertId: string }).SystemAlertId;
        byAlert.set(sid, (byAlert.get(sid) ?? new Set()).add(res.investigation!.id));
      }),
    );
    for (const id of ids) expect(byAlert.get(id)?.size).toBe(1);
    expect(await p().alert.count({ where: { tenantId: tenantA, sourceAlertId: { in: ids } } })).toBe(6);
  });

  it('a malformed payload → an error with its path and nothing stored; its good siblings are stored', async () => {
    const before = await counts(tenantA);
    const { SystemAlertId: _drop, VendorOriginalId: _drop2, ...noId } = sentinelRow();
    const good = sentinelRow({ SystemAlertId: uid() });
    const rs = ok(await ingestAlerts(ingestA, 'SENTINEL', [noId, good, sentinelRow({ SystemAlertId: uid(), TimeGenerated: 'not a time' }), 42])).ingestAlerts;
    expect(rs).toHaveLength(4);
    expect(rs[0]).toMatchObject({ investigation: null, deduplicated: false, dropped: false, error: { code: 'BAD_USER_INPUT', path: 'payloads[0].SystemAlertId' } });
    expect(rs[1].investigation?.state).toBe('RECEIVED');
    expect(rs[2]).toMatchObject({ investigation: null, error: { code: 'BAD_USER_INPUT', path: 'payloads[2].TimeGenerated' } });
    expect(rs[3]).toMatchObject({ investigation: null, error: { code: 'BAD_USER_INPUT', path: 'payloads[3]' } });
    const after = await counts(tenantA);
    expect(after.alerts - before.alerts).toBe(1);
    expect(after.investigations - before.investigations).toBe(1);
    expect(after.audit - before.audit).toBe(1);
  });

  it('an alert holding U+0000 (PostgreSQL cannot store it) → an error for that alert only', async () => {
    const before = await counts(tenantA);
    const rs = ok(await ingestAlerts(ingestA, 'SENTINEL', [sentinelRow({ SystemAlertId: uid() }), sentinelRow({ SystemAlertId: uid(), ExtendedProperties: 'a\u0000b' })])).ingestAlerts;
    expect(rs[0].investigation?.state).toBe('RECEIVED');
    expect(rs[1]).toMatchObject({ investigation: null, error: { code: 'BAD_USER_INPUT', path: 'payloads[1]' } });
    const after = await counts(tenantA);
    expect(after.alerts - before.alerts).toBe(1);
  });

  it('only malformed payloads → nothing stored at all', async () => {
    const before = await counts(tenantA);
    const rs = ok(await ingestAlerts(ingestA, 'DEFENDER', [{ value: [{ id: 'x', title: 'no time' }] }])).ingestAlerts;
    expect(rs).toHaveLength(1);
    expect(rs[0].error?.path).toMatch(/^payloads\[0\]\.value\[0\]/);
    expect(await counts(tenantA)).toEqual(before);
  });

  it('a heartbeat → dropped (reported, not stored)', async () => {
    const before = await counts(tenantA);
    const rs = ok(await ingestAlerts(ingestA, 'SENTINEL', [sentinelRow({ SystemAlertId: uid(), AlertName: 'Heartbeat' })])).ingestAlerts;
    expect(rs).toEqual([{ investigation: null, deduplicated: false, dropped: true, reason: 'heartbeat', error: null }]);
    const c = ok(await ingestAlert(ingestA, { alertId: uid(), timestamp: '2026-01-01T00:00:00Z', title: 'probe', isHeartbeat: true })).ingestAlert;
    expect(c).toMatchObject({ dropped: true, reason: 'heartbeat', investigation: null });
    expect(await counts(tenantA)).toEqual(before);
  });

  it('more than 500 payloads → BAD_USER_INPUT on payloads, nothing stored', async () => {
    const before = await counts(tenantA);
    const r = await ingestAlerts(ingestA, 'SENTINEL', Array.from({ length: 501 }, (_, i) => ({ SystemAlertId: `too-many-${i}` })));
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect((r.body.errors![0].extensions!.fieldErrors as { path: string }[]).map((f) => f.path)).toEqual(['payloads']);
    expect(await counts(tenantA)).toEqual(before);
  });

  it('a batch of 100 alerts commits in one call: 100 investigations, 100 audit records, 100 jobs', async () => {
    const tenant = await createTenant(t.db);
    const key = await createKey(t.app, tenant, ['ingest']);
    const jobs = queue.jobs.length;
    const payloads = Array.from({ length: 100 }, (_, i) => sentinelRow({ SystemAlertId: `batch-${i}`, AlertSeverity: i % 2 ? 'Low' : 'High' }));
    const rs = ok(await ingestAlerts(key, 'SENTINEL', payloads)).ingestAlerts;
    expect(rs).toHaveLength(100);
    expect(rs.every((r) => r.investigation?.state === 'RECEIVED' && !r.deduplicated)).toBe(true);
    expect(rs[0].investigation?.severity).toBe('HIGH');
    expect(rs[1].investigation?.severity).toBe('LOW');
    expect(await counts(tenant)).toEqual({ alerts: 100, investigations: 100, audit: 101 }); // + genesis
    expect(queue.jobs.length - jobs).toBe(100);
    expect((await verifyAuditChain(p(), tenant, { log: false })).valid).toBe(true);
  });

  describe('ingestAlert (canonical input)', () => {
    const input = (over: Record<string, unknown> = {}) => ({
      alertId: uid(),
      timestamp: '2026-03-01T10:00:00+02:00',
      title: 'Suspicious PowerShell',
      description: 'Encoded command',
      severity: 'CRITICAL',
      tactics: ['Execution'],
      techniques: ['t1059.001'],
      entities: [{ type: 'host', value: 'ws-01' }, { type: 'ip', value: '10.0.0.5' }],
      product: 'EDR',
      rawPayload: { vendor: 'x', tenant_id: 'someone-else' },
      ...over,
    });

    it('stores a canonical alert and opens its investigation', async () => {
      const i = input();
      const r = ok(await ingestAlert(ingestA, i)).ingestAlert;
      expect(r).toMatchObject({ deduplicated: false, dropped: false, error: null, investigation: { state: 'RECEIVED', severity: 'CRITICAL', title: 'Suspicious PowerShell', source: 'CANONICAL' } });
      const a = await p().alert.findFirstOrThrow({ where: { alertPk: r.investigation!.alertId } });
      expect(a).toMatchObject({
        tenantId: tenantA,
        source: 'canonical',
        sourceAlertId: i.alertId,
        severity: 'critical',
        tactics: ['execution'],
        techniques: ['T1059.001'],
        product: 'EDR',
        rawPayload: { vendor: 'x', tenant_id: 'someone-else' },
      });
      expect(a.timestamp.toISOString()).toBe('2026-03-01T08:00:00.000Z');
      expect((a.entities as { type: string; value: string }[]).map((e) => `${e.type}:${e.value}`)).toEqual(['host:ws-01', 'ip:10.0.0.5']);
      const again = ok(await ingestAlert(ingestA, i)).ingestAlert;
      expect(again).toMatchObject({ deduplicated: true, investigation: { id: r.investigation!.id } });
      // the same id under another source is another alert
      const other = ok(await ingestAlert(ingestA, { ...i, source: 'SENTINEL' })).ingestAlert;
      expect(other).toMatchObject({ deduplicated: false, investigation: { source: 'SENTINEL' } });
    });

    it.each([
      [{ timestamp: 'yesterday' }, 'input.timestamp'],
      [{ title: '  ' }, 'input.title'],
      [{ techniques: ['T1059.001', 'PowerShell'] }, 'input.techniques[1]'],
      [{ entities: [{ type: 'ip', value: '10.0.0.999' }] }, 'input.entities[0].value'],
      [{ entities: [{ type: 'spaceship', value: 'x' }] }, 'input.entities[0].type'],
      [{ entities: { type: 'ip' } }, 'input.entities'],
      [{ rawPayload: [1, 2] }, 'input.rawPayload'],
    ])('%j → error at %s, nothing stored', async (over, path) => {
      const before = await counts(tenantA);
      const r = ok(await ingestAlert(ingestA, input(over))).ingestAlert;
      expect(r).toMatchObject({ investigation: null, deduplicated: false, dropped: false, error: { code: 'BAD_USER_INPUT', path } });
      expect(await counts(tenantA)).toEqual(before);
    });

    it('a severity outside the enum is rejected by the schema (BAD_USER_INPUT), nothing stored', async () => {
      const before = await counts(tenantA);
      const r = await ingestAlert(ingestA, input({ severity: 'severe' }));
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.body.errors![0].message).toMatch(/severity/);
      expect(await counts(tenantA)).toEqual(before);
    });
  });

  describe('roles', () => {
    it('a viewer cannot ingest (FORBIDDEN); no key → UNAUTHENTICATED; analyst and ingest keys can', async () => {
      const payload = sentinelRow({ SystemAlertId: uid() });
      expect(codes(await ingestAlerts(viewerA, 'SENTINEL', [payload]))).toEqual(['FORBIDDEN']);
      expect(codes(await ingestAlert(viewerA, { alertId: uid(), timestamp: '2026-01-01T00:00:00Z', title: 'x' }))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, null, INGEST_ALERTS, { source: 'SENTINEL', payloads: [payload] }))).toEqual(['UNAUTHENTICATED']);
      expect(await p().alert.count({ where: { sourceAlertId: payload.SystemAlertId as string } })).toBe(0);
      expect(ok(await ingestAlerts(analystA, 'SENTINEL', [payload])).ingestAlerts[0].investigation?.state).toBe('RECEIVED');
      expect(ok(await ingestAlert(ingestA, { alertId: uid(), timestamp: '2026-01-01T00:00:00Z', title: 'x' })).ingestAlert.investigation?.state).toBe('RECEIVED');
    });

    it('an ingest key reads the investigation’s own fields, but not its GraphState, alert or other queries', async () => {
      const payload = sentinelRow({ SystemAlertId: uid() });
      const q = `mutation($p: [JSON!]!) { ingestAlerts(source: SENTINEL, payloads: $p) { investigation { id graphState } } }`;
      const r = await gql(t.url, ingestA, q, { p: [payload] });
      expect(codes(r)).toEqual(['FORBIDDEN']);
      const q2 = `mutation($p: [JSON!]!) { ingestAlerts(source: SENTINEL, payloads: $p) { deduplicated investigation { id alert { rawPayload } } } }`;
      const r2 = await gql<{ ingestAlerts: { deduplicated: boolean; investigation: { alert: unknown } | null }[] }>(t.url, ingestA, q2, { p: [payload] });
      expect(codes(r2)).toEqual(['FORBIDDEN']);
      expect(r2.body.data?.ingestAlerts[0].investigation?.alert ?? null).toBeNull();
      const [inv] = await p().investigationState.findMany({ where: { tenantId: tenantA, alert: { sourceAlertId: payload.SystemAlertId as string } } });
      expect(codes(await gql(t.url, ingestA, INVESTIGATION, { id: inv.investigationId }))).toEqual(['FORBIDDEN']);
      // a viewer reads it all
      const v = ok(await gql<{ investigation: { alert: { sourceAlertId: string } } }>(t.url, viewerA, INVESTIGATION, { id: inv.investigationId }));
      expect(v.investigation.alert.sourceAlertId).toBe(payload.SystemAlertId);
    });
  });

  describe('tenants', () => {
    it('tenant B ingesting the same vendor alert gets its own investigation; neither sees the other’s', async () => {
      const payload = sentinelRow({ SystemAlertId: uid() });
      const [a] = ok(await ingestAlerts(ingestA, 'SENTINEL', [payload])).ingestAlerts;
      const [b] = ok(await ingestAlerts(ingestB, 'SENTINEL', [payload])).ingestAlerts;
      expect(b.deduplicated).toBe(false);
      expect(b.investigation!.id).not.toBe(a.investigation!.id);
      expect(b.investigation!.alertId).not.toBe(a.investigation!.alertId);
      const rows = await p().alert.findMany({ where: { sourceAlertId: payload.SystemAlertId as string }, orderBy: { tenantId: 'asc' } });
      expect(rows.map((r) => r.tenantId).sort()).toEqual([tenantA, tenantB].sort());
      const viewerB = await createKey(t.app, tenantB, ['viewer']);
      expect(codes(await gql(t.url, viewerA, INVESTIGATION, { id: b.investigation!.id }))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(t.url, viewerB, INVESTIGATION, { id: a.investigation!.id }))).toEqual(['NOT_FOUND']);
      expect(ok(await gql<{ investigation: { id: string } }>(t.url, viewerB, INVESTIGATION, { id: b.investigation!.id })).investigation.id).toBe(b.investigation!.id);
      // B's second ingest deduplicates against B's own alert only
      const [b2] = ok(await ingestAlerts(ingestB, 'SENTINEL', [payload])).ingestAlerts;
      expect(b2).toMatchObject({ deduplicated: true, investigation: { id: b.investigation!.id } });
    });
  });

  describe('audit', () => {
    it('records investigation.state_changed in the ingesting tenant’s chain, and both chains verify', async () => {
      const payload = sentinelRow({ SystemAlertId: uid() });
      const [a] = ok(await ingestAlerts(ingestA, 'SENTINEL', [payload])).ingestAlerts;
      const recs = await p().auditRecord.findMany({ where: { investigationId: a.investigation!.id } });
      expect(recs).toHaveLength(1);
      expect(recs[0]).toMatchObject({
        tenantId: tenantA,
        eventType: 'investigation.state_changed',
        alertId: a.investigation!.alertId,
        actorType: 'api_key',
        context: expect.objectContaining({ from_state: null, to_state: 'received', source: 'sentinel', source_alert_id: payload.SystemAlertId }),
      });
      expect(await p().auditRecord.count({ where: { tenantId: tenantB, investigationId: a.investigation!.id } })).toBe(0);
      for (const tenant of [tenantA, tenantB]) {
        const report = await verifyAuditChain(p(), tenant, { log: false });
        expect(report.errors).toEqual([]);
        expect(report.valid).toBe(true);
      }
    });
  });
});
