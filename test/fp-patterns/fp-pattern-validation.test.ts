import { isCatastrophicRegex, isCidr, validateEntityPatterns, validateRegex } from '../../src/modules/fp-patterns/fp-pattern.validation';
import type { FieldError } from '../../src/errors/domain-error';

describe('FP pattern validation (pure)', () => {
  it.each([
    ['(a+)+', true],
    ['(\\w*)*$', true],
    ['^(x{2,})+y', true],
    ['((ab)*c)+', true],
    ['(a|b)\\1', true],
    ['(.*a){12}', true],
    ['^Suspicious (sign-in|logon) from .*$', false],
    ['(a+)?', false],
    ['[(+]+', false],
    ['\\(a+\\)+', false],
    ['^(ransom|encrypt)\\w+ (file|host)s?', false],
    ['(ab){2}', false],
  ])('isCatastrophicRegex(%s) → %s', (re, expected) => {
    expect(isCatastrophicRegex(re)).toBe(expected);
  });

  it.each([
    ['10.0.0.0/8', true],
    ['192.168.1.1/32', true],
    ['2001:db8::/32', true],
    ['10.0.0.0/33', false],
    ['10.0.0.0', false],
    ['300.0.0.0/8', false],
    ['10.0.0.0/8/1', false],
    ['::/129', false],
  ])('isCidr(%s) → %s', (v, expected) => {
    expect(isCidr(v)).toBe(expected);
  });

  it('reports regex problems with their path', () => {
    const errors: FieldError[] = [];
    validateRegex(errors, 'a', '(unclosed');
    validateRegex(errors, 'b', 'x'.repeat(501));
    validateRegex(errors, 'c', '(a+)+');
    validateRegex(errors, 'd', '^ok$');
    expect(errors.map((e) => e.path)).toEqual(['a', 'b', 'c']);
  });

  it('requires exactly one of valueRegex and valueCidr per entity pattern', () => {
    const errors: FieldError[] = [];
    validateEntityPatterns(errors, 'p', [
      { entityType: 'ip', valueCidr: '10.0.0.0/8' },
      { entityType: 'ip', valueCidr: '10.0.0.0/8', valueRegex: '^10\\.' },
      { entityType: 'host' },
      { entityType: 'ip', valueCidr: 'nope' },
      { entityType: 'spaceship', valueRegex: 'x' },
    ]);
    expect(errors.map((e) => e.path)).toEqual(['p[1]', 'p[2]', 'p[3].valueCidr', 'p[4].entityType']);
  });
});
