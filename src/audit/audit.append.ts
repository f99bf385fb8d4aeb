/**
 * Appending to a tenant's audit chain, inside the caller's transaction (ARCHITECTURE §4.7).
 *
 * Per tenant, appends are serialised on the tenant's `audit_chain_state` row
 * (`SELECT … FOR UPDATE`): the next sequence number and previous hash come from that locked
 * row and are written back in the same transaction, so a rolled-back transaction leaves no gap
 * and two transactions can never take the same sequence. Tenants never wait for each other.
 *
 * First use of a tenant: `INSERT … ON CONFLICT DO NOTHING` creates the state row (a concurrent
 * creator waits on the unique index, then does nothing), the row is locked, and whoever holds
 * the lock and sees `last_sequence = 0` writes record #1, `system.genesis`, with 64 zeros as
 * `previous_hash`. A rolled-back first transaction rolls back the state row with its genesis.
 *
 * Times: `timestamp` and `ingested_at` are taken from the JS clock at millisecond precision
 * after the lock is held (never the column default `now()`, which has microseconds the hash
 * does not cover), and `timestamp` never goes backwards within a tenant (clamped to the locked
 * `last_timestamp` when app servers' clocks disagree). So each tenant's records form a
 * contiguous sequence range in every monthly partition, which the retention export relies on.
 *
 * One statement inserts a whole batch: the rows travel as one JSONB array whose members are
 * exactly the canonical records plus `record_hash` (`jsonb_populate_recordset` maps them onto
 * the table's columns), and the chain head update rides in the same statement (CTE).
 */
import { randomUUID } from 'node:crypto';

import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Scope } from '../auth/scope';
import type { SqlTx } from '../db/sql-driver';
import { assertAuditEvent, AuditValidationError, GENESIS_EVENT_TYPE, type AuditSeverity } from './audit.taxonomy';
import type { JsonObject } from './canonical-json';
import {
  buildGenesis,
  buildNextRecord,
  canonicalRecord,
  GENESIS_PREVIOUS_HASH,
  truncateToMillis,
  type AuditRow,
  type ChainHead,
} from './record-hash';

/** A Prisma interactive-transaction client (or a full client, which is wrapped in a transaction). */
export type AuditTx = Prisma.TransactionClient;

export type { SqlTx };

/** What a service supplies for one audit record; the chain fields are filled in. */
export interface AuditEventInput {
  /** One of the 48 event types of spec §3.4 (`system.genesis` is written by the chain itself). */
  eventType: string;
  /** Default `info`. */
  severity?: AuditSeverity | string;
  /** Default from `scope.actor`: `system:*` → `system`, `api_key:*` → `api_key`, else `user`. */
  actorType?: string;
  /** Default `scope.actor`. */
  actorId?: string;
  /** Default `scope.roles`. */
  actorPermissions?: readonly string[];
  investigationId?: string;
  alertId?: string;
  entityIds?: readonly string[];
  /** `request_id` (scope.requestId) is added unless the context sets it. */
  context?: JsonObject;
  decision?: JsonObject;
  outcome?: JsonObject;
}

/** Options for tests and maintenance jobs. */
export interface AppendOptions {
  /** The clock (default `new Date()`); truncated to milliseconds. */
  now?: Date;
  /**
   * Called with the records once their sequence numbers are assigned (the chain lock is held), before
   * they are inserted: lets a caller order what it publishes after commits by sequence.
   */
  onAssigned?: (records: readonly AuditRow[]) => void;
}

interface ChainStateRow {
  last_sequence: bigint | number | string;
  last_hash: string;
  last_timestamp: Date | string | null;
}

/** Default actor type derived from the scope's actor id. */
export function actorTypeOf(actor: string): string {
  if (actor.startsWith('system:') || actor === 'system') return 'system';
  if (actor.startsWith('api_key:')) return 'api_key';
  if (actor.startsWith('agent:')) return 'agent';
  return 'user';
}

/** A full client (not an interactive-transaction client, which also exposes `$transaction` but not `$connect`). */
function isFullClient(x: unknown): x is PrismaClient {
  return typeof (x as { $connect?: unknown }).$connect === 'function';
}

/**
 * Appends one audit record to `scope.tenantId`'s chain inside the caller's transaction.
 * @returns the stored row (hash included).
 * @throws AuditValidationError (BAD_USER_INPUT) for an unknown event type or invalid field.
 */
export async function appendAudit(
  tx: AuditTx | PrismaClient,
  scope: Scope,
  event: AuditEventInput,
  options: AppendOptions = {},
): Promise<AuditRow> {
  const rows = await appendAuditBatch(tx, scope, [event], options);
  return rows[rows.length - 1]!;
}

/**
 * Appends several records under one lock and one INSERT, in order. An empty batch does nothing
 * (and takes no lock). Validation happens before the lock, so an invalid event costs no wait.
 * Given a full PrismaClient instead of a transaction client, runs in its own transaction.
 * @returns the stored rows, in sequence order (without the genesis record a first append adds).
 */
export async function appendAuditBatch(
  tx: AuditTx | PrismaClient,
  scope: Scope,
  events: readonly AuditEventInput[],
  options: AppendOptions = {},
): Promise<AuditRow[]> {
  return appendAuditEntries(tx, scope.tenantId, events.map((event) => ({ scope, event })), options);
}

/** One event of a multi-caller batch and the scope it is recorded under (actor, roles, request id). */
export interface AuditEntry {
  scope: Scope;
  event: AuditEventInput;
}

/**
 * Like {@link appendAuditBatch}, but each event carries its own scope (group commit: several callers'
 * changes in one transaction, each recorded under its own actor and request id). Every scope must belong
 * to `tenantId`.
 */
export async function appendAuditEntries(
  tx: SqlTx | PrismaClient,
  tenantId: string,
  entries: readonly AuditEntry[],
  options: AppendOptions = {},
): Promise<AuditRow[]> {
  if (entries.length === 0) return [];
  if (isFullClient(tx)) {
    return tx.$transaction((inner) => appendAuditEntries(inner, tenantId, entries, options));
  }
  if (typeof tenantId !== 'string' || tenantId === '') {
    throw new AuditValidationError('scope.tenantId must be a non-empty string', { field: 'tenantId' });
  }
  for (let i = 0; i < entries.length; i++) {
    const { scope, event: ev } = entries[i]!;
    if (scope.tenantId !== tenantId) {
      throw new AuditValidationError('every scope of a batch must belong to its tenant', { field: 'tenantId', index: i });
    }
    try {
      assertAuditEvent(ev.eventType);
    } catch (err) {
      if (err instanceof AuditValidationError) err.details.index = i;
      throw err;
    }
    if (ev.eventType === GENESIS_EVENT_TYPE) {
      throw new AuditValidationError('system.genesis is written by the audit chain itself', { field: 'eventType', index: i });
    }
  }

  const state = await lockChainState(tx, tenantId);
  const out: AuditRow[] = [];
  const now = truncateToMillis(options.now ?? new Date());
  const lastTs = state.last_timestamp === null ? null : truncateToMillis(state.last_timestamp);
  const at = lastTs !== null && lastTs.getTime() > now.getTime() ? lastTs : now;

  let head: ChainHead | null;
  const toInsert: AuditRow[] = [];
  if (Number(state.last_sequence) === 0) {
    const genesis = buildNextRecord(null, buildGenesis(tenantId, at));
    toInsert.push(genesis);
    head = { sequenceNumber: 1, recordHash: genesis.recordHash };
  } else {
    head = { sequenceNumber: Number(state.last_sequence), recordHash: state.last_hash };
  }

  for (const { scope, event: ev } of entries) {
    const ctx: JsonObject = ev.context ?? {};
    const context: JsonObject =
      scope.requestId && !Object.prototype.hasOwnProperty.call(ctx, 'request_id') ? { request_id: scope.requestId, ...ctx } : ctx;
    const row = buildNextRecord(head, {
      auditId: randomUUID(),
      tenantId,
      timestamp: at,
      ingestedAt: now,
      eventType: ev.eventType,
      severity: ev.severity,
      actorType: ev.actorType ?? actorTypeOf(scope.actor),
      actorId: ev.actorId ?? scope.actor,
      actorPermissions: ev.actorPermissions ?? [...scope.roles],
      investigationId: ev.investigationId,
      alertId: ev.alertId,
      entityIds: ev.entityIds,
      context,
      decision: ev.decision,
      outcome: ev.outcome,
    });
    toInsert.push(row);
    out.push(row);
    head = { sequenceNumber: row.sequenceNumber, recordHash: row.recordHash };
  }

  options.onAssigned?.(out);
  await insertRows(tx, tenantId, toInsert);
  return out;
}

/**
 * Locks the tenant's chain head, creating it on first use. The fast path (row exists) is one
 * statement; a tenant's first append adds an INSERT … ON CONFLICT DO NOTHING and a re-select.
 */
async function lockChainState(tx: SqlTx, tenantId: string): Promise<ChainStateRow> {
  const sel = 'SELECT last_sequence, last_hash, last_timestamp FROM audit_chain_state WHERE tenant_id = $1 FOR UPDATE';
  let rows = await tx.$queryRawUnsafe<ChainStateRow[]>(sel, tenantId);
  if (rows.length === 0) {
    await tx.$executeRawUnsafe(
      'INSERT INTO audit_chain_state (tenant_id, last_sequence, last_hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING',
      tenantId,
      GENESIS_PREVIOUS_HASH,
    );
    rows = await tx.$queryRawUnsafe<ChainStateRow[]>(sel, tenantId);
  }
  if (rows.length !== 1) throw new Error(`audit_chain_state for tenant ${tenantId} could not be locked`);
  return rows[0]!;
}

/** Rows as the JSON objects jsonb_populate_recordset maps onto audit_records. */
function rowsJson(rows: readonly AuditRow[]): string {
  return JSON.stringify(rows.map((r) => ({ ...canonicalRecord(r), record_hash: r.recordHash })));
}

const INSERT_AND_ADVANCE = `
WITH ins AS (
  INSERT INTO audit_records
  SELECT * FROM jsonb_populate_recordset(NULL::audit_records, $2::jsonb)
  RETURNING 1
)
UPDATE audit_chain_state
   SET last_sequence = $3::bigint, last_hash = $4, last_timestamp = $5::timestamptz, updated_at = $6::timestamptz
 WHERE tenant_id = $1 AND (SELECT count(*) FROM ins) = $7::bigint`;

async function insertRows(tx: SqlTx, tenantId: string, rows: readonly AuditRow[]): Promise<void> {
  // One statement per ≤ 5,000 rows keeps the JSON parameter moderate; the head moves with each.
  const CHUNK = 5000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const last = chunk[chunk.length - 1]!;
    const updated = await tx.$executeRawUnsafe(
      INSERT_AND_ADVANCE,
      tenantId,
      rowsJson(chunk),
      last.sequenceNumber,
      last.recordHash,
      last.timestamp.toISOString(),
      last.ingestedAt.toISOString(),
      chunk.length,
    );
    if (updated !== 1) throw new Error(`audit append for tenant ${tenantId}: chain head not advanced`);
  }
}

/** What a `withAudit` callback returns: its result and the audit events to append. */
export interface AuditedResult<T> {
  result: T;
  events: readonly AuditEventInput[];
}

/**
 * Runs `fn` in one interactive transaction and appends the events it returns in that same
 * transaction, after its other writes (so the tenant's chain lock is held only briefly).
 */
export async function withAudit<T>(
  prisma: PrismaClient,
  scope: Scope,
  fn: (tx: AuditTx) => Promise<AuditedResult<T>>,
  txOptions: { maxWait?: number; timeout?: number } = {},
): Promise<{ result: T; records: AuditRow[] }> {
  return prisma.$transaction(async (tx) => {
    const { result, events } = await fn(tx);
    const records = await appendAuditBatch(tx, scope, events);
    return { result, records };
  }, txOptions);
}
