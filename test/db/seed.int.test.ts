import path from 'node:path';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { DESTRUCTIVE_ACTIONS, SeedValidationError, loadSeedData, seedDatabase, tenantScopedId } from '../../src/db/seed';
import { importTaxonomyFile } from '../../src/taxonomy/import';

const DATA = path.resolve(__dirname, '../../../shared/data/mitre');

/** The destructive actions of spec §4.8 and the "needs human approval" column of §4.4, by name. */
const MUST_REQUIRE_APPROVAL = [
  'disable_account',
  'isolate_endpoint',
  'block_ioc',
  'block_ip',
  'revoke_sessions',
  'force_mfa_reregistration',
  'freeze_delta_tables',
  'halt_prescriptive_outputs',
  'isolate_node_opcua',
  'switch_to_manual_control',
  'disable_nl_interface',
  'revoke_api_credentials',
  'isolate_node',
];

describe('seedDatabase', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('is idempotent: the second run inserts nothing and the counts stay the same', async () => {
    const first = await seedDatabase(db.prisma);
    expect(first.taxonomyIds.inserted).toBeGreaterThanOrEqual(61 + 13);
    expect(first.taxonomyMetadata.inserted).toBe(3);
    expect(first.playbooks.inserted).toBeGreaterThanOrEqual(14);
    expect(first.fpPatterns.inserted).toBeGreaterThanOrEqual(4);
    const counts = async () => ({
      taxonomy: await db.prisma.taxonomyId.count(),
      playbooks: await db.prisma.playbook.count(),
      steps: await db.prisma.playbookStep.count(),
      fp: await db.prisma.fpPattern.count(),
      meta: await db.prisma.taxonomyMetadata.count(),
    });
    const after1 = await counts();
    expect(after1.steps).toBe(first.playbookSteps.inserted);

    const second = await seedDatabase(db.prisma);
    expect(second.taxonomyIds.inserted).toBe(0);
    expect(second.taxonomyMetadata.inserted).toBe(0);
    expect(second.playbooks).toEqual({ inserted: 0, updated: 0, unchanged: first.playbooks.inserted });
    expect(second.playbookSteps).toEqual({ inserted: 0, deleted: 0 });
    expect(second.fpPatterns.inserted).toBe(0);
    expect(await counts()).toEqual(after1);
  });

  it('seeds the spec §2.5 ids, the ids the detection rules emit, and the spec versions', async () => {
    const ids = new Set((await db.prisma.taxonomyId.findMany({ select: { techniqueId: true } })).map((r) => r.techniqueId));
    for (const id of [
      'T1059.001', 'T1087.002', 'AML.T0000', 'AML.T0054',
      'T1565.001', 'T1565.002', 'T1530', 'T1499', 'T1195', 'T1195.002', 'T1567', 'T1199',
      'AML.T0044.001', 'AML.T0035.002', 'AML.T0018.000', 'AML.T0048.003', 'AML.T0014',
    ]) {
      expect(ids).toContain(id);
    }
    expect(await db.prisma.taxonomyId.findUnique({ where: { techniqueId: 'AML.T0044.001' } })).toMatchObject({
      framework: 'atlas',
      isSubtechnique: true,
      parentId: 'AML.T0044',
    });
    const meta = Object.fromEntries((await db.prisma.taxonomyMetadata.findMany()).map((m) => [m.key, m.value]));
    expect(meta).toMatchObject({ attack_version: '16.1', atlas_version: '4.5.2' });
    expect(meta.last_sync).toBeTruthy();
  });

  it('marks every destructive playbook step as requiring approval', async () => {
    const steps = await db.prisma.playbookStep.findMany({ where: { tenantId: 'default' } });
    const destructive = steps.filter((s) => MUST_REQUIRE_APPROVAL.includes(s.action) || DESTRUCTIVE_ACTIONS.includes(s.action));
    expect(destructive.length).toBeGreaterThan(20);
    for (const s of destructive) {
      expect({ playbook: s.playbookId, action: s.action, requiresApproval: s.requiresApproval }).toEqual({
        playbook: s.playbookId,
        action: s.action,
        requiresApproval: true,
      });
      expect(s.approvalReason).toBeTruthy();
    }
    for (const a of MUST_REQUIRE_APPROVAL) expect(DESTRUCTIVE_ACTIONS).toContain(a);
    // every action named in the spec as destructive is exercised by at least one default playbook
    const actions = new Set(steps.map((s) => s.action));
    for (const a of ['disable_account', 'isolate_endpoint', 'block_ioc', 'revoke_sessions', 'force_mfa_reregistration']) {
      expect(actions).toContain(a);
    }
  });

  it('covers the required playbooks, all approved and owned by the default tenant', async () => {
    const pbs = await db.prisma.playbook.findMany({ include: { steps: true } });
    const docIds = pbs.map((p) => p.docId);
    for (const id of [
      'pb-ransomware', 'pb-phishing', 'pb-credential-dumping', 'pb-valid-account-compromise', 'pb-brute-force',
      'pb-malware-endpoint', 'pb-data-exfiltration', 'pb-cloud-iam-compromise',
      'pb-atlas-tm01-training-data-poisoning', 'pb-atlas-tm03-physics-constraint-manipulation',
      'pb-atlas-tm06-sensor-spoofing', 'pb-atlas-tm10-prompt-injection', 'pb-atlas-tm12-model-extraction',
      'pb-atlas-tm14-oracle-dos',
    ]) {
      expect(docIds).toContain(id);
    }
    for (const p of pbs) {
      expect(p).toMatchObject({ tenantId: 'default', source: 'aluskort-default', reviewStatus: 'approved', approvedBy: 'aluskort' });
      expect(p.steps.length).toBeGreaterThan(2);
      expect(p.steps.map((s) => s.stepNumber).sort((a, b) => a - b)).toEqual(p.steps.map((_, i) => i + 1));
    }
  });

  it('references only techniques that exist in taxonomy_ids', async () => {
    const referenced = new Set((await db.prisma.playbook.findMany()).flatMap((p) => p.mitreTechniques));
    const known = await db.prisma.taxonomyId.findMany({ where: { techniqueId: { in: [...referenced] } } });
    expect(known.map((k) => k.techniqueId).sort()).toEqual([...referenced].sort());
    expect(known.every((k) => !k.deprecated && !k.revoked)).toBe(true);
  });

  it('ships FP patterns inactive, shaped as §4.3 expects', async () => {
    const fps = await db.prisma.fpPattern.findMany();
    expect(fps.length).toBeGreaterThanOrEqual(4);
    for (const f of fps) {
      expect(['shadow', 'pending_review']).toContain(f.status);
      expect(f.approvedBy1).toBe('');
      expect(f.approvedBy2).toBe('');
      expect(f.approvalDate).toBeNull();
      const c = f.conditions as { alert_name_regex: string; entity_patterns: Array<Record<string, string>> };
      expect(() => new RegExp(c.alert_name_regex, 'i')).not.toThrow();
      for (const e of c.entity_patterns) {
        expect(typeof e.entity_type).toBe('string');
        expect(Boolean(e.value_regex) !== Boolean(e.value_cidr)).toBe(true);
      }
    }
  });

  it('seeds another tenant with prefixed ids, and refuses an unknown tenant', async () => {
    await db.prisma.tenant.create({ data: { tenantId: 'acme', name: 'Acme' } });
    const r = await seedDatabase(db.prisma, { tenantId: 'acme' });
    expect(r.taxonomyIds.inserted).toBe(0); // global rows already there
    expect(r.playbooks.inserted).toBeGreaterThanOrEqual(14);
    const pb = await db.prisma.playbook.findUnique({ where: { docId: tenantScopedId('acme', 'pb-ransomware') }, include: { steps: true } });
    expect(pb).toMatchObject({ docId: 'acme:pb-ransomware', tenantId: 'acme' });
    expect(pb!.steps.every((s) => s.tenantId === 'acme')).toBe(true);
    await expect(seedDatabase(db.prisma, { tenantId: 'nobody' })).rejects.toThrow(SeedValidationError);
  });

  it('upgrades an ALUSKORT-owned playbook only when the seed version is newer, and never tenant edits', async () => {
    const data = await loadSeedData();
    await db.prisma.playbook.update({ where: { docId: 'pb-phishing' }, data: { source: 'manual', title: 'our own phishing runbook' } });
    const bumped = {
      ...data,
      playbooks: data.playbooks.map((p) => ({ ...p, version: '1.1', title: `${p.title} (v1.1)` })),
    };
    const r = await seedDatabase(db.prisma, { data: bumped });
    expect(r.playbooks.updated).toBe(data.playbooks.length - 1);
    expect(r.playbooks.unchanged).toBe(1);
    expect(await db.prisma.playbook.findUnique({ where: { docId: 'pb-phishing' } })).toMatchObject({ title: 'our own phishing runbook' });
    expect(await db.prisma.playbook.findUnique({ where: { docId: 'pb-ransomware' } })).toMatchObject({ version: '1.1' });
  });

  it('never downgrades rows written by a full MITRE import', async () => {
    const other = await createTestDatabase();
    try {
      await importTaxonomyFile(other.prisma, path.join(DATA, 'ATLAS-v5.6.1.yaml'));
      await importTaxonomyFile(other.prisma, path.join(DATA, 'enterprise-attack-v18.1.json'));
      const before = await other.pool.query(`SELECT md5(string_agg(t::text, '|' ORDER BY technique_id)) AS h FROM taxonomy_ids t`);
      const r = await seedDatabase(other.prisma);
      // only the ALUSKORT-local ids (not in ATLAS 5.6.1) are new
      expect(r.taxonomyIds.inserted).toBe(2);
      expect(r.taxonomyMetadata.inserted).toBe(0);
      const after = await other.pool.query(
        `SELECT md5(string_agg(t::text, '|' ORDER BY technique_id)) AS h FROM taxonomy_ids t WHERE technique_id NOT IN ('AML.T0044.001', 'AML.T0035.002')`,
      );
      expect(after.rows[0].h).toBe(before.rows[0].h);
      const meta = Object.fromEntries((await other.prisma.taxonomyMetadata.findMany()).map((m) => [m.key, m.value]));
      expect(meta).toMatchObject({ attack_version: '18.1', atlas_version: '5.6.0' });
      expect(await other.prisma.taxonomyId.findUnique({ where: { techniqueId: 'AML.T0000' } })).toMatchObject({
        name: 'Search Open Technical Databases',
      });
    } finally {
      await other.drop();
    }
  });

  it('refuses seed data that would ship a destructive step without approval', async () => {
    const data = await loadSeedData();
    const bad = structuredClone(data);
    const step = bad.playbooks[0].steps.find((s) => s.action === 'isolate_endpoint')!;
    step.requiresApproval = false;
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aluskort-seed-'));
    try {
      await fs.writeFile(path.join(dir, 'taxonomy-seed.json'), JSON.stringify(data.taxonomy));
      await fs.writeFile(path.join(dir, 'playbooks.json'), JSON.stringify({ playbooks: bad.playbooks }));
      await fs.writeFile(path.join(dir, 'fp-patterns.json'), JSON.stringify({ fpPatterns: data.fpPatterns }));
      await expect(loadSeedData(dir)).rejects.toThrow(/destructive action without requiresApproval/);
      await fs.writeFile(path.join(dir, 'playbooks.json'), JSON.stringify({ playbooks: data.playbooks }));
      await fs.writeFile(
        path.join(dir, 'fp-patterns.json'),
        JSON.stringify({ fpPatterns: [{ ...data.fpPatterns[0], status: 'active' }] }),
      );
      await expect(loadSeedData(dir)).rejects.toThrow(SeedValidationError);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
