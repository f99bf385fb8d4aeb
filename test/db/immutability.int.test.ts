import { type TestDatabase, createTestDatabase } from '../helpers/db';

// audit_records is append-only: the trigger function audit_immutable_guard() refuses UPDATE, DELETE and
// TRUNCATE on the partitioned table and on every partition (including DEFAULT and partitions created later).

const hex64 = (c: string) => c.repeat(64);
const forbidden = (op: string) => `audit_records is append-only: ${op} operations are forbidden`;

/** audit_records_YYYY_MM of the UTC month of `d`. */
function partitionOf(d: Date): string {
  return `audit_records_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

describe('audit_records immutability', () => {
  let db: TestDatabase;
  const tenant = 't_immutability';
  const now = new Date();
  const farFuture = new Date(Date.UTC(now.getUTCFullYear() + 3, now.getUTCMonth(), 15));
  const later = new Date(Date.UTC(now.getUTCFullYear() + 6, now.getUTCMonth(), 1));
  const current = partitionOf(now);
  const laterPartition = partitionOf(later);

  async function insert(seq: number, ts: Date): Promise<string> {
    const { rows } = await db.pool.query<{ part: string }>(
      `INSERT INTO audit_records (audit_id, tenant_id, sequence_number, previous_hash, "timestamp",
                                  event_type, event_category, actor_type, actor_id, record_hash)
       VALUES ($1, $2, $3, $4, $5, 'alert.classified', 'decision', 'agent', 'reasoning_agent', $6)
       RETURNING tableoid::regclass::text AS part`,
      [`audit-${seq}`, tenant, seq, hex64('0'), ts, hex64('c')],
    );
    return rows[0].part;
  }

  async function count(): Promise<number> {
    const { rows } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM audit_records WHERE tenant_id = $1',
      [tenant],
    );
    return rows[0].n;
  }

  /** Runs SQL that the guard must refuse with the message for `op`. */
  async function expectForbidden(sql: string, op: 'UPDATE' | 'DELETE' | 'TRUNCATE'): Promise<void> {
    let error: { message: string; code?: string } | undefined;
    try {
      await db.pool.query(sql);
    } catch (err) {
      error = err as { message: string; code?: string };
    }
    expect(error?.message).toBe(forbidden(op));
    expect(error?.code).toBe('2F003');
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.prisma.tenant.create({ data: { tenantId: tenant, name: 'Immutability tenant' } });
    // What the retention job does. A no-op unless the cloned template was migrated in an earlier month.
    await db.pool.query(
      `SELECT create_audit_partitions((now() AT TIME ZONE 'UTC')::date, ((now() AT TIME ZONE 'UTC') + interval '3 months')::date)`,
    );
    const { rows } = await db.pool.query<{ n: number }>('SELECT create_audit_partitions($1::date, $1::date) AS n', [
      later.toISOString().slice(0, 10),
    ]);
    expect(rows[0].n).toBe(1);
    expect(await insert(1, now)).toBe(current);
    expect(await insert(2, farFuture)).toBe('audit_records_default');
    expect(await insert(3, later)).toBe(laterPartition);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('refuses UPDATE through the partitioned table', async () => {
    await expectForbidden(`UPDATE audit_records SET actor_id = 'mallory' WHERE tenant_id = '${tenant}'`, 'UPDATE');
    await expectForbidden(`UPDATE audit_records SET "timestamp" = "timestamp" + interval '1 day'`, 'UPDATE');
  });

  it('refuses DELETE through the partitioned table', async () => {
    await expectForbidden(`DELETE FROM audit_records WHERE tenant_id = '${tenant}'`, 'DELETE');
  });

  it('refuses TRUNCATE of the partitioned table', async () => {
    await expectForbidden('TRUNCATE audit_records', 'TRUNCATE');
    await expectForbidden('TRUNCATE audit_records CASCADE', 'TRUNCATE');
  });

  it('refuses UPDATE, DELETE and TRUNCATE directly on a monthly partition and on DEFAULT', async () => {
    for (const part of [current, 'audit_records_default']) {
      await expectForbidden(`UPDATE ${part} SET record_hash = '${hex64('f')}'`, 'UPDATE');
      await expectForbidden(`DELETE FROM ${part}`, 'DELETE');
      await expectForbidden(`TRUNCATE ${part}`, 'TRUNCATE');
    }
  });

  it('protects partitions created later by create_audit_partitions, even empty ones', async () => {
    await expectForbidden(`UPDATE ${laterPartition} SET actor_id = 'x'`, 'UPDATE');
    await expectForbidden(`DELETE FROM ${laterPartition}`, 'DELETE');
    await expectForbidden(`TRUNCATE ${laterPartition}`, 'TRUNCATE');
    const empty = partitionOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1)));
    await expectForbidden(`TRUNCATE ${empty}`, 'TRUNCATE');
  });

  it('refuses an upsert that would update an existing record', async () => {
    await expectForbidden(
      `INSERT INTO audit_records (audit_id, tenant_id, sequence_number, previous_hash, "timestamp",
                                  event_type, event_category, actor_type, actor_id, record_hash)
       SELECT audit_id, tenant_id, sequence_number, previous_hash, "timestamp", event_type, event_category,
              actor_type, actor_id, record_hash
         FROM audit_records WHERE tenant_id = '${tenant}' AND sequence_number = 1
       ON CONFLICT (tenant_id, sequence_number, "timestamp") DO UPDATE SET actor_id = 'mallory'`,
      'UPDATE',
    );
  });

  it('refuses updates and deletes made through Prisma', async () => {
    await expect(
      db.prisma.auditRecord.updateMany({ where: { tenantId: tenant }, data: { actorId: 'mallory' } }),
    ).rejects.toThrow(forbidden('UPDATE'));
    await expect(db.prisma.auditRecord.deleteMany({ where: { tenantId: tenant } })).rejects.toThrow(forbidden('DELETE'));
  });

  it('leaves every record unchanged and still accepts appends', async () => {
    expect(await count()).toBe(3);
    const { rows } = await db.pool.query<{ actor_id: string; record_hash: string }>(
      'SELECT DISTINCT actor_id, record_hash FROM audit_records WHERE tenant_id = $1',
      [tenant],
    );
    expect(rows).toEqual([{ actor_id: 'reasoning_agent', record_hash: hex64('c') }]);
    expect(await insert(4, now)).toBe(current);
    expect(await count()).toBe(4);
  });
});
