/**
 * PostgreSQL jsonb text → RFC 8785 (JCS) canonical JSON, byte to byte.
 *
 * The binary wire form of a jsonb value is a version byte (1) and the text `jsonb_out` prints.
 * That text is already close to canonical: keys are unique, strings use exactly the escapes JCS
 * uses, numbers never have an exponent. {@link JsonbCanonicalWriter} turns it into the bytes of
 * `canonicalize(JSON.parse(text))` (canonical-json.ts) without building strings or objects:
 * - the separators `", "` and `": "` lose their space (any other whitespace: bail);
 * - object members are re-ordered: jsonb sorts keys by (byte length, bytes), JCS by UTF-16 code
 *   units. Members are written in jsonb order, then permuted within the object's output span;
 *   valid UTF-8 compares like UTF-16 except a supplementary character (lead byte F0–F4, a
 *   surrogate in UTF-16) against U+E000–U+FFFF (lead EE/EF), which the comparison handles.
 *   Keys containing an escape, and duplicate keys (JSON.parse keeps the last), bail;
 * - strings are copied verbatim: `escape_json` writes `\"` `\\` `\b` `\f` `\n` `\r` `\t` and
 *   `\u00xx` (lowercase) for the other control characters, which is exactly JSON.stringify's
 *   (QuoteJSONString) escaping, and everything else as raw UTF-8, which JCS keeps as is. The bytes
 *   are checked: an escape outside that set (e.g. `\/`, `\u0041`, uppercase hex), a raw control
 *   character or invalid UTF-8 (which `Buffer#toString` would replace by U+FFFD) bails;
 * - numbers: short integers and decimals that are their own JCS form (see isOwnCanonicalForm)
 *   are copied; any other token valid in JSON is written as `'' + Number(token)`, JCS's
 *   definition (non-finite: bail);
 * - `true`, `false`, `null` are copied.
 * Containers nested at depth ≥ MAX_CANONICAL_DEPTH bail, as `canonicalize` rejects them. Anything
 * else not in that grammar bails. A bail (`false`) means: nothing was decided, the caller takes
 * the generic route (JSON.parse + canonicalize). Equality with the generic route wherever this
 * does not bail is what makes a verified audit row trustworthy; the differential test
 * (test/audit/jsonb-canonical.int.test.ts) checks it against real PostgreSQL output.
 */
import { ByteWriter } from './byte-writer';
import { MAX_CANONICAL_DEPTH } from './canonical-json';

const EMPTY = Buffer.alloc(0);
// Room kept beyond the invariant below (a key's `"k":` is written before its `: ` is read).
const SLACK = 8;
// Longest `'' + Number(token)` (e.g. `-2.2250738585072014e-308` is 24 characters).
const MAX_NUMBER_TEXT = 25;
// One member: input key start and end (quotes excluded), output start and end (`"k":v`).
const MEMBER_INTS = 4;

/**
 * Writes the JCS form of jsonb text into a {@link ByteWriter}. One instance per writer; reuses its
 * member stack between values.
 */
export class JsonbCanonicalWriter {
  private src: Buffer = EMPTY;
  private end = 0;
  private p = 0;
  private out: Buffer = EMPTY;
  private w = 0;
  private members = new Int32Array(64 * MEMBER_INTS);
  private top = 0;

  constructor(private readonly dst: ByteWriter) {}

  /**
   * Appends the canonical JSON of the jsonb text `src[start, end)` at `dst.w`. Returns false
   * (dst.w unchanged, bytes beyond it unspecified) when the text is outside what this handles.
   */
  write(src: Buffer, start: number, end: number): boolean {
    const dst = this.dst;
    // Invariant: room for (end − p) + SLACK more bytes. Everything but a number taking the
    // Number() route writes at most the bytes it reads, so only that route checks for room.
    dst.ensure(end - start + SLACK);
    this.src = src;
    this.end = end;
    this.p = start;
    this.out = dst.out;
    this.w = dst.w;
    this.top = 0;
    // A write past the buffer end would be dropped silently (typed array semantics): never
    // expected, but treated as a bail rather than trusted.
    const ok = this.value(0) && this.p === end && this.w <= this.out.length;
    if (ok) dst.w = this.w;
    this.src = EMPTY;
    this.out = EMPTY;
    return ok;
  }

  private value(depth: number): boolean {
    const p = this.p;
    if (p >= this.end) return false;
    const b = this.src[p]!;
    if (b === 0x22) return this.string();
    if (b === 0x7b) return this.object(depth);
    if (b === 0x5b) return this.array(depth);
    if (b === 0x2d || (b >= 0x30 && b <= 0x39)) return this.number();
    if (b === 0x74) return this.literal(TRUE);
    if (b === 0x66) return this.literal(FALSE);
    if (b === 0x6e) return this.literal(NULL);
    return false;
  }

  private literal(lit: Uint8Array): boolean {
    const { src, out } = this;
    const p = this.p;
    const n = lit.length;
    if (p + n > this.end) return false;
    let w = this.w;
    for (let i = 0; i < n; i++) {
      if (src[p + i] !== lit[i]) return false;
      out[w++] = lit[i]!;
    }
    this.p = p + n;
    this.w = w;
    return true;
  }

  /** A string value, copied verbatim after checking it is in jsonb's (= JCS's) escaping. */
  private string(): boolean {
    const { src, out, end } = this;
    let p = this.p + 1;
    let w = this.w;
    out[w++] = 0x22;
    for (;;) {
      if (p >= end) return false;
      const b = src[p]!;
      if (b === 0x22) break;
      if (b < 0x80) {
        if (b < 0x20) return false;
        if (b === 0x5c) {
          const n = escapeLength(src, p, end);
          if (n === 0) return false;
          for (let i = 0; i < n; i++) out[w++] = src[p++]!;
          continue;
        }
        out[w++] = b;
        p++;
        continue;
      }
      const n = utf8Length(src, p, end);
      if (n === 0) return false;
      for (let i = 0; i < n; i++) out[w++] = src[p++]!;
    }
    out[w++] = 0x22;
    this.p = p + 1;
    this.w = w;
    return true;
  }

  private number(): boolean {
    const { src, end } = this;
    const start = this.p;
    let p = start;
    if (src[p] === 0x2d) p++;
    // JSON grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    if (p >= end) return false;
    const first = src[p]!;
    if (first === 0x30) {
      p++;
    } else if (first >= 0x31 && first <= 0x39) {
      p++;
      while (p < end && isDigit(src[p]!)) p++;
    } else {
      return false;
    }
    const intEnd = p;
    let fracEnd = p;
    if (p < end && src[p] === 0x2e) {
      p++;
      if (p >= end || !isDigit(src[p]!)) return false;
      while (p < end && isDigit(src[p]!)) p++;
      fracEnd = p;
    }
    let exponent = false;
    if (p < end && (src[p] === 0x65 || src[p] === 0x45)) {
      exponent = true;
      p++;
      if (p < end && (src[p] === 0x2b || src[p] === 0x2d)) p++;
      if (p >= end || !isDigit(src[p]!)) return false;
      while (p < end && isDigit(src[p]!)) p++;
    }
    if (!exponent && this.isOwnCanonicalForm(start, intEnd, fracEnd, first)) {
      const out = this.out;
      let w = this.w;
      for (let i = start; i < p; i++) out[w++] = src[i]!;
      this.w = w;
      this.p = p;
      return true;
    }
    const n = Number(src.toString('latin1', start, p));
    if (!Number.isFinite(n)) return false;
    const text = '' + n;
    if (this.w + MAX_NUMBER_TEXT + (end - p) + SLACK > this.out.length) this.grow(MAX_NUMBER_TEXT + (end - p) + SLACK);
    const out = this.out;
    let w = this.w;
    for (let i = 0; i < text.length; i++) out[w++] = text.charCodeAt(i);
    this.w = w;
    this.p = p;
    return true;
  }

  /**
   * Whether a number token without exponent (`-? int (. frac)?`, `first` = first digit of int)
   * is its own JCS form, i.e. `String(Number(token)) === token`:
   * - an integer: at most 15 digits (below 2^53, exact; printed without exponent below 1e21),
   *   and not `-0` (printed `0`);
   * - a decimal: at most 15 significant digits, no trailing zero in the fraction, and ≥ 1e-6
   *   (at most 5 zeros after `0.`). Distinct decimals of ≤ 15 significant digits round to
   *   distinct doubles (DBL_DIG = 15; normal range here), so no shorter digit string rounds to
   *   this double and Number::toString's shortest form has exactly these digits; it places the
   *   point as written for 1e-6 ≤ |x| < 1e21, and the trailing-zero rule excludes `-0.0`.
   * Everything else (exponents, more digits, 1.10, 0.0000001, …) takes the Number() route.
   */
  private isOwnCanonicalForm(start: number, intEnd: number, fracEnd: number, first: number): boolean {
    const src = this.src;
    const intStart = src[start] === 0x2d ? start + 1 : start;
    if (fracEnd === intEnd) return intEnd - intStart <= 15 && (first !== 0x30 || intStart === start);
    const fracStart = intEnd + 1;
    if (src[fracEnd - 1] === 0x30) return false;
    if (first !== 0x30) return intEnd - intStart + (fracEnd - fracStart) <= 15;
    // 0.<zeros><digits>: the zeros are not significant.
    let z = fracStart;
    while (src[z] === 0x30) z++;
    return z - fracStart <= 5 && fracEnd - z <= 15;
  }

  private array(depth: number): boolean {
    if (depth >= MAX_CANONICAL_DEPTH) return false;
    const { src, end } = this;
    let p = this.p + 1;
    if (p < end && src[p] === 0x5d) {
      this.out[this.w++] = 0x5b;
      this.out[this.w++] = 0x5d;
      this.p = p + 1;
      return true;
    }
    this.out[this.w++] = 0x5b;
    this.p = p;
    for (;;) {
      if (!this.value(depth + 1)) return false;
      p = this.p;
      if (p < end && src[p] === 0x5d) {
        this.out[this.w++] = 0x5d;
        this.p = p + 1;
        return true;
      }
      if (p + 1 >= end || src[p] !== 0x2c || src[p + 1] !== 0x20) return false;
      this.out[this.w++] = 0x2c;
      this.p = p + 2;
    }
  }

  private object(depth: number): boolean {
    if (depth >= MAX_CANONICAL_DEPTH) return false;
    const { src, end } = this;
    let p = this.p + 1;
    if (p < end && src[p] === 0x7d) {
      this.out[this.w++] = 0x7b;
      this.out[this.w++] = 0x7d;
      this.p = p + 1;
      return true;
    }
    const open = this.w;
    this.out[this.w++] = 0x7b;
    const base = this.top;
    let sorted = true;
    for (;;) {
      // The key: no escapes (they would make byte order differ from the order of the decoded
      // names), valid UTF-8; written with its quotes and the colon.
      if (p >= end || src[p] !== 0x22) return false;
      const ks = p + 1;
      const ms = this.w;
      const out = this.out;
      let w = ms;
      out[w++] = 0x22;
      p = ks;
      for (;;) {
        if (p >= end) return false;
        const b = src[p]!;
        if (b === 0x22) break;
        if (b < 0x80) {
          if (b < 0x20 || b === 0x5c) return false;
          out[w++] = b;
          p++;
          continue;
        }
        const n = utf8Length(src, p, end);
        if (n === 0) return false;
        for (let i = 0; i < n; i++) out[w++] = src[p++]!;
      }
      const ke = p;
      if (p + 2 >= end || src[p + 1] !== 0x3a || src[p + 2] !== 0x20) return false;
      out[w++] = 0x22;
      out[w++] = 0x3a;
      this.w = w;
      this.p = p + 3;
      if (!this.value(depth + 1)) return false;
      // Record the member; the previous member's key must differ, and if it sorts after this
      // one the object needs re-ordering.
      const t = this.top;
      if (t > base) {
        const c = compareKeys(src, this.members[t - MEMBER_INTS]!, this.members[t - MEMBER_INTS + 1]!, ks, ke);
        if (c === 0) return false;
        if (c > 0) sorted = false;
      }
      if (t + MEMBER_INTS > this.members.length) {
        const bigger = new Int32Array(this.members.length * 2);
        bigger.set(this.members);
        this.members = bigger;
      }
      const m = this.members;
      m[t] = ks;
      m[t + 1] = ke;
      m[t + 2] = ms;
      m[t + 3] = this.w;
      this.top = t + MEMBER_INTS;
      p = this.p;
      if (p < end && src[p] === 0x7d) break;
      if (p + 1 >= end || src[p] !== 0x2c || src[p + 1] !== 0x20) return false;
      this.out[this.w++] = 0x2c;
      p += 2;
    }
    this.p = p + 1;
    if (!sorted) this.reorder(base, open + 1, this.w);
    this.top = base;
    this.out[this.w++] = 0x7d;
    return true;
  }

  /**
   * Sorts the members `[base, top)` by key and rewrites the output span `[from, to)` (the
   * members and the commas between them, same total length) in that order.
   */
  private reorder(base: number, from: number, to: number): void {
    const m = this.members;
    const src = this.src;
    const top = this.top;
    // Insertion sort of the 4-int records (objects are small; the input is sorted by length).
    for (let i = base + MEMBER_INTS; i < top; i += MEMBER_INTS) {
      const ks = m[i]!;
      const ke = m[i + 1]!;
      const os = m[i + 2]!;
      const oe = m[i + 3]!;
      let j = i - MEMBER_INTS;
      while (j >= base && compareKeys(src, m[j]!, m[j + 1]!, ks, ke) > 0) {
        m[j + MEMBER_INTS] = m[j]!;
        m[j + MEMBER_INTS + 1] = m[j + 1]!;
        m[j + MEMBER_INTS + 2] = m[j + 2]!;
        m[j + MEMBER_INTS + 3] = m[j + 3]!;
        j -= MEMBER_INTS;
      }
      m[j + MEMBER_INTS] = ks;
      m[j + MEMBER_INTS + 1] = ke;
      m[j + MEMBER_INTS + 2] = os;
      m[j + MEMBER_INTS + 3] = oe;
    }
    // The span is moved past its end (free space) with one memmove, then each member is moved
    // back into place: copyWithin is several times faster than a byte loop for these sizes.
    const len = to - from;
    if (to + len > this.out.length) this.grow(len + (this.end - this.p) + SLACK);
    const out = this.out;
    out.copyWithin(to, from, to);
    const shift = to - from;
    let w = from;
    for (let i = base; i < top; i += MEMBER_INTS) {
      if (i > base) out[w++] = 0x2c;
      const os = m[i + 2]! + shift;
      const oe = m[i + 3]! + shift;
      out.copyWithin(w, os, oe);
      w += oe - os;
    }
  }

  private grow(n: number): void {
    const dst = this.dst;
    dst.w = this.w;
    dst.ensure(n);
    this.out = dst.out;
  }
}

const TRUE = Buffer.from('true', 'latin1');
const FALSE = Buffer.from('false', 'latin1');
const NULL = Buffer.from('null', 'latin1');

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/**
 * Length of the escape at `src[p]` (a backslash) when JSON.stringify writes the character it
 * stands for in exactly this form, else 0: `\" \\ \b \f \n \r \t`, and `\u00xx` (lowercase hex)
 * for a control character without a short form.
 */
function escapeLength(src: Buffer, p: number, end: number): number {
  if (p + 1 >= end) return 0;
  const c = src[p + 1]!;
  if (c === 0x22 || c === 0x5c || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) return 2;
  if (c !== 0x75 || p + 5 >= end) return 0;
  if (src[p + 2] !== 0x30 || src[p + 3] !== 0x30) return 0;
  const h = src[p + 4]!;
  const l = src[p + 5]!;
  if (h !== 0x30 && h !== 0x31) return 0;
  let v: number;
  if (l >= 0x30 && l <= 0x39) v = l - 0x30;
  else if (l >= 0x61 && l <= 0x66) v = l - 0x61 + 10;
  else return 0;
  v += (h - 0x30) * 16;
  // \b \t \n \f \r have short forms in JSON.stringify.
  if (v === 0x08 || v === 0x09 || v === 0x0a || v === 0x0c || v === 0x0d) return 0;
  return 6;
}

/** Length of the well-formed UTF-8 sequence of a non-ASCII character at `src[p]`, else 0. */
function utf8Length(src: Buffer, p: number, end: number): number {
  const b = src[p]!;
  if (b < 0xc2) return 0;
  if (b < 0xe0) return p + 1 < end && isCont(src[p + 1]!) ? 2 : 0;
  if (b < 0xf0) {
    if (p + 2 >= end) return 0;
    const c = src[p + 1]!;
    // E0: no overlong forms (≥ A0); ED: no UTF-16 surrogates (≤ 9F).
    if (b === 0xe0 ? c < 0xa0 || c > 0xbf : b === 0xed ? c < 0x80 || c > 0x9f : !isCont(c)) return 0;
    return isCont(src[p + 2]!) ? 3 : 0;
  }
  if (b > 0xf4 || p + 3 >= end) return 0;
  const c = src[p + 1]!;
  // F0: no overlong forms (≥ 90); F4: nothing above U+10FFFF (≤ 8F).
  if (b === 0xf0 ? c < 0x90 || c > 0xbf : b === 0xf4 ? c < 0x80 || c > 0x8f : !isCont(c)) return 0;
  return isCont(src[p + 2]!) && isCont(src[p + 3]!) ? 4 : 0;
}

function isCont(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

/**
 * Orders two member names (valid UTF-8, no escapes) as their UTF-16 code units compare. Byte
 * order is code point order, which is UTF-16 order except between a supplementary character
 * (UTF-8 lead F0–F4, UTF-16 lead surrogate D800–DBFF) and U+E000–U+FFFF (lead EE/EF). Names
 * with an equal prefix share their character boundaries, so the first differing byte is either
 * both characters' lead byte or inside two characters with the same lead.
 */
export function compareKeys(src: Uint8Array, as: number, ae: number, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const x = src[as + i]!;
    const y = src[bs + i]!;
    if (x !== y) {
      if (x >= 0xf0 && (y === 0xee || y === 0xef)) return -1;
      if (y >= 0xf0 && (x === 0xee || x === 0xef)) return 1;
      return x - y;
    }
  }
  return la - lb;
}

/**
 * The JCS bytes for jsonb text (as `jsonb_out` prints it), or null where the caller must use
 * `canonicalize(JSON.parse(text))`. For tests and one-off use; the verifier keeps one writer.
 */
export function jsonbTextToCanonical(text: Buffer | string): Buffer | null {
  const src = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const dst = new ByteWriter(16);
  return new JsonbCanonicalWriter(dst).write(src, 0, src.length) ? Buffer.from(dst.out.subarray(0, dst.w)) : null;
}
