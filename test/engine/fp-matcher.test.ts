import { compileFpPatterns, type FpAlertContext, type FpPatternInput, matchFpPatterns } from '../../src/engine/agents/fp-matcher';

const pattern = (over: Partial<FpPatternInput> = {}): FpPatternInput => ({
  patternId: 'fp-scanner',
  status: 'active',
  confidenceThreshold: 0.9,
  autoClose: true,
  conditions: {
    alertNameRegex: 'Vulnerability scan',
    entityPatterns: [
      { entityType: 'ip', valueCidr: '10.20.0.0/16' },
      { entityType: 'host', valueRegex: '^scanner-\\d+$' },
    ],
  },
  scopeRuleFamily: '',
  scopeTenantId: '',
  scopeAssetClass: '',
  ...over,
});

const alert = (over: Partial<FpAlertContext> = {}): FpAlertContext => ({
  tenantId: 't-1',
  title: 'vulnerability SCAN from internal scanner',
  source: 'sentinel',
  techniques: ['T1046'],
  entities: [
    { type: 'ip', value: '10.20.3.4' },
    { type: 'host', value: 'scanner-01' },
  ],
  safetyRelevant: false,
  ...over,
});

describe('FP short-circuit matcher (spec §4.3)', () => {
  it('matches title (anchored, case-insensitive) and entities (CIDR + regex)', () => {
    const r = matchFpPatterns(alert(), compileFpPatterns([pattern()]));
    expect(r).toMatchObject({ matched: true, patternId: 'fp-scanner', confidence: 1, threshold: 0.9 });
    expect(r.reasons[0]).toContain('2/2 entity patterns matched');
  });

  it('the title regex is anchored at the start', () => {
    const r = matchFpPatterns(alert({ title: 'Alert: vulnerability scan' }), compileFpPatterns([pattern()]));
    expect(r.matched).toBe(false);
    expect(r.evaluations[0]).toMatchObject({ confidence: 0.5 });
  });

  it('confidence = (alert + entity share) / 2 against the threshold', () => {
    const half = alert({ entities: [{ type: 'ip', value: '10.20.3.4' }] }); // 1 of 2 entity patterns
    expect(matchFpPatterns(half, compileFpPatterns([pattern()]))).toMatchObject({ matched: false });
    expect(matchFpPatterns(half, compileFpPatterns([pattern({ confidenceThreshold: 0.75 })]))).toMatchObject({ matched: true, confidence: 0.75 });
    const titleOnly = pattern({ conditions: { alertNameRegex: 'vulnerability scan' } });
    expect(matchFpPatterns(alert({ entities: [] }), compileFpPatterns([titleOnly]))).toMatchObject({ matched: true, confidence: 1 });
  });

  it('default threshold 0.90 and the drift floor', () => {
    const p = pattern({ confidenceThreshold: null, conditions: { alertNameRegex: 'vuln', entityPatterns: [{ entityType: 'ip', valueCidr: '10.0.0.0/8' }] } });
    expect(matchFpPatterns(alert(), compileFpPatterns([p]))).toMatchObject({ matched: true, threshold: 0.9 });
    const lower = pattern({ confidenceThreshold: 0.7 });
    const half = alert({ entities: [{ type: 'ip', value: '10.20.3.4' }] });
    expect(matchFpPatterns(half, compileFpPatterns([lower]), [], { minThreshold: 0.95 })).toMatchObject({ matched: false });
  });

  it('IPv6 CIDR', () => {
    const p = pattern({ conditions: { alertNameRegex: 'vuln', entityPatterns: [{ entityType: 'ip', valueCidr: '2001:db8:10::/48' }] } });
    expect(matchFpPatterns(alert({ entities: [{ type: 'ip', value: '2001:db8:10::7' }] }), compileFpPatterns([p])).matched).toBe(true);
    expect(matchFpPatterns(alert({ entities: [{ type: 'ip', value: '2001:db8:11::7' }] }), compileFpPatterns([p])).matched).toBe(false);
  });

  it('kill switches: tenant, pattern, technique, datasource', () => {
    const c = compileFpPatterns([pattern()]);
    expect(matchFpPatterns(alert(), c, [{ dimension: 'tenant', value: 't-1' }]).matched).toBe(false);
    expect(matchFpPatterns(alert(), c, [{ dimension: 'technique', value: 'T1046' }]).reasons[0]).toContain('technique T1046');
    expect(matchFpPatterns(alert(), c, [{ dimension: 'datasource', value: 'sentinel' }]).matched).toBe(false);
    const r = matchFpPatterns(alert(), c, [{ dimension: 'pattern', value: 'fp-scanner' }]);
    expect(r.matched).toBe(false);
    expect(r.evaluations[0].skipped).toBe('pattern kill switch active');
    expect(matchFpPatterns(alert(), c, [{ dimension: 'tenant', value: 't-2' }]).matched).toBe(true);
  });

  it('only approved/active, auto-closing, unexpired patterns', () => {
    for (const status of ['shadow', 'pending_review', 'revoked', 'expired', 'deprecated']) {
      expect(matchFpPatterns(alert(), compileFpPatterns([pattern({ status })])).matched).toBe(false);
    }
    expect(matchFpPatterns(alert(), compileFpPatterns([pattern({ status: 'approved' })])).matched).toBe(true);
    expect(matchFpPatterns(alert(), compileFpPatterns([pattern({ autoClose: false })])).matched).toBe(false);
    const now = new Date('2025-06-01T00:00:00Z');
    expect(matchFpPatterns(alert(), compileFpPatterns([pattern({ expiryDate: '2025-05-01T00:00:00Z' })]), [], { now }).matched).toBe(false);
    expect(matchFpPatterns(alert(), compileFpPatterns([pattern({ expiryDate: '2025-07-01T00:00:00Z' })]), [], { now }).matched).toBe(true);
  });

  it('blast-radius scope', () => {
    const scoped = compileFpPatterns([pattern({ scopeRuleFamily: 'scanner', scopeAssetClass: 'server', scopeTenantId: 't-1' })]);
    expect(matchFpPatterns(alert({ ruleFamily: 'scanner', assetClass: 'server' }), scoped).matched).toBe(true);
    expect(matchFpPatterns(alert({ ruleFamily: 'scanner', assetClass: 'workstation' }), scoped).matched).toBe(false);
    expect(matchFpPatterns(alert({ assetClass: 'server' }), scoped).matched).toBe(false);
    expect(matchFpPatterns(alert({ tenantId: 't-2', ruleFamily: 'scanner', assetClass: 'server' }), scoped).matched).toBe(false);
  });

  it('never for safety-relevant alerts', () => {
    const r = matchFpPatterns(alert({ safetyRelevant: true }), compileFpPatterns([pattern()]));
    expect(r.matched).toBe(false);
    expect(r.reasons[0]).toContain('safety-relevant');
  });

  it('unsafe or broken regexes are never evaluated', () => {
    const bad = compileFpPatterns([
      pattern({ patternId: 'fp-redos', conditions: { alertNameRegex: '(a+)+$' } }),
      pattern({ patternId: 'fp-broken', conditions: { alertNameRegex: '([' } }),
      pattern({ patternId: 'fp-cidr', conditions: { alertNameRegex: 'x', entityPatterns: [{ entityType: 'ip', valueCidr: '10.0.0.0/99' }] } }),
    ]);
    expect(bad.every((c) => c.invalid)).toBe(true);
    const start = Date.now();
    const r = matchFpPatterns(alert({ title: 'a'.repeat(100_000) + '!' }), bad);
    expect(Date.now() - start).toBeLessThan(500);
    expect(r.matched).toBe(false);
    expect(r.evaluations.map((e) => e.skipped?.slice(0, 15))).toEqual(['invalid pattern', 'invalid pattern', 'invalid pattern']);
  });

  it('best match wins; ties go to the lower pattern id', () => {
    const c = compileFpPatterns([pattern({ patternId: 'fp-b' }), pattern({ patternId: 'fp-a' })]);
    expect(matchFpPatterns(alert(), c).patternId).toBe('fp-a');
  });
});
