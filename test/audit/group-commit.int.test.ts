import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { AuditRecorder } from '../../src/audit/audit.recorder';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import type { AuditRow } from '../../src/audit/record-hash';
import { conflict } from '../../src/errors/domain-error';
import { pgSqlTransaction, type SqlTransactionRunner, type SqlTx } from '../../src/db/sql-driver';
import { newTenant, range, sampleEvent, scopeFor, storedSequences } from './audit-db';

let db: TestDatabase;
let prisma: PrismaClient;
beforeAll(async () => {
  db = await createTestDatabase();
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 12 }) });
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

// Group transactions run as Prisma interactive transactions, or on a node-postgres connection
// (Database.sqlTransaction, what the server uses on server PostgreSQL): every case runs on both.
const TRANSACTIONS: [string, () => SqlTransactionRunner | undefined][] = [
  ['Prisma interactive transactions', () => undefined],
  ['node-postgres transactions', () => pgSqlTransaction(db.pool)],
];

/** Inserts a row in the caller's transaction (a change that commits or rolls back with its records). */
async function insertOrg(tx: SqlTx, tenant: string, n: number): Promise<void> {
  await tx.$executeRawUnsafe('INSERT INTO org_context (doc_id, tenant_id, entity_type, entity_name) VALUES ($1, $2, $3, $4)', `${tenant}-${n}`, tenant, 'host', `k-${n}`);
}

describe.each(TRANSACTIONS)('group commit (AuditRecorder.runGrouped) over %s', (_name, sqlTransaction) => {
  /** A recorder whose publisher keeps every published batch. */
  function recording(opts: { maxBatch?: number; maxInFlight?: number } = {}) {
    const published: { tenantId: string; records: readonly AuditRow[] }[] = [];
    const publisher = { publishAudit: (tenantId: string, records: readonly AuditRow[]) => published.push({ tenantId, records }) };
    const recorder = new AuditRecorder(prisma, publisher, { ...opts, sqlTransaction: sqlTransaction() });
    return { recorder, published };
  }

  it('200 concurrent callers share few transactions; each change commits with its own records, under its own scope', async () => {
    const tenant = await newTenant(prisma);
    const { recorder, published } = recording();
    const results = await Promise.all(
      range(1, 200).map((n) =>
        recorder.runGrouped({ ...scopeFor(tenant, `api_key:k-${n}`), requestId: `req-${n}` }, async (tx) => {
          await insertOrg(tx, tenant, n);
          return { result: n * 2, events: [sampleEvent(n)] };
        }),
      ),
    );
    expect(results).toEqual(range(1, 200).map((n) => n * 2));
    expect(recorder.stats.groups).toBeLessThan(200);
    expect(recorder.stats.grouped).toBe(200);
    expect(await prisma.orgContext.count({ where: { tenantId: tenant } })).toBe(200);
    expect(await storedSequences(prisma, tenant)).toEqual(range(1, 201));
    // each record carries its caller's actor and request id
    const rows = await prisma.auditRecord.findMany({ where: { tenantId: tenant, sequenceNumber: { gt: 1 } } });
    for (const r of rows) {
      const n = Number(r.actorId.replace('api_key:k-', ''));
      expect((r.context as { request_id: string }).request_id).toBe(`req-${n}`);
      expect(r.alertId).toBe(`alert-${n}`);
    }
    // published once each, in sequence order, after commit
    const seqs = published.flatMap((p) => p.records.map((r) => r.sequenceNumber));
    expect(seqs).toEqual(range(2, 201));
    expect((await verifyAuditChain(prisma, tenant, { log: false })).valid).toBe(true);
  });

  it('one caller failing (CONFLICT) fails alone: the others of its group commit, nothing of the failed one is stored', async () => {
    const tenant = await newTenant(prisma);
    const { recorder, published } = recording();
    const settled = await Promise.allSettled(
      range(1, 40).map((n) =>
        recorder.runGrouped(scopeFor(tenant), async (tx) => {
          await insertOrg(tx, tenant, n);
          if (n === 17) throw conflict('changed concurrently', { n });
          return { result: n, events: [sampleEvent(n)] };
        }),
      ),
    );
    const failed = settled.filter((s) => s.status === 'rejected') as PromiseRejectedResult[];
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toMatchObject({ code: 'CONFLICT' });
    expect(recorder.stats.fallbacks).toBe(1); // its group was re-run one caller at a time
    expect(await prisma.orgContext.count({ where: { tenantId: tenant } })).toBe(39);
    expect(await prisma.orgContext.count({ where: { tenantId: tenant, entityName: 'k-17' } })).toBe(0);
    expect(await storedSequences(prisma, tenant)).toEqual(range(1, 40));
    expect(published.flatMap((p) => p.records.map((r) => r.sequenceNumber))).toEqual(range(2, 40));
    expect((await verifyAuditChain(prisma, tenant, { log: false })).valid).toBe(true);
  });

  it('tenants have separate lanes and chains', async () => {
    const [a, b] = [await newTenant(prisma), await newTenant(prisma)];
    const { recorder, published } = recording();
    await Promise.all(
      range(1, 60).map((n) => recorder.runGrouped(scopeFor(n % 2 ? a : b), async () => ({ result: n, events: [sampleEvent(n)] }))),
    );
    expect(await storedSequences(prisma, a)).toEqual(range(1, 31));
    expect(await storedSequences(prisma, b)).toEqual(range(1, 31));
    for (const p of published) for (const r of p.records) expect(r.tenantId).toBe(p.tenantId);
  });

  it('maxBatch 1 turns grouping off (one transaction per caller)', async () => {
    const tenant = await newTenant(prisma);
    const { recorder } = recording({ maxBatch: 1 });
    await Promise.all(range(1, 10).map((n) => recorder.runGrouped(scopeFor(tenant), async () => ({ result: n, events: [sampleEvent(n)] }))));
    expect(recorder.stats.groups).toBe(0);
    expect(await storedSequences(prisma, tenant)).toEqual(range(1, 11));
  });
});

describe('node-postgres group transactions (pgSqlTransaction)', () => {
  it('a transaction that outlives its timeout is rolled back, its connection closed and its locks released', async () => {
    const tenant = await newTenant(prisma);
    const run = pgSqlTransaction(db.pool);
    await run((tx) => insertOrg(tx, tenant, 1), 5_000);
    const started = Date.now();
    await expect(
      run(async (tx) => {
        await insertOrg(tx, tenant, 2);
        await tx.$queryRawUnsafe('SELECT doc_id FROM org_context WHERE doc_id = $1 FOR UPDATE', `${tenant}-1`);
        await tx.$queryRawUnsafe('SELECT pg_sleep(5)');
      }, 300),
    ).rejects.toThrow(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
    // the row lock is gone and the insert rolled back
    await run(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL lock_timeout = '2s'");
      await tx.$queryRawUnsafe('SELECT doc_id FROM org_context WHERE doc_id = $1 FOR UPDATE', `${tenant}-1`);
    }, 5_000);
    expect(await prisma.orgContext.count({ where: { tenantId: tenant } })).toBe(1);
  });

  it('an error rolls back; the connection goes back to the pool usable', async () => {
    const tenant = await newTenant(prisma);
    const run = pgSqlTransaction(db.pool);
    await expect(
      run(async (tx) => {
        await insertOrg(tx, tenant, 1);
        throw conflict('changed concurrently');
      }, 5_000),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await prisma.orgContext.count({ where: { tenantId: tenant } })).toBe(0);
    expect(await run((tx) => tx.$queryRawUnsafe<{ n: number }[]>('SELECT 1::int AS n'), 5_000)).toEqual([{ n: 1 }]);
  });
});
