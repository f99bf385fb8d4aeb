import { extractTechniqueIds, type TaxonomyIdInfo, validateTechniques } from '../../src/engine/agents/taxonomy-validation';

const known = new Map<string, TaxonomyIdInfo>([
  ['T1059', { deprecated: false }],
  ['T1059.001', { deprecated: false }],
  ['T1110', { deprecated: false }],
  ['AML.T0044', { deprecated: false }],
  ['AML.T0044.001', { deprecated: false }],
  ['T1064', { deprecated: true }],
  ['T1086', { deprecated: false, revoked: true, revokedBy: 'T1059.001' }],
  ['T1099', { deprecated: false, revoked: true, revokedBy: 'T1064' }],
  ['T1088', { deprecated: false, revoked: true, revokedBy: null }],
]);

describe('taxonomy deny-by-default (spec §4.6)', () => {
  it('T1059.001 is valid', () => {
    expect(validateTechniques({ text: 'PowerShell T1059.001 observed' }, known)).toEqual({
      valid: ['T1059.001'],
      remapped: [],
      quarantined: [],
      cleanedText: 'PowerShell T1059.001 observed',
    });
  });

  it('T9999 is invalid (quarantined and stripped)', () => {
    const r = validateTechniques({ text: 'mapped to T9999 and T1110.' }, known);
    expect(r.valid).toEqual(['T1110']);
    expect(r.quarantined).toEqual([{ id: 'T9999', reason: 'unknown' }]);
    expect(r.cleanedText).toBe('mapped to  and T1110.');
  });

  it('AML.T0099 is invalid', () => {
    const r = validateTechniques({ text: 'ATLAS AML.T0099' }, known);
    expect(r.quarantined).toEqual([{ id: 'AML.T0099', reason: 'unknown' }]);
    expect(r.cleanedText).toBe('ATLAS ');
  });

  it('deprecated ids are flagged and quarantined', () => {
    const r = validateTechniques({ ids: ['T1064'] }, known);
    expect(r.valid).toEqual([]);
    expect(r.quarantined).toEqual([{ id: 'T1064', reason: 'deprecated' }]);
  });

  it('AML.T0044.001 is extracted whole (sub-technique bug fixed)', () => {
    expect(extractTechniqueIds('model extraction AML.T0044.001 via API')).toEqual(['AML.T0044.001']);
    expect(validateTechniques({ text: 'AML.T0044.001' }, known).valid).toEqual(['AML.T0044.001']);
    const r = validateTechniques({ text: 'AML.T0044.002 seen' }, known);
    expect(r.quarantined).toEqual([{ id: 'AML.T0044.002', reason: 'unknown' }]);
    expect(r.cleanedText).toBe(' seen');
  });

  it('revoked ids are remapped (in the list and the text)', () => {
    const r = validateTechniques({ text: 'legacy T1086 id' }, known);
    expect(r.remapped).toEqual([{ from: 'T1086', to: 'T1059.001' }]);
    expect(r.valid).toEqual(['T1059.001']);
    expect(r.cleanedText).toBe('legacy T1059.001 id');
    expect(validateTechniques({ ids: ['T1099'] }, known).quarantined).toEqual([{ id: 'T1099', reason: 'revoked_without_valid_replacement' }]);
    expect(validateTechniques({ ids: ['T1088'] }, known).quarantined).toEqual([{ id: 'T1088', reason: 'revoked_without_valid_replacement' }]);
  });

  it('stripping a parent id never mutilates a valid sub-technique', () => {
    const k = new Map<string, TaxonomyIdInfo>([['T1059.001', { deprecated: false }]]);
    const r = validateTechniques({ text: 'T1059 and T1059.001' }, k);
    expect(r.quarantined.map((q) => q.id)).toEqual(['T1059']);
    expect(r.cleanedText).toBe(' and T1059.001');
  });

  it('a missing or empty map fails closed: everything quarantined', () => {
    for (const k of [null, undefined, new Map(), {}]) {
      const r = validateTechniques({ text: 'T1059.001', ids: ['T1110'] }, k);
      expect(r.valid).toEqual([]);
      expect(r.quarantined).toEqual([
        { id: 'T1059.001', reason: 'no_taxonomy' },
        { id: 'T1110', reason: 'no_taxonomy' },
      ]);
      expect(r.cleanedText).toBe('');
    }
  });

  it('accepts a plain record and rejects malformed structured ids', () => {
    const r = validateTechniques({ ids: ['T1110', 'not-an-id', 'T1110'] }, { T1110: { deprecated: false } });
    expect(r.valid).toEqual(['T1110']);
    expect(r.quarantined).toEqual([{ id: 'not-an-id', reason: 'unknown' }]);
  });
});
