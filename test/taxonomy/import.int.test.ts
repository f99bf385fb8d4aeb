import path from 'node:path';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { importTaxonomy, importTaxonomyFile, runTaxonomyImportCli, versionFromFilename } from '../../src/taxonomy/import';

const DATA = path.resolve(__dirname, '../../../shared/data/mitre');
const ATTACK = path.join(DATA, 'enterprise-attack-v18.1.json');
const ATLAS = path.join(DATA, 'ATLAS-v5.6.1.yaml');

/** Order-independent checksum of every row of the importer's tables (last_sync excluded: it records the sync). */
async function checksum(db: TestDatabase): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [table, order] of [
    ['mitre_techniques', 'technique_id'],
    ['mitre_groups', 'group_id'],
    ['taxonomy_ids', 'technique_id'],
  ]) {
    const { rows } = await db.pool.query(`SELECT md5(string_agg(t::text, '|' ORDER BY ${order})) AS h, count(*) AS n FROM ${table} t`);
    out[table] = `${rows[0].n}:${rows[0].h}`;
  }
  const { rows } = await db.pool.query(
    `SELECT md5(string_agg(m::text, '|' ORDER BY key)) AS h FROM taxonomy_metadata m WHERE key <> 'last_sync'`,
  );
  out.taxonomy_metadata = rows[0].h;
  return out;
}

describe('taxonomy import into PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('imports ATT&CK v18.1 then ATLAS, then re-imports without changing a row', async () => {
    const progress: number[] = [];
    const t0 = Date.now();
    const attack = await importTaxonomyFile(db.prisma, ATTACK, { onProgress: (p) => progress.push(p.done) });
    const attackMs = Date.now() - t0;
    expect(attack).toMatchObject({ framework: 'attack', format: 'stix-bundle', version: '18.1' });
    expect(attack.tables.mitreTechniques).toEqual({ inserted: 703, updated: 0, unchanged: 0, deleted: 0 });
    expect(attack.tables.mitreGroups).toEqual({ inserted: 172, updated: 0, unchanged: 0, deleted: 0 });
    expect(attack.tables.taxonomyIds).toEqual({ inserted: 835, updated: 0, unchanged: 0, deleted: 0 });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress[progress.length - 1]).toBeGreaterThanOrEqual(progress[0]);

    const t1 = Date.now();
    const atlas = await importTaxonomyFile(db.prisma, ATLAS);
    const atlasMs = Date.now() - t1;
    expect(atlas).toMatchObject({ framework: 'atlas', format: 'atlas-yaml', version: '5.6.0' });
    expect(atlas.tables.mitreTechniques).toEqual({ inserted: 170, updated: 0, unchanged: 0, deleted: 0 });
    expect(atlas.tables.taxonomyIds).toEqual({ inserted: 170, updated: 0, unchanged: 0, deleted: 0 });
    // "seconds, not minutes", with a wide margin for a loaded CI machine
    expect(attackMs).toBeLessThan(30_000);
    expect(atlasMs).toBeLessThan(15_000);

    // row counts
    expect(await db.prisma.mitreTechnique.count({ where: { framework: 'attack' } })).toBe(703);
    expect(await db.prisma.mitreTechnique.count({ where: { framework: 'attack', deprecated: true } })).toBe(12);
    expect(await db.prisma.mitreTechnique.count({ where: { framework: 'attack', isSubtechnique: true, deprecated: false } })).toBe(475);
    expect(await db.prisma.mitreTechnique.count({ where: { framework: 'atlas' } })).toBe(170);
    expect(await db.prisma.taxonomyId.count({ where: { framework: 'attack' } })).toBe(835);
    expect(await db.prisma.taxonomyId.count({ where: { framework: 'attack', revoked: true } })).toBe(132);
    expect(await db.prisma.taxonomyId.count({ where: { framework: 'atlas' } })).toBe(170);
    expect(await db.prisma.taxonomyId.count({ where: { framework: 'atlas', isSubtechnique: true } })).toBe(69);
    expect(await db.prisma.mitreGroup.count()).toBe(172);

    // content spot checks
    const ps = await db.prisma.mitreTechnique.findUnique({ where: { techniqueId: 'T1059.001' } });
    expect(ps).toMatchObject({
      docId: 'attack:T1059.001',
      techniqueName: 'PowerShell',
      parentTechnique: 'T1059',
      tactic: ['execution'],
      killChainPhase: 'execution',
      isSubtechnique: true,
      framework: 'attack',
      attackVersion: '18.1',
      severityBaseline: 'medium',
    });
    expect(ps!.groupsUsing).toContain('G0016');
    expect(ps!.stixId).toMatch(/^attack-pattern--/);
    expect(await db.prisma.taxonomyId.findUnique({ where: { techniqueId: 'T1067' } })).toMatchObject({
      revoked: true,
      revokedBy: 'T1542.003',
    });
    expect(await db.prisma.mitreTechnique.findUnique({ where: { techniqueId: 'T1067' } })).toBeNull();
    expect(await db.prisma.taxonomyId.findUnique({ where: { techniqueId: 'AML.T0050' } })).toMatchObject({
      framework: 'atlas',
      relatedAttackIds: ['T1059'],
      tactics: ['execution'],
    });
    const apt29 = await db.prisma.mitreGroup.findUnique({ where: { groupId: 'G0016' } });
    expect(apt29).toMatchObject({ docId: 'attack:G0016', groupName: 'APT29' });
    expect(apt29!.techniquesUsed).toEqual(expect.arrayContaining(['T1621', 'T1528']));
    const meta = Object.fromEntries((await db.prisma.taxonomyMetadata.findMany()).map((m) => [m.key, m.value]));
    expect(meta).toMatchObject({ attack_version: '18.1', atlas_version: '5.6.0' });
    expect(new Date(meta.last_sync).getTime()).toBeGreaterThan(t0 - 1000);

    // re-import: nothing inserted, updated or deleted; no row changes
    const before = await checksum(db);
    const again = await importTaxonomyFile(db.prisma, ATTACK);
    const againAtlas = await importTaxonomyFile(db.prisma, ATLAS);
    expect(again.tables.mitreTechniques).toEqual({ inserted: 0, updated: 0, unchanged: 703, deleted: 0 });
    expect(again.tables.mitreGroups).toEqual({ inserted: 0, updated: 0, unchanged: 172, deleted: 0 });
    expect(again.tables.taxonomyIds).toEqual({ inserted: 0, updated: 0, unchanged: 835, deleted: 0 });
    expect(again.tables.taxonomyMetadata).toEqual({ inserted: 0, updated: 0, unchanged: 1, deleted: 0 });
    expect(againAtlas.tables.mitreTechniques).toEqual({ inserted: 0, updated: 0, unchanged: 170, deleted: 0 });
    expect(againAtlas.tables.taxonomyIds).toEqual({ inserted: 0, updated: 0, unchanged: 170, deleted: 0 });
    expect(await checksum(db)).toEqual(before);
  });

  it('updates changed rows, keeps curated columns, and drops techniques revoked by a newer release', async () => {
    // an analyst curated a column the importer does not own, and a row drifted from MITRE's data
    await db.prisma.mitreTechnique.update({
      where: { techniqueId: 'T1486' },
      data: { severityBaseline: 'critical', logTables: ['DeviceFileEvents'], techniqueName: 'stale name' },
    });
    const bundle = {
      type: 'bundle',
      id: 'bundle--test',
      objects: [
        { type: 'x-mitre-collection', id: 'x-mitre-collection--t', x_mitre_version: '18.1' },
        {
          type: 'attack-pattern',
          id: 'attack-pattern--revoked-now',
          name: 'Data Encrypted for Impact',
          revoked: true,
          modified: '2030-01-01T00:00:00.000Z',
          external_references: [{ source_name: 'mitre-attack', external_id: 'T1486' }],
        },
      ],
    };
    // A partial bundle is a legitimate (if unusual) input: rows it does not mention are left alone.
    const r = await importTaxonomy(db.prisma, JSON.stringify(bundle), 'partial.json');
    expect(r.tables.mitreTechniques.deleted).toBe(1);
    expect(r.tables.taxonomyIds.updated).toBe(1);
    expect(await db.prisma.mitreTechnique.findUnique({ where: { techniqueId: 'T1486' } })).toBeNull();
    expect(await db.prisma.taxonomyId.findUnique({ where: { techniqueId: 'T1486' } })).toMatchObject({ revoked: true });

    // the full bundle brings it back, with MITRE's name; a curated column on another row survives
    await db.prisma.mitreTechnique.update({ where: { techniqueId: 'T1490' }, data: { severityBaseline: 'high', techniqueName: 'x' } });
    const full = await importTaxonomyFile(db.prisma, ATTACK);
    expect(full.tables.mitreTechniques).toMatchObject({ inserted: 1, updated: 1, unchanged: 701 });
    expect(full.tables.taxonomyIds).toMatchObject({ updated: 1, unchanged: 834 });
    expect(await db.prisma.mitreTechnique.findUnique({ where: { techniqueId: 'T1490' } })).toMatchObject({
      techniqueName: 'Inhibit System Recovery',
      severityBaseline: 'high',
    });
  });

  it('rejects unknown content without writing anything', async () => {
    const before = await checksum(db);
    await expect(importTaxonomy(db.prisma, '{"type":"identity"}', 'x.json')).rejects.toThrow(/unrecognised JSON/);
    await expect(importTaxonomy(db.prisma, 'hello: world', 'x.yaml')).rejects.toThrow(/ATLAS/);
    await expect(importTaxonomy(db.prisma, '', 'x.yaml')).rejects.toThrow(/empty/);
    expect(await checksum(db)).toEqual(before);
  });

  it('CLI prints a summary, no progress bar when not a terminal, and fails on a missing file', async () => {
    let text = '';
    const out = { isTTY: false, write: (s: string) => ((text += s), true) };
    expect(await runTaxonomyImportCli(db.prisma, ['--', ATLAS], out)).toBe(0);
    expect(text).toMatch(/MITRE ATLAS 5\.6\.0 - 170 techniques \(69 sub-techniques/);
    expect(text).toMatch(/taxonomy_ids: +inserted 0, updated 0, unchanged 170/);
    expect(text).not.toContain('\r');

    let tty = '';
    const ttyOut = { isTTY: true, columns: 100, write: (s: string) => ((tty += s), true) };
    expect(await runTaxonomyImportCli(db.prisma, [ATLAS], ttyOut)).toBe(0);
    expect(tty).toContain('\r');
    expect(tty).toMatch(/100%/);

    text = '';
    expect(await runTaxonomyImportCli(db.prisma, ['/nonexistent/attack.json'], out)).toBe(1);
    expect(text).toMatch(/file not found/);
    expect(await runTaxonomyImportCli(db.prisma, [], out)).toBe(2);
  });

  it('derives a version from the file name only as a fallback', () => {
    expect(versionFromFilename('/x/enterprise-attack-v18.1.json')).toBe('18.1');
    expect(versionFromFilename('enterprise-attack-17.0.json')).toBe('17.0');
    expect(versionFromFilename('ATLAS-v5.6.1.yaml')).toBe('5.6.1');
    expect(versionFromFilename('enterprise-attack.json')).toBeNull();
  });
});
