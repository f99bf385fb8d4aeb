import { createHash, randomUUID } from 'node:crypto';
import { type TestApp, startTestApp } from '../helpers/app';
import { type TwoTenants, codes, fieldPaths, gql, ok, twoTenants } from './platform.helpers';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const T0 = Date.parse('2026-04-10T08:00:00.000Z');

interface Rec {
  seq: number;
  eventType: string;
  category: string;
  severity?: string;
  actorId?: string;
  investigationId?: string;
  alertId?: string;
}

/** Appends a hash-linked chain of records for a tenant directly in SQL (the table is insert-only). */
async function insertChain(t: TestApp, tenantId: string, recs: Rec[]): Promise<void> {
  let prev = '0'.repeat(64);
  for (const r of recs) {
    const hash = hex(`${tenantId}:${r.seq}`);
    await t.testDb.pool.query(
      `INSERT INTO audit_records (audit_id, tenant_id, sequence_number, previous_hash, "timestamp", event_type, event_category,
         severity, actor_type, actor_id, investigation_id, alert_id, context, record_hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'system',$9,$10,$11,$12,$13)`,
      [randomUUID(), tenantId, r.seq, prev, new Date(T0 + r.seq * 60_000), r.eventType, r.category, r.severity ?? 'info',
        r.actorId ?? 'system:test', r.investigationId ?? '', r.alertId ?? '', JSON.stringify({ n: r.seq }), hash],
    );
    prev = hash;
  }
  const last = recs[recs.length - 1];
  await t.testDb.pool.query(
    `INSERT INTO audit_chain_state (tenant_id, last_sequence, last_hash, last_timestamp) VALUES ($1,$2,$3,$4)`,
    [tenantId, last.seq, prev, new Date(T0 + last.seq * 60_000)],
  );
}

const LIST = `query($filter: AuditRecordFilter, $first: Int, $after: String) { auditRecords(filter: $filter, first: $first, after: $after) {
  totalCount edges { node { sequenceNumber eventType eventCategory severity actorId investigationId alertId previousHash recordHash context } }
  pageInfo { hasNextPage endCursor } } }`;
const seqs = (d: Record<string, any>): number[] => d.auditRecords.edges.map((e: { node: { sequenceNumber: number } }) => e.node.sequenceNumber);

describe('audit log (read-only)', () => {
  let t: TestApp;
  let s: TwoTenants;
  beforeAll(async () => {
    t = await startTestApp();
    s = await twoTenants(t);
    await insertChain(t, s.a, [
      { seq: 0, eventType: 'system.genesis', category: 'system' },
      { seq: 1, eventType: 'alert.classified', category: 'decision', investigationId: 'inv-1', alertId: 'al-1' },
      { seq: 2, eventType: 'approval.requested', category: 'approval', severity: 'warning', investigationId: 'inv-1', actorId: 'api_key:x' },
      { seq: 3, eventType: 'approval.granted', category: 'approval', actorId: 'api_key:x' },
      { seq: 4, eventType: 'injection.detected', category: 'security', severity: 'critical', alertId: 'al-2' },
      { seq: 5, eventType: 'kill_switch.activated', category: 'system', severity: 'warning' },
    ]);
    await insertChain(t, s.b, [
      { seq: 0, eventType: 'system.genesis', category: 'system' },
      { seq: 1, eventType: 'approval.granted', category: 'approval', investigationId: 'inv-1' },
    ]);
    await t.db.prisma.auditVerificationLog.createMany({
      data: [
        { tenantId: s.a, verifiedAt: new Date(T0), verificationType: 'continuous', recordsChecked: 6n, fromSequence: 0n, toSequence: 5n, chainValid: true, durationMs: 4 },
        { tenantId: s.a, verifiedAt: new Date(T0 + 3_600_000), verificationType: 'daily_full', recordsChecked: 6n, fromSequence: 0n, toSequence: 5n, chainValid: false, durationMs: 9, firstBrokenSequence: 3n, breakKind: 'hash_mismatch', errors: [{ sequence: 3 }] },
        { tenantId: s.b, verifiedAt: new Date(T0), verificationType: 'on_demand', recordsChecked: 2n, fromSequence: 0n, toSequence: 1n, chainValid: true, durationMs: 1 },
      ],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists records in chain order with keyset pages', async () => {
    const p1 = await ok(t, s.keys.aApprover, LIST, { first: 4 });
    expect(seqs(p1)).toEqual([0, 1, 2, 3]);
    expect(p1.auditRecords.totalCount).toBe(6);
    const first = p1.auditRecords.edges[1].node;
    expect(first).toMatchObject({ eventType: 'alert.classified', eventCategory: 'DECISION', severity: 'INFO', investigationId: 'inv-1', alertId: 'al-1', context: { n: 1 } });
    expect(first.previousHash).toBe(p1.auditRecords.edges[0].node.recordHash);
    const p2 = await ok(t, s.keys.aApprover, LIST, { first: 4, after: p1.auditRecords.pageInfo.endCursor });
    expect(seqs(p2)).toEqual([4, 5]);
    expect(p2.auditRecords.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by category, event type, severity, actor, investigation, alert, time and sequence range', async () => {
    const run = async (filter: Record<string, unknown>) => seqs(await ok(t, s.keys.aAdmin, LIST, { filter }));
    expect(await run({ categories: ['APPROVAL', 'SECURITY'] })).toEqual([2, 3, 4]);
    expect(await run({ eventTypes: ['approval.granted', 'kill_switch.activated'] })).toEqual([3, 5]);
    expect(await run({ severities: ['WARNING', 'CRITICAL'] })).toEqual([2, 4, 5]);
    expect(await run({ actorId: 'api_key:x' })).toEqual([2, 3]);
    expect(await run({ investigationId: 'inv-1' })).toEqual([1, 2]);
    expect(await run({ alertId: 'al-2' })).toEqual([4]);
    expect(await run({ from: new Date(T0 + 2 * 60_000).toISOString(), to: new Date(T0 + 4 * 60_000).toISOString() })).toEqual([2, 3]);
    expect(await run({ fromSequence: 2, toSequence: 4, categories: ['APPROVAL'] })).toEqual([2, 3]);
  });

  it('rejects bad ranges with field paths', async () => {
    const r = await gql(t.url, s.keys.aAdmin, LIST, { filter: { fromSequence: 5, toSequence: 2 } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(r)).toEqual(['filter.toSequence']);
    const neg = await gql(t.url, s.keys.aAdmin, LIST, { filter: { fromSequence: -1 } });
    expect(fieldPaths(neg)).toEqual(['filter.fromSequence']);
    const time = await gql(t.url, s.keys.aAdmin, LIST, { filter: { from: new Date(T0 + 1).toISOString(), to: new Date(T0).toISOString() } });
    expect(fieldPaths(time)).toEqual(['filter.to']);
  });

  it('reads one record by sequence number, the chain head and the verification runs', async () => {
    const one = await ok(t, s.keys.aApprover, '{ auditRecord(sequenceNumber: 4) { sequenceNumber eventType severity timestamp } }');
    expect(one.auditRecord).toEqual({ sequenceNumber: 4, eventType: 'injection.detected', severity: 'CRITICAL', timestamp: new Date(T0 + 4 * 60_000).toISOString() });
    expect(codes(await gql(t.url, s.keys.aApprover, '{ auditRecord(sequenceNumber: 99) { auditId } }'))).toEqual(['NOT_FOUND']);
    const head = await ok(t, s.keys.aApprover, '{ auditChainHead { lastSequence lastHash lastTimestamp } }');
    expect(head.auditChainHead).toEqual({ lastSequence: 5, lastHash: hex(`${s.a}:5`), lastTimestamp: new Date(T0 + 5 * 60_000).toISOString() });
    const v = await ok(t, s.keys.aApprover, `{ auditVerifications { totalCount edges { node { verificationType chainValid recordsChecked fromSequence toSequence firstBrokenSequence breakKind errors } } } }`);
    expect(v.auditVerifications.totalCount).toBe(2);
    expect(v.auditVerifications.edges[0].node).toEqual({
      verificationType: 'DAILY_FULL', chainValid: false, recordsChecked: 6, fromSequence: 0, toSequence: 5, firstBrokenSequence: 3, breakKind: 'hash_mismatch', errors: [{ sequence: 3 }],
    });
    const broken = await ok(t, s.keys.aApprover, '{ auditVerifications(filter: {chainValid: true, verificationTypes: [CONTINUOUS]}) { totalCount } }');
    expect(broken.auditVerifications.totalCount).toBe(1);
  });

  it('returns a null chain head for a tenant without records', async () => {
    const fresh = await twoTenants(t);
    const head = await ok(t, fresh.keys.aAdmin, '{ auditChainHead { lastSequence } auditRecords { totalCount } }');
    expect(head).toEqual({ auditChainHead: null, auditRecords: { totalCount: 0 } });
  });

  it('is for approvers and admins only', async () => {
    for (const key of [s.keys.aViewer, s.keys.aAnalyst, s.keys.aIngest]) {
      expect(codes(await gql(t.url, key, '{ auditRecords { totalCount } }'))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, key, '{ auditChainHead { lastSequence } }'))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, key, '{ auditVerifications { totalCount } }'))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, key, '{ auditRecord(sequenceNumber: 0) { auditId } }'))).toEqual(['FORBIDDEN']);
    }
    expect(codes(await gql(t.url, null, '{ auditRecords { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
  });

  it('cannot see another tenant’s audit records, head or verifications', async () => {
    const b = await ok(t, s.keys.bAdmin, `{ auditRecords(filter: {investigationId: "inv-1"}) { edges { node { sequenceNumber eventType } } }
      auditChainHead { lastSequence lastHash } auditVerifications { totalCount } }`);
    expect(b.auditRecords.edges).toEqual([{ node: { sequenceNumber: 1, eventType: 'approval.granted' } }]);
    expect(b.auditChainHead).toEqual({ lastSequence: 1, lastHash: hex(`${s.b}:1`) });
    expect(b.auditVerifications.totalCount).toBe(1);
    expect(codes(await gql(t.url, s.keys.bAdmin, '{ auditRecord(sequenceNumber: 4) { auditId } }'))).toEqual(['NOT_FOUND']);
    const aOwn = await ok(t, s.keys.aAdmin, '{ auditRecord(sequenceNumber: 1) { eventType } }');
    expect(aOwn.auditRecord.eventType).toBe('alert.classified');
  });
});
