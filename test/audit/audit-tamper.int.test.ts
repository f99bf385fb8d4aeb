import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { createCheckpoint, type AuditSigningKey } from '../../src/audit/audit.checkpoints';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { computeRecordHash, type AuditRow } from '../../src/audit/record-hash';
import { newSigningKey, readRow, rewrite, tamper, tenantWithChain } from './audit-db';

// Tamper suite (issue 4): as superuser, with the immutability trigger disabled, rewrite the table the
// way an attacker with database access could, and check each break is found with the right kind and
// first sequence, and that the run is logged.

let db: TestDatabase;
let key: AuditSigningKey;
beforeAll(async () => {
  db = await createTestDatabase();
  key = newSigningKey();
});
afterAll(async () => {
  await db.drop();
});

/** 20 records, checkpointed at 20. */
async function checkpointedTenant(): Promise<string> {
  const tenant = await tenantWithChain(db.prisma, 20);
  const cp = await createCheckpoint(db.prisma, tenant, key);
  expect(cp?.sequence).toBe(20);
  const before = await verifyAuditChain(db.prisma, tenant, { log: false });
  expect(before.valid).toBe(true);
  expect(before.checkpoint?.sequence).toBe(20);
  return tenant;
}

async function expectBreak(tenant: string, sequence: number, kind: string): Promise<void> {
  const report = await verifyAuditChain(db.prisma, tenant, { verificationType: 'daily_full' });
  expect({ valid: report.valid, seq: report.firstBrokenSequence, kind: report.breakKind }).toEqual({ valid: false, seq: sequence, kind });
  const log = await db.prisma.auditVerificationLog.findUniqueOrThrow({ where: { id: BigInt(report.logId!) } });
  expect(log).toMatchObject({ tenantId: tenant, chainValid: false, breakKind: kind, verificationType: 'daily_full' });
  expect(Number(log.firstBrokenSequence)).toBe(sequence);
  expect((log.errors as { kind: string }[])[0]!.kind).toBe(kind);
}

describe('tamper detection', () => {
  it('a modified field → record_modified at that record', async () => {
    const t = await checkpointedTenant();
    await tamper(db.pool, (c) => c.query(`UPDATE audit_records SET actor_id = 'mallory' WHERE tenant_id = $1 AND sequence_number = 7`, [t]));
    await expectBreak(t, 7, 'record_modified');
  });

  it('a timestamp moved by one millisecond → record_modified', async () => {
    const t = await checkpointedTenant();
    await tamper(db.pool, (c) =>
      c.query(`UPDATE audit_records SET "timestamp" = "timestamp" - interval '1 millisecond' WHERE tenant_id = $1 AND sequence_number = 5`, [t]),
    );
    await expectBreak(t, 5, 'record_modified');
  });

  it('a deleted middle record → record_missing', async () => {
    const t = await checkpointedTenant();
    await tamper(db.pool, (c) => c.query('DELETE FROM audit_records WHERE tenant_id = $1 AND sequence_number = 7', [t]));
    await expectBreak(t, 7, 'record_missing');
  });

  it('the newest 3 records deleted and the chain head rolled back → tail_truncated via the signed checkpoint', async () => {
    const t = await checkpointedTenant();
    const r17 = await readRow(db.pool, t, 17);
    await tamper(db.pool, async (c) => {
      await c.query('DELETE FROM audit_records WHERE tenant_id = $1 AND sequence_number > 17', [t]);
      await c.query('UPDATE audit_chain_state SET last_sequence = 17, last_hash = $2 WHERE tenant_id = $1', [t, r17.recordHash]);
    });
    await expectBreak(t, 18, 'tail_truncated');
  });

  it('the newest 3 records deleted (head left alone) → tail_truncated', async () => {
    const t = await checkpointedTenant();
    await tamper(db.pool, (c) => c.query('DELETE FROM audit_records WHERE tenant_id = $1 AND sequence_number > 17', [t]));
    await expectBreak(t, 18, 'tail_truncated');
  });

  it('two records swapped → order_changed', async () => {
    const t = await checkpointedTenant();
    await tamper(db.pool, async (c) => {
      await c.query('UPDATE audit_records SET sequence_number = 0 WHERE tenant_id = $1 AND sequence_number = 7', [t]);
      await c.query('UPDATE audit_records SET sequence_number = 7 WHERE tenant_id = $1 AND sequence_number = 8', [t]);
      await c.query('UPDATE audit_records SET sequence_number = 8 WHERE tenant_id = $1 AND sequence_number = 0', [t]);
    });
    await expectBreak(t, 7, 'order_changed');
  });

  it('a forged record inserted (self-consistent, duplicate sequence) → record_inserted', async () => {
    const t = await checkpointedTenant();
    const genuine = await readRow(db.pool, t, 10);
    const forged: AuditRow = {
      ...genuine,
      auditId: '00000000-0000-4000-8000-00000000f0f0',
      timestamp: new Date(genuine.timestamp.getTime() + 1),
      context: { forged: true },
    };
    forged.recordHash = computeRecordHash(forged);
    await tamper(db.pool, (c) =>
      c.query(
        `INSERT INTO audit_records SELECT * FROM jsonb_populate_recordset(NULL::audit_records, $1::jsonb)`,
        [
          JSON.stringify([
            {
              audit_id: forged.auditId, tenant_id: t, sequence_number: 10, previous_hash: forged.previousHash,
              timestamp: forged.timestamp.toISOString(), ingested_at: forged.ingestedAt.toISOString(), event_type: forged.eventType,
              event_category: forged.eventCategory, severity: forged.severity, actor_type: forged.actorType, actor_id: forged.actorId,
              actor_permissions: forged.actorPermissions, investigation_id: forged.investigationId, alert_id: forged.alertId,
              entity_ids: forged.entityIds, context: forged.context, decision: forged.decision, outcome: forged.outcome,
              record_hash: forged.recordHash, record_version: forged.recordVersion,
            },
          ]),
        ],
      ),
    );
    await expectBreak(t, 10, 'record_inserted');
  });

  it('a record replaced by a forgery with a recomputed hash but without the previous link → link_broken at it', async () => {
    const t = await checkpointedTenant();
    const row = await readRow(db.pool, t, 7);
    await rewrite(db.pool, t, 7, { ...row, actorId: 'mallory', previousHash: 'f'.repeat(64) }, { recomputeHash: true });
    await expectBreak(t, 7, 'link_broken');
  });

  it('a record rewritten with a recomputed hash (link kept) → link_broken at it (the next record still names the original)', async () => {
    const t = await checkpointedTenant();
    const row = await readRow(db.pool, t, 7);
    await rewrite(db.pool, t, 7, { ...row, actorId: 'mallory' }, { recomputeHash: true });
    await expectBreak(t, 7, 'link_broken');
  });

  it('a forged checkpoint signature → checkpoint_invalid, even though the chain itself is intact', async () => {
    const t = await checkpointedTenant();
    await tamper(
      db.pool,
      (c) => c.query(`UPDATE audit_checkpoints SET signature = $2 WHERE tenant_id = $1`, [t, Buffer.alloc(64, 7).toString('base64')]),
      ['audit_checkpoints'],
    );
    await expectBreak(t, 20, 'checkpoint_invalid');
  });

  it('a checkpoint signed by an untrusted key → checkpoint_invalid; with the right key it verifies', async () => {
    const t = await checkpointedTenant();
    const other = newSigningKey();
    const bad = await verifyAuditChain(db.prisma, t, { trustedFingerprints: [other.fingerprint], log: false });
    expect(bad).toMatchObject({ valid: false, breakKind: 'checkpoint_invalid', firstBrokenSequence: 20 });
    const good = await verifyAuditChain(db.prisma, t, { trustedFingerprints: [key.fingerprint], log: false });
    expect(good.valid).toBe(true);
  });

  it('an intact chain verifies, ranges are anchored on the stored hash before them, and the run is logged', async () => {
    const t = await checkpointedTenant();
    const full = await verifyAuditChain(db.prisma, t, { verificationType: 'continuous' });
    expect(full).toMatchObject({ valid: true, recordsChecked: 20, lastSequence: 20, checkpointChecked: true });
    const part = await verifyAuditChain(db.pool, t, { fromSequence: 8, toSequence: 12, pageSize: 2 });
    expect(part).toMatchObject({ valid: true, recordsChecked: 5, lastSequence: 12 });
    const log = await db.prisma.auditVerificationLog.findUniqueOrThrow({ where: { id: BigInt(part.logId!) } });
    expect(log).toMatchObject({ chainValid: true, recordsChecked: 5n, fromSequence: 8n, toSequence: 12n, breakKind: null });
    // A range whose first row was rewritten (hash recomputed, link kept) is caught through the anchor.
    const row = await readRow(db.pool, t, 8);
    await rewrite(db.pool, t, 8, { ...row, actorId: 'mallory', previousHash: 'e'.repeat(64) }, { recomputeHash: true });
    const broken = await verifyAuditChain(db.prisma, t, { fromSequence: 8, toSequence: 12, log: false });
    expect(broken).toMatchObject({ valid: false, firstBrokenSequence: 8, breakKind: 'link_broken' });
  });

  it('refuses to sign a checkpoint over records that do not verify', async () => {
    const t = await tenantWithChain(db.prisma, 12);
    await tamper(db.pool, (c) => c.query(`UPDATE audit_records SET actor_id = 'x' WHERE tenant_id = $1 AND sequence_number = 3`, [t]));
    await expect(createCheckpoint(db.prisma, t, key)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await db.prisma.auditCheckpoint.count({ where: { tenantId: t } })).toBe(0);
  });
});
