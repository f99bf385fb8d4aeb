import type { SqlDriver } from '../db/sql-driver';

/**
 * Creates the audit_records partitions for the current UTC month and `monthsAhead` months after it
 * (missing ones only). Called at start and by the daily maintenance job; returns how many were created.
 * Rows never wait for this: the DEFAULT partition takes anything that has no monthly partition yet.
 */
export async function ensureAuditPartitions(driver: SqlDriver, monthsAhead = 3, now: Date = new Date()): Promise<number> {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + monthsAhead, 1));
  const rows = await driver.query<{ created: number }>('SELECT create_audit_partitions($1::date, $2::date) AS created', [
    from.toISOString().slice(0, 10),
    to.toISOString().slice(0, 10),
  ]);
  return Number(rows[0]?.created ?? 0);
}
