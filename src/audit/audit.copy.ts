/**
 * The fast read path of chain verification: a tenant's rows as PostgreSQL's binary COPY
 * format, hashed straight from the wire bytes.
 *
 * `COPY (SELECT <columns> …) TO STDOUT (FORMAT binary)` streams every row as one message:
 * a field count, then per field a 32-bit length and the type's binary form. The columns are
 * selected in the canonical member order of the record hash (record-hash.ts), with explicit
 * casts that pin their wire formats, so {@link AuditCopyDecoder} writes the canonical JSON of a
 * row in one pass into a reused byte buffer and hashes that:
 * - TEXT: the UTF-8 bytes as sent, quoted, when they hold no `"`, `\` or control character
 *   (JCS needs no escaping then, and a UTF8 connection never sends lone surrogates);
 *   otherwise the decoded string through `canonicalString`, exactly as the generic path;
 * - TEXT[]: one-dimensional, no NULL element → a JSON array of those strings (the lower bound
 *   is not part of the value, as for the generic path, whose array parser ignores it);
 * - JSONB: version byte 1 + the jsonb text, transcoded byte to byte into its canonical form
 *   (jsonb-canonical.ts); text that transcoder does not take is parsed and canonicalised by
 *   `canonicalize`, as the generic path does;
 * - TIMESTAMPTZ: microseconds since 2000-01-01 → `YYYY-MM-DDTHH:mm:ss.sssZ` (whole ms only);
 * - INT8 sequence: a JSON number (1 … 2^53 − 1).
 *
 * Anything outside those shapes (NULL, a sub-millisecond or far-off timestamp, a NULL array
 * element, a multi-dimensional array, a hash mismatch) leaves the fast path: the row is decoded
 * into an {@link AuditRow} with the values the generic path reads and goes through
 * `computeRecordHash`, so the verdict on every row is the generic code's. The fast path only
 * ever reports a row as intact when its bytes equal the generic canonical text, whose hash the
 * stored `record_hash` matches.
 *
 * Requires `client_encoding` UTF8 (checked by the caller).
 */
import { hash as cryptoHash } from 'node:crypto';
import { escapeLiteral, type Client as PgClient } from 'pg';
import { asPgPool, copyCapableClient, copyOut } from '../db/pg-copy';
import { canonicalize, canonicalString } from './canonical-json';
import { ByteWriter, constBytes, type ConstBytes } from './byte-writer';
import { JsonbCanonicalWriter } from './jsonb-canonical';
import { isoMillis, type AuditRow } from './record-hash';

/** The columns, in canonical member order, then record_hash (field 19). */
export const AUDIT_COPY_COLUMNS = `actor_id::text, actor_permissions::text[], actor_type::text, alert_id::text,
  audit_id::text, context::jsonb, decision::jsonb, entity_ids::text[], event_category::text, event_type::text,
  ingested_at::timestamptz, investigation_id::text, outcome::jsonb, previous_hash::text, record_version::text,
  sequence_number::int8, severity::text, tenant_id::text, "timestamp"::timestamptz, record_hash::text`;

const FIELD_COUNT = 20;
const F = {
  actorId: 0,
  actorPermissions: 1,
  actorType: 2,
  alertId: 3,
  auditId: 4,
  context: 5,
  decision: 6,
  entityIds: 7,
  eventCategory: 8,
  eventType: 9,
  ingestedAt: 10,
  investigationId: 11,
  outcome: 12,
  previousHash: 13,
  recordVersion: 14,
  sequenceNumber: 15,
  severity: 16,
  tenantId: 17,
  timestamp: 18,
  recordHash: 19,
} as const;

/** How each canonical field is written. */
const Kind = { Text: 0, TextArray: 1, Json: 2, Time: 3, Int: 4 } as const;
const KINDS: number[] = [
  Kind.Text, Kind.TextArray, Kind.Text, Kind.Text, Kind.Text, Kind.Json, Kind.Json, Kind.TextArray, Kind.Text, Kind.Text,
  Kind.Time, Kind.Text, Kind.Json, Kind.Text, Kind.Text, Kind.Int, Kind.Text, Kind.Text, Kind.Time,
];
const NAMES = [
  'actor_id', 'actor_permissions', 'actor_type', 'alert_id', 'audit_id', 'context', 'decision', 'entity_ids', 'event_category',
  'event_type', 'ingested_at', 'investigation_id', 'outcome', 'previous_hash', 'record_version', 'sequence_number', 'severity',
  'tenant_id', 'timestamp',
];
/** `{"actor_id":`, `,"actor_permissions":`, … as bytes. */
const PREFIXES: ConstBytes[] = NAMES.map((n, i) => constBytes(Buffer.from(`${i === 0 ? '{' : ','}"${n}":`, 'latin1')));

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const TEXT_OID = 25;
const EPOCH_2000_MS = 946684800000;
// |microseconds| below 2^53: exact as a double (years 1715–2285); others take the generic path.
const MAX_FAST_HI = 0x200000;
const INT64_MAX_HI = 0x7fffffff;

/** Receives the outcome of each row, in stream order. */
export interface AuditCopySink {
  /** The row's hash verifies (canonical bytes = the generic canonical text); `seq` is a safe integer ≥ 1. */
  verified(seq: number, recordHash: string, previousHash: string): void;
  /** Any other row, decoded as the generic path reads it. */
  row(row: AuditRow): void;
}

/** Decodes the messages of one binary COPY of {@link AUDIT_COPY_COLUMNS}. */
export class AuditCopyDecoder {
  private headerSeen = false;
  private ended = false;
  /** Rows decoded. */
  rows = 0;
  private readonly starts = new Int32Array(FIELD_COUNT);
  private readonly lens = new Int32Array(FIELD_COUNT);
  // The row's canonical JSON is written into o.out[0, o.w).
  private readonly o = new ByteWriter();
  private readonly jsonb = new JsonbCanonicalWriter(this.o);
  // Per timestamp column: the last millisecond value and its JSON string (quoted ISO text).
  private readonly lastMs = [Number.NaN, Number.NaN];
  private readonly lastIso: ConstBytes[] = [constBytes(new Uint8Array(0)), constBytes(new Uint8Array(0))];

  constructor(private readonly sink: AuditCopySink) {}

  /** One CopyData message (one row, or the header + first row, or the trailer). */
  push(buf: Buffer): void {
    let p = 0;
    if (!this.headerSeen) {
      if (buf.length < 19 || buf.compare(SIGNATURE, 0, 11, 0, 11) !== 0) throw new Error('not a binary COPY stream');
      const flags = buf.readInt32BE(11);
      if ((flags & 0x10000) !== 0) throw new Error('binary COPY with OIDs is not supported');
      p = 19 + buf.readInt32BE(15);
      this.headerSeen = true;
      if (p === buf.length) return;
    }
    if (this.ended) throw new Error('data after the end of the binary COPY stream');
    const n = buf.readInt16BE(p);
    if (n === -1) {
      this.ended = true;
      return;
    }
    if (n !== FIELD_COUNT) throw new Error(`binary COPY row with ${n} fields, expected ${FIELD_COUNT}`);
    p += 2;
    const { starts, lens } = this;
    for (let i = 0; i < FIELD_COUNT; i++) {
      const len = i32(buf, p);
      p += 4;
      starts[i] = p;
      lens[i] = len;
      if (len > 0) p += len;
    }
    if (p !== buf.length) throw new Error('binary COPY row length mismatch (one row per message expected)');
    this.rows++;
    this.row(buf);
  }

  /** True once the end-of-data marker was read. */
  get complete(): boolean {
    return this.ended;
  }

  private row(buf: Buffer): void {
    const { starts, lens } = this;
    const seq = this.canonical(buf);
    if (seq > 0) {
      const hashLen = lens[F.recordHash]!;
      const prevLen = lens[F.previousHash]!;
      if (hashLen >= 0 && prevLen >= 0) {
        const computed = cryptoHash('sha256', this.o.out.subarray(0, this.o.w), 'hex');
        const hs = starts[F.recordHash]!;
        const stored = buf.toString('utf8', hs, hs + hashLen);
        if (computed === stored) {
          const ps = starts[F.previousHash]!;
          this.sink.verified(seq, stored, buf.toString('utf8', ps, ps + prevLen));
          return;
        }
      }
    }
    this.sink.row(auditRowFromCopy(buf, starts, lens));
  }

  /** Writes the canonical JSON into `o.out[0, o.w)`; returns the sequence, or 0 to leave the fast path. */
  private canonical(buf: Buffer): number {
    const { starts, lens } = this;
    this.o.w = 0;
    let seq = 0;
    for (let i = 0; i < 19; i++) {
      this.o.putConst(PREFIXES[i]!);
      const s = starts[i]!;
      const len = lens[i]!;
      if (len < 0) return 0;
      switch (KINDS[i]) {
        case Kind.Text:
          this.text(buf, s, len);
          break;
        case Kind.TextArray:
          if (!this.textArray(buf, s, len)) return 0;
          break;
        case Kind.Json:
          if (!this.json(buf, s, len)) return 0;
          break;
        case Kind.Time:
          if (!this.time(buf, s, len, i === F.ingestedAt ? 0 : 1)) return 0;
          break;
        case Kind.Int: {
          if (len !== 8) return 0;
          const hi = i32(buf, s);
          if (hi < 0 || hi >= MAX_FAST_HI) return 0;
          seq = hi * 4294967296 + (i32(buf, s + 4) >>> 0);
          if (seq < 1) return 0;
          this.ascii('' + seq);
          break;
        }
      }
    }
    const o = this.o;
    o.ensure(1);
    o.out[o.w++] = 0x7d; // }
    return seq;
  }

  private ascii(s: string): void {
    const o = this.o;
    o.ensure(s.length);
    const out = o.out;
    let w = o.w;
    for (let i = 0; i < s.length; i++) out[w++] = s.charCodeAt(i);
    o.w = w;
  }

  private byte(b: number): void {
    const o = this.o;
    o.ensure(1);
    o.out[o.w++] = b;
  }

  /** A JSON string from UTF-8 bytes. */
  private text(buf: Buffer, s: number, len: number): void {
    const o = this.o;
    o.ensure(len + 2);
    const out = o.out;
    const start = o.w;
    let w = start;
    out[w++] = 0x22;
    for (let i = s, e = s + len; i < e; i++) {
      const b = buf[i]!;
      if (b < 0x20 || b === 0x22 || b === 0x5c) {
        // Needs escaping: the generic serialiser, on the decoded string.
        const escaped = canonicalString(buf.toString('utf8', s, s + len));
        o.w = start;
        o.ensure(Buffer.byteLength(escaped));
        o.w = start + o.out.write(escaped, start);
        return;
      }
      out[w++] = b;
    }
    out[w++] = 0x22;
    o.w = w;
  }

  private textArray(buf: Buffer, s: number, len: number): boolean {
    if (len < 12) return false;
    const ndim = i32(buf, s);
    if (i32(buf, s + 8) !== TEXT_OID) return false;
    if (ndim === 0) {
      if (len !== 12) return false;
      this.ascii('[]');
      return true;
    }
    if (ndim !== 1 || len < 20) return false;
    const count = i32(buf, s + 12);
    const end = s + len;
    let q = s + 20;
    this.byte(0x5b); // [
    for (let k = 0; k < count; k++) {
      if (q + 4 > end) return false;
      const l = i32(buf, q);
      q += 4;
      if (l < 0 || q + l > end) return false;
      if (k > 0) this.byte(0x2c); // ,
      this.text(buf, q, l);
      q += l;
    }
    if (q !== end) return false;
    this.byte(0x5d); // ]
    return true;
  }

  private json(buf: Buffer, s: number, len: number): boolean {
    if (len < 1 || buf[s] !== 1) return false;
    if (this.jsonb.write(buf, s + 1, s + len)) return true;
    // Outside what the transcoder takes (escapes JSON.stringify writes differently, a key with
    // an escape, …): the generic canonicaliser.
    let canon: string;
    try {
      canon = canonicalize(JSON.parse(buf.toString('utf8', s + 1, s + len)));
    } catch {
      return false;
    }
    const o = this.o;
    o.ensure(canon.length * 3);
    o.w += o.out.write(canon, o.w, 'utf8');
    return true;
  }

  private time(buf: Buffer, s: number, len: number, slot: number): boolean {
    if (len !== 8) return false;
    const hi = i32(buf, s);
    if (hi >= MAX_FAST_HI || hi < -MAX_FAST_HI) return false;
    const micros = hi * 4294967296 + (i32(buf, s + 4) >>> 0);
    if (micros % 1000 !== 0) return false;
    const ms = micros / 1000 + EPOCH_2000_MS;
    if (ms !== this.lastMs[slot]) {
      this.lastMs[slot] = ms;
      this.lastIso[slot] = constBytes(Buffer.from(`"${isoMillis(ms)}"`, 'latin1'));
    }
    this.o.putConst(this.lastIso[slot]!);
    return true;
  }
}

function i32(b: Buffer, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

/**
 * A binary COPY row as the generic path reads it (audit.sql.ts `auditRowFromRaw` over the text
 * columns): NULL → null, a timestamp that is not a whole millisecond (or ±infinity) → an invalid
 * Date, a JSONB value parsed, a TEXT[] element list (NULL elements as null). A multi-dimensional
 * TEXT[] becomes null (the generic path gets nested arrays: either way not a string array, the row
 * fails its hash at every sequence). Used for rows off the fast path only.
 */
export function auditRowFromCopy(buf: Buffer, starts: Int32Array, lens: Int32Array): AuditRow {
  const text = (i: number): string => (lens[i]! < 0 ? null : buf.toString('utf8', starts[i]!, starts[i]! + lens[i]!)) as string;
  const json = (i: number): AuditRow['context'] => {
    const s = starts[i]!;
    const len = lens[i]!;
    if (len < 1 || buf[s] !== 1) return null as unknown as AuditRow['context'];
    return JSON.parse(buf.toString('utf8', s + 1, s + len)) as AuditRow['context'];
  };
  const time = (i: number): Date => {
    if (lens[i] !== 8) return null as unknown as Date;
    const s = starts[i]!;
    const hi = i32(buf, s);
    const lo = i32(buf, s + 4) >>> 0;
    if ((hi === INT64_MAX_HI && lo === 0xffffffff) || (hi === -0x80000000 && lo === 0)) return new Date(Number.NaN); // ±infinity
    const micros = buf.readBigInt64BE(s);
    if (micros % 1000n !== 0n) return new Date(Number.NaN);
    return new Date(Number(micros / 1000n) + EPOCH_2000_MS);
  };
  const array = (i: number): string[] => {
    const s = starts[i]!;
    const len = lens[i]!;
    if (len < 12) return null as unknown as string[];
    const ndim = i32(buf, s);
    if (ndim === 0) return [];
    if (ndim !== 1 || len < 20) return null as unknown as string[];
    const count = i32(buf, s + 12);
    const out: (string | null)[] = [];
    let q = s + 20;
    for (let k = 0; k < count; k++) {
      const l = i32(buf, q);
      q += 4;
      if (l < 0) {
        out.push(null);
      } else {
        out.push(buf.toString('utf8', q, q + l));
        q += l;
      }
    }
    return out as string[];
  };
  const seqLen = lens[F.sequenceNumber]!;
  return {
    auditId: text(F.auditId),
    tenantId: text(F.tenantId),
    sequenceNumber: seqLen === 8 ? Number(buf.readBigInt64BE(starts[F.sequenceNumber]!)) : Number.NaN,
    previousHash: text(F.previousHash),
    timestamp: time(F.timestamp),
    ingestedAt: time(F.ingestedAt),
    eventType: text(F.eventType) as AuditRow['eventType'],
    eventCategory: text(F.eventCategory) as AuditRow['eventCategory'],
    severity: text(F.severity) as AuditRow['severity'],
    actorType: text(F.actorType),
    actorId: text(F.actorId),
    actorPermissions: array(F.actorPermissions),
    investigationId: text(F.investigationId),
    alertId: text(F.alertId),
    entityIds: array(F.entityIds),
    context: json(F.context),
    decision: json(F.decision),
    outcome: json(F.outcome),
    recordHash: text(F.recordHash),
    recordVersion: text(F.recordVersion),
  };
}

/**
 * The node-postgres connection behind an audit handle, when the fast path can use it: a Client
 * or pool client, a Pool (a client is checked out), or `pgDriver(client)`. Null for Prisma and
 * PGlite handles, a pipelining client, or a connection whose client_encoding is not UTF8.
 */
export async function copyConnection(src: unknown): Promise<{ client: PgClient; release(): void } | null> {
  let client = copyCapableClient(src) ?? copyCapableClient((src as { pgClient?: unknown } | null)?.pgClient);
  let release = () => undefined as void;
  if (client === null) {
    const pool = asPgPool(src);
    if (pool === null) return null;
    const pc = await pool.connect();
    client = pc;
    release = () => pc.release();
  }
  try {
    const enc = await client.query<{ client_encoding: string }>('SHOW client_encoding');
    if (String(enc.rows[0]?.client_encoding).toUpperCase() !== 'UTF8') {
      release();
      return null;
    }
  } catch (err) {
    release();
    throw err;
  }
  return { client, release };
}

/** Streams a tenant's rows `from..to` (stream order as `streamAuditRows`) through `sink`. */
export async function copyAuditRows(
  client: PgClient,
  opts: { tenantId: string; from: number; to: number; table?: string },
  sink: AuditCopySink,
): Promise<number> {
  const decoder = new AuditCopyDecoder(sink);
  const sql = auditCopySql({ tenantLiteral: escapeLiteral(opts.tenantId), from: opts.from, to: opts.to, table: opts.table ?? 'audit_records' });
  await copyOut(client, sql, (chunk) => decoder.push(chunk));
  if (!decoder.complete) throw new Error('binary COPY ended without its end-of-data marker');
  return decoder.rows;
}

/** The binary COPY statement for a tenant's rows `from..to` in stream order. */
export function auditCopySql(opts: { tenantLiteral: string; from: number; to: number; table: string }): string {
  if (!Number.isSafeInteger(opts.from) || !Number.isSafeInteger(opts.to)) throw new RangeError('from/to must be safe integers');
  // ORDER BY the table's columns: a bare "timestamp" would name the select list's
  // `"timestamp"::timestamptz` (same values, as the column is timestamptz(3)), an expression the
  // primary key index does not provide, and cost an Incremental Sort over the whole chain.
  return `COPY (SELECT ${AUDIT_COPY_COLUMNS} FROM ${opts.table} AS r
    WHERE tenant_id = ${opts.tenantLiteral} AND sequence_number >= ${opts.from}::bigint AND sequence_number <= ${opts.to}::bigint
    ORDER BY r.sequence_number, r."timestamp") TO STDOUT (FORMAT binary)`;
}
