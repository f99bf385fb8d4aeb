import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { canonicalize, MAX_CANONICAL_DEPTH } from '../../src/audit/canonical-json';
import { compareKeys, jsonbTextToCanonical } from '../../src/audit/jsonb-canonical';

// The jsonb → JCS transcoder against the generic canonicaliser, on PostgreSQL's own jsonb output:
// wherever the transcoder does not bail it must produce exactly canonicalize(JSON.parse(text)),
// and the shapes audit payloads have must not bail (or the fast path would not be used).

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** Deterministic PRNG (mulberry32), so a failure reproduces from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generic route's bytes, or null where it throws (then the transcoder must bail too). */
function generic(text: Buffer): Buffer | null {
  try {
    return Buffer.from(canonicalize(JSON.parse(text.toString('utf8'))), 'utf8');
  } catch {
    return null;
  }
}

/** Asserts the security rule on one input; returns whether the transcoder took it. */
function agrees(text: Buffer): boolean {
  const got = jsonbTextToCanonical(text);
  if (got === null) return false;
  const want = generic(text);
  if (want === null || !got.equals(want)) {
    throw new Error(`transcoder differs from canonicalize(JSON.parse(text)) for ${JSON.stringify(text.toString('latin1'))}:\n` +
      `  got  ${JSON.stringify(got.toString('utf8'))}\n  want ${want === null ? 'an error' : JSON.stringify(want.toString('utf8'))}`);
  }
  return true;
}

/** jsonb_out text of each JSON text, as binary COPY sends it (jsonb_send: version byte 1 + text). */
async function viaPostgres(texts: string[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < texts.length; i += 2000) {
    const { rows } = await db.pool.query<{ b: Buffer }>(
      'SELECT jsonb_send(t::jsonb) AS b FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n',
      [texts.slice(i, i + 2000)],
    );
    for (const r of rows) {
      expect(r.b[0]).toBe(1);
      out.push(r.b.subarray(1));
    }
  }
  return out;
}

const ASCII_KEYS = ['', 'a', 'b', 'B', 'aa', 'ab', 'ba', 'z', 'i', 'to_state', 'from_state', 'agent', 'changed_fields', 'confidence',
  'duration_ms', 'outcome_status', '10', '9', '1', '__proto__', 'toJSON', 'constructor', 'key with space', '~', '\u007f', 'A-Z',
  'x'.repeat(40), 'x'.repeat(41), 'y'];
// Non-ASCII names, including the case where UTF-16 order differs from UTF-8 byte order
// (supplementary characters against U+E000–U+FFFF).
const UNICODE_KEYS = ['é', 'e', 'ü', '€', 'münchen', '✓', '😀', 'a😀', 'a\ue000', 'a\uffff', '\ue000', '\uffff', '\ufffd', '\ufb33',
  '\u{10000}', '\u{10ffff}', '\u{1f600}x', '\ud7ff', '\u0080', '\u00ff', '日本'];
// Names jsonb writes with an escape: the transcoder bails on these (the generic route decides).
const ESCAPED_KEYS = ['a"b', 'back\\slash', 'tab\t', '\u0001', 'nl\n'];

const STRING_PIECES = ['a', 'Z', ' ', '0', '/', '"', '\\', '\u007f', '\u2028', '\u2029', 'é', '€', '😀', '\u{10ffff}', '\ufeff', '\ufffe',
  '\uffff', '\ue000', 'münchen', 'rules R-005, R-012 fired', '\\u0041', '\\n', '<script>', "'",
  ...Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1))];

const NUMBER_TOKENS = ['0', '-0', '0.0', '-0.0', '1', '-1', '1.0', '1.10', '0.1', '0.2', '0.3', '0.87', '0.0042', '1.5', '-1.5', '2.50',
  '1e21', '1e20', '1E+2', '1e-7', '1e-6', '0.000001', '0.0000001', '0.00000123', '1e-400', '123456789012345678', '123456789012345',
  '1234567890123456', '999999999999999', '9007199254740991', '9007199254740993', '-9007199254740993', '1e308', '-1e308', '5e-324',
  '2.2250738585072014e-308', '333333333.33333329', '4.50', '2e-3', '1e30', '100000000000000000000', '1000000000000000000000',
  '0.1000000000000000055511151231257827', '1.7976931348623157e308', '12345.678900000', '3.14159265358979323846264338327950288'];

function genNumber(r: () => number): string {
  const k = Math.floor(r() * 6);
  if (k === 0) return NUMBER_TOKENS[Math.floor(r() * NUMBER_TOKENS.length)]!;
  if (k === 1) return String(Math.floor(r() * 10 ** Math.floor(r() * 16)) * (r() < 0.3 ? -1 : 1));
  if (k === 2) return (r() * 10 ** Math.floor(r() * 40 - 20)).toString();
  if (k === 3) return (r() * 10 ** Math.floor(r() * 8)).toFixed(Math.floor(r() * 12));
  if (k === 4) {
    // A long digit string: integer or decimal, with leading/trailing zeros in the fraction.
    let s = r() < 0.5 ? '-' : '';
    s += String(1 + Math.floor(r() * 9));
    for (let n = Math.floor(r() * 30); n > 0; n--) s += String(Math.floor(r() * 10));
    if (r() < 0.5) {
      s += '.';
      for (let n = 1 + Math.floor(r() * 25); n > 0; n--) s += r() < 0.3 ? '0' : String(Math.floor(r() * 10));
    }
    return s;
  }
  return `${Math.floor(r() * 1000) / (r() < 0.5 ? 1 : 100)}e${Math.floor(r() * 60 - 30)}`;
}

function genString(r: () => number): string {
  let s = '';
  for (let n = Math.floor(r() * 8); n > 0; n--) s += STRING_PIECES[Math.floor(r() * STRING_PIECES.length)]!;
  return s;
}

function genKey(r: () => number, keys: string[]): string {
  const k = r();
  if (k < 0.15) return genString(r).replace(/[\u0000-\u001f"\\]/g, '');
  return keys[Math.floor(r() * keys.length)]!;
}

/** A random JSON text; numbers are written as raw tokens so PostgreSQL sees them as typed. */
function genValue(r: () => number, depth: number, keys: string[]): string {
  const k = r();
  if (depth < 5 && k < 0.25) {
    const members = new Map<string, string>();
    for (let n = Math.floor(r() * 9); n > 0; n--) members.set(genKey(r, keys), genValue(r, depth + 1, keys));
    return `{${[...members].map(([name, v]) => `${JSON.stringify(name)}:${v}`).join(',')}}`;
  }
  if (depth < 5 && k < 0.4) {
    const items: string[] = [];
    for (let n = Math.floor(r() * 6); n > 0; n--) items.push(genValue(r, depth + 1, keys));
    return `[${items.join(',')}]`;
  }
  if (k < 0.65) return JSON.stringify(genString(r));
  if (k < 0.9) return genNumber(r);
  return ['true', 'false', 'null'][Math.floor(r() * 3)]!;
}

describe('jsonb → JCS transcoder', () => {
  it('matches canonicalize(JSON.parse(text)) on random values round-tripped through PostgreSQL', async () => {
    const seed = 20240601;
    const r = rng(seed);
    const keys = [...ASCII_KEYS, ...UNICODE_KEYS, ...ESCAPED_KEYS];
    const texts = Array.from({ length: 6000 }, () => genValue(r, 0, keys));
    const sent = await viaPostgres(texts);
    let taken = 0;
    for (const t of sent) if (agrees(t)) taken++;
    // Bails come from escaped member names and numbers beyond a double; most values are taken.
    expect(taken / sent.length).toBeGreaterThan(0.6);
  });

  it('takes every value without escaped member names or non-finite numbers (the common shapes do not bail)', async () => {
    const r = rng(7);
    const keys = [...ASCII_KEYS, ...UNICODE_KEYS];
    const texts = Array.from({ length: 4000 }, () => genValue(r, 0, keys));
    const sent = await viaPostgres(texts);
    const bailed: string[] = [];
    for (const t of sent) {
      if (agrees(t)) continue;
      // Allowed: a number token beyond the double range (the generic route rejects it as well).
      if (generic(t) === null) continue;
      bailed.push(t.toString('utf8'));
    }
    expect(bailed).toEqual([]);
  });

  it('takes audit payload shapes and canonicalises them exactly', async () => {
    const payloads = [
      { from_state: 'enriching', to_state: 'reasoning', agent: 'reasoning_agent', changed_fields: ['classification', 'confidence'], i: 17 },
      { classification: 'suspicious', confidence: 0.37, reasoning_summary: 'rules R-005, R-017 fired' },
      { outcome_status: 'success', action_taken: 'transition', duration_ms: 417 },
      { provider: 'anthropic', input_tokens: 1042, cost_usd: 0.0042, note: 'münchen ✓' },
      { decision_type: 'classification', confidence: 0.87 },
      {},
      { nested: { b: [1, { d: null, c: true }], a: 'x\ny' }, list: [], empty: {} },
    ];
    const sent = await viaPostgres(payloads.map((p) => JSON.stringify(p)));
    sent.forEach((t, i) => {
      expect(jsonbTextToCanonical(t)?.toString('utf8')).toBe(canonicalize(payloads[i]));
    });
  });

  it('numbers as PostgreSQL prints them: scale kept, no exponent; JCS form as JavaScript prints the double', async () => {
    const tokens = [...NUMBER_TOKENS.filter((t) => t !== '1e-400'), '1e400'];
    const sent = await viaPostgres(tokens.map((t) => `[${t}]`));
    const texts = sent.map((b) => b.toString('utf8'));
    expect(texts[tokens.indexOf('1.10')]).toBe('[1.10]');
    expect(texts[tokens.indexOf('1e21')]).toBe('[1000000000000000000000]');
    expect(texts[tokens.indexOf('0.0000001')]).toBe('[0.0000001]');
    for (const t of sent) agrees(t);
    expect(jsonbTextToCanonical(sent[tokens.indexOf('1e21')]!)?.toString()).toBe('[1e+21]');
    expect(jsonbTextToCanonical(sent[tokens.indexOf('-0.0')]!)?.toString()).toBe('[0]');
    expect(jsonbTextToCanonical(sent[tokens.indexOf('1e-7')]!)?.toString()).toBe('[1e-7]');
    expect(jsonbTextToCanonical(sent[tokens.indexOf('123456789012345678')]!)?.toString()).toBe('[123456789012345680]');
    // Beyond a double: the generic route rejects it, the transcoder bails.
    expect(jsonbTextToCanonical(sent[tokens.indexOf('1e400')]!)).toBeNull();
  });

  it('short decimals copied as written are exactly what Number::toString prints (random, around every boundary)', () => {
    const r = rng(1234);
    const digits = (n: number, lead = false) => {
      let d = lead ? String(1 + Math.floor(r() * 9)) : '';
      while (d.length < n) d += String(Math.floor(r() * 10));
      return d;
    };
    const notTaken: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const sign = r() < 0.3 ? '-' : '';
      const intDigits = Math.floor(r() * 17);
      const int = intDigits === 0 ? '0' : digits(intDigits, true);
      const zeros = int === '0' ? '0'.repeat(Math.floor(r() * 9)) : '';
      // 1–18 significant digits in total, so both sides of the 15-digit limit are hit.
      const fracDigits = Math.max(0, Math.floor(r() * 19) - (int === '0' ? 0 : intDigits));
      let frac = zeros + digits(fracDigits);
      if (r() < 0.9) frac = frac.replace(/0+$/, '') + (r() < 0.5 ? String(1 + Math.floor(r() * 9)) : '');
      const token = frac === '' ? sign + int : `${sign}${int}.${frac}`;
      if (!agrees(Buffer.from(`[${token}]`))) notTaken.push(token);
    }
    expect(notTaken).toEqual([]);
  });

  it('strings with every control character, quotes, backslashes, U+2028/2029 and astral characters are copied as escaped by PostgreSQL', async () => {
    const strings = [
      Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join(''),
      'quote " backslash \\ slash / del \u007f',
      '\u2028\u2029\ufeff\ufffe\uffff',
      '😀 \u{10000} \u{10ffff} münchen ✓',
    ];
    const sent = await viaPostgres(strings.map((s) => JSON.stringify({ s, [s.replace(/[\u0000-\u001f"\\]/g, '')]: s })));
    for (const t of sent) expect(agrees(t)).toBe(true);
    // PostgreSQL's escape_json: the short forms and lowercase \u00xx, as JSON.stringify.
    expect(sent[0]!.toString('utf8')).toContain('\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e');
  });

  it('orders member names by UTF-16 code units where that differs from byte order', async () => {
    const obj: Record<string, number> = {};
    [...UNICODE_KEYS, ...ASCII_KEYS].forEach((k, i) => (obj[k] = i));
    const [sent] = await viaPostgres([JSON.stringify(obj)]);
    expect(agrees(sent!)).toBe(true);
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    const cmp = (a: string, b: string) => {
      const buf = Buffer.concat([bytes(a), bytes(b)]);
      return Math.sign(compareKeys(buf, 0, bytes(a).length, bytes(a).length, buf.length));
    };
    expect(cmp('\u{10000}', '\ue000')).toBe(-1); // D800 DC00 < E000 in UTF-16, F0 > EE in UTF-8
    expect(cmp('\uffff', '😀')).toBe(1);
    expect(cmp('\ud7ff', '\u{10000}')).toBe(-1);
    expect(cmp('a', 'aa')).toBe(-1);
    expect(cmp('é', 'z')).toBe(1);
  });

  it('nesting: bails where canonicalize rejects the depth, takes it below', async () => {
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const sent = await viaPostgres([nested(MAX_CANONICAL_DEPTH), nested(MAX_CANONICAL_DEPTH + 1), `${'{"a": '.repeat(MAX_CANONICAL_DEPTH)}1${'}'.repeat(MAX_CANONICAL_DEPTH)}`]);
    expect(agrees(sent[0]!)).toBe(true);
    expect(jsonbTextToCanonical(sent[1]!)).toBeNull();
    expect(generic(sent[1]!)).toBeNull();
    expect(agrees(sent[2]!)).toBe(true);
  });

  it('agrees with the generic route on jsonb-formatted text PostgreSQL would not print (-0, exponents, unsorted keys)', () => {
    const cases: [string, string][] = [
      ['-0', '0'], ['[-0, -0.0, 0, -0e5]', '[0,0,0,0]'], ['1E+2', '100'], ['1e-7', '1e-7'], ['-1.5e300', '-1.5e+300'],
      ['9007199254740993', '9007199254740992'], ['1000000000000000', '1000000000000000'], ['-100000000000000', '-100000000000000'],
      ['{"b": 1, "a": 2}', '{"a":2,"b":1}'], ['{"aa": {"b": [], "a": {}}, "a": -0}', '{"a":0,"aa":{"a":{},"b":[]}}'],
      ['"\\u0000"', '"\\u0000"'],
    ];
    for (const [text, canonical] of cases) {
      expect([text, agrees(Buffer.from(text))]).toEqual([text, true]);
      expect(jsonbTextToCanonical(text)?.toString('utf8')).toBe(canonical);
    }
  });

  it('bails on text PostgreSQL does not print (other escapes, whitespace, invalid UTF-8, bad numbers)', () => {
    const cases: (string | Buffer)[] = [
      '"\\/"', '"\\u0041"', '"\\u001F"', '"\\u0008"', '"\\u000a"', '"\\ud83d\\ude00"', '"\\x"', '"a\u0001"', '"\\u00', '"abc',
      '{"a":1}', '{"a" : 1}', '{ "a": 1}', '[1,2]', '[1 , 2]', ' 1', '1 ', '{"a": 1, "a": 2}', '{"a\\"": 1}', '{"a": 1,}', '[1, ]',
      '01', '-', '1.', '.5', '+1', '1e', '1e+', '-01', 'NaN', 'Infinity', 'tru', 'nul', 'true1', '[]]', '{}}', '', '"', '[', '{',
      Buffer.from([0x22, 0xc0, 0x80, 0x22]), // overlong
      Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), // UTF-8-encoded surrogate
      Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]), // above U+10FFFF
      Buffer.from([0x22, 0xe2, 0x82, 0x22]), // truncated
      Buffer.from([0x22, 0x80, 0x22]), // lone continuation byte
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x20, 0x31, 0x7d]), // invalid key byte
    ];
    for (const c of cases) {
      const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
      expect([c, jsonbTextToCanonical(b)]).toEqual([c, null]);
    }
  });

  it('never differs from the generic route on mutated jsonb text (fuzz)', async () => {
    const r = rng(99);
    const keys = [...ASCII_KEYS, ...UNICODE_KEYS, ...ESCAPED_KEYS];
    const sent = await viaPostgres(Array.from({ length: 1500 }, () => genValue(r, 0, keys)));
    const alphabet = Buffer.from(' ",:[]{}\\/0123456789-+.eEuabfnrtx\u0001', 'latin1');
    let taken = 0;
    let total = 0;
    for (const t of sent) {
      for (let m = 0; m < 12; m++) {
        const b = Buffer.from(t);
        const at = Math.floor(r() * b.length);
        const kind = r();
        let mutated: Buffer;
        if (kind < 0.4) {
          b[at] = r() < 0.7 ? alphabet[Math.floor(r() * alphabet.length)]! : Math.floor(r() * 256);
          mutated = b;
        } else if (kind < 0.7) {
          mutated = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
        } else {
          mutated = Buffer.concat([b.subarray(0, at), alphabet.subarray(Math.floor(r() * alphabet.length)).subarray(0, 1), b.subarray(at)]);
        }
        total++;
        if (agrees(mutated)) taken++;
      }
    }
    // Many mutations stay valid (a digit for a digit, a letter in a string): both routes exercised.
    expect(taken).toBeGreaterThan(total / 10);
  });
});
