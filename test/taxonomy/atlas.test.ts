import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type AtlasParseResult, parseAtlasYaml, tacticShortname } from '../../src/taxonomy/atlas';
import { TaxonomyParseError } from '../../src/taxonomy/stix';

const ATLAS = path.resolve(__dirname, '../../../shared/data/mitre/ATLAS-v5.6.1.yaml');

describe('parseAtlasYaml on the real ATLAS file', () => {
  let result: AtlasParseResult;
  beforeAll(() => {
    result = parseAtlasYaml(readFileSync(ATLAS, 'utf8'));
  });
  const tech = (id: string) => result.techniques.find((t) => t.techniqueId === id)!;

  it('reports the published counts', () => {
    expect(result.framework).toBe('atlas');
    expect(result.stats).toMatchObject({ tactics: 16, techniques: 170, subtechniques: 69, duplicateIdsDropped: 0 });
    expect(result.stats.parentMismatches).toEqual([]);
    expect(result.tactics).toHaveLength(16);
    expect(result.techniques).toHaveLength(170);
  });

  it("uses the file's declared version", () => {
    expect(result.version).toBe('5.6.0'); // the v5.6.1 release file still declares 5.6.0
  });

  it('cross-walks ATLAS techniques to ATT&CK', () => {
    expect(tech('AML.T0050')).toMatchObject({ name: 'Command and Scripting Interpreter', relatedAttackIds: ['T1059'] });
    expect(tech('AML.T0012')).toMatchObject({ name: 'Valid Accounts', relatedAttackIds: ['T1078'] });
    expect(tech('AML.T0016.001').relatedAttackIds).toEqual(['T1588.002']);
    expect(tech('AML.T0051').relatedAttackIds).toEqual([]);
    expect(result.stats.withAttackReference).toBe(34);
  });

  it('parses sub-techniques with their parent and inherited tactics', () => {
    expect(tech('AML.T0018.000')).toMatchObject({
      name: 'Poison AI Model',
      isSubtechnique: true,
      parentId: 'AML.T0018',
      tacticIds: ['AML.TA0006', 'AML.TA0001'],
      tactics: ['persistence', 'ai-attack-staging'],
    });
    expect(tech('AML.T0018').relatedTechniques).toEqual(['AML.T0018.000', 'AML.T0018.001', 'AML.T0018.002']);
    expect(tech('AML.T0051')).toMatchObject({ isSubtechnique: false, parentId: null, tactics: ['execution'] });
  });

  it('gives ATLAS tactics ATT&CK-style shortnames', () => {
    const byId = new Map(result.tactics.map((t) => [t.tacticId, t]));
    expect(byId.get('AML.TA0002')).toMatchObject({ name: 'Reconnaissance', shortname: 'reconnaissance', attackReference: 'TA0043' });
    expect(byId.get('AML.TA0000')).toMatchObject({ name: 'AI Model Access', shortname: 'ai-model-access', attackReference: null });
    expect(tacticShortname('Command and Control')).toBe('command-and-control');
  });
});

describe('parseAtlasYaml on synthetic input', () => {
  it('rejects non-ATLAS YAML and broken YAML', () => {
    expect(() => parseAtlasYaml('foo: bar')).toThrow(TaxonomyParseError);
    expect(() => parseAtlasYaml('matrices: [\n')).toThrow(/invalid YAML/);
  });

  it('merges several matrices and falls back on a version hint', () => {
    const r = parseAtlasYaml(
      [
        'matrices:',
        '- id: A',
        '  tactics: [{ id: AML.TA0001, name: "AI Attack Staging" }]',
        '  techniques:',
        '  - { id: AML.T0001, name: One, tactics: [AML.TA0001], "ATT&CK-reference": { id: T1001, url: x } }',
        '- id: B',
        '  techniques:',
        '  - { id: AML.T0001.000, name: Sub, subtechnique-of: AML.T0001 }',
        '  - { id: AML.T0001, name: Duplicate }',
      ].join('\n'),
      { fallbackVersion: '1.2.3' },
    );
    expect(r.version).toBe('1.2.3');
    expect(r.stats).toMatchObject({ matrices: 2, techniques: 2, subtechniques: 1, duplicateIdsDropped: 1 });
    expect(r.techniques[1]).toMatchObject({ techniqueId: 'AML.T0001.000', tactics: ['ai-attack-staging'], parentId: 'AML.T0001' });
  });
});
