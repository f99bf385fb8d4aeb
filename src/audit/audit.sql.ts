/**
 * The raw-SQL access the audit maintenance code needs (verification, checkpoints, retention,
 * exports), over whichever handle the caller has: a Prisma client or transaction client, the
 * `SqlDriver` of `Database.sqlDriver()`, or a node-postgres Pool/Client. Values come back as
 * the driver parses them, so queries cast anything ambiguous (BIGINT, NUMERIC) to text.
 */
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { SqlDriver } from '../db/sql-driver';
import type { AuditRow } from './record-hash';

/** Anything the audit maintenance functions accept as a database handle. */
export type AuditSql = PrismaClient | Prisma.TransactionClient | SqlDriver | PgLike;

/** Any handle the audit functions accept, including an already wrapped one. */
export type AuditDb = AuditSql | AuditQueryable;

/** The part of a node-postgres Pool / Client / PoolClient used here. */
export interface PgLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** One parameterised statement → rows. */
export interface AuditQueryable {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The Prisma client, when the handle is one (transactions and appends need it). */
  readonly prisma: PrismaClient | Prisma.TransactionClient | null;
}

export function auditQueryable(src: AuditDb): AuditQueryable {
  if ('prisma' in src && typeof (src as AuditQueryable).query === 'function' && !('$queryRawUnsafe' in src)) {
    return src as AuditQueryable;
  }
  if (typeof (src as PrismaClient).$queryRawUnsafe === 'function') {
    const p = src as PrismaClient;
    return {
      prisma: p,
      query: <T>(sql: string, params: unknown[] = []) => p.$queryRawUnsafe<T[]>(sql, ...params),
    };
  }
  if (typeof (src as SqlDriver).exec === 'function' && 'kind' in src) {
    const d = src as SqlDriver;
    return { prisma: null, query: <T>(sql: string, params?: unknown[]) => d.query<T>(sql, params) };
  }
  const pg = src as PgLike;
  return {
    prisma: null,
    query: async <T>(sql: string, params?: unknown[]) => (await pg.query(sql, params)).rows as T[],
  };
}

/** Epoch milliseconds (as exported by `extract(epoch …) * 1000`) → Date; sub-millisecond → invalid Date. */
export function dateFromEpochMillisText(v: unknown): Date {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isInteger(n) ? new Date(n) : new Date(Number.NaN);
}

/** The audit_records columns as the verifier and exporter read them. */
export const AUDIT_ROW_COLUMNS = `audit_id, tenant_id, sequence_number::text AS seq, previous_hash,
  (extract(epoch FROM "timestamp") * 1000)::text AS ts, (extract(epoch FROM ingested_at) * 1000)::text AS ing,
  event_type, event_category, severity, actor_type, actor_id, actor_permissions, investigation_id, alert_id,
  entity_ids, context, decision, outcome, record_hash, record_version, "timestamp"::text AS kts`;

/** A row of {@link AUDIT_ROW_COLUMNS}. */
export interface RawAuditRow {
  audit_id: string;
  tenant_id: string;
  seq: string;
  previous_hash: string;
  ts: string;
  ing: string;
  event_type: string;
  event_category: string;
  severity: string;
  actor_type: string;
  actor_id: string;
  actor_permissions: string[];
  investigation_id: string;
  alert_id: string;
  entity_ids: string[];
  context: unknown;
  decision: unknown;
  outcome: unknown;
  record_hash: string;
  record_version: string;
  kts: string;
}

/** A raw row → the verifier's row shape, values as stored (no repairs: bad values fail the hash). */
export function auditRowFromRaw(r: RawAuditRow): AuditRow {
  const seq = Number(r.seq);
  return {
    auditId: r.audit_id,
    tenantId: r.tenant_id,
    sequenceNumber: seq,
    previousHash: r.previous_hash,
    timestamp: dateFromEpochMillisText(r.ts),
    ingestedAt: dateFromEpochMillisText(r.ing),
    eventType: r.event_type as AuditRow['eventType'],
    eventCategory: r.event_category as AuditRow['eventCategory'],
    severity: r.severity as AuditRow['severity'],
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorPermissions: r.actor_permissions,
    investigationId: r.investigation_id,
    alertId: r.alert_id,
    entityIds: r.entity_ids,
    context: r.context as AuditRow['context'],
    decision: r.decision as AuditRow['decision'],
    outcome: r.outcome as AuditRow['outcome'],
    recordHash: r.record_hash,
    recordVersion: r.record_version,
  };
}

/** Options of {@link streamAuditRows}. */
export interface StreamAuditRowsOptions {
  tenantId: string;
  /** First sequence (inclusive). */
  from: number;
  /** Last sequence (inclusive); default unbounded. */
  to?: number | null;
  /** Rows per query (default 5,000). */
  pageSize?: number;
  /** Read one partition (or another table of the same shape) instead of audit_records. */
  table?: string;
}

/**
 * Streams a tenant's rows in (sequence_number, timestamp) order, in keyset pages: never the
 * whole chain in memory. The key includes the timestamp (the primary key's third column), so a
 * duplicated sequence number at a page boundary is not skipped. The next page is requested
 * before the current one is handed out, so the database works while the caller verifies.
 */
export async function* streamAuditRows(src: AuditDb, opts: StreamAuditRowsOptions): AsyncGenerator<RawAuditRow[]> {
  const q = auditQueryable(src);
  const pageSize = opts.pageSize ?? 5000;
  const to = opts.to ?? Number.MAX_SAFE_INTEGER;
  const table = opts.table ? quoteIdentifier(opts.table) : 'audit_records';
  const sql = `SELECT ${AUDIT_ROW_COLUMNS} FROM ${table}
    WHERE tenant_id = $1 AND (sequence_number, "timestamp") > ($2::bigint, $3::timestamptz) AND sequence_number <= $4::bigint
    ORDER BY sequence_number, "timestamp" LIMIT ${pageSize}`;
  const fetch = (afterSeq: string, afterTs: string) => q.query<RawAuditRow>(sql, [opts.tenantId, afterSeq, afterTs, String(to)]);
  let pending: Promise<RawAuditRow[]> | null = fetch(String(opts.from - 1), 'infinity');
  try {
    while (pending !== null) {
      const page: RawAuditRow[] = await pending;
      if (page.length === pageSize) {
        const last = page[page.length - 1]!;
        pending = fetch(last.seq, last.kts);
      } else {
        pending = null;
      }
      if (page.length > 0) yield page;
    }
  } finally {
    // The consumer stopped early: the prefetched page is dropped, its failure must not go unhandled.
    pending?.catch(() => undefined);
  }
}

/** Double-quotes an identifier (schema-qualified names are not supported). */
export function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsupported identifier: ${name}`);
  return `"${name}"`;
}
