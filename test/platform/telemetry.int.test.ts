import type { PrismaClient } from '../../src/generated/prisma/client';
import { type TestApp, startTestApp } from '../helpers/app';
import { type TwoTenants, codes, fieldPaths, gql, ok, twoTenants } from './platform.helpers';

/** One telemetry table as the tests drive it: how to insert a row and how to query it. */
interface TableCase {
  list: string;
  one: string;
  filterKey: string;
  fields: string;
  insert: (p: PrismaClient, tenantId: string, ts: Date, key: string) => Promise<{ id: bigint }>;
}

const CASES: TableCase[] = [
  {
    list: 'orbitalInferenceLogs', one: 'orbitalInferenceLog', filterKey: 'edgeNodeId', fields: 'edgeNodeId confidenceScore',
    insert: (p, tenantId, ts, key) => p.orbitalInferenceLog.create({ data: { tenantId, ts, edgeNodeId: key, modelVersion: 'v1', inputHash: 'i', outputHash: 'o', physicsCheckResult: 'pass', confidenceScore: 0.5, inferenceLatencyMs: 12 } }),
  },
  {
    list: 'orbitalPhysicsOracles', one: 'orbitalPhysicsOracle', filterKey: 'edgeNodeId', fields: 'edgeNodeId checkResult',
    insert: (p, tenantId, ts, key) => p.orbitalPhysicsOracle.create({ data: { tenantId, ts, edgeNodeId: key, checkResult: 'fail' } }),
  },
  {
    list: 'orbitalNlQueryLogs', one: 'orbitalNlQueryLog', filterKey: 'userId', fields: 'userId safetyFilterTriggered',
    insert: (p, tenantId, ts, key) => p.orbitalNlQueryLog.create({ data: { tenantId, ts, userId: key, safetyFilterTriggered: true } }),
  },
  {
    list: 'orbitalApiLogs', one: 'orbitalApiLog', filterKey: 'callerIdentity', fields: 'callerIdentity responseCode',
    insert: (p, tenantId, ts, key) => p.orbitalApiLog.create({ data: { tenantId, ts, callerIdentity: key, responseCode: 200 } }),
  },
  {
    list: 'edgeNodeTelemetry', one: 'edgeNodeTelemetryRecord', filterKey: 'edgeNodeId', fields: 'edgeNodeId cpuUtilisation',
    insert: (p, tenantId, ts, key) => p.edgeNodeTelemetry.create({ data: { tenantId, ts, edgeNodeId: key, modelWeightHash: 'h' } }),
  },
  {
    list: 'databricksAudits', one: 'databricksAudit', filterKey: 'userId', fields: 'userId sourceIp',
    insert: (p, tenantId, ts, key) => p.databricksAudit.create({ data: { tenantId, ts, userId: key, action: 'login', targetResource: 'ws', sourceIp: '10.1.2.3' } }),
  },
  {
    list: 'modelRegistryEvents', one: 'modelRegistryEvent', filterKey: 'modelName', fields: 'modelName stage',
    insert: (p, tenantId, ts, key) => p.modelRegistry.create({ data: { tenantId, ts, userId: 'u', action: 'promote', modelName: key, stage: 'production' } }),
  },
  {
    list: 'cicdAudits', one: 'cicdAudit', filterKey: 'pipelineId', fields: 'pipelineId testsFailed',
    insert: (p, tenantId, ts, key) => p.cicdAudit.create({ data: { tenantId, ts, pipelineId: key, testsFailed: 2 } }),
  },
  {
    list: 'partnerApiLogs', one: 'partnerApiLog', filterKey: 'partnerId', fields: 'partnerId mtlsVerified',
    insert: (p, tenantId, ts, key) => p.partnerApiLog.create({ data: { tenantId, ts, partnerId: key } }),
  },
  {
    list: 'opcuaTelemetry', one: 'opcuaTelemetryRecord', filterKey: 'edgeNodeId', fields: 'edgeNodeId protocolViolations',
    insert: (p, tenantId, ts, key) => p.opcuaTelemetry.create({ data: { tenantId, ts, edgeNodeId: key, protocolViolations: 3 } }),
  },
  {
    list: 'inferenceLogs', one: 'inferenceLog', filterKey: 'investigationId', fields: 'investigationId modelTier costUsd',
    insert: (p, tenantId, ts, key) => p.inferenceLog.create({ data: { tenantId, ts, investigationId: key, modelTier: 'tier_0', modelId: 'haiku', taskType: 'alert_classification', costUsd: 0.25 } }),
  },
];

const T0 = new Date('2026-03-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe('telemetry: ATLAS tables and the LLM cost ledger', () => {
  let t: TestApp;
  let s: TwoTenants;
  beforeAll(async () => {
    t = await startTestApp();
    s = await twoTenants(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(CASES)('$list: filters by key and time, newest first, single row by id, isolated per tenant', async (c) => {
    const p = t.db.prisma;
    const mine = [await c.insert(p, s.a, at(1), 'k1'), await c.insert(p, s.a, at(2), 'k1'), await c.insert(p, s.a, at(3), 'k2')];
    const theirs = await c.insert(p, s.b, at(2), 'k1');
    const query = `query($f: ${await filterTypeName(c.list)}) { ${c.list}(filter: $f) { totalCount edges { node { id ts ${c.fields} } } } }`;
    const all = await ok(t, s.keys.aViewer, query, { f: {} });
    expect(all[c.list].edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(mine.map((r) => r.id.toString()).reverse());
    expect(all[c.list].totalCount).toBe(3);
    const byKey = await ok(t, s.keys.aViewer, query, { f: { [c.filterKey]: 'k1', from: at(2).toISOString(), to: at(10).toISOString() } });
    expect(byKey[c.list].edges.map((e: { node: { id: string; ts: string } }) => [e.node.id, e.node.ts])).toEqual([[mine[1].id.toString(), at(2).toISOString()]]);
    const theirView = await ok(t, s.keys.bViewer, query, { f: {} });
    expect(theirView[c.list].edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([theirs.id.toString()]);

    const one = await ok(t, s.keys.aViewer, `query($id: ID!) { ${c.one}(id: $id) { id ${c.fields} } }`, { id: mine[0].id.toString() });
    expect(one[c.one].id).toBe(mine[0].id.toString());
    const stolen = await gql(t.url, s.keys.aViewer, `query($id: ID!) { ${c.one}(id: $id) { id } }`, { id: theirs.id.toString() });
    expect(codes(stolen)).toEqual(['NOT_FOUND']);
  });

  /** The filter input type of a list query, read from the schema. */
  async function filterTypeName(list: string): Promise<string> {
    const r = await ok<{ __schema: { queryType: { fields: { name: string; args: { name: string; type: { name: string } }[] }[] } } }>(
      t,
      s.keys.aViewer,
      '{ __schema { queryType { fields { name args { name type { name } } } } } }',
    );
    const field = r.__schema.queryType.fields.find((f) => f.name === list)!;
    return field.args.find((a) => a.name === 'filter')!.type.name;
  }

  it('exposes INET source_ip as text and per-table fields', async () => {
    await t.db.prisma.databricksAudit.create({ data: { tenantId: s.a, ts: at(50), userId: 'ip-user', action: 'export', targetResource: 'tbl', sourceIp: '192.0.2.7' } });
    const r = await ok(t, s.keys.aViewer, '{ databricksAudits(filter: {userId: "ip-user", action: "export"}) { edges { node { sourceIp action targetResource ingestedAt } } } }');
    expect(r.databricksAudits.edges[0].node).toMatchObject({ sourceIp: '192.0.2.7', action: 'export', targetResource: 'tbl' });
  });

  it('pages with stable keyset cursors when timestamps tie (ts desc, id desc)', async () => {
    const p = t.db.prisma;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await CASES[4].insert(p, s.a, at(100), 'page-node')).id.toString());
    const q = `query($after: String, $before: String, $first: Int, $last: Int) { edgeNodeTelemetry(first: $first, after: $after, last: $last, before: $before, filter: {edgeNodeId: "page-node"}) {
      edges { node { id } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`;
    const expected = [...ids].reverse();
    const p1 = await ok(t, s.keys.aViewer, q, { first: 2 });
    const p2 = await ok(t, s.keys.aViewer, q, { first: 2, after: p1.edgeNodeTelemetry.pageInfo.endCursor });
    const p3 = await ok(t, s.keys.aViewer, q, { first: 2, after: p2.edgeNodeTelemetry.pageInfo.endCursor });
    const got = [p1, p2, p3].flatMap((pg) => pg.edgeNodeTelemetry.edges.map((e: { node: { id: string } }) => e.node.id));
    expect(got).toEqual(expected);
    expect(p3.edgeNodeTelemetry.pageInfo.hasNextPage).toBe(false);
    const back = await ok(t, s.keys.aViewer, q, { last: 2, before: p3.edgeNodeTelemetry.pageInfo.startCursor });
    expect(back.edgeNodeTelemetry.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(expected.slice(2, 4));
  });

  it('rejects an inverted time range and a malformed id with field paths', async () => {
    const inverted = await gql(t.url, s.keys.aViewer, `{ cicdAudits(filter: {from: "${at(5).toISOString()}", to: "${at(1).toISOString()}"}) { totalCount } }`);
    expect(codes(inverted)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(inverted)).toEqual(['filter.to']);
    const badId = await gql(t.url, s.keys.aViewer, '{ cicdAudit(id: "abc") { id } }');
    expect(codes(badId)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(badId)).toEqual(['id']);
    const unknown = await gql(t.url, s.keys.aViewer, '{ cicdAudit(id: "999999999") { id } }');
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
  });

  it('denies ingest keys and anonymous callers', async () => {
    const ingest = await gql(t.url, s.keys.aIngest, '{ orbitalApiLogs { totalCount } }');
    expect(codes(ingest)).toEqual(['FORBIDDEN']);
    const ingestCost = await gql(t.url, s.keys.aIngest, '{ inferenceCostSummary { totalCostUsd } }');
    expect(codes(ingestCost)).toEqual(['FORBIDDEN']);
    const anon = await gql(t.url, null, '{ inferenceLogs { totalCount } }');
    expect(codes(anon)).toEqual(['UNAUTHENTICATED']);
  });

  it('sums LLM cost and tokens by tier for the caller’s tenant only', async () => {
    const fresh = await twoTenants(t);
    const row = (tenantId: string, ts: Date, modelTier: string, costUsd: number, inputTokens: number, outputTokens: number) => ({
      tenantId, ts, modelTier, costUsd, inputTokens, outputTokens, cachedTokens: 10, modelId: 'm', taskType: 'x',
    });
    await t.db.prisma.inferenceLog.createMany({
      data: [
        row(fresh.a, at(1), 'tier_0', 0.5, 100, 10),
        row(fresh.a, at(2), 'tier_0', 0.25, 200, 20),
        row(fresh.a, at(3), 'tier_1', 2, 1000, 500),
        row(fresh.a, at(90), 'tier_2', 4, 5, 5),
        row(fresh.b, at(2), 'tier_0', 100, 9999, 9999),
      ],
    });
    const q = `query($from: DateTimeISO, $to: DateTimeISO) { inferenceCostSummary(from: $from, to: $to) {
      from to totalCalls totalCostUsd totalInputTokens totalOutputTokens byTier { modelTier calls costUsd inputTokens outputTokens cachedTokens } } }`;
    const r = await ok(t, fresh.keys.aViewer, q, { from: at(0).toISOString(), to: at(60).toISOString() });
    expect(r.inferenceCostSummary).toEqual({
      from: at(0).toISOString(),
      to: at(60).toISOString(),
      totalCalls: 3,
      totalCostUsd: 2.75,
      totalInputTokens: 1300,
      totalOutputTokens: 530,
      byTier: [
        { modelTier: 'tier_0', calls: 2, costUsd: 0.75, inputTokens: 300, outputTokens: 30, cachedTokens: 20 },
        { modelTier: 'tier_1', calls: 1, costUsd: 2, inputTokens: 1000, outputTokens: 500, cachedTokens: 10 },
      ],
    });
    const open = await ok(t, fresh.keys.aViewer, q, {});
    expect(open.inferenceCostSummary.totalCalls).toBe(4);
    expect(open.inferenceCostSummary.from).toBeNull();
    const other = await ok(t, fresh.keys.bViewer, q, {});
    expect(other.inferenceCostSummary.totalCostUsd).toBe(100);
    const inverted = await gql(t.url, fresh.keys.aViewer, q, { from: at(60).toISOString(), to: at(0).toISOString() });
    expect(fieldPaths(inverted)).toEqual(['to']);
  });
});
