import { systemScope } from '../../src/auth/scope';
import type { Database } from '../../src/db/database';
import { OrgContextService } from '../../src/modules/org-context/org-context.service';
import { IocImportService } from '../../src/modules/threat-intel/ioc-import.service';
import { createEmbeddedTestDatabase } from '../helpers/embedded';

// The IOC upsert (jsonb_to_recordset + ON CONFLICT + xmax) and the org-context advisory lock are raw SQL:
// prove they also run on the embedded PGlite database `npm start` uses without DATABASE_URL.
describe('intel raw SQL on embedded PGlite', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createEmbeddedTestDatabase();
    await db.prisma.tenant.create({ data: { tenantId: 'emb', name: 'Embedded', tier: 'standard' } });
  }, 120_000);
  afterAll(async () => {
    await db.close();
  });

  it('upserts indicators and merges on conflict', async () => {
    const svc = new IocImportService(db.prisma);
    const scope = systemScope('emb', 'test');
    const first = await svc.upsert(scope, { iocs: [{ type: 'domain', value: 'A.example', tags: ['x'] }] });
    expect([first.inserted, first.updated]).toEqual([1, 0]);
    const second = await svc.upsert(scope, { iocs: [{ type: 'domain', value: 'a.example', tags: ['y'], confidence: 90 }] });
    expect([second.inserted, second.updated]).toEqual([0, 1]);
    expect(second.iocs[0]).toMatchObject({ indicatorValue: 'a.example', tags: ['x', 'y'], confidence: 90 });
  });

  it('upserts org context under the advisory lock', async () => {
    const svc = new OrgContextService(db.prisma);
    const scope = systemScope('emb', 'test');
    const a = await svc.upsert(scope, { entityType: 'host', entityName: 'web01' });
    const b = await svc.upsert(scope, { entityType: 'host', entityName: 'WEB01', owner: 'ops' });
    expect(b.docId).toBe(a.docId);
    expect(b.owner).toBe('ops');
  });
});
