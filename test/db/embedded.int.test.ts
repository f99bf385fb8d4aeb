import type { Database } from '../../src/db/database';
import { readMigrations, runMigrations } from '../../src/db/migrate';
import { seedDatabase } from '../../src/db/seed';
import { createEmbeddedTestDatabase } from '../helpers/embedded';

// The embedded database is what `npm start` uses without DATABASE_URL: same migrations, same seeds.
describe('embedded PostgreSQL (PGlite)', () => {
  let db: Database;
  let other: Database;
  beforeAll(async () => {
    db = await createEmbeddedTestDatabase();
    other = await createEmbeddedTestDatabase();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await other?.close();
  });

  it('has every migration applied and a re-run is a no-op', async () => {
    expect(db.kind).toBe('embedded');
    const files = await readMigrations();
    const driver = await db.sqlDriver();
    const report = await runMigrations(driver);
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied).toBe(files.length);
  });

  it('seeds idempotently and answers Prisma queries', async () => {
    const first = await seedDatabase(db.prisma, { tenantId: 'default' });
    expect(first.playbooks.inserted).toBeGreaterThan(0);
    const second = await seedDatabase(db.prisma, { tenantId: 'default' });
    expect(second.playbooks.inserted).toBe(0);
    expect(second.taxonomyIds.inserted).toBe(0);

    const t1059 = await db.prisma.taxonomyId.findUnique({ where: { techniqueId: 'T1059.001' } });
    expect(t1059).toMatchObject({ framework: 'attack', isSubtechnique: true, parentId: 'T1059' });
    const playbook = await db.prisma.playbook.findFirst({
      where: { tenantId: 'default', mitreTechniques: { has: 'T1486' } },
      include: { steps: { orderBy: { stepNumber: 'asc' } } },
    });
    expect(playbook?.steps.length).toBeGreaterThan(0);
    expect(playbook?.steps.some((s) => s.requiresApproval)).toBe(true);
  });

  it('enforces the same constraints as server PostgreSQL', async () => {
    await expect(
      db.prisma.threatIntelIoc.create({
        data: { docId: 'ioc-bad', indicatorType: 'ipv4', indicatorValue: '203.0.113.9', confidence: 101 },
      }),
    ).rejects.toThrow(/threat_intel_iocs_confidence_check/);
    const driver = await db.sqlDriver();
    await expect(driver.exec(`TRUNCATE audit_records`)).rejects.toThrow(/append-only/);
  });

  it('clones are independent databases', async () => {
    await db.prisma.tenant.create({ data: { tenantId: 'only-in-first', name: 'x' } });
    expect(await other.prisma.tenant.findUnique({ where: { tenantId: 'only-in-first' } })).toBeNull();
  });
});
