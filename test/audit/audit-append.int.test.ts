import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { appendAudit, appendAuditBatch, withAudit } from '../../src/audit/audit.append';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { GENESIS_PREVIOUS_HASH, computeRecordHash } from '../../src/audit/record-hash';
import { newTenant, range, sampleEvent, scopeFor, storedSequences } from './audit-db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('appendAudit', () => {
  it('starts a chain with system.genesis and appends gapless sequences whose hashes verify from the rows', async () => {
    const tenant = await newTenant(db.prisma);
    const scope = scopeFor(tenant);
    const first = await db.prisma.$transaction((tx) => appendAudit(tx, scope, sampleEvent(1)));
    expect(first.sequenceNumber).toBe(2);
    for (let i = 2; i <= 5; i++) await db.prisma.$transaction((tx) => appendAudit(tx, scope, sampleEvent(i)));
    expect(await storedSequences(db.prisma, tenant)).toEqual(range(1, 6));

    const genesis = await db.prisma.auditRecord.findFirstOrThrow({ where: { tenantId: tenant, sequenceNumber: 1n } });
    expect(genesis.eventType).toBe('system.genesis');
    expect(genesis.previousHash).toBe(GENESIS_PREVIOUS_HASH);
    expect(genesis.actorId).toBe('audit-service');

    const stored = await db.prisma.auditRecord.findFirstOrThrow({ where: { tenantId: tenant, sequenceNumber: 2n } });
    expect(stored.recordHash).toBe(first.recordHash);
    expect(stored.actorType).toBe('api_key');
    expect(stored.actorId).toBe('api_key:test-key');
    expect(stored.actorPermissions).toEqual(['admin']);
    expect((stored.context as Record<string, unknown>).request_id).toBe(scope.requestId);
    // Recomputed from the stored row alone (what a verifier has).
    expect(
      computeRecordHash({ ...stored, sequenceNumber: Number(stored.sequenceNumber) } as unknown as Parameters<typeof computeRecordHash>[0]),
    ).toBe(stored.recordHash);
    expect(stored.previousHash).toBe(genesis.recordHash);

    const state = await db.prisma.auditChainState.findUniqueOrThrow({ where: { tenantId: tenant } });
    expect(Number(state.lastSequence)).toBe(6);
    const report = await verifyAuditChain(db.prisma, tenant);
    expect(report.valid).toBe(true);
    expect(report.recordsChecked).toBe(6);
  });

  it('leaves no gap when the transaction rolls back', async () => {
    const tenant = await newTenant(db.prisma);
    const scope = scopeFor(tenant);
    await appendAudit(db.prisma, scope, sampleEvent(1)); // a full client runs its own transaction
    await expect(
      db.prisma.$transaction(async (tx) => {
        await appendAudit(tx, scope, sampleEvent(2));
        await appendAudit(tx, scope, sampleEvent(3));
        throw new Error('business rule failed after auditing');
      }),
    ).rejects.toThrow('business rule failed');
    const next = await appendAudit(db.prisma, scope, sampleEvent(4));
    expect(next.sequenceNumber).toBe(3);
    expect(await storedSequences(db.prisma, tenant)).toEqual(range(1, 3));
    expect((await verifyAuditChain(db.prisma, tenant)).valid).toBe(true);
  });

  it('rolls back a first append together with its genesis record', async () => {
    const tenant = await newTenant(db.prisma);
    await expect(
      db.prisma.$transaction(async (tx) => {
        await appendAudit(tx, scopeFor(tenant), sampleEvent(1));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await storedSequences(db.prisma, tenant)).toEqual([]);
    const rec = await appendAudit(db.prisma, scopeFor(tenant), sampleEvent(1));
    expect(rec.sequenceNumber).toBe(2);
  });

  it('rejects unknown event types, system.genesis and bad severities with BAD_USER_INPUT, writing nothing', async () => {
    const tenant = await newTenant(db.prisma);
    const scope = scopeFor(tenant);
    await expect(appendAudit(db.prisma, scope, { eventType: 'alert.deleted_quietly' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(appendAudit(db.prisma, scope, { eventType: 'system.genesis' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(appendAudit(db.prisma, scope, { eventType: 'alert.classified', severity: 'fatal' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(
      appendAuditBatch(db.prisma, scope, [sampleEvent(1), { eventType: 'nope' }]),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { index: 1 } });
    expect(await storedSequences(db.prisma, tenant)).toEqual([]);
  });

  it('appends a batch under one lock in one statement, in order, and withAudit appends after the callback', async () => {
    const tenant = await newTenant(db.prisma);
    const scope = scopeFor(tenant, 'system:ingest');
    const rows = await appendAuditBatch(db.prisma, scope, range(1, 250).map(sampleEvent));
    expect(rows.map((r) => r.sequenceNumber)).toEqual(range(2, 251));
    expect(rows[0]!.actorType).toBe('system');
    const { result, records } = await withAudit(db.prisma, scope, async (tx) => {
      const t = await tx.tenant.findUniqueOrThrow({ where: { tenantId: tenant } });
      return { result: t.name, events: [sampleEvent(7), sampleEvent(8)] };
    });
    expect(result).toBe(`Tenant ${tenant}`);
    expect(records.map((r) => r.sequenceNumber)).toEqual([252, 253]);
    expect(await storedSequences(db.prisma, tenant)).toEqual(range(1, 253));
    expect((await verifyAuditChain(db.prisma, tenant)).valid).toBe(true);
  });

  it('never lets timestamps go backwards within a tenant, and keeps them at millisecond precision', async () => {
    const tenant = await newTenant(db.prisma);
    const scope = scopeFor(tenant);
    const later = new Date(Date.now() + 60_000);
    await appendAudit(db.prisma, scope, sampleEvent(1), { now: later });
    const r = await appendAudit(db.prisma, scope, sampleEvent(2), { now: new Date(Date.now() - 60_000) });
    expect(r.timestamp.getTime()).toBe(later.getTime());
    const sub = await db.pool.query(
      `SELECT count(*)::int AS n FROM audit_records WHERE tenant_id = $1 AND (date_trunc('milliseconds', "timestamp") <> "timestamp" OR date_trunc('milliseconds', ingested_at) <> ingested_at)`,
      [tenant],
    );
    expect(sub.rows[0].n).toBe(0);
    expect((await verifyAuditChain(db.prisma, tenant)).valid).toBe(true);
  });
});
