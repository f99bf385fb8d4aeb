import type { TestApp } from '../helpers/app';
import { createKey, createTenant, gql } from '../helpers/app';
import { type SqlCounter, startCountingTestApp } from '../helpers/sql-counter';
import { makeExposure, makeRemediation, makeValidation } from '../ctem/ctem-factories';
import { makeApproval, makeCase } from './factories';

const INVESTIGATIONS = `query($first: Int) { investigations(first: $first) { edges { node {
  id state classification decisionChain
  alert { id title techniques investigation { id } }
  approvals { id status investigation { id state } }
} } } }`;

const EXPOSURES = `query($first: Int) { ctemExposures(first: $first) { edges { node {
  id ctemScore slaStatus
  validations { id campaignId exposure { id } }
  remediations { id status exposure { id } }
} } } }`;

/**
 * Nested list queries (50 items, 3 levels) run a constant number of SQL statements whatever the page
 * size: one per list plus one per relation level, thanks to the per-operation DataLoaders.
 */
describe('SQL statements per nested list query', () => {
  let t: TestApp & { sql: SqlCounter };
  let viewer: string;

  beforeAll(async () => {
    t = await startCountingTestApp();
    const tenant = await createTenant(t.db);
    viewer = await createKey(t.app, tenant, ['viewer']);
    const p = t.db.prisma;
    for (let i = 0; i < 50; i++) {
      const c = await makeCase(p, tenant, { title: `Alert ${i}` }, { state: 'awaiting_human' });
      await makeApproval(p, tenant, c.investigation.investigationId, {});
      await makeApproval(p, tenant, c.investigation.investigationId, { riskTier: 3 });
      const e = await makeExposure(p, tenant, { ctemScore: (i % 10) + 0.5 });
      await makeValidation(p, tenant, e.exposureKey);
      await makeRemediation(p, tenant, e.exposureKey);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  async function statementsFor(query: string, first: number, listField: string): Promise<number> {
    // warm-up: authentication (key lookup, last-used touch) is cached after the first request
    await gql(t.url, viewer, '{ __typename }');
    await new Promise((r) => setTimeout(r, 50));
    t.sql.reset();
    const r = await gql<Record<string, { edges: unknown[] }>>(t.url, viewer, query, { first });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data![listField].edges).toHaveLength(first);
    if (process.env.SHOW_SQL) console.log(first, t.sql.statements);
    return t.sql.count;
  }

  it('investigations × alert × approvals (× investigation) stays within 5 statements at page size 10 and 50', async () => {
    const at10 = await statementsFor(INVESTIGATIONS, 10, 'investigations');
    const at50 = await statementsFor(INVESTIGATIONS, 50, 'investigations');
    // list + alert + approvals + approval.investigation (+ alert.investigation)
    expect(at10).toBeGreaterThanOrEqual(4);
    expect(at50).toBeLessThanOrEqual(5);
    expect(at50).toBe(at10);
  });

  it('exposures × validations × remediations (× exposure) stays within 5 statements at page size 10 and 50', async () => {
    const at10 = await statementsFor(EXPOSURES, 10, 'ctemExposures');
    const at50 = await statementsFor(EXPOSURES, 50, 'ctemExposures');
    // list + validations + remediations + exposure (shared by both relations' exposure field)
    expect(at10).toBeGreaterThanOrEqual(4);
    expect(at50).toBeLessThanOrEqual(5);
    expect(at50).toBe(at10);
  });
});
