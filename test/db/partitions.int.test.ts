import type { PoolClient } from 'pg';
import { type TestDatabase, createTestDatabase } from '../helpers/db';

// audit_records is range-partitioned by month (UTC) on "timestamp": audit_records_YYYY_MM partitions created by
// create_audit_partitions(from_month, to_month), plus audit_records_default so an insert never fails.

const hex64 = (c: string) => c.repeat(64);

/** audit_records_YYYY_MM of the UTC month of `d`. */
function partitionOf(d: Date): string {
  return `audit_records_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** First day (UTC) of the month `months` after the month of `d`, as YYYY-MM-DD. */
function monthStart(d: Date, months = 0): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
}
const ymd = (d: Date) => d.toISOString().slice(0, 10);

describe('audit_records partitions', () => {
  let db: TestDatabase;
  const tenant = 't_partitions';
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.prisma.tenant.create({ data: { tenantId: tenant, name: 'Partitions tenant' } });
    // What the retention job does. A no-op unless the cloned template was migrated in an earlier month.
    await db.pool.query(
      `SELECT create_audit_partitions((now() AT TIME ZONE 'UTC')::date, ((now() AT TIME ZONE 'UTC') + interval '3 months')::date)`,
    );
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Inserts one record at `ts` and returns the partition it landed in. */
  async function insertAt(ts: Date, q: Pick<PoolClient, 'query'> = db.pool): Promise<string> {
    seq += 1;
    const { rows } = await q.query<{ part: string }>(
      `INSERT INTO audit_records (audit_id, tenant_id, sequence_number, previous_hash, "timestamp",
                                  event_type, event_category, actor_type, actor_id, record_hash)
       VALUES (gen_random_uuid()::text, $1, $2, $3, $4, 'system.genesis', 'system', 'system', 'test', $5)
       RETURNING tableoid::regclass::text AS part`,
      [tenant, seq, hex64('0'), ts, hex64('a')],
    );
    return rows[0].part;
  }

  async function partitions(): Promise<string[]> {
    const { rows } = await db.pool.query<{ name: string }>(
      `SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'audit_records'::regclass ORDER BY 1`,
    );
    return rows.map((r) => r.name);
  }

  async function create(from: Date | string, to: Date | string, q: Pick<PoolClient, 'query'> = db.pool): Promise<number> {
    const { rows } = await q.query<{ n: number }>('SELECT create_audit_partitions($1::date, $2::date) AS n', [
      typeof from === 'string' ? from : ymd(from),
      typeof to === 'string' ? to : ymd(to),
    ]);
    return rows[0].n;
  }

  it('the migration created the UTC month it ran in, the 3 months ahead and the DEFAULT partition', async () => {
    const { rows: applied } = await db.pool.query<{ at: Date }>(
      `SELECT started_at AS at FROM _prisma_migrations WHERE migration_name LIKE '%\\_audit\\_records'`,
    );
    expect(applied).toHaveLength(1);
    const expected = [0, 1, 2, 3].map((i) => partitionOf(monthStart(applied[0].at, i)));
    const parts = await partitions();
    expect(parts).toEqual(expect.arrayContaining([...expected, 'audit_records_default']));
    const { rows } = await db.pool.query<{ bound: string }>(
      `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_class c WHERE c.relname = 'audit_records_default'`,
    );
    expect(rows[0].bound).toBe('DEFAULT');
  });

  it('a record dated now lands in its monthly partition', async () => {
    const now = new Date();
    expect(await insertAt(now)).toBe(partitionOf(now));
  });

  it('records dated 3 years ahead or long ago land in DEFAULT, never an error', async () => {
    const future = new Date();
    future.setUTCFullYear(future.getUTCFullYear() + 3);
    expect(await insertAt(future)).toBe('audit_records_default');
    expect(await insertAt(new Date('1999-12-31T23:59:59Z'))).toBe('audit_records_default');
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_records WHERE tenant_id = $1 AND "timestamp" = $2`,
      [tenant, future],
    );
    expect(rows[0].n).toBe(1);
  });

  it('create_audit_partitions is idempotent and returns how many partitions it created', async () => {
    const now = new Date();
    expect(await create(monthStart(now), monthStart(now, 3))).toBe(0);

    const from = monthStart(now, 60); // five years ahead: nothing there yet
    const to = monthStart(now, 62);
    const before = await partitions();
    expect(await create(from, to)).toBe(3);
    expect(await create(from, to)).toBe(0);
    // days inside a month are accepted and mean that month
    expect(await create(ymd(new Date(from.getTime() + 14 * 86400_000)), ymd(to))).toBe(0);
    const added = (await partitions()).filter((p) => !before.includes(p));
    expect(added.sort()).toEqual([0, 1, 2].map((i) => partitionOf(monthStart(now, 60 + i))).sort());
    expect(await insertAt(new Date(from.getTime() + 3600_000))).toBe(partitionOf(from));
  });

  it('concurrent callers create each partition exactly once, without errors', async () => {
    const from = monthStart(new Date(), 90);
    const to = monthStart(new Date(), 92);
    const results = await Promise.all([0, 1, 2, 3].map(() => create(from, to)));
    expect(results.reduce((a, b) => a + b, 0)).toBe(3);
    const parts = await partitions();
    for (let i = 0; i < 3; i++) expect(parts).toContain(partitionOf(monthStart(new Date(), 90 + i)));
  });

  it('partition bounds are whole UTC months whatever the session time zone', async () => {
    const client = await db.pool.connect();
    try {
      await client.query(`SET TIME ZONE 'Pacific/Auckland'`);
      const m = monthStart(new Date(), 70);
      const next = monthStart(new Date(), 71);
      expect(await create(m, next, client)).toBe(2);
      expect(await insertAt(m, client)).toBe(partitionOf(m));
      expect(await insertAt(new Date(m.getTime() - 1), client)).toBe('audit_records_default');
      expect(await insertAt(new Date(next.getTime() - 1), client)).toBe(partitionOf(m));
      expect(await insertAt(next, client)).toBe(partitionOf(next));
    } finally {
      await client.query('RESET TIME ZONE');
      client.release();
    }
  });

  it('skips a month whose rows already sit in DEFAULT (they stay there, queryable) instead of failing', async () => {
    const m = monthStart(new Date(), 80);
    expect(await insertAt(new Date(m.getTime() + 86400_000))).toBe('audit_records_default');
    expect(await create(m, monthStart(new Date(), 81))).toBe(1); // only the following month
    expect(await partitions()).not.toContain(partitionOf(m));
    expect(await partitions()).toContain(partitionOf(monthStart(new Date(), 81)));
    // still never an error, and the rows stay in DEFAULT
    expect(await insertAt(new Date(m.getTime() + 2 * 86400_000))).toBe('audit_records_default');
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_records WHERE "timestamp" >= $1 AND "timestamp" < $2`,
      [m, monthStart(new Date(), 81)],
    );
    expect(rows[0].n).toBe(2);
  });

  it('new partitions inherit the indexes, the immutability row trigger and get the TRUNCATE trigger', async () => {
    const name = partitionOf(monthStart(new Date(), 60));
    const { rows: trig } = await db.pool.query<{ tgname: string }>(
      `SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal ORDER BY 1`,
      [name],
    );
    expect(trig.map((t) => t.tgname)).toEqual(['enforce_audit_immutability', 'enforce_audit_immutability_truncate']);
    const { rows: idx } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_index WHERE indrelid = $1::regclass`,
      [name],
    );
    expect(idx[0].n).toBe(8); // primary key + 7 secondary indexes
  });

  it('rejects an inverted or null month range', async () => {
    const now = new Date();
    await expect(create(monthStart(now, 2), monthStart(now, 1))).rejects.toThrow(/before from_month/);
    await expect(db.pool.query('SELECT create_audit_partitions(NULL, current_date)')).rejects.toThrow(/must not be null/);
  });

  it('Prisma reads and writes the partitioned table as one model', async () => {
    const ts = new Date();
    seq += 1;
    const rec = await db.prisma.auditRecord.create({
      data: {
        auditId: 'prisma-1',
        tenantId: tenant,
        sequenceNumber: BigInt(seq),
        previousHash: hex64('0'),
        timestamp: ts,
        eventType: 'config.changed',
        eventCategory: 'system',
        actorType: 'user',
        actorId: 'alice',
        recordHash: hex64('b'),
      },
    });
    expect(rec).toMatchObject({ severity: 'info', investigationId: '', actorPermissions: [], recordVersion: '1.0' });
    const found = await db.prisma.auditRecord.findUniqueOrThrow({
      where: { tenantId_sequenceNumber_timestamp: { tenantId: tenant, sequenceNumber: BigInt(seq), timestamp: ts } },
    });
    expect(found.auditId).toBe('prisma-1');
  });
});
