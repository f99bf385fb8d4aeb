import { type TestApp, startTestApp } from '../helpers/app';
import { type TwoTenants, codes, fieldPaths, gql, ok, twoTenants } from './platform.helpers';

describe('tenancy: your own tenant and identity', () => {
  let t: TestApp;
  let s: TwoTenants;
  beforeAll(async () => {
    t = await startTestApp();
    s = await twoTenants(t);
    await t.db.prisma.tenant.update({ where: { tenantId: s.a }, data: { tier: 'premium', legalHold: true } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('returns the caller’s tenant', async () => {
    const r = await ok(t, s.keys.aViewer, '{ tenant { tenantId name tier legalHold createdAt updatedAt } }');
    expect(r.tenant).toMatchObject({ tenantId: s.a, name: `Tenant ${s.a}`, tier: 'PREMIUM', legalHold: true });
    const b = await ok(t, s.keys.bViewer, '{ tenant { tenantId tier legalHold } }');
    expect(b.tenant).toEqual({ tenantId: s.b, tier: 'STANDARD', legalHold: false });
  });

  it('tells integrators who they are, ingest keys included', async () => {
    const r = await ok(t, s.keys.aIngest, '{ me { tenantId actor roles keyId } }');
    const key = await t.db.prisma.apiKey.findFirstOrThrow({ where: { tenantId: s.a, roles: { equals: ['ingest'] } } });
    expect(r.me).toEqual({ tenantId: s.a, actor: `api_key:${key.keyId}`, roles: ['INGEST'], keyId: key.keyId });
    const admin = await ok(t, s.keys.aAdmin, '{ me { roles } }');
    expect(admin.me.roles).toEqual(['ADMIN']);
    expect(codes(await gql(t.url, null, '{ me { tenantId } }'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(t.url, s.keys.aIngest, '{ tenant { tenantId } }'))).toEqual(['FORBIDDEN']);
  });

  it('lets admins rename their tenant, validates the name and denies other roles', async () => {
    const r = await ok(t, s.keys.aAdmin, 'mutation { updateTenant(input: {name: "  Acme SOC  "}) { tenantId name } }');
    expect(r.updateTenant).toEqual({ tenantId: s.a, name: 'Acme SOC' });
    const bad = await gql(t.url, s.keys.aAdmin, 'mutation { updateTenant(input: {name: "   "}) { name } }');
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(bad)).toEqual(['input.name']);
    const long = await gql(t.url, s.keys.aAdmin, 'mutation($n: String!) { updateTenant(input: {name: $n}) { name } }', { n: 'x'.repeat(201) });
    expect(fieldPaths(long)).toEqual(['input.name']);
    for (const key of [s.keys.aViewer, s.keys.aAnalyst, s.keys.aApprover, s.keys.aIngest]) {
      expect(codes(await gql(t.url, key, 'mutation { updateTenant(input: {name: "x"}) { name } }'))).toEqual(['FORBIDDEN']);
    }
  });

  it('never reaches another tenant: B renaming changes only B', async () => {
    await ok(t, s.keys.bAdmin, 'mutation { updateTenant(input: {name: "Tenant B renamed"}) { name } }');
    const a = await ok(t, s.keys.aViewer, '{ tenant { tenantId name } }');
    expect(a.tenant).toEqual({ tenantId: s.a, name: 'Acme SOC' });
    // The schema offers no argument to name a tenant at all.
    const arg = await gql(t.url, s.keys.bAdmin, `{ tenant(id: "${s.a}") { name } }`);
    expect(codes(arg)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});
