import { createHash } from 'node:crypto';
import {
  type AdapterOutcome,
  type AlertSource,
  type CanonicalAlert,
  DEFAULT_SEVERITY,
  type Severity,
  type VendorEntity,
} from '../canonical';
import { normaliseTimestamp } from '../normalise/timestamp.normaliser';

/** Shared plumbing for the vendor adapters. Pure. */

export type Json = Record<string, unknown>;

/** One alert cut out of a vendor envelope, with its path inside the submitted payload. */
export interface EnvelopeItem {
  path: string;
  value: unknown;
  /** Envelope fields an adapter may use as fallbacks (Splunk webhook `search_name`, `sid`). */
  context?: Json;
}

/** An envelope member that cannot become an alert (e.g. a Graph incident without alerts). */
export interface EnvelopeReject {
  path: string;
  error: string;
}

export type UnwrapResult = EnvelopeItem | EnvelopeReject;

export interface VendorAdapter {
  readonly source: AlertSource;
  /** Cheap structural recognition of one alert or envelope (used by `detectSource`). */
  detect(payload: Json): boolean;
  /**
   * Splits a vendor envelope into its alerts. Bare arrays are split by the registry before this
   * is called; an object that is not an envelope is returned as the single item.
   */
  unwrap(payload: Json, path: string): UnwrapResult[];
  /** Maps one alert. Throws `MappingError` (with a field path) when it cannot. */
  map(item: EnvelopeItem & { value: Json }): CanonicalAlert;
}

/** A payload that cannot be mapped; `path` is relative to the submitted payload. */
export class MappingError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'MappingError';
  }
}

export function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isReject(r: UnwrapResult): r is EnvelopeReject {
  return 'error' in r;
}

export function joinPath(base: string, sub: string): string {
  if (!sub) return base;
  if (!base) return sub;
  return sub.startsWith('[') ? `${base}${sub}` : `${base}.${sub}`;
}

/** `a.b[0].c` lookup (keys containing dots are not addressable here; see the Elastic adapter). */
export function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (seg.startsWith('[')) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(seg.slice(1, -1))];
    } else {
      if (!isJson(cur)) return undefined;
      cur = cur[seg];
    }
  }
  return cur;
}

/** Trimmed non-empty string; finite numbers are stringified; anything else → undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const s = v.trim();
    return s ? s : undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** How a field is looked up: `get` by default; the Elastic adapter passes a flattened-key lookup. */
export type Lookup = (obj: unknown, path: string) => unknown;

/** First candidate that yields a `str`. */
export function firstStr(obj: unknown, candidates: readonly string[], lookup: Lookup = get): string | undefined {
  for (const c of candidates) {
    const s = str(lookup(obj, c));
    if (s !== undefined) return s;
  }
  return undefined;
}

export function asArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? [] : [v];
}

export function asJsonArray(v: unknown): Json[] {
  return asArray(v).filter(isJson);
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function preview(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * The alert id: the first present candidate must be a non-empty string or a finite number.
 * Missing everywhere → error at the first candidate's path.
 */
export function requireId(obj: Json, base: string, candidates: readonly string[], lookup: Lookup = get): string {
  const what = 'alert id';
  for (const c of candidates) {
    const v = lookup(obj, c);
    if (!present(v)) continue;
    const s = str(v);
    if (s === undefined) throw new MappingError(joinPath(base, c), `${what} must be a string, got ${describe(v)}`);
    return s;
  }
  throw new MappingError(joinPath(base, candidates[0]), `missing ${what} (looked at ${candidates.join(', ')})`);
}

/** The title: first present candidate must be a string; none present → error. */
export function requireTitle(obj: Json, base: string, candidates: readonly string[], lookup: Lookup = get): string {
  for (const c of candidates) {
    const v = lookup(obj, c);
    if (!present(v)) continue;
    if (typeof v !== 'string') throw new MappingError(joinPath(base, c), `title must be a string, got ${describe(v)}`);
    return v.trim();
  }
  throw new MappingError(joinPath(base, candidates[0]), `missing title (looked at ${candidates.join(', ')})`);
}

/**
 * The alert time. The first present candidate decides: if it does not parse, that is an error at
 * its path (a garbage primary time is a malformed payload, not a reason to silently use another
 * field). A missing timestamp is an error only when none of the candidates exists.
 */
export function requireTimestamp(obj: Json, base: string, candidates: readonly string[], lookup: Lookup = get): string {
  for (const c of candidates) {
    const v = lookup(obj, c);
    if (!present(v)) continue;
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new MappingError(joinPath(base, c), `timestamp must be a string or epoch number, got ${describe(v)}`);
    }
    const iso = normaliseTimestamp(v);
    if (!iso) throw new MappingError(joinPath(base, c), `unparseable timestamp ${JSON.stringify(preview(v))}`);
    return iso;
  }
  throw new MappingError(joinPath(base, candidates[0]), `missing timestamp (looked at ${candidates.join(', ')})`);
}

/** Optional free text: strings only (wrong types degrade to the default). */
export function optionalText(obj: unknown, candidates: readonly string[], fallback = '', lookup: Lookup = get): string {
  for (const c of candidates) {
    const v = lookup(obj, c);
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return fallback;
}

/** Parses a JSON-encoded string field; returns undefined when it is not JSON. */
export function parseJsonString(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (!(s.startsWith('{') || s.startsWith('['))) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** JSON with sorted keys, so a derived id does not depend on key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x)).join(',')}]`;
  if (isJson(v)) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** `first ?? second ?? ... ?? DEFAULT_SEVERITY` */
export function pickSeverity(...candidates: Array<Severity | undefined>): Severity {
  for (const c of candidates) if (c) return c;
  return DEFAULT_SEVERITY;
}

export interface AlertParts {
  alertId: string;
  source: AlertSource;
  timestamp: string;
  title: string;
  description?: string;
  severity: Severity;
  tactics?: string[];
  techniques?: string[];
  entities?: VendorEntity[];
  product: string;
  vendorTenantId?: string;
  isHeartbeat?: boolean;
  rawPayload: Json;
}

/** Assembles the CanonicalAlert, applying the shared defaults. */
export function buildAlert(p: AlertParts): CanonicalAlert {
  const alert: CanonicalAlert = {
    alertId: p.alertId,
    source: p.source,
    timestamp: p.timestamp,
    title: p.title,
    description: p.description ?? '',
    severity: p.severity,
    tactics: [...new Set(p.tactics ?? [])],
    techniques: [...new Set((p.techniques ?? []).map((t) => t.toUpperCase()))],
    entities: p.entities ?? [],
    product: p.product,
    rawPayload: p.rawPayload,
  };
  if (p.vendorTenantId) alert.vendorTenantId = p.vendorTenantId;
  if (p.isHeartbeat) alert.isHeartbeat = true;
  return alert;
}

export function ok(alert: CanonicalAlert): AdapterOutcome {
  return { ok: true, alert };
}

export function fail(path: string, message: string): AdapterOutcome {
  return { ok: false, error: { code: 'BAD_USER_INPUT', message, path } };
}

/** `vendor name` unless the name already carries the vendor (`Amazon GuardDuty`, `Okta System Log`). */
export function vendorProduct(vendor: unknown, name: unknown, fallback: string): string {
  const n = str(name);
  const v = str(vendor);
  if (!n) return fallback;
  if (!v || n.toLowerCase().includes(v.toLowerCase())) return n;
  return `${v} ${n}`;
}
