/**
 * Audit retention (spec §4.9 lifecycle, §5 retention by tenant tier: trial 90 d, standard and
 * premium 365 d; legal hold suspends it).
 *
 * Monthly partitions hold every tenant's records for that month, so a partition leaves the hot
 * table only when its newest possible row (the end of its month) is older than the LONGEST
 * retention of any tenant with rows in it, and never while one of them is under legal hold. The
 * current and the previous month are never touched, nor is the DEFAULT partition.
 *
 * For an expired partition, per tenant: the tenant's records in it must be a contiguous
 * sequence range (appends keep timestamps monotonic per tenant, so they are); they are exported
 * to `<dataDir>/audit-archive/<tenant>/<partition>.jsonl` in the offline-verification format,
 * verified while written (anchored on the record before them) and re-read to check the file's
 * SHA-256. Only when every tenant's export succeeded does one transaction:
 * `ALTER TABLE audit_records DETACH PARTITION` (the table is kept: dropping it is a DBA action),
 * re-install the immutability triggers on the detached table (PostgreSQL drops the row triggers
 * it had cloned from the parent), register the exports in `audit_archives` (the verifier starts
 * each tenant's chain after them), and append a `config.changed` record to each tenant's chain
 * naming the archive and its hash — the removal is itself audited.
 */
import path from 'node:path';

import type { PrismaClient } from '../generated/prisma/client';
import { appendAuditBatch } from './audit.append';
import { exportAuditJsonl, fileSha256 } from './audit.export';
import { auditQueryable, quoteIdentifier } from './audit.sql';

export type TenantTier = 'trial' | 'standard' | 'premium';

/** Audit retention in days per tenant tier (spec §5). */
export const AUDIT_RETENTION_DAYS: Readonly<Record<TenantTier, number>> = Object.freeze({ trial: 90, standard: 365, premium: 365 });

export interface AuditRetentionOptions {
  /** Directory under which `audit-archive/` is written. */
  dataDir: string;
  now?: Date;
  /** Overrides of {@link AUDIT_RETENTION_DAYS}. */
  retentionDays?: Partial<Record<TenantTier, number>>;
  /** Decide and report only: no export, no detach. */
  dryRun?: boolean;
}

export interface ArchivedTenant {
  tenantId: string;
  tier: string;
  records: number;
  fromSequence: number;
  toSequence: number;
  file: string;
  sha256: string;
}

export interface RetentionPartitionResult {
  partition: string;
  /** First day of the partition's month (UTC). */
  month: string;
  action: 'detached' | 'kept' | 'would_detach' | 'failed';
  reason: string;
  tenants: ArchivedTenant[];
}

const DAY_MS = 86_400_000;
const PARTITION_NAME = /^audit_records_(\d{4})_(\d{2})$/;

/** Runs one retention pass over every attached monthly partition; returns one result per partition. */
export async function runAuditRetention(prisma: PrismaClient, options: AuditRetentionOptions): Promise<RetentionPartitionResult[]> {
  const q = auditQueryable(prisma);
  const now = options.now ?? new Date();
  const days = { ...AUDIT_RETENTION_DAYS, ...options.retentionDays };
  const lastMonthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);

  const parts = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'audit_records'::regclass ORDER BY c.relname`,
  );
  const results: RetentionPartitionResult[] = [];
  for (const { name } of parts) {
    const m = PARTITION_NAME.exec(name);
    if (!m) continue; // DEFAULT and anything not created by create_audit_partitions
    const monthStart = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
    const monthEnd = Date.UTC(Number(m[1]), Number(m[2]), 1);
    const result: RetentionPartitionResult = {
      partition: name,
      month: new Date(monthStart).toISOString().slice(0, 10),
      action: 'kept',
      reason: '',
      tenants: [],
    };
    results.push(result);
    if (monthStart >= lastMonthStart) {
      result.reason = 'current, previous or future month';
      continue;
    }
    const tenants = await q.query<{ tenant_id: string; tier: string; legal_hold: boolean; n: string; lo: string; hi: string }>(
      `SELECT p.tenant_id, t.tier, t.legal_hold, count(*)::text AS n, min(p.sequence_number)::text AS lo,
              max(p.sequence_number)::text AS hi
         FROM ${quoteIdentifier(name)} p JOIN tenants t ON t.tenant_id = p.tenant_id
        GROUP BY p.tenant_id, t.tier, t.legal_hold ORDER BY p.tenant_id`,
    );
    const held = tenants.find((t) => t.legal_hold);
    if (held) {
      result.reason = `tenant ${held.tenant_id} is under legal hold`;
      continue;
    }
    let longest = 0;
    let longestTenant = '';
    for (const t of tenants) {
      const d = days[t.tier as TenantTier] ?? Math.max(...Object.values(days));
      if (d > longest) {
        longest = d;
        longestTenant = t.tenant_id;
      }
    }
    if (tenants.length === 0) longest = Math.max(...Object.values(days));
    if (monthEnd + longest * DAY_MS > now.getTime()) {
      result.reason = `within the ${longest}-day retention of ${longestTenant ? `tenant ${longestTenant}` : 'every tier'}`;
      continue;
    }
    if (options.dryRun) {
      result.action = 'would_detach';
      result.reason = `older than the longest retention (${longest} days)`;
      continue;
    }

    try {
      for (const t of tenants) {
        const lo = Number(t.lo);
        const hi = Number(t.hi);
        if (Number(t.n) !== hi - lo + 1) throw new Error(`tenant ${t.tenant_id}: sequences ${lo}..${hi} are not contiguous in ${name}`);
        const file = path.join(options.dataDir, 'audit-archive', t.tenant_id, `${name}.jsonl`);
        const exp = await exportAuditJsonl(q, t.tenant_id, file, { fromSequence: lo, toSequence: hi, table: name, now });
        if (!exp.chain.valid) {
          const e = exp.chain.errors[0]!;
          throw new Error(`tenant ${t.tenant_id}: chain broken at ${e.sequence} (${e.kind}) in ${name}`);
        }
        if (exp.records !== hi - lo + 1 || exp.lastSequence !== hi) throw new Error(`tenant ${t.tenant_id}: export of ${name} is incomplete`);
        if ((await fileSha256(file)) !== exp.sha256) throw new Error(`tenant ${t.tenant_id}: ${file} does not read back identically`);
        result.tenants.push({ tenantId: t.tenant_id, tier: t.tier, records: exp.records, fromSequence: lo, toSequence: hi, file, sha256: exp.sha256 });
      }
      const byTenant = new Map(result.tenants.map((a) => [a.tenantId, a]));
      const lastHashes = await q.query<{ tenant_id: string; record_hash: string }>(
        `SELECT p.tenant_id, p.record_hash FROM ${quoteIdentifier(name)} p
          JOIN unnest($1::text[], $2::bigint[]) AS k(t, s) ON p.tenant_id = k.t AND p.sequence_number = k.s`,
        [result.tenants.map((a) => a.tenantId), result.tenants.map((a) => String(a.toSequence))],
      );
      await prisma.$transaction(
        async (tx) => {
          const t = auditQueryable(tx);
          // The table lock before the chain rows (in tenant order), as every append takes its own lock on
          // audit_records before its chain row (audit.append.ts): a writer holding a chain row holds a lock
          // on audit_records too, so this waits for it to finish instead of closing a cycle with it.
          await t.query('LOCK TABLE audit_records IN ACCESS EXCLUSIVE MODE');
          await t.query('SELECT tenant_id FROM audit_chain_state WHERE tenant_id = ANY($1::text[]) ORDER BY tenant_id FOR UPDATE', [
            result.tenants.map((a) => a.tenantId),
          ]);
          await t.query(`ALTER TABLE audit_records DETACH PARTITION ${quoteIdentifier(name)}`);
          await t.query(
            `CREATE TRIGGER enforce_audit_immutability BEFORE UPDATE OR DELETE ON ${quoteIdentifier(name)}
               FOR EACH ROW EXECUTE FUNCTION audit_immutable_guard()`,
          );
          for (const lh of lastHashes) {
            const a = byTenant.get(lh.tenant_id)!;
            await t.query(
              `INSERT INTO audit_archives (tenant_id, partition_name, from_sequence, to_sequence, record_count, last_hash, file_path, file_sha256, archived_at)
               VALUES ($1, $2, $3::bigint, $4::bigint, $5::bigint, $6, $7, $8, $9::timestamptz)`,
              [a.tenantId, name, String(a.fromSequence), String(a.toSequence), String(a.records), lh.record_hash, a.file, a.sha256, now.toISOString()],
            );
            await appendAuditBatch(tx, { tenantId: a.tenantId, actor: 'system:audit-retention', roles: [], requestId: `retention-${name}` }, [
              {
                eventType: 'config.changed',
                context: {
                  action: 'audit_partition_archived',
                  partition: name,
                  from_sequence: a.fromSequence,
                  to_sequence: a.toSequence,
                  records: a.records,
                  archive_file: a.file,
                  archive_sha256: a.sha256,
                  retention_days: longest,
                },
                outcome: { outcome_status: 'success', action_taken: 'partition exported and detached' },
              },
            ]);
          }
        },
        { maxWait: 30_000, timeout: 120_000 },
      );
      result.action = 'detached';
      result.reason = `older than the longest retention (${longest} days) of its ${tenants.length} tenant(s)`;
    } catch (err) {
      result.action = 'failed';
      result.reason = (err as Error).message;
      result.tenants = [];
    }
  }
  return results;
}
