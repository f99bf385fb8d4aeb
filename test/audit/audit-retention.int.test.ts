import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { appendAuditBatch } from '../../src/audit/audit.append';
import { createCheckpoint } from '../../src/audit/audit.checkpoints';
import { runAuditRetention } from '../../src/audit/audit.retention';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { parseExportText, verifyExport } from '../../src/audit/offline-verify';
import { newSigningKey, newTenant, range, sampleEvent, scopeFor, storedSequences } from './audit-db';

let db: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'aluskort-retention-'));
});
afterAll(async () => {
  await db.drop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function monthsAgo(n: number, day = 10): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, day, 12));
}
function partitionOf(d: Date): string {
  return `audit_records_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
async function attached(name: string): Promise<boolean> {
  const r = await db.pool.query(
    `SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_records'::regclass AND c.relname = $1`,
    [name],
  );
  return r.rowCount === 1;
}

describe('audit retention', () => {
  it('exports and detaches partitions older than the longest retention of their tenants, and the chains still verify', async () => {
    const old = monthsAgo(36);
    const mid = monthsAgo(6);
    const trialOnly = monthsAgo(5);
    for (const d of [old, mid, trialOnly]) {
      await db.pool.query('SELECT create_audit_partitions($1::date, $1::date)', [d.toISOString().slice(0, 10)]);
    }
    const a = await newTenant(db.prisma, 'trial');
    const b = await newTenant(db.prisma, 'premium');
    const c = await newTenant(db.prisma, 'standard');
    const d = await newTenant(db.prisma, 'trial');
    const append = (t: string, n: number, at?: Date) => appendAuditBatch(db.prisma, scopeFor(t), range(1, n).map(sampleEvent), at ? { now: at } : {});
    await append(a, 5, old); // a: 1..6 in the 3-year-old partition
    await append(b, 2, old); // b: 1..3
    await append(a, 2, mid); // a: 7..8 six months ago, next to a standard tenant
    await append(c, 1, mid); // c: 1..2
    await append(d, 2, trialOnly); // d: 1..3 five months ago, trial only
    for (const t of [a, b, c, d]) await append(t, 3);
    const key = newSigningKey();
    await createCheckpoint(db.prisma, a, key); // a checkpoint at 11 (beyond the archived range)

    const results = await runAuditRetention(db.prisma, { dataDir });
    const byName = new Map(results.map((r) => [r.partition, r]));
    expect(byName.get(partitionOf(old))).toMatchObject({ action: 'detached' });
    expect(byName.get(partitionOf(mid))).toMatchObject({ action: 'kept', reason: `within the 365-day retention of tenant ${c}` });
    expect(byName.get(partitionOf(trialOnly))).toMatchObject({ action: 'detached' });
    expect(byName.get(partitionOf(new Date()))).toMatchObject({ action: 'kept', reason: 'current, previous or future month' });
    expect(await attached(partitionOf(old))).toBe(false);
    expect(await attached(partitionOf(mid))).toBe(true);

    // Archives: per tenant, offline-verifiable, registered.
    const archived = byName.get(partitionOf(old))!.tenants;
    expect(archived.map((t) => [t.tenantId, t.fromSequence, t.toSequence]).sort()).toEqual(
      [[a, 1, 6], [b, 1, 3]].sort(),
    );
    for (const t of archived) {
      const text = await fs.readFile(t.file, 'utf8');
      const report = verifyExport(parseExportText(text), { publicKey: key.publicKeyPem, requireCheckpoint: false });
      expect(report).toMatchObject({ valid: true, recordsChecked: t.toSequence });
    }
    const reg = await db.prisma.auditArchive.findMany({ where: { tenantId: { in: [a, b, d] } } });
    expect(reg).toHaveLength(3);

    // The detached table is kept, holds the rows, and is still append-only.
    const kept = await db.pool.query(`SELECT count(*)::int AS n FROM ${partitionOf(old)} WHERE tenant_id = ANY($1)`, [[a, b]]);
    expect(kept.rows[0].n).toBe(9);
    await expect(db.pool.query(`UPDATE ${partitionOf(old)} SET actor_id = 'x' WHERE tenant_id = $1`, [a])).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`DELETE FROM ${partitionOf(old)} WHERE tenant_id = $1`, [a])).rejects.toThrow(/append-only/);

    // The removal is audited in each tenant's chain, and every chain verifies from after its archive.
    expect(await storedSequences(db.prisma, a)).toEqual(range(7, 12));
    const note = await db.prisma.auditRecord.findFirstOrThrow({ where: { tenantId: a, sequenceNumber: 12n } });
    expect(note.eventType).toBe('config.changed');
    expect(note.context).toMatchObject({ action: 'audit_partition_archived', partition: partitionOf(old), to_sequence: 6 });
    for (const [t, from] of [[a, 7], [b, 4], [c, 1], [d, 4]] as const) {
      const r = await verifyAuditChain(db.prisma, t, { log: false });
      expect({ t, valid: r.valid, from: r.fromSequence, errors: r.errors }).toEqual({ t, valid: true, from, errors: [] });
    }
    expect((await verifyAuditChain(db.prisma, a, { log: false })).checkpoint?.sequence).toBe(11);

    // Idempotent: a second pass changes nothing.
    const again = await runAuditRetention(db.prisma, { dataDir });
    expect(again.filter((r) => r.action !== 'kept')).toEqual([]);
  });

  it('keeps a partition when a tenant with rows in it is under legal hold, and a dry run changes nothing', async () => {
    const old = monthsAgo(30);
    await db.pool.query('SELECT create_audit_partitions($1::date, $1::date)', [old.toISOString().slice(0, 10)]);
    const t = await newTenant(db.prisma, 'trial');
    await appendAuditBatch(db.prisma, scopeFor(t), [sampleEvent(1)], { now: old });
    const dry = await runAuditRetention(db.prisma, { dataDir, dryRun: true });
    expect(dry.find((r) => r.partition === partitionOf(old))).toMatchObject({ action: 'would_detach' });
    await db.prisma.tenant.update({ where: { tenantId: t }, data: { legalHold: true } });
    const res = await runAuditRetention(db.prisma, { dataDir });
    expect(res.find((r) => r.partition === partitionOf(old))).toMatchObject({ action: 'kept', reason: `tenant ${t} is under legal hold` });
    expect(await attached(partitionOf(old))).toBe(true);
  });
});
