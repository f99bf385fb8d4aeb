/**
 * Appending to a tenant's audit chain, inside the caller's transaction (ARCHITECTURE §4.7).
 *
 * Per tenant, appends are serialised on the tenant's `audit_chain_state` row: the next sequence
 * number and previous hash come from that locked row and are written back in the same transaction,
 * so a rolled-back transaction leaves no gap and two transactions can never take the same sequence.
 * Tenants never wait for each other. A process first tries the head it last wrote itself: one
 * statement moves the head only if it is still that one (taking the row lock) and inserts the
 * records only if it moved. Otherwise (another process appended, or our transaction rolled back)
 * it locks the row (`SELECT … FOR UPDATE`) and builds on what it finds.
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
   * Called with the records once their sequence numbers are assigned, while the transaction holds the
   * tenant's chain head (before COMMIT): lets a caller order what it publishes after commits by sequence.
   */
  onAssigned?: (records: readonly AuditRow[]) => void;
  /**
   * Where this process remembers each tenant's chain head (default {@link processChainHeads}); `null`
   * always takes the locking path. Tests pass their own to play several processes.
   */
  heads?: ChainHeadCache | null;
}

/** A chain head this process wrote, with its record's timestamp (timestamps never go backwards). */
export interface CachedChainHead extends ChainHead {
  timestamp: Date;
}

/**
 * The chain head this process last wrote for each tenant. Only a guess: it may belong to a transaction
 * that rolled back or have been overtaken by another process, which the conditional append detects (it
 * then writes nothing and the locking path runs). A stale guess costs a statement, so after one the
 * tenant's next append locks straight away, after two in a row the next two, and so on up to
 * {@link MAX_GUESS_BACKOFF} (several processes appending to one tenant); a guess that lands resets it.
 * Holds at most `max` tenants (cleared when full).
 */
export class ChainHeadCache {
  private readonly heads = new Map<string, { head: CachedChainHead; misses: number; skip: number }>();

  constructor(private readonly max = 10_000) {}

  /** The head to build on, or undefined when there is none or the tenant's guesses are backing off. */
  guess(tenantId: string): CachedChainHead | undefined {
    const e = this.heads.get(tenantId);
    if (!e) return undefined;
    if (e.skip > 0) {
      e.skip--;
      return undefined;
    }
    return e.head;
  }

  /** The head this process last wrote (whether or not a guess would be offered). */
  get(tenantId: string): CachedChainHead | undefined {
    return this.heads.get(tenantId)?.head;
  }

  /** Records the head this process just wrote; `guessed` tells whether it landed on a guess. */
  set(tenantId: string, head: CachedChainHead, guessed?: boolean): void {
    const e = this.heads.get(tenantId);
    if (e) {
      e.head = head;
      if (guessed) e.misses = 0;
      return;
    }
    if (this.heads.size >= this.max) this.heads.clear();
    this.heads.set(tenantId, { head, misses: 0, skip: 0 });
  }

  /** A guess for the tenant was stale. */
  missed(tenantId: string): void {
    const e = this.heads.get(tenantId);
    if (!e) return;
    e.misses++;
    e.skip = Math.min(2 ** (e.misses - 1), MAX_GUESS_BACKOFF);
  }

  clear(): void {
    this.heads.clear();
  }
}

/** The most appends of a tenant that lock without guessing after stale guesses. */
export const MAX_GUESS_BACKOFF = 32;

/** The process-wide {@link ChainHeadCache} appends use by default. */
export const processChainHeads = new ChainHeadCache();

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
  tx: SqlTx | PrismaClient,
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
  tx: SqlTx | PrismaClient,
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

  const heads = options.heads === undefined ? processChainHeads : options.heads;
  const now = truncateToMillis(options.now ?? new Date());

  // Optimistic path: build on the head this process last wrote and let one statement check it is still
  // the head (and take the row lock) as it inserts. Another process's append, or a transaction of ours that
  // rolled back, makes the guess stale: nothing is written and the locking path below takes over.
  const guess = heads?.guess(tenantId);
  if (guess && entries.length <= CHUNK) {
    const at = guess.timestamp.getTime() > now.getTime() ? guess.timestamp : now;
    const rows = buildRows(guess, tenantId, entries, at, now);
    if (await insertRowsIfHead(tx, tenantId, rows, guess)) {
      heads!.set(tenantId, headOf(rows[rows.length - 1]!), true);
      options.onAssigned?.(rows);
      return rows;
    }
    heads!.missed(tenantId);
  }

  const state = await lockChainState(tx, tenantId);
  const lastTs = state.last_timestamp === null ? null : truncateToMillis(state.last_timestamp);
  const at = lastTs !== null && lastTs.getTime() > now.getTime() ? lastTs : now;

  let head: ChainHead;
  const genesis: AuditRow[] = [];
  if (Number(state.last_sequence) === 0) {
    genesis.push(buildNextRecord(null, buildGenesis(tenantId, at)));
    head = { sequenceNumber: 1, recordHash: genesis[0]!.recordHash };
  } else {
    head = { sequenceNumber: Number(state.last_sequence), recordHash: state.last_hash };
  }
  const out = buildRows(head, tenantId, entries, at, now);
  options.onAssigned?.(out);
  await insertRows(tx, tenantId, genesis.length > 0 ? [...genesis, ...out] : out);
  heads?.set(tenantId, headOf(out[out.length - 1]!));
  return out;
}

/** The next records after `head`, in order, all stamped `at` (ingested `now`). */
function buildRows(head: ChainHead, tenantId: string, entries: readonly AuditEntry[], at: Date, now: Date): AuditRow[] {
  const out: AuditRow[] = [];
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
    out.push(row);
    head = { sequenceNumber: row.sequenceNumber, recordHash: row.recordHash };
  }
  return out;
}

function headOf(row: AuditRow): CachedChainHead {
  return { sequenceNumber: row.sequenceNumber, recordHash: row.recordHash, timestamp: row.timestamp };
}

/**
 * Locks the tenant's chain head, creating it on first use. The fast path (row exists) is one
 * statement; a tenant's first append adds an INSERT … ON CONFLICT DO NOTHING and a re-select.
 *
 * Lock order: every append takes a table lock on `audit_records` before its tenant's chain row (the
 * conditional insert does so by naming both in one statement, whose table locks are taken before it runs;
 * this select names `audit_records` for the same reason). The retention job takes its ACCESS EXCLUSIVE
 * lock on `audit_records` before the chain rows too, so neither can hold one while waiting for the other.
 */
async function lockChainState(tx: SqlTx, tenantId: string): Promise<ChainStateRow> {
  const sel = `SELECT s.last_sequence, s.last_hash, s.last_timestamp
                 FROM audit_chain_state s
                WHERE s.tenant_id = $1 AND NOT EXISTS (SELECT FROM audit_records WHERE false)
                  FOR UPDATE OF s`;
  let rows = await queryNamed<ChainStateRow>(tx, 'aluskort_audit_lock_head', sel, [tenantId]);
  if (rows.length === 0) {
    await tx.$executeRawUnsafe(
      'INSERT INTO audit_chain_state (tenant_id, last_sequence, last_hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING',
      tenantId,
      GENESIS_PREVIOUS_HASH,
    );
    rows = await queryNamed<ChainStateRow>(tx, 'aluskort_audit_lock_head', sel, [tenantId]);
  }
  if (rows.length !== 1) throw new Error(`audit_chain_state for tenant ${tenantId} could not be locked`);
  return rows[0]!;
}

/** Rows as the JSON objects jsonb_populate_recordset maps onto audit_records. */
function rowsJson(rows: readonly AuditRow[]): string {
  return JSON.stringify(rows.map((r) => ({ ...canonicalRecord(r), record_hash: r.recordHash })));
}

/** One statement inserts at most this many rows (keeps the JSON parameter moderate). */
const CHUNK = 5000;

/** A statement through the transaction's named prepared statements where it has them (node-postgres). */
async function queryNamed<T>(tx: SqlTx, name: string, sql: string, params: unknown[]): Promise<T[]> {
  if (tx.$queryNamed) return (await tx.$queryNamed<T>(name, sql, params)).rows;
  return tx.$queryRawUnsafe<T[]>(sql, ...params);
}

async function executeNamed(tx: SqlTx, name: string, sql: string, params: unknown[]): Promise<number> {
  if (tx.$queryNamed) return (await tx.$queryNamed(name, sql, params)).rowCount;
  return tx.$executeRawUnsafe(sql, ...params);
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

/**
 * Moves the head only if it is still ($7, $8), and inserts the rows only if it moved. The UPDATE matches
 * the tenant's row whatever it holds, so it always takes the row lock, waiting for a transaction that holds
 * it; under READ COMMITTED it then works on the row as that transaction left it (a guess that builds on a
 * head not yet committed must wait for it, not be compared with the older committed row and fail). The
 * new values are taken only if that row is the guessed head; otherwise the row is rewritten unchanged (and
 * stays locked for the locking path that follows).
 */
const INSERT_IF_HEAD = `
WITH adv AS (
  UPDATE audit_chain_state
     SET last_sequence  = CASE WHEN last_sequence = $7::bigint AND last_hash = $8 THEN $3::bigint ELSE last_sequence END,
         last_hash      = CASE WHEN last_sequence = $7::bigint AND last_hash = $8 THEN $4 ELSE last_hash END,
         last_timestamp = CASE WHEN last_sequence = $7::bigint AND last_hash = $8 THEN $5::timestamptz ELSE last_timestamp END,
         updated_at     = CASE WHEN last_sequence = $7::bigint AND last_hash = $8 THEN $6::timestamptz ELSE updated_at END
   WHERE tenant_id = $1
  RETURNING last_sequence = $3::bigint AND last_hash = $4 AS advanced
)
INSERT INTO audit_records
SELECT r.* FROM jsonb_populate_recordset(NULL::audit_records, $2::jsonb) r
 WHERE (SELECT advanced FROM adv)`;

/** $1..$6 of both insert statements: the tenant, the rows, and the new head (the last row). */
function insertParams(tenantId: string, rows: readonly AuditRow[]): unknown[] {
  const last = rows[rows.length - 1]!;
  return [tenantId, rowsJson(rows), last.sequenceNumber, last.recordHash, last.timestamp.toISOString(), last.ingestedAt.toISOString()];
}

async function insertRows(tx: SqlTx, tenantId: string, rows: readonly AuditRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const updated = await executeNamed(tx, 'aluskort_audit_insert', INSERT_AND_ADVANCE, [...insertParams(tenantId, chunk), chunk.length]);
    if (updated !== 1) throw new Error(`audit append for tenant ${tenantId}: chain head not advanced`);
  }
}

/** Inserts `rows` (≤ CHUNK) if the chain head is still `head`: true when it was (and the rows are in). */
async function insertRowsIfHead(tx: SqlTx, tenantId: string, rows: readonly AuditRow[], head: ChainHead): Promise<boolean> {
  const inserted = await executeNamed(tx, 'aluskort_audit_insert_if_head', INSERT_IF_HEAD, [...insertParams(tenantId, rows), head.sequenceNumber, head.recordHash]);
  if (inserted === 0) return false;
  if (inserted !== rows.length) throw new Error(`audit append for tenant ${tenantId}: ${inserted} of ${rows.length} records inserted`);
  return true;
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
