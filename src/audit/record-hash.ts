/**
 * The audit record as stored, and the hash that chains it (pure, no I/O).
 *
 * Fixes the defect of spec §9 item 11: the reference implementation hashed the event dict as
 * received (with `source_service`, missing optional keys, string timestamps) but stored a
 * DB-normalised row, so the chain could not be re-verified from the table. Here the hash is
 * defined over exactly the stored columns (spec §2.6), by column name, in one fixed text form:
 *
 *   record_hash = hex(SHA-256(UTF-8(JCS(canonicalRecord(row)))))
 *
 * where `canonicalRecord` maps every `audit_records` column except `record_hash` to its
 * snake_case name. A verifier therefore needs nothing but the rows.
 *
 * Field forms inside the hash:
 * - `timestamp`, `ingested_at`: `YYYY-MM-DDTHH:mm:ss.sssZ` (UTC, exactly 3 fractional digits,
 *   years 0000–9999). PostgreSQL `timestamptz` keeps microseconds but a JS `Date` only
 *   milliseconds, so the writer MUST store millisecond-precision values that it supplies
 *   itself (never the column default `NOW()`, never `clock_timestamp()`): then the value read
 *   back is exactly the value hashed. `truncateToMillis` normalises foreign inputs.
 * - `sequence_number`: a JSON number. BIGINT in the table; callers convert Prisma's `bigint`
 *   with `Number()` — sequences stay below 2^53 (checked here), so the conversion is exact.
 * - `actor_permissions`, `entity_ids`: JSON arrays of strings, in stored order.
 * - `context`, `decision`, `outcome`: the JSONB objects; key order is irrelevant (JCS sorts).
 *   JSONB preserves every JSON value JCS can produce (JS numbers survive numeric and back).
 * - `record_version`: included, so a future change of the hash definition is itself hashed.
 */
import { hash as cryptoHash } from 'node:crypto';

import {
  assertAuditEvent,
  assertAuditSeverity,
  AuditValidationError,
  eventCategoryOf,
  GENESIS_EVENT_TYPE,
  type AuditEventType,
  type AuditSeverity,
  type EventCategory,
} from './audit.taxonomy';
import { canonicalize, canonicalString, CanonicalJsonError, type JsonObject } from './canonical-json';

/** `previous_hash` of record #1 (the genesis record): 64 zeros. */
export const GENESIS_PREVIOUS_HASH = '0'.repeat(64);

/** Current `record_version`; the hash definition in this file is version 1.0. */
export const AUDIT_RECORD_VERSION = '1.0';

/** Actor id of records written by the audit service itself (genesis). */
export const AUDIT_SERVICE_ACTOR_ID = 'audit-service';

/** Largest sequence number the hash can represent exactly as a JSON number. */
export const MAX_AUDIT_SEQUENCE = Number.MAX_SAFE_INTEGER;

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * One row of `audit_records` (spec §2.6), column for column, in camelCase.
 * `sequenceNumber` is a JS number (BIGINT converted by the data layer; always < 2^53).
 */
export interface AuditRow {
  auditId: string;
  tenantId: string;
  sequenceNumber: number;
  previousHash: string;
  timestamp: Date;
  ingestedAt: Date;
  eventType: AuditEventType;
  eventCategory: EventCategory;
  severity: AuditSeverity;
  actorType: string;
  actorId: string;
  actorPermissions: string[];
  investigationId: string;
  alertId: string;
  entityIds: string[];
  context: JsonObject;
  decision: JsonObject;
  outcome: JsonObject;
  recordHash: string;
  recordVersion: string;
}

/** A row without its hash: everything the hash covers. */
export type UnhashedAuditRow = Omit<AuditRow, 'recordHash'>;

/** The object that is canonicalised and hashed: stored columns by their SQL names. */
export interface CanonicalAuditRecord {
  audit_id: string;
  tenant_id: string;
  sequence_number: number;
  previous_hash: string;
  timestamp: string;
  ingested_at: string;
  event_type: string;
  event_category: string;
  severity: string;
  actor_type: string;
  actor_id: string;
  actor_permissions: string[];
  investigation_id: string;
  alert_id: string;
  entity_ids: string[];
  context: JsonObject;
  decision: JsonObject;
  outcome: JsonObject;
  record_version: string;
}

/** The column names the hash covers (every `audit_records` column except `record_hash`). */
export const HASHED_COLUMNS: readonly (keyof CanonicalAuditRecord)[] = Object.freeze([
  'audit_id',
  'tenant_id',
  'sequence_number',
  'previous_hash',
  'timestamp',
  'ingested_at',
  'event_type',
  'event_category',
  'severity',
  'actor_type',
  'actor_id',
  'actor_permissions',
  'investigation_id',
  'alert_id',
  'entity_ids',
  'context',
  'decision',
  'outcome',
  'record_version',
]);

/**
 * The timestamp text used inside the hash: `YYYY-MM-DDTHH:mm:ss.sssZ`.
 * @throws AuditValidationError for invalid dates or years outside 0000–9999.
 */
export function formatAuditTimestamp(date: Date, field = 'timestamp'): string {
  const ms = date instanceof Date ? date.getTime() : isForeignDate(date) ? Date.prototype.getTime.call(date) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new AuditValidationError(`Invalid ${field}: not a valid Date`, { field });
  }
  if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) {
    throw new AuditValidationError(`Invalid ${field}: year outside 0000-9999`, { field });
  }
  return isoMillis(ms);
}

/** A Date from another realm (vm context, test runner), where `instanceof Date` is false. */
function isForeignDate(x: unknown): x is Date {
  return Object.prototype.toString.call(x) === '[object Date]';
}

// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
export const MIN_TIMESTAMP_MS = -62167219200000;
export const MAX_TIMESTAMP_MS = 253402300799999;

/**
 * `Date.prototype.toISOString` for years 0000–9999, by integer arithmetic (days → civil date,
 * H. Hinnant's algorithm): about 3x faster, and this runs twice per verified record.
 * Equality with `toISOString` is tested across the whole range. `ms` must be an integer in
 * [MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS] (checked by the callers).
 */
export function isoMillis(ms: number): string {
  const days = Math.floor(ms / 86400000);
  let rem = ms - days * 86400000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(rem / 3600000);
  rem -= h * 3600000;
  const mi = Math.floor(rem / 60000);
  rem -= mi * 60000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  return (
    (year < 10 ? '000' : year < 100 ? '00' : year < 1000 ? '0' : '') + year +
    '-' + pad2(month) + '-' + pad2(day) + 'T' + pad2(h) + ':' + pad2(mi) + ':' + pad2(sec) +
    '.' + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z'
  );
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

const PG_OR_ISO_TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * A `Date` at millisecond precision. JS dates are already milliseconds; this normalises
 * epoch numbers (floored) and timestamp text with up to 9 fractional digits (ISO 8601 or
 * PostgreSQL's `YYYY-MM-DD HH:MM:SS.ffffff+00` form), truncating rather than rounding, so the
 * result never lies in the future of the input.
 * @throws AuditValidationError for unparseable input.
 */
export function truncateToMillis(value: Date | number | string): Date {
  let ms: number;
  if (value instanceof Date || isForeignDate(value)) {
    ms = Date.prototype.getTime.call(value);
  } else if (typeof value === 'number') {
    ms = Math.floor(value);
  } else {
    const m = PG_OR_ISO_TIMESTAMP.exec(value.trim());
    if (!m) throw new AuditValidationError('Unparseable timestamp', { value });
    const frac = (m[3] ?? '').slice(0, 3).padEnd(3, '0');
    let zone = m[4]!.toUpperCase();
    if (zone !== 'Z') {
      const digits = zone.slice(1).replace(':', '');
      zone = `${zone[0]}${digits.slice(0, 2)}:${(digits.slice(2) || '00').padEnd(2, '0')}`;
    }
    ms = new Date(`${m[1]}T${m[2]}.${frac}${zone}`).getTime();
  }
  if (!Number.isFinite(ms)) throw new AuditValidationError('Invalid timestamp', { value: String(value) });
  return new Date(ms);
}

function assertSequence(n: unknown, field = 'sequenceNumber'): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new AuditValidationError(`Invalid ${field}: must be an integer in 1..2^53-1`, {
      field,
      value: String(n),
    });
  }
}

/**
 * The object that is hashed: every stored column except `record_hash`, keyed by its
 * snake_case column name, timestamps as `YYYY-MM-DDTHH:mm:ss.sssZ`. Values are taken as
 * stored (no defaults filled in), so the hash reflects exactly what the row contains.
 * @throws AuditValidationError for invalid dates or sequence numbers.
 */
export function canonicalRecord(row: UnhashedAuditRow): CanonicalAuditRecord {
  assertSequence(row.sequenceNumber);
  return {
    audit_id: row.auditId,
    tenant_id: row.tenantId,
    sequence_number: row.sequenceNumber,
    previous_hash: row.previousHash,
    timestamp: formatAuditTimestamp(row.timestamp, 'timestamp'),
    ingested_at: formatAuditTimestamp(row.ingestedAt, 'ingestedAt'),
    event_type: row.eventType,
    event_category: row.eventCategory,
    severity: row.severity,
    actor_type: row.actorType,
    actor_id: row.actorId,
    actor_permissions: row.actorPermissions,
    investigation_id: row.investigationId,
    alert_id: row.alertId,
    entity_ids: row.entityIds,
    context: row.context,
    decision: row.decision,
    outcome: row.outcome,
    record_version: row.recordVersion,
  };
}

/**
 * The canonical JSON text of `canonicalRecord(row)`, produced directly in the JCS member order
 * (the 19 column names pre-sorted) without building and sorting an intermediate object:
 * the verifier's hot path. Identical output to `canonicalize(canonicalRecord(row))` (tested).
 * @throws AuditValidationError or CanonicalJsonError for values outside the data model.
 */
export function canonicalRecordJson(row: UnhashedAuditRow): string {
  assertSequence(row.sequenceNumber);
  // Member order = UTF-16 sort of the column names.
  return (
    '{"actor_id":' + repeatedText(row.actorId, 0, 'actor_id') +
    ',"actor_permissions":' + textArray2(row.actorPermissions, 'actor_permissions') +
    ',"actor_type":' + repeatedText(row.actorType, 1, 'actor_type') +
    ',"alert_id":' + text(row.alertId, 'alert_id') +
    ',"audit_id":' + text(row.auditId, 'audit_id') +
    ',"context":' + canonicalize(row.context) +
    ',"decision":' + canonicalize(row.decision) +
    ',"entity_ids":' + textArray2(row.entityIds, 'entity_ids') +
    ',"event_category":' + repeatedText(row.eventCategory, 2, 'event_category') +
    ',"event_type":' + repeatedText(row.eventType, 3, 'event_type') +
    ',"ingested_at":"' + formatAuditTimestamp(row.ingestedAt, 'ingestedAt') +
    '","investigation_id":' + text(row.investigationId, 'investigation_id') +
    ',"outcome":' + canonicalize(row.outcome) +
    ',"previous_hash":' + text(row.previousHash, 'previous_hash') +
    ',"record_version":' + repeatedText(row.recordVersion, 4, 'record_version') +
    ',"sequence_number":' + row.sequenceNumber +
    ',"severity":' + repeatedText(row.severity, 5, 'severity') +
    ',"tenant_id":' + repeatedText(row.tenantId, 6, 'tenant_id') +
    ',"timestamp":"' + formatAuditTimestamp(row.timestamp, 'timestamp') +
    '"}'
  );
}

// Strings needing escapes or the lone-surrogate check (see canonical-json.ts).
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * TEXT columns must hold strings. The data layer passes values through unchanged (a NULL stays
 * null and makes hashing fail, hence verification fail) rather than coercing NULL to ''.
 */
function text(v: unknown, column: string): string {
  if (typeof v === 'string' && !NEEDS_CARE.test(v)) return '"' + v + '"';
  if (typeof v !== 'string') {
    throw new AuditValidationError(`Column ${column} must be a string`, { field: column });
  }
  return canonicalString(v, '$.' + column);
}

/**
 * `text` for columns whose value mostly repeats from row to row (tenant, actor, event type,
 * severity, version): remembers the last value per slot, so a verifier streaming one tenant's
 * chain skips the escape scan for them. A string comparison of equal short strings is cheaper
 * than the regular-expression scan.
 */
function repeatedText(v: unknown, slot: number, column: string): string {
  if (v === lastRaw[slot]) return lastEscaped[slot]!;
  const escaped = text(v, column);
  lastRaw[slot] = v as string;
  lastEscaped[slot] = escaped;
  return escaped;
}
const lastRaw: (string | undefined)[] = new Array<string | undefined>(8).fill(undefined);
const lastEscaped: string[] = new Array<string>(8).fill('');

/** TEXT[] columns: arrays of strings, in stored order. */
function textArray2(v: unknown, column: string): string {
  if (!Array.isArray(v)) {
    throw new AuditValidationError(`Column ${column} must be an array of strings`, { field: column });
  }
  let out = '[';
  for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + text(v[i], column);
  return out + ']';
}

/**
 * `record_hash`: lowercase hex SHA-256 of the UTF-8 canonical JSON of the row (any
 * `recordHash` property on the argument is ignored).
 * @throws AuditValidationError or CanonicalJsonError when the row cannot be canonicalised.
 */
export function computeRecordHash(row: UnhashedAuditRow): string {
  return cryptoHash('sha256', canonicalRecordJson(row), 'hex');
}

/** True when the stored `recordHash` equals the recomputed one. Never throws. */
export function recordHashMatches(row: AuditRow): boolean {
  try {
    return computeRecordHash(row) === row.recordHash;
  } catch {
    return false;
  }
}

/** True for a 64-character lowercase hex string (the form of every stored hash). */
export function isHashHex(x: unknown): x is string {
  return typeof x === 'string' && HEX64.test(x);
}

/** What a service supplies to append one record; the chain fields are filled in. */
export interface AuditRecordInput {
  /** UUID chosen by the caller (pure code does not generate randomness). */
  auditId: string;
  tenantId: string;
  /** When the event happened; millisecond precision. */
  timestamp: Date;
  /** When the audit writer accepted it (inside the lock); millisecond precision, caller-supplied. */
  ingestedAt: Date;
  eventType: AuditEventType | string;
  /** Default `info`. */
  severity?: AuditSeverity | string;
  actorType: string;
  actorId: string;
  actorPermissions?: readonly string[];
  investigationId?: string;
  alertId?: string;
  entityIds?: readonly string[];
  context?: JsonObject;
  decision?: JsonObject;
  outcome?: JsonObject;
  /** Default {@link AUDIT_RECORD_VERSION}. */
  recordVersion?: string;
}

/** The chain head a new record links to. */
export interface ChainHead {
  sequenceNumber: number;
  recordHash: string;
}

/**
 * A stable UUID (RFC 9562 version 8 layout) for a tenant's genesis record, derived from the
 * tenant id, so re-creating the genesis of the same tenant yields the same `audit_id`
 * (spec §9 item 11 notes the doc's fixed zero UUID vs the code's random one).
 */
export function genesisAuditId(tenantId: string): string {
  const b = cryptoHash('sha256', `aluskort.audit.genesis\u0000${tenantId}`, 'buffer');
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The input of record #1 of a tenant chain: `system.genesis`, category system, actor
 * system/`audit-service`, empty references, decision `{decision_type:'genesis'}`, outcome
 * `{outcome_status:'success', action_taken:'Audit chain initialized'}` (spec §4.9).
 * Pass it to `buildNextRecord(null, …)`, which assigns sequence 1 and the zero previous hash.
 */
export function buildGenesis(tenantId: string, now: Date, auditId: string = genesisAuditId(tenantId)): AuditRecordInput {
  const at = truncateToMillis(now);
  return {
    auditId,
    tenantId,
    timestamp: at,
    ingestedAt: new Date(at.getTime()),
    eventType: GENESIS_EVENT_TYPE,
    severity: 'info',
    actorType: 'system',
    actorId: AUDIT_SERVICE_ACTOR_ID,
    actorPermissions: [],
    investigationId: '',
    alertId: '',
    entityIds: [],
    context: {},
    decision: { decision_type: 'genesis' },
    outcome: { outcome_status: 'success', action_taken: 'Audit chain initialized' },
    recordVersion: AUDIT_RECORD_VERSION,
  };
}

/**
 * Builds the complete next row, hash included (pure: the caller supplies `auditId` and both
 * times, and persists the result inside the tenant lock).
 *
 * - `prev === null` starts a chain: sequence 1, `previous_hash` = 64 zeros, and the event
 *   must be `system.genesis`; `system.genesis` is rejected anywhere else.
 * - Validates the taxonomy, severity, non-empty ids, string arrays, JSON objects, and that no
 *   string contains U+0000 (PostgreSQL TEXT/JSONB cannot store it, so the stored row would
 *   differ from the hashed one).
 * - JSON payloads are copied through their canonical form, so the returned row holds exactly
 *   the values that were hashed (e.g. `-0` becomes `0`, `undefined` members disappear) and
 *   later mutation of the caller's objects cannot desynchronise row and hash.
 * @throws AuditValidationError (code `BAD_USER_INPUT`) for any invalid input.
 */
export function buildNextRecord(prev: ChainHead | null, input: AuditRecordInput): AuditRow {
  assertAuditEvent(input.eventType);
  const eventType = input.eventType;
  const severity = input.severity ?? 'info';
  assertAuditSeverity(severity);

  let sequenceNumber: number;
  let previousHash: string;
  if (prev === null) {
    if (eventType !== GENESIS_EVENT_TYPE) {
      throw new AuditValidationError('The first record of a chain must be system.genesis', { field: 'eventType' });
    }
    sequenceNumber = 1;
    previousHash = GENESIS_PREVIOUS_HASH;
  } else {
    if (eventType === GENESIS_EVENT_TYPE) {
      throw new AuditValidationError('system.genesis can only be the first record of a chain', { field: 'eventType' });
    }
    assertSequence(prev.sequenceNumber, 'prev.sequenceNumber');
    if (prev.sequenceNumber >= MAX_AUDIT_SEQUENCE) {
      throw new AuditValidationError('Audit sequence exhausted', { field: 'sequenceNumber' });
    }
    if (!isHashHex(prev.recordHash)) {
      throw new AuditValidationError('prev.recordHash must be 64 lowercase hex characters', { field: 'prev.recordHash' });
    }
    sequenceNumber = prev.sequenceNumber + 1;
    previousHash = prev.recordHash;
  }

  const unhashed: UnhashedAuditRow = {
    auditId: requiredText(input.auditId, 'auditId'),
    tenantId: requiredText(input.tenantId, 'tenantId'),
    sequenceNumber,
    previousHash,
    timestamp: copyDate(input.timestamp, 'timestamp'),
    ingestedAt: copyDate(input.ingestedAt, 'ingestedAt'),
    eventType,
    eventCategory: eventCategoryOf(eventType),
    severity,
    actorType: requiredText(input.actorType, 'actorType'),
    actorId: requiredText(input.actorId, 'actorId'),
    actorPermissions: textArray(input.actorPermissions, 'actorPermissions'),
    investigationId: optionalText(input.investigationId, 'investigationId'),
    alertId: optionalText(input.alertId, 'alertId'),
    entityIds: textArray(input.entityIds, 'entityIds'),
    context: jsonObject(input.context, 'context'),
    decision: jsonObject(input.decision, 'decision'),
    outcome: jsonObject(input.outcome, 'outcome'),
    recordVersion: requiredText(input.recordVersion ?? AUDIT_RECORD_VERSION, 'recordVersion'),
  };
  return { ...unhashed, recordHash: computeRecordHash(unhashed) };
}

function assertStorableText(s: string, field: string): void {
  if (s.includes('\u0000')) {
    throw new AuditValidationError(`${field} contains U+0000, which PostgreSQL cannot store`, { field });
  }
}

function requiredText(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0) {
    throw new AuditValidationError(`${field} must be a non-empty string`, { field });
  }
  assertStorableText(v, field);
  return v;
}

function optionalText(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new AuditValidationError(`${field} must be a string`, { field });
  assertStorableText(v, field);
  return v;
}

function textArray(v: readonly unknown[] | undefined, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new AuditValidationError(`${field} must be an array of strings`, { field });
  return v.map((item, i) => {
    if (typeof item !== 'string') {
      throw new AuditValidationError(`${field}[${i}] must be a string`, { field });
    }
    assertStorableText(item, `${field}[${i}]`);
    return item;
  });
}

function copyDate(v: unknown, field: string): Date {
  if (!(v instanceof Date) && !isForeignDate(v)) throw new AuditValidationError(`${field} must be a Date`, { field });
  formatAuditTimestamp(v, field);
  return new Date(Date.prototype.getTime.call(v));
}

function jsonObject(v: JsonObject | undefined, field: string): JsonObject {
  if (v === undefined || v === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(canonicalize(v));
  } catch (e) {
    if (e instanceof CanonicalJsonError) {
      throw new AuditValidationError(`${field} is not canonical JSON: ${e.message}`, { field, path: e.path });
    }
    throw e;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AuditValidationError(`${field} must be a JSON object`, { field });
  }
  assertNoNul(parsed, field);
  return parsed as JsonObject;
}

function assertNoNul(v: unknown, path: string): void {
  if (typeof v === 'string') {
    assertStorableText(v, path);
  } else if (Array.isArray(v)) {
    v.forEach((item, i) => assertNoNul(item, `${path}[${i}]`));
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, item] of Object.entries(v)) {
      assertStorableText(k, `${path} key`);
      assertNoNul(item, `${path}.${k}`);
    }
  }
}
