import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

const FIELDS = `id entityType entityName criticality role networkSegment owner businessUnit maintenanceWindow normalServices normalAdminUsers alertSuppressionRules tags lastUpdated`;
const UPSERT = `mutation($input: UpsertOrgContextInput!) { upsertOrgContext(input: $input) { ${FIELDS} } }`;
const LIST = `query($filter: OrgContextFilter, $first: Int, $after: String) { orgContexts(filter: $filter, first: $first, after: $after) {
  totalCount edges { node { id entityName criticality } } pageInfo { hasNextPage endCursor } } }`;

interface Org {
  id: string;
  entityType: string;
  entityName: string;
  criticality: string;
  role: string | null;
  owner: string | null;
  normalServices: string[];
  alertSuppressionRules: unknown;
  tags: string[];
}
type ListData = { orgContexts: { totalCount: number; edges: { node: { id: string; entityName: string; criticality: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };

const paths = (r: GqlResponse) => ((r.body.errors?.[0]?.extensions?.fieldErrors as { path: string }[] | undefined) ?? []).map((f) => f.path);

describe('org context', () => {
  let t: TestApp;
  let analyst: string;
  let viewer: string;
  let ingest: string;
  let otherAnalyst: string;
  const upsert = (key: string, input: Record<string, unknown>) => gql<{ upsertOrgContext: Org }>(t.url, key, UPSERT, { input });

  beforeAll(async () => {
    t = await startTestApp();
    const tenant = await createTenant(t.db);
    const other = await createTenant(t.db);
    analyst = await createKey(t.app, tenant, ['analyst']);
    viewer = await createKey(t.app, tenant, ['viewer']);
    ingest = await createKey(t.app, tenant, ['ingest']);
    otherAnalyst = await createKey(t.app, other, ['analyst']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates, then updates by natural key (case-insensitive) and by id, keeping omitted fields', async () => {
    const created = await upsert(analyst, {
      entityType: 'Host',
      entityName: 'DC01.corp.example',
      criticality: 'CRITICAL',
      role: 'domain-controller',
      owner: 'infra',
      normalServices: ['ldap', 'kerberos', 'ldap'],
      alertSuppressionRules: { suppress: [{ rule: 'noisy-scan' }] },
      tags: ['crown-jewel'],
    });
    expect(created.body.errors).toBeUndefined();
    const c = created.body.data!.upsertOrgContext;
    expect(c).toMatchObject({ entityType: 'host', entityName: 'DC01.corp.example', criticality: 'CRITICAL', normalServices: ['ldap', 'kerberos'] });
    expect(c.alertSuppressionRules).toEqual({ suppress: [{ rule: 'noisy-scan' }] });

    const byKey = await upsert(analyst, { entityType: 'host', entityName: 'dc01.CORP.example', owner: 'secops' });
    const k = byKey.body.data!.upsertOrgContext;
    expect(k.id).toBe(c.id);
    expect(k).toMatchObject({ owner: 'secops', role: 'domain-controller', criticality: 'CRITICAL', tags: ['crown-jewel'] });

    const byId = await upsert(analyst, { id: c.id, entityType: 'host', entityName: 'dc01', role: null, alertSuppressionRules: null });
    expect(byId.body.data!.upsertOrgContext).toMatchObject({ id: c.id, entityName: 'dc01', role: null, alertSuppressionRules: null, owner: 'secops' });

    const one = await gql<{ orgContext: { id: string; entityName: string } }>(t.url, viewer, 'query($id: ID!) { orgContext(id: $id) { id entityName } }', { id: c.id });
    expect(one.body.data!.orgContext).toEqual({ id: c.id, entityName: 'dc01' });
    const missing = await upsert(analyst, { id: 'org-nope', entityType: 'host', entityName: 'x' });
    expect(codes(missing)).toEqual(['NOT_FOUND']);
  });

  it('validates entity type, name, criticality vocabulary and suppression rules with field paths', async () => {
    const r = await upsert(analyst, { entityType: '9 bad', entityName: '  ', alertSuppressionRules: 'drop everything', tags: [''] });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(paths(r)).toEqual(['input.entityType', 'input.entityName', 'input.alertSuppressionRules', 'input.tags[0]']);
    const crit = await gql(t.url, analyst, UPSERT, { input: { entityType: 'host', entityName: 'x', criticality: 'EXTREME' } });
    expect(codes(crit)).toEqual(['BAD_USER_INPUT']);
  });

  it('filters by entity type, criticality, name text and tag, ordered by name with cursors', async () => {
    for (const [entityType, entityName, criticality, tags] of [
      ['user', 'alice@corp.example', 'HIGH', ['vip']],
      ['user', 'bob@corp.example', 'LOW', []],
      ['service', 'payroll-api', 'HIGH', ['vip', 'pci']],
    ] as const) {
      expect((await upsert(analyst, { entityType, entityName, criticality, tags })).body.errors).toBeUndefined();
    }
    const names = async (filter: Record<string, unknown>) =>
      (await gql<ListData>(t.url, viewer, LIST, { filter })).body.data!.orgContexts.edges.map((e) => e.node.entityName);
    expect(await names({ entityType: 'USER' })).toEqual(['alice@corp.example', 'bob@corp.example']);
    expect(await names({ criticalities: ['HIGH'] })).toEqual(['alice@corp.example', 'payroll-api']);
    expect(await names({ search: 'PAYROLL' })).toEqual(['payroll-api']);
    expect(await names({ tag: 'pci' })).toEqual(['payroll-api']);
    const p1 = (await gql<ListData>(t.url, viewer, LIST, { first: 2 })).body.data!.orgContexts;
    expect(p1.totalCount).toBe(4);
    const p2 = (await gql<ListData>(t.url, viewer, LIST, { first: 2, after: p1.pageInfo.endCursor })).body.data!.orgContexts;
    expect([...p1.edges, ...p2.edges].map((e) => e.node.entityName)).toEqual(['alice@corp.example', 'bob@corp.example', 'dc01', 'payroll-api']);
    expect(p2.pageInfo.hasNextPage).toBe(false);
  });

  it('deletes a record; roles: viewers read only, ingest keys nothing', async () => {
    const r = await upsert(analyst, { entityType: 'network', entityName: '10.0.0.0/8' });
    const id = r.body.data!.upsertOrgContext.id;
    expect(codes(await upsert(viewer, { entityType: 'host', entityName: 'y' }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, viewer, 'mutation($id: ID!) { deleteOrgContext(id: $id) { id } }', { id }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, ingest, LIST, {}))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, ingest, 'query($id: ID!) { orgContext(id: $id) { id } }', { id }))).toEqual(['FORBIDDEN']);
    const del = await gql<{ deleteOrgContext: { id: string } }>(t.url, analyst, 'mutation($id: ID!) { deleteOrgContext(id: $id) { id } }', { id });
    expect(del.body.data!.deleteOrgContext.id).toBe(id);
    expect(codes(await gql(t.url, viewer, 'query($id: ID!) { orgContext(id: $id) { id } }', { id }))).toEqual(['NOT_FOUND']);
  });

  it('cannot see or change another tenant’s org context', async () => {
    const mine = (await upsert(analyst, { entityType: 'host', entityName: 'secret-host', owner: 'me' })).body.data!.upsertOrgContext;
    expect(codes(await gql(t.url, otherAnalyst, 'query($id: ID!) { orgContext(id: $id) { id } }', { id: mine.id }))).toEqual(['NOT_FOUND']);
    const theirList = await gql<ListData>(t.url, otherAnalyst, LIST, { filter: { search: 'secret-host' } });
    expect(theirList.body.data!.orgContexts.totalCount).toBe(0);
    expect(codes(await upsert(otherAnalyst, { id: mine.id, entityType: 'host', entityName: 'hijack' }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, otherAnalyst, 'mutation($id: ID!) { deleteOrgContext(id: $id) { id } }', { id: mine.id }))).toEqual(['NOT_FOUND']);
    // Their upsert by the same natural key creates their own record, not an update of ours.
    const theirs = (await upsert(otherAnalyst, { entityType: 'host', entityName: 'secret-host', owner: 'them' })).body.data!.upsertOrgContext;
    expect(theirs.id).not.toBe(mine.id);
    const again = await gql<{ orgContext: { owner: string } }>(t.url, viewer, 'query($id: ID!) { orgContext(id: $id) { owner } }', { id: mine.id });
    expect(again.body.data!.orgContext.owner).toBe('me');
  });

  it('settles concurrent upserts of one entity into one record, and refuses renaming onto another record', async () => {
    const names = ['Race-Host.corp', 'race-host.CORP', 'RACE-HOST.corp', 'race-host.corp'];
    const results = await Promise.all(names.map((entityName, i) => upsert(analyst, { entityType: 'host', entityName, tags: [`t${i}`] })));
    for (const r of results) expect(r.body.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.body.data!.upsertOrgContext.id));
    expect(ids.size).toBe(1);
    const found = await gql<ListData>(t.url, viewer, LIST, { filter: { search: 'race-host' } });
    expect(found.body.data!.orgContexts.totalCount).toBe(1);

    const other = (await upsert(analyst, { entityType: 'host', entityName: 'rename-me' })).body.data!.upsertOrgContext;
    const clash = await upsert(analyst, { id: other.id, entityType: 'host', entityName: 'RACE-HOST.CORP' });
    expect(codes(clash)).toEqual(['CONFLICT']);
    const kept = await gql<{ orgContext: { entityName: string } }>(t.url, viewer, 'query($id: ID!) { orgContext(id: $id) { entityName } }', { id: other.id });
    expect(kept.body.data!.orgContext.entityName).toBe('rename-me');
    // Another entity type with that name is a different record.
    const user = await upsert(analyst, { id: other.id, entityType: 'user', entityName: 'race-host.corp' });
    expect(user.body.errors).toBeUndefined();
  });
});
