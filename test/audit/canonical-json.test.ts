import { canonicalize, canonicalizeToBytes, CanonicalJsonError } from '../../src/audit/canonical-json';

function ieee754(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalize (RFC 8785)', () => {
  it('§3.2.2 sample: literals, numbers, string escaping', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    const expected =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    expect(canonicalize(input)).toBe(expected);
    // The RFC's published UTF-8 bytes start and end like this.
    const bytes = canonicalizeToBytes(input);
    expect(bytes.subarray(0, 12).toString('hex')).toBe('7b226c69746572616c73223a');
    expect(bytes.subarray(bytes.length - 3).toString('hex')).toBe('2f227d');
  });

  it('§3.2.3 sorting: keys by UTF-16 code units, non-ASCII emitted as is', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('reference test data: unicode (no normalisation), weird keys, structures, arrays, french', () => {
    expect(canonicalize({ 'Unnormalized Unicode': 'A\u030a' })).toBe('{"Unnormalized Unicode":"A\u030a"}');
    expect(canonicalize({ 'Unnormalized Unicode': '\u1e0d\u0307' })).toBe('{"Unnormalized Unicode":"\u1e0d\u0307"}');
    expect(
      canonicalize(
        JSON.parse(
          '{"\\u20ac":"Euro Sign","1":"One","\\u0080":"Control\\u007f","\\ud83d\\ude02":"Smiley",' +
            '"\\u00f6":"Latin Small Letter O With Diaeresis","\\ufb33":"Hebrew Letter Dalet With Dagesh",' +
            '"</script>":"Browser Challenge"}',
        ),
      ),
    ).toBe(
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(
      canonicalize(JSON.parse('{"1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},"10": { },"": "empty","a": { },"111": [ { } ],"A": { }}')),
    ).toBe('{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}');
    expect(canonicalize(JSON.parse('[56,{"d":true,"10":null,"1":[ ]}]'))).toBe('[56,{"1":[],"10":null,"d":true}]');
    expect(
      canonicalize({ peach: 'This sorting order', péché: 'is wrong according to French', pêche: 'but canonicalization MUST', sin: 'ingnore locale' }),
    ).toBe('{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}');
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('Appendix B number 0x%s → %s', (bits, expected) => {
    expect(canonicalize(ieee754(bits))).toBe(expected);
  });

  it('number edge cases: -0, exponent thresholds, integers', () => {
    expect(canonicalize(-0)).toBe('0');
    expect(canonicalize({ a: -0 })).toBe('{"a":0}');
    expect(canonicalize(1e21)).toBe('1e+21');
    expect(canonicalize(1e20)).toBe('100000000000000000000');
    expect(canonicalize(1e-7)).toBe('1e-7');
    expect(canonicalize(1e-6)).toBe('0.000001');
    expect(canonicalize(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(canonicalize(0.1 + 0.2)).toBe('0.30000000000000004');
  });

  it('rejects NaN, Infinity, BigInt, undefined outside objects, functions, symbols', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity, 10n, undefined, () => 1, Symbol('x')]) {
      expect(() => canonicalize(bad)).toThrow(CanonicalJsonError);
    }
    expect(() => canonicalize([1, undefined])).toThrow(CanonicalJsonError);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => canonicalize([1, , 3])).toThrow(CanonicalJsonError);
    expect(() => canonicalize({ a: { b: [1, Number.NaN] } })).toThrow(expect.objectContaining({ path: '$.a.b[1]' }));
  });

  it('omits undefined properties, keeps null', () => {
    expect(canonicalize({ b: undefined, a: null, c: 1 })).toBe('{"a":null,"c":1}');
  });

  it('escapes only what JCS requires', () => {
    expect(canonicalize('\b\t\n\f\r\u0000\u001f"\\/\u007f\u2028\u2029é')).toBe(
      '"\\b\\t\\n\\f\\r\\u0000\\u001f\\"\\\\/\u007f\u2028\u2029é"',
    );
    expect(canonicalize('\ud83d\ude00')).toBe('"😀"');
  });

  it('rejects lone surrogates (values and keys)', () => {
    expect(() => canonicalize('\ud83d')).toThrow(CanonicalJsonError);
    expect(() => canonicalize('a\ude00b')).toThrow(CanonicalJsonError);
    expect(() => canonicalize({ ['\udead']: 1 })).toThrow(CanonicalJsonError);
  });

  it('nested structures, arrays keep order, objects are sorted at every level', () => {
    const a = { z: [3, 1, 2, { y: 1, x: [{ b: 2, a: 1 }] }], a: { c: true, b: false } };
    expect(canonicalize(a)).toBe('{"a":{"b":false,"c":true},"z":[3,1,2,{"x":[{"a":1,"b":2}],"y":1}]}');
  });

  it('key order of the input never matters', () => {
    const keys = ['b', 'a', 'aa', 'A', '_', '10', '9', 'é', 'e'];
    const forward = Object.fromEntries(keys.map((k, i) => [k, i]));
    const backward = Object.fromEntries([...keys].reverse().map((k) => [k, keys.indexOf(k)]));
    expect(canonicalize(backward)).toBe(canonicalize(forward));
    // Insertion-sort path (small) and Array.sort path (large) agree.
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${(i * 37) % 60}`, i]));
    const sorted = Object.keys(many).sort();
    // No integer-like keys, so JSON.parse keeps the emitted order.
    expect(Object.keys(JSON.parse(canonicalize(many)))).toEqual(sorted);
  });

  it('calls toJSON like JSON.stringify (Date) and rejects other class instances', () => {
    expect(canonicalize({ at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)) })).toBe('{"at":"2026-01-02T03:04:05.006Z"}');
    expect(() => canonicalize(new Map([['a', 1]]))).toThrow(/Map/);
    expect(() => canonicalize(new Set([1]))).toThrow(CanonicalJsonError);
    class Dto {
      a = 1;
    }
    expect(() => canonicalize(new Dto())).toThrow(/Dto/);
    expect(canonicalize(Object.assign(Object.create(null), { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });

  it('rejects cycles instead of overflowing the stack', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(() => canonicalize(a)).toThrow(CanonicalJsonError);
  });

  it('round-trips through JSON.parse for ordinary data', () => {
    const value = { s: 'münchen ✓ "q"\n', n: [0, -1.5, 1e-9, 123456789.125], b: true, o: { nested: null } };
    expect(JSON.parse(canonicalize(value))).toEqual(value);
  });
});
