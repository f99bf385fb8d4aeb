import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type AttackParseResult, TaxonomyParseError, parseAttackBundle } from '../../src/taxonomy/stix';

const BUNDLE = path.resolve(__dirname, '../../../shared/data/mitre/enterprise-attack-v18.1.json');

describe('parseAttackBundle on the real ATT&CK v18.1 bundle', () => {
  let result: AttackParseResult;
  beforeAll(() => {
    result = parseAttackBundle(JSON.parse(readFileSync(BUNDLE, 'utf8')), { fallbackVersion: '18.1' });
  });
  const tech = (id: string) => {
    const t = result.techniques.find((x) => x.techniqueId === id);
    if (!t) throw new Error(`${id} not parsed`);
    return t;
  };

  it('reports the published counts', () => {
    expect(result.stats).toMatchObject({
      attackPatterns: 835,
      revoked: 132,
      deprecated: 12,
      active: 691,
      activeSubtechniques: 475,
      tactics: 14,
      intrusionSets: 187,
      distinctTechniqueIds: 835,
      duplicateIdsDropped: 0,
      withoutAttackId: 0,
    });
    expect(result.stats.parentMismatches).toEqual([]);
    expect(result.techniques).toHaveLength(835);
    expect(result.techniques.filter((t) => !t.revoked)).toHaveLength(703);
    expect(result.tactics).toHaveLength(14);
    expect(result.groups).toHaveLength(187);
  });

  it('takes the version from the bundle, or the fallback when the bundle has none', () => {
    // This bundle has no x-mitre-collection object, so the version comes from the caller (the file name).
    expect(result.version).toBe('18.1');
  });

  it('parses a sub-technique with its parent, tactics and platforms', () => {
    const ps = tech('T1059.001');
    expect(ps).toMatchObject({
      name: 'PowerShell',
      isSubtechnique: true,
      parentId: 'T1059',
      tactics: ['execution'],
      platforms: ['Windows'],
      deprecated: false,
      revoked: false,
      relatedTechniques: ['T1059'],
    });
    expect(ps.stixId).toMatch(/^attack-pattern--/);
    const parent = tech('T1059');
    expect(parent).toMatchObject({ isSubtechnique: false, parentId: null });
    expect(parent.relatedTechniques).toEqual(expect.arrayContaining(['T1059.001', 'T1059.003', 'T1059.006']));
    expect(tech('T1078.004').tactics.sort()).toEqual(['defense-evasion', 'initial-access', 'persistence', 'privilege-escalation']);
  });

  it('lists the groups that use a technique, and the techniques a group uses', () => {
    expect(tech('T1566.001').groupsUsing).toEqual(expect.arrayContaining(['G0016', 'G0007'])); // APT29, APT28
    expect(tech('T1566.001').groupsUsing.length).toBeGreaterThan(50);
    const apt29 = result.groups.find((g) => g.groupId === 'G0016')!;
    expect(apt29).toMatchObject({ name: 'APT29', revoked: false, deprecated: false });
    expect(apt29.aliases).toEqual(expect.arrayContaining(['Cozy Bear', 'NOBELIUM', 'Midnight Blizzard']));
    expect(apt29.techniquesUsed).toEqual(expect.arrayContaining(['T1621', 'T1528']));
    expect(apt29.references[0]).toBe('https://attack.mitre.org/groups/G0016');
    // revoked and deprecated intrusion sets are parsed but flagged (the importer skips them)
    expect(result.groups.filter((g) => g.revoked)).toHaveLength(6);
    expect(result.groups.filter((g) => !g.revoked && g.deprecated)).toHaveLength(9);
    expect(result.stats.activeGroups).toBe(172);
  });

  it('flags deprecated techniques and keeps them', () => {
    expect(tech('T1064')).toMatchObject({ name: 'Scripting', deprecated: true, revoked: false });
    expect(tech('T1053.004')).toMatchObject({ deprecated: true, isSubtechnique: true, parentId: 'T1053' });
  });

  it('maps revoked techniques to their replacement', () => {
    // This bundle ships without revoked-by relationships, so the replacement is inferred from the name.
    expect(tech('T1067')).toMatchObject({ name: 'Bootkit', revoked: true, revokedBy: 'T1542.003', revokedByMethod: 'name-match' });
    // two active namesakes (T1566.002 and T1598.003): the shared tactic decides
    expect(tech('T1192')).toMatchObject({ revoked: true, revokedBy: 'T1566.002' });
    expect(tech('T1193')).toMatchObject({ revoked: true, revokedBy: 'T1566.001' });
    const { relationship, nameMatch, unresolved } = result.stats.revokedResolution;
    expect(relationship + nameMatch + unresolved).toBe(132);
    expect(nameMatch).toBe(100);
    for (const t of result.techniques.filter((x) => x.revokedBy)) {
      expect(tech(t.revokedBy!).revoked).toBe(false);
    }
  });

  it('tactics map shortnames to TA ids', () => {
    expect(result.tactics.find((t) => t.shortname === 'execution')?.tacticId).toBe('TA0002');
    expect(result.tactics.find((t) => t.shortname === 'credential-access')?.tacticId).toBe('TA0006');
  });
});

describe('parseAttackBundle on synthetic bundles', () => {
  const ref = (id: string) => [{ source_name: 'mitre-attack', external_id: id, url: `https://attack.mitre.org/${id}` }];
  const ap = (stixId: string, id: string, extra: Record<string, unknown> = {}) => ({
    type: 'attack-pattern',
    id: `attack-pattern--${stixId}`,
    name: `Technique ${id}`,
    description: `about ${id}`,
    external_references: ref(id),
    kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'execution' }],
    x_mitre_is_subtechnique: id.includes('.'),
    modified: '2025-01-01T00:00:00.000Z',
    ...extra,
  });
  const relationship = (kind: string, src: string, tgt: string, extra: Record<string, unknown> = {}) => ({
    type: 'relationship',
    id: `relationship--${kind}-${src}-${tgt}`,
    relationship_type: kind,
    source_ref: src,
    target_ref: tgt,
    ...extra,
  });

  it('follows revoked-by chains to the final replacement, and the active object wins an id clash', () => {
    const bundle = {
      type: 'bundle',
      id: 'bundle--x',
      objects: [
        { type: 'x-mitre-collection', id: 'x-mitre-collection--1', x_mitre_version: '99.1' },
        ap('a', 'T1001', { revoked: true }),
        ap('b', 'T1002', { revoked: true }),
        ap('c', 'T1003'),
        ap('c-old', 'T1003', { revoked: true, name: 'old copy' }),
        ap('d', 'T1003.001'),
        ap('e', 'T1004', { x_mitre_detection: 'watch it', x_mitre_data_sources: ['Process: Process Creation'] }),
        { type: 'intrusion-set', id: 'intrusion-set--g', name: 'G', aliases: ['G', 'Gee'], external_references: ref('G0001') },
        { type: 'intrusion-set', id: 'intrusion-set--old', name: 'Old', revoked: true, external_references: ref('G0002') },
        { type: 'malware', id: 'malware--m', name: 'M', external_references: ref('S0001') },
        { type: 'tool', id: 'tool--t', name: 'T', external_references: ref('S0002') },
        relationship('revoked-by', 'attack-pattern--a', 'attack-pattern--b'),
        relationship('revoked-by', 'attack-pattern--b', 'attack-pattern--c'),
        relationship('subtechnique-of', 'attack-pattern--d', 'attack-pattern--c'),
        relationship('uses', 'intrusion-set--g', 'attack-pattern--c'),
        relationship('uses', 'intrusion-set--g', 'attack-pattern--a'), // to a revoked technique: ignored
        relationship('uses', 'intrusion-set--old', 'attack-pattern--c'), // from a revoked group: ignored
        relationship('uses', 'intrusion-set--g', 'attack-pattern--e', { revoked: true }), // revoked relationship
        relationship('uses', 'malware--m', 'attack-pattern--c'),
        relationship('uses', 'intrusion-set--g', 'tool--t'),
      ],
    };
    const r = parseAttackBundle(bundle, { fallbackVersion: 'ignored' });
    const t = (id: string) => r.techniques.find((x) => x.techniqueId === id)!;
    expect(r.version).toBe('99.1');
    expect(t('T1001')).toMatchObject({ revoked: true, revokedBy: 'T1003', revokedByMethod: 'relationship' });
    expect(t('T1002')).toMatchObject({ revoked: true, revokedBy: 'T1003', revokedByMethod: 'relationship' });
    expect(t('T1003')).toMatchObject({ revoked: false, name: 'Technique T1003', groupsUsing: ['G0001'], softwareUsing: ['S0001'] });
    expect(t('T1003.001')).toMatchObject({ parentId: 'T1003', isSubtechnique: true });
    expect(t('T1004')).toMatchObject({ detection: 'watch it', dataSources: ['Process: Process Creation'], groupsUsing: [] });
    expect(r.stats.duplicateIdsDropped).toBe(1);
    expect(r.stats.revokedResolution).toEqual({ relationship: 2, nameMatch: 0, unresolved: 0 });
    const g = r.groups.find((x) => x.groupId === 'G0001')!;
    expect(g).toMatchObject({ techniquesUsed: ['T1003'], softwareUsed: ['S0002'], aliases: ['G', 'Gee'] });
    expect(r.groups.find((x) => x.groupId === 'G0002')).toMatchObject({ revoked: true, techniquesUsed: [] });
  });

  it('survives a revoked-by cycle and reports parent mismatches', () => {
    const r = parseAttackBundle({
      type: 'bundle',
      objects: [
        ap('a', 'T2001', { revoked: true }),
        ap('b', 'T2002', { revoked: true }),
        ap('p', 'T2003'),
        ap('q', 'T2004'),
        ap('s', 'T2003.001'),
        relationship('revoked-by', 'attack-pattern--a', 'attack-pattern--b'),
        relationship('revoked-by', 'attack-pattern--b', 'attack-pattern--a'),
        relationship('subtechnique-of', 'attack-pattern--s', 'attack-pattern--q'),
      ],
    });
    expect(r.version).toBeNull();
    expect(r.techniques.find((x) => x.techniqueId === 'T2001')).toMatchObject({ revokedBy: null });
    expect(r.stats.revokedResolution.unresolved).toBe(2);
    expect(r.stats.parentMismatches).toEqual([{ techniqueId: 'T2003.001', idParent: 'T2003', relationshipParent: 'T2004' }]);
  });

  it('rejects what is not a STIX bundle', () => {
    expect(() => parseAttackBundle([])).toThrow(TaxonomyParseError);
    expect(() => parseAttackBundle({ type: 'identity' })).toThrow(/not a STIX bundle/);
    expect(() => parseAttackBundle(null)).toThrow(TaxonomyParseError);
  });
});
