import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

const FIELDS = 'id name adapterType mode config enabled createdAt updatedAt';
const CREATE = `mutation($input: CreateConnectorInput!) { createConnector(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateConnectorInput!) { updateConnector(id: $id, input: $input) { ${FIELDS} } }`;
const LIST = `query($filter: ConnectorFilter, $first: Int, $after: String) { connectors(filter: $filter, first: $first, after: $after) {
  totalCount edges { node { id name config } } pageInfo { hasNextPage endCursor } } }`;

interface Conn {
  id: string;
  name: string;
  adapterType: string;
  mode: string;
  config: Record<string, unknown>;
  enabled: boolean;
}
type ListData = { connectors: { totalCount: number; edges: { node: { id: string; name: string; config: Record<string, unknown> } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
const paths = (r: GqlResponse) => ((r.body.errors?.[0]?.extensions?.fieldErrors as { path: string }[] | undefined) ?? []).map((f) => f.path);

describe('connectors', () => {
  let t: TestApp;
  let tenant: string;
  let admin: string;
  let approver: string;
  let viewer: string;
  let ingest: string;
  let otherAdmin: string;
  const create = (key: string, input: Record<string, unknown>) => gql<{ createConnector: Conn }>(t.url, key, CREATE, { input });

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t.db);
    const other = await createTenant(t.db);
    admin = await createKey(t.app, tenant, ['admin']);
    approver = await createKey(t.app, tenant, ['approver']);
    viewer = await createKey(t.app, tenant, ['viewer']);
    ingest = await createKey(t.app, tenant, ['ingest']);
    otherAdmin = await createKey(t.app, other, ['admin']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a connector, stores secrets but never returns them', async () => {
    const r = await create(admin, {
      name: 'Sentinel prod',
      adapterType: 'SENTINEL',
      mode: 'EVENTHUB',
      config: { workspaceId: 'ws-1', clientSecret: 'sup3r', auth: { apiKey: 'k-123', password: 'pw' }, eventHub: { connectionString: 'Endpoint=sb://x;SharedAccessKey=abc' } },
    });
    expect(r.body.errors).toBeUndefined();
    const c = r.body.data!.createConnector;
    expect(c).toMatchObject({ name: 'Sentinel prod', adapterType: 'SENTINEL', mode: 'EVENTHUB', enabled: true });
    expect(c.config).toEqual({ workspaceId: 'ws-1', clientSecret: '********', auth: { apiKey: '********', password: '********' }, eventHub: { connectionString: '********' } });
    expect(JSON.stringify(r.body)).not.toMatch(/sup3r|k-123|"pw"|SharedAccessKey/);
    const stored = await t.db.prisma.connector.findUnique({ where: { connectorId: c.id } });
    expect(stored?.config).toMatchObject({ clientSecret: 'sup3r', auth: { apiKey: 'k-123' } });
    const one = await gql<{ connector: Conn }>(t.url, admin, `query($id: ID!) { connector(id: $id) { ${FIELDS} } }`, { id: c.id });
    expect(one.body.data!.connector.config.clientSecret).toBe('********');
    const defaults = await create(admin, { name: 'Splunk dev', adapterType: 'SPLUNK' });
    expect(defaults.body.data!.createConnector).toMatchObject({ mode: 'POLLING', config: {}, enabled: true });
  });

  it('updates: masked secrets sent back keep the stored value; new secrets replace; rename conflicts are CONFLICT', async () => {
    const c = (await create(admin, { name: 'Elastic', adapterType: 'ELASTIC', config: { url: 'https://es', apiKey: 'old-key', token: 't1' } })).body.data!.createConnector;
    const r = await gql<{ updateConnector: Conn }>(t.url, admin, UPDATE, { id: c.id, input: { config: { ...c.config, url: 'https://es2', token: 't2' }, mode: 'WEBHOOK' } });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.updateConnector).toMatchObject({ mode: 'WEBHOOK', config: { url: 'https://es2', apiKey: '********', token: '********' } });
    const stored = await t.db.prisma.connector.findUnique({ where: { connectorId: c.id } });
    expect(stored?.config).toEqual({ url: 'https://es2', apiKey: 'old-key', token: 't2' });
    const lost = await gql(t.url, admin, UPDATE, { id: c.id, input: { config: { password: '********' } } });
    expect(codes(lost)).toEqual(['BAD_USER_INPUT']);
    expect(paths(lost)).toEqual(['input.config.password']);

    const dup = await create(admin, { name: 'Elastic', adapterType: 'WAZUH' });
    expect(codes(dup)).toEqual(['CONFLICT']);
    const other = (await create(admin, { name: 'Wazuh', adapterType: 'WAZUH' })).body.data!.createConnector;
    const rename = await gql(t.url, admin, UPDATE, { id: other.id, input: { name: 'Elastic' } });
    expect(codes(rename)).toEqual(['CONFLICT']);
    const bad = await create(admin, { name: ' ', adapterType: 'OCSF' });
    expect(paths(bad)).toEqual(['input.name']);
    const badEnum = await gql(t.url, admin, CREATE, { input: { name: 'x', adapterType: 'QRADAR' } });
    expect(codes(badEnum)).toEqual(['BAD_USER_INPUT']);
  });

  it('enables/disables, filters, pages by name and deletes', async () => {
    const c = (await create(admin, { name: 'GuardDuty', adapterType: 'GUARDDUTY', mode: 'WEBHOOK' })).body.data!.createConnector;
    const off = await gql<{ setConnectorEnabled: Conn }>(t.url, admin, `mutation($id: ID!) { setConnectorEnabled(id: $id, enabled: false) { ${FIELDS} } }`, { id: c.id });
    expect(off.body.data!.setConnectorEnabled.enabled).toBe(false);
    const names = async (filter: Record<string, unknown>) => (await gql<ListData>(t.url, admin, LIST, { filter })).body.data!.connectors.edges.map((e) => e.node.name);
    expect(await names({ enabled: false })).toEqual(['GuardDuty']);
    expect(await names({ adapterType: 'GUARDDUTY' })).toEqual(['GuardDuty']);
    expect(await names({ mode: 'WEBHOOK' })).toEqual(['Elastic', 'GuardDuty']);
    expect(await names({ search: 'sentinel' })).toEqual(['Sentinel prod']);
    const all = await names({});
    expect(all).toEqual([...all].sort());
    const p1 = (await gql<ListData>(t.url, admin, LIST, { first: 2 })).body.data!.connectors;
    const p2 = (await gql<ListData>(t.url, admin, LIST, { first: 10, after: p1.pageInfo.endCursor })).body.data!.connectors;
    expect([...p1.edges, ...p2.edges].map((e) => e.node.name)).toEqual(all);
    expect(JSON.stringify([...p1.edges, ...p2.edges])).not.toMatch(/sup3r|k-123|old-key/);
    const del = await gql<{ deleteConnector: { id: string } }>(t.url, admin, 'mutation($id: ID!) { deleteConnector(id: $id) { id } }', { id: c.id });
    expect(del.body.data!.deleteConnector.id).toBe(c.id);
    expect(codes(await gql(t.url, admin, 'query($id: ID!) { connector(id: $id) { id } }', { id: c.id }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, admin, 'query { connector(id: "not-a-uuid") { id } }'))).toEqual(['NOT_FOUND']);
  });

  it('is admin-only for reads and writes', async () => {
    for (const key of [viewer, approver, ingest]) {
      expect(codes(await gql(t.url, key, LIST, {}))).toEqual(['FORBIDDEN']);
      expect(codes(await create(key, { name: 'x', adapterType: 'OCSF' }))).toEqual(['FORBIDDEN']);
    }
  });

  it('cannot see or change another tenant’s connectors; names are unique per tenant only', async () => {
    const mine = (await create(admin, { name: 'Mine', adapterType: 'CROWDSTRIKE', config: { apiKey: 'mine-secret' } })).body.data!.createConnector;
    expect(codes(await gql(t.url, otherAdmin, 'query($id: ID!) { connector(id: $id) { id } }', { id: mine.id }))).toEqual(['NOT_FOUND']);
    expect((await gql<ListData>(t.url, otherAdmin, LIST, {})).body.data!.connectors.totalCount).toBe(0);
    expect(codes(await gql(t.url, otherAdmin, UPDATE, { id: mine.id, input: { name: 'stolen' } }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, otherAdmin, 'mutation($id: ID!) { setConnectorEnabled(id: $id, enabled: false) { id } }', { id: mine.id }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, otherAdmin, 'mutation($id: ID!) { deleteConnector(id: $id) { id } }', { id: mine.id }))).toEqual(['NOT_FOUND']);
    // A masked placeholder cannot pull another tenant's secret into a connector.
    const theirs = (await create(otherAdmin, { name: 'Mine', adapterType: 'CROWDSTRIKE' })).body.data!.createConnector;
    const probe = await gql(t.url, otherAdmin, UPDATE, { id: theirs.id, input: { config: { apiKey: '********' } } });
    expect(codes(probe)).toEqual(['BAD_USER_INPUT']);
    const row = await t.db.prisma.connector.findUnique({ where: { connectorId: mine.id } });
    expect(row).toMatchObject({ tenantId: tenant, name: 'Mine', enabled: true, config: { apiKey: 'mine-secret' } });
  });
});
