import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { appendAudit, appendAuditBatch, ChainHeadCache, type SqlTx } from '../../src/audit/audit.append';
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

  it('detaches while appends to the same tenant wait and hold locks, without a deadlock', async () => {
    // W1 holds an append open (audit_records and the chain row); retention queues; then W2 appends on the
    // head W1 will leave (one statement: its audit_records lock first, then the chain row). Retention taking
    // the chain rows before audit_records would close a cycle with W2 (PostgreSQL aborts one after 1 s).
    const old = monthsAgo(40);
    await db.pool.query('SELECT create_audit_partitions($1::date, $1::date)', [old.toISOString().slice(0, 10)]);
    const t = await newTenant(db.prisma, 'trial');
    await appendAuditBatch(db.prisma, scopeFor(t), [sampleEvent(1), sampleEvent(2)], { now: old });
    await appendAuditBatch(db.prisma, scopeFor(t), [sampleEvent(3)], { heads: null });
    const lockWaiters = async () =>
      (
        await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
      ).rows[0]!.n;
    const waitForWaiters = async (n: number) => {
      for (let i = 0; i < 250 && (await lockWaiters()) < n; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await lockWaiters()).toBeGreaterThanOrEqual(n);
    };

    const w1 = await db.pool.connect();
    const w2 = await db.pool.connect();
    const txOf = (c: typeof w1): SqlTx => ({
      $queryRawUnsafe: async (q, ...v) => (await c.query(q, v)).rows as never,
      $executeRawUnsafe: async (q, ...v) => (await c.query(q, v)).rowCount ?? 0,
    });
    try {
      await w1.query('BEGIN');
      const heads = new ChainHeadCache();
      const first = await appendAudit(txOf(w1), scopeFor(t), sampleEvent(4), { heads: null });
      heads.set(t, { sequenceNumber: first.sequenceNumber, recordHash: first.recordHash, timestamp: first.timestamp });

      const retention = runAuditRetention(db.prisma, { dataDir });
      await waitForWaiters(1);
      await w2.query('BEGIN');
      const second = appendAudit(txOf(w2), scopeFor(t), sampleEvent(5), { heads }).then(async (rec) => {
        await w2.query('COMMIT');
        return rec;
      });
      await waitForWaiters(2);
      await w1.query('COMMIT');

      const [results, rec] = await Promise.all([retention, second]);
      expect(results.find((r) => r.partition === partitionOf(old))).toMatchObject({ action: 'detached' });
      expect(rec.sequenceNumber).toBe(7); // genesis, 2 old, 1, W1's, retention's config.changed, W2's
    } finally {
      w1.release();
      w2.release();
    }
    const report = await verifyAuditChain(db.prisma, t, { log: false });
    expect(report.valid).toBe(true);
    expect(report.recordsChecked).toBe(4); // 4..7 are attached; 1..3 went with the detached partition
  });

  it('detaches while an append holds the chain row between locking it and inserting, without a deadlock', async () => {
    const old = monthsAgo(44);
    await db.pool.query('SELECT create_audit_partitions($1::date, $1::date)', [old.toISOString().slice(0, 10)]);
    const t = await newTenant(db.prisma, 'trial');
    await appendAuditBatch(db.prisma, scopeFor(t), [sampleEvent(1)], { now: old });
    const c = await db.pool.connect();
    let pause: Promise<void> | undefined;
    let resume = () => {};
    const tx: SqlTx = {
      $queryRawUnsafe: async (q, ...v) => (await c.query(q, v)).rows as never,
      $executeRawUnsafe: async (q, ...v) => (await c.query(q, v)).rowCount ?? 0,
      $queryNamed: async (name, text, values) => {
        const res = await c.query({ name, text, values });
        if (name === 'aluskort_audit_lock_head' && pause) await pause; // the chain row is locked, nothing inserted yet
        return { rows: res.rows as never[], rowCount: res.rowCount ?? 0 };
      },
    };
    try {
      // Past PostgreSQL's first five executions of the prepared lock statement: its generic plan must lock
      // audit_records as well.
      for (let i = 0; i < 7; i++) await appendAudit(tx, scopeFor(t), sampleEvent(10 + i), { heads: null });
      pause = new Promise((r) => (resume = r));
      await c.query('BEGIN');
      const appending = appendAudit(tx, scopeFor(t), sampleEvent(20), { heads: null });
      for (let i = 0; i < 100; i++) {
        const { rows } = await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class r ON r.oid = l.relation WHERE r.relname = 'audit_records' AND l.pid = $1 AND l.granted",
          [(c as unknown as { processID: number }).processID],
        );
        if (rows[0]!.n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const retention = runAuditRetention(db.prisma, { dataDir });
      await new Promise((r) => setTimeout(r, 200)); // retention is waiting for the table
      resume();
      const rec = await appending;
      await c.query('COMMIT');
      expect(rec.sequenceNumber).toBe(10);
      const results = await retention;
      expect(results.find((r) => r.partition === partitionOf(old))).toMatchObject({ action: 'detached' });
    } finally {
      c.release();
    }
    expect((await verifyAuditChain(db.prisma, t, { log: false })).valid).toBe(true);
  });
});
