import { isIPv4, isIPv6 } from 'node:net';
import { type EntityType, type VendorEntity } from '../canonical';

/**
 * Entity sanitising (spec §4.5) and collection. Pure (`node:net` is used only for its address
 * syntax checks).
 *
 * - Values and string properties are truncated to 2,048 characters and lose the characters
 *   ; | & ` $ ( ) { } [ ] < > ' "  — except command lines (process values built from a command
 *   line, and properties whose key names a command line), which are only truncated.
 * - Format checks: `ip` must be IPv4 (octets 0–255) or IPv6; `filehash` must be MD5/SHA-1/
 *   SHA-256/SHA-512 hex by length (all-zero placeholders are rejected); `mailbox` must look like an
 *   address; `dns` must be a dotted domain name; `host` must not contain whitespace. An entity that
 *   fails its check is dropped: it stays visible in `rawPayload`, but it must not become an IOC.
 * - Entities are deduplicated on (type, case-insensitive value); the properties of duplicates are
 *   merged, first writer wins.
 */

export const MAX_ENTITY_VALUE_LENGTH = 2048;
const DANGEROUS_CHARS = /[;|&`$(){}[\]<>'"]/g;
const COMMAND_LINE_KEY = /command_?line|cmd_?line/i;
const HASH_ALGORITHMS: Record<number, string> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}\.?$/i;

function truncate(s: string): string {
  if (s.length <= MAX_ENTITY_VALUE_LENGTH) return s;
  let cut = s.slice(0, MAX_ENTITY_VALUE_LENGTH);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1); // never split a surrogate pair
  return cut;
}

/** Spec §4.5 sanitising of one entity value. */
export function sanitiseEntityValue(raw: string, opts: { commandLine?: boolean } = {}): string {
  let v = raw.replace(/\u0000/g, '');
  if (!opts.commandLine) v = v.replace(DANGEROUS_CHARS, '');
  return truncate(v.trim());
}

export function isIpAddress(v: string): boolean {
  return isIPv4(v) || isIPv6(v);
}

/** Hash algorithm by hex length, or undefined for anything that is not a plausible hash. */
export function hashAlgorithm(v: string): string | undefined {
  if (!/^[0-9a-f]+$/i.test(v) || /^0+$/.test(v)) return undefined;
  return HASH_ALGORITHMS[v.length];
}

function primitive(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

function sanitiseProperties(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, val] of Object.entries(props)) {
    const commandLine = COMMAND_LINE_KEY.test(key);
    if (typeof val === 'string') {
      const s = sanitiseEntityValue(val, { commandLine });
      if (s) out[key] = s;
    } else if (typeof val === 'number' && Number.isFinite(val)) {
      out[key] = val;
    } else if (typeof val === 'boolean') {
      out[key] = val;
    } else if (Array.isArray(val)) {
      const items = val
        .map((x) => primitive(x))
        .filter((x): x is string => x !== undefined)
        .map((x) => sanitiseEntityValue(x, { commandLine }))
        .filter((x) => x.length > 0);
      if (items.length) out[key] = items;
    }
    // nested objects and null are dropped: properties are a flat, display-safe summary
  }
  return out;
}

export interface AddOptions {
  /** The value is a command line: truncate only (spec §4.5 exception). */
  commandLine?: boolean;
  sourceId?: string;
}

export class EntityCollector {
  private readonly entities = new Map<string, VendorEntity>();

  /** Adds one entity; returns it (or the merged duplicate), or undefined when it was rejected. */
  add(type: EntityType, raw: unknown, properties: Record<string, unknown> = {}, opts: AddOptions = {}): VendorEntity | undefined {
    const s = primitive(raw);
    if (s === undefined) return undefined;
    let value = sanitiseEntityValue(s, { commandLine: opts.commandLine });
    if (!value) return undefined;
    const props = sanitiseProperties(properties);
    switch (type) {
      case 'ip':
        if (!isIpAddress(value)) return undefined;
        break;
      case 'filehash': {
        const algorithm = hashAlgorithm(value);
        if (!algorithm) return undefined;
        value = value.toLowerCase();
        if (props.algorithm === undefined) props.algorithm = algorithm;
        break;
      }
      case 'mailbox':
        if (!EMAIL_RE.test(value)) return undefined;
        break;
      case 'dns':
        if (!DOMAIN_RE.test(value)) return undefined;
        value = value.toLowerCase().replace(/\.$/, '');
        break;
      case 'host':
        if (/\s/.test(value) || value.length > 255) return undefined;
        break;
      default:
        break;
    }
    const key = `${type}\u0000${value.toLowerCase()}`;
    const existing = this.entities.get(key);
    if (existing) {
      for (const [k, v] of Object.entries(props)) if (existing.properties[k] === undefined) existing.properties[k] = v;
      const sid = opts.sourceId === undefined ? undefined : sanitiseEntityValue(opts.sourceId);
      if (existing.sourceId === undefined && sid) existing.sourceId = sid;
      return existing;
    }
    const entity: VendorEntity = { type, value, properties: props };
    const sid = opts.sourceId === undefined ? undefined : sanitiseEntityValue(opts.sourceId);
    if (sid) entity.sourceId = sid;
    this.entities.set(key, entity);
    return entity;
  }

  /** A hash of unknown algorithm (inferred from its length). */
  hash(raw: unknown, properties: Record<string, unknown> = {}): VendorEntity | undefined {
    return this.add('filehash', raw, properties);
  }

  /** A value that may be an address or a host name (Splunk `dest`, `src`). */
  ipOrHost(raw: unknown, properties: Record<string, unknown> = {}): VendorEntity | undefined {
    const s = primitive(raw)?.trim();
    if (!s) return undefined;
    return isIpAddress(s) ? this.add('ip', s, properties) : this.add('host', s, properties);
  }

  /** Adds every element of `raw` (a value or an array of values). */
  addAll(type: EntityType, raw: unknown, properties: Record<string, unknown> = {}): void {
    const list = Array.isArray(raw) ? raw : [raw];
    for (const v of list) this.add(type, v, properties);
  }

  list(): VendorEntity[] {
    return [...this.entities.values()];
  }
}
