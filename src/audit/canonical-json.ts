/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * The audit hash is SHA-256 over these bytes, so this file is the single definition of
 * "canonical" for the whole trail (chosen over Python's `json.dumps(sort_keys=True)` of the
 * reference implementation, which escapes non-ASCII and formats floats differently: spec §4.9).
 *
 * Rules, all from RFC 8785 §3.2:
 * - no whitespace; object members sorted by their names as arrays of UTF-16 code units
 *   (what `Array.prototype.sort()` does without a comparator, locale-independent);
 * - numbers serialised by ECMAScript `Number.prototype.toString` (shortest round-trip form,
 *   `-0` → `0`, exponent from 1e21 and below 1e-6); NaN and ±Infinity are errors;
 * - strings: only the mandatory escapes (`"`, `\`, and U+0000..U+001F, with the short forms
 *   `\b \t \n \f \r` and otherwise lowercase `\u00xx`); everything else, including non-ASCII,
 *   DEL and U+2028/U+2029, is emitted as is (UTF-8 when encoded). Lone surrogates are an
 *   error (RFC 8785 §3.2.2.2 requires termination rather than silent replacement);
 * - arrays keep their order; object properties whose value is `undefined` are omitted
 *   (as `JSON.stringify` does), but `undefined` elsewhere (array element, top level) is an error
 *   rather than the lossy `null` that `JSON.stringify` produces;
 * - BigInt is rejected: callers convert explicitly. Audit sequence numbers are serialised as JSON
 *   numbers and stay below 2^53 (checked by the record module), so they are exact.
 *
 * Only plain data is accepted: plain objects (prototype `Object.prototype` of any realm, or
 * `null`), arrays,
 * strings, finite numbers, booleans and null. An object with a `toJSON` method (e.g. `Date`) is
 * replaced by its `toJSON()` result, as `JSON.stringify` does; other class instances (Map, Set,
 * ...) are rejected because `JSON.stringify` would silently drop their content. Symbol-keyed
 * properties are ignored (as by `JSON.stringify`; JSON cannot express them). Nesting deeper
 * than {@link MAX_CANONICAL_DEPTH} is rejected, which also turns cycles into an error.
 */

/** A JSON value as JCS accepts it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Thrown for input outside the JCS data model (NaN, BigInt, lone surrogate, cycle, ...). */
export class CanonicalJsonError extends Error {
  /** Stable error code. */
  readonly code = 'CANONICAL_JSON_INVALID' as const;
  /** JSON-pointer-like path to the offending value (`$` is the root). */
  readonly path: string;

  constructor(message: string, path: string) {
    super(`${message} at ${path}`);
    this.name = 'CanonicalJsonError';
    this.path = path;
  }
}

// Characters that need escaping, or surrogates that need the lone-surrogate check.
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;
// A surrogate that is not part of a well-formed pair.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Nesting depth beyond which input is rejected (also how cycles are caught, cheaply). */
export const MAX_CANONICAL_DEPTH = 256;

/**
 * The canonical (RFC 8785) JSON text of `value`.
 * @throws CanonicalJsonError for values outside the JSON data model.
 */
export function canonicalize(value: unknown): string {
  try {
    return serialize(value, 0);
  } catch (e) {
    if (e instanceof PathedError) throw new CanonicalJsonError(e.reason, '$' + e.segments.reverse().join(''));
    throw e;
  }
}

/** The canonical JSON of `value` as UTF-8 bytes (what gets hashed or signed). */
export function canonicalizeToBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

/**
 * Serialises a string per JCS. `JSON.stringify` on a string implements exactly the JCS escaping
 * (ECMAScript QuoteJSONString); strings without quote, backslash, control characters or
 * surrogates need no escaping at all (the common case, handled without it). Lone surrogates
 * are rejected, where ES2019+ `JSON.stringify` would escape them as `\udxxx`.
 */
export function canonicalString(s: string, path = '$'): string {
  if (!NEEDS_CARE.test(s)) return '"' + s + '"';
  if (LONE_SURROGATE.test(s)) throw new CanonicalJsonError('Lone surrogate in string', path);
  return JSON.stringify(s);
}

/** Serialises a finite number per JCS (ECMAScript Number::toString; -0 → "0"). */
export function canonicalNumber(n: number, path = '$'): string {
  if (!Number.isFinite(n)) {
    throw new CanonicalJsonError(`Non-finite number ${String(n)}`, path);
  }
  // String(-0) is "0"; every other finite double gets its shortest round-trip form.
  return String(n);
}

/** Internal error collecting the path while unwinding (no path strings on the happy path). */
class PathedError extends Error {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {
    super(reason);
  }
}

function fail(reason: string): never {
  throw new PathedError(reason);
}

function str(s: string): string {
  if (!NEEDS_CARE.test(s)) return '"' + s + '"';
  if (LONE_SURROGATE.test(s)) fail('Lone surrogate in string');
  return JSON.stringify(s);
}

function serialize(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return str(value);
    case 'number':
      if (!Number.isFinite(value)) fail(`Non-finite number ${String(value)}`);
      return '' + value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      break;
    case 'bigint':
      fail('BigInt is not JSON (convert it explicitly)');
    // eslint-disable-next-line no-fallthrough
    default:
      fail(`${typeof value} is not JSON`);
  }
  if (depth >= MAX_CANONICAL_DEPTH) fail('Nesting too deep (or cyclic structure)');

  if (Array.isArray(value)) {
    const n = value.length;
    let out = '[';
    let i = 0;
    try {
      for (; i < n; i++) {
        // Holes in sparse arrays read as undefined and are rejected like explicit undefined.
        out += (i === 0 ? '' : ',') + serialize(value[i], depth + 1);
      }
    } catch (e) {
      if (e instanceof PathedError) e.segments.push(`[${i}]`);
      throw e;
    }
    return out + ']';
  }

  const proto = Object.getPrototypeOf(value) as object | null;
  // Plain objects: Object.prototype of this realm, of another realm (vm contexts, structuredClone
  // in test runners), or a null prototype.
  if (proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const replaced: unknown = toJSON.call(value, '');
      if (replaced === value) fail('toJSON returned the same object');
      return serialize(replaced, depth + 1);
    }
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    fail(`Unsupported object type ${name}`);
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return serialize((value as { toJSON: (k: string) => unknown }).toJSON(''), depth + 1);
  }

  const obj = value as Record<string, unknown>;
  // Default sort = UTF-16 code unit order, as RFC 8785 §3.2.3 requires.
  const keys = sortKeys(Object.keys(obj));
  let out = '{';
  let first = true;
  let key = '';
  try {
    for (let i = 0; i < keys.length; i++) {
      key = keys[i]!;
      const v = obj[key];
      let member: string;
      // Inline fast paths for the common scalar members; everything else recurses.
      if (typeof v === 'string') {
        member = NEEDS_CARE.test(v) ? str(v) : '"' + v + '"';
      } else if (typeof v === 'number') {
        if (!Number.isFinite(v)) fail(`Non-finite number ${String(v)}`);
        member = '' + v;
      } else if (v === undefined) {
        continue;
      } else {
        member = serialize(v, depth + 1);
      }
      out += (first ? '' : ',') + memberName(key) + member;
      first = false;
    }
  } catch (e) {
    if (e instanceof PathedError) e.segments.push(`.${key}`);
    throw e;
  }
  return out + '}';
}

/**
 * Sorts member names by UTF-16 code units. JS relational comparison of strings compares code
 * units, exactly what RFC 8785 needs; insertion sort is about twice as fast as
 * `Array.prototype.sort` for the handful of members audit payloads have.
 */
function sortKeys(keys: string[]): string[] {
  const n = keys.length;
  if (n > 24) return keys.sort();
  for (let i = 1; i < n; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

// Escaped `"name":` prefixes of recently seen member names. Audit payloads reuse a small set of
// names, and property names are internalised strings with cached hashes, so a Map lookup is
// cheaper than the escape scan. Bounded: cleared when full.
const memberNames = new Map<string, string>();
const MAX_MEMBER_NAMES = 4096;

function memberName(key: string): string {
  let prefix = memberNames.get(key);
  if (prefix === undefined) {
    prefix = str(key) + ':';
    if (memberNames.size >= MAX_MEMBER_NAMES) memberNames.clear();
    memberNames.set(key, prefix);
  }
  return prefix;
}
