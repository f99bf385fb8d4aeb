import { type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

describe('GraphQL server: health, auth, errors', () => {
  let t: TestApp;
  let tenant: string;
  let adminKey: string;
  let viewerKey: string;
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t.db);
    adminKey = await createKey(t.app, tenant, ['admin']);
    viewerKey = await createKey(t.app, tenant, ['viewer']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves liveness, readiness and Prometheus metrics', async () => {
    const base = t.url.replace('/graphql', '');
    const health = (await fetch(`${base}/healthz`).then((r) => r.json())) as { database: { migrations: number } };
    expect(health).toMatchObject({ status: 'ok', database: { kind: 'postgres' } });
    expect(health.database.migrations).toBeGreaterThan(0);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    await gql(t.url, adminKey, '{ taxonomyVersion { attackVersion } }', undefined, {});
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    expect(metrics).toContain('aluskort_graphql_operations_total');
    expect(metrics).toContain('aluskort_db_pool_connections{state="total"}');
    expect(metrics).toContain('aluskort_ws_connections');
  });

  it('rejects a missing key with UNAUTHENTICATED and a bad key with 401', async () => {
    const anon = await gql(t.url, null, '{ mitreTechniques(first: 1) { totalCount } }');
    expect(codes(anon)).toEqual(['UNAUTHENTICATED']);
    const bad = await gql(t.url, 'alsk_definitely-not-a-real-key-000000', '{ mitreTechniques(first: 1) { totalCount } }');
    expect(bad.status).toBe(401);
    expect(codes(bad)).toEqual(['UNAUTHENTICATED']);
  });

  it('enforces roles with FORBIDDEN and lets admins manage keys', async () => {
    const denied = await gql(t.url, viewerKey, 'mutation { createApiKey(input: {name: "x", roles: [VIEWER]}) { secret } }');
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    const created = await gql<{ createApiKey: { secret: string; key: { keyId: string; roles: string[] } } }>(
      t.url,
      adminKey,
      'mutation { createApiKey(input: {name: "ci", roles: [ANALYST]}) { secret key { keyId roles keyPrefix } } }',
    );
    expect(created.body.errors).toBeUndefined();
    const { secret, key } = created.body.data!.createApiKey;
    expect(key.roles).toEqual(['ANALYST']);
    const stored = await t.db.prisma.apiKey.findUnique({ where: { keyId: key.keyId } });
    expect(stored?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.keyHash).not.toContain(secret);
    const ok = await gql(t.url, secret, '{ taxonomyVersion { attackVersion } }');
    expect(ok.body.errors).toBeUndefined();
    const revoked = await gql(t.url, adminKey, 'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: key.keyId });
    expect(revoked.body.errors).toBeUndefined();
    const after = await gql(t.url, secret, '{ taxonomyVersion { attackVersion } }');
    expect(after.status).toBe(401);
  });

  it('reports bad input with BAD_USER_INPUT and field paths', async () => {
    const r = await gql(t.url, adminKey, 'mutation { createApiKey(input: {name: "", roles: []}) { secret } }');
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    const paths = (r.body.errors![0].extensions!.fieldErrors as { path: string }[]).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['input.name', 'input.roles']));
  });

  it('returns NOT_FOUND for unknown ids and for another tenant’s key', async () => {
    const other = await createTenant(t.db);
    const otherAdmin = await createKey(t.app, other, ['admin']);
    type Keys = { apiKeys: { edges: { node: { keyId: string } }[] } };
    const list = await gql<Keys>(t.url, adminKey, '{ apiKeys { edges { node { keyId } } } }');
    const mine = list.body.data!.apiKeys.edges.map((e) => e.node.keyId);
    expect(mine.length).toBeGreaterThan(0);
    const theirs = await gql<Keys>(t.url, otherAdmin, '{ apiKeys { edges { node { keyId } } } }');
    expect(theirs.body.data!.apiKeys.edges.map((e) => e.node.keyId)).not.toEqual(expect.arrayContaining([mine[0]]));
    const steal = await gql(t.url, otherAdmin, 'mutation($id: ID!) { revokeApiKey(id: $id) { keyId } }', { id: mine[0] });
    expect(codes(steal)).toEqual(['NOT_FOUND']);
    const still = await t.db.prisma.apiKey.findUnique({ where: { keyId: mine[0] } });
    expect(still?.revokedAt).toBeNull();
  });

  it('pages through a connection with stable cursors in both directions', async () => {
    const q = `query($first: Int, $after: String, $last: Int, $before: String) {
      taxonomyEntries(first: $first, after: $after, last: $last, before: $before, filter: {framework: ATTACK}) {
        totalCount edges { cursor node { techniqueId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    await t.db.prisma.taxonomyId.createMany({
      data: ['T1001', 'T1002', 'T1003', 'T1004', 'T1005'].map((id) => ({ techniqueId: id, framework: 'attack', name: id })),
    });
    type Page = { taxonomyEntries: { totalCount: number; edges: { cursor: string; node: { techniqueId: string } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string; startCursor: string } } };
    const p1 = await gql<Page>(t.url, viewerKey, q, { first: 2 });
    expect(p1.body.data!.taxonomyEntries.edges.map((e) => e.node.techniqueId)).toEqual(['T1001', 'T1002']);
    expect(p1.body.data!.taxonomyEntries.totalCount).toBe(5);
    expect(p1.body.data!.taxonomyEntries.pageInfo.hasNextPage).toBe(true);
    const p2 = await gql<Page>(t.url, viewerKey, q, { first: 2, after: p1.body.data!.taxonomyEntries.pageInfo.endCursor });
    expect(p2.body.data!.taxonomyEntries.edges.map((e) => e.node.techniqueId)).toEqual(['T1003', 'T1004']);
    const back = await gql<Page>(t.url, viewerKey, q, { last: 2, before: p2.body.data!.taxonomyEntries.pageInfo.startCursor });
    expect(back.body.data!.taxonomyEntries.edges.map((e) => e.node.techniqueId)).toEqual(['T1001', 'T1002']);
    expect(back.body.data!.taxonomyEntries.pageInfo.hasPreviousPage).toBe(false);
    const tail = await gql<Page>(t.url, viewerKey, q, { last: 2 });
    expect(tail.body.data!.taxonomyEntries.edges.map((e) => e.node.techniqueId)).toEqual(['T1004', 'T1005']);
    const badCursor = await gql(t.url, viewerKey, q, { first: 2, after: 'not-a-cursor' });
    expect(codes(badCursor)).toEqual(['BAD_USER_INPUT']);
    const tooMany = await gql(t.url, viewerKey, q, { first: 501 });
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
  });

  it('masks unexpected errors as INTERNAL_SERVER_ERROR with a correlation id', async () => {
    // Simulates an unexpected failure inside a service (not a DomainError): its message must not leak.
    const spy = jest.spyOn(t.app.services.mitre, 'version').mockRejectedValueOnce(new Error('secret detail: db password'));
    const r = await gql(t.url, viewerKey, '{ taxonomyVersion { attackVersion } }');
    spy.mockRestore();
    expect(codes(r)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(r.body.errors![0].message).not.toContain('secret');
    expect(r.body.errors![0].extensions!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
