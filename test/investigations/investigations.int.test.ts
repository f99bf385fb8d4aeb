import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';
import { makeAlert, makeApproval, makeCase, makeInvestigation } from './factories';

type Conn<T> = { edges: { cursor: string; node: T }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }; totalCount: number };

const INV_LIST = `query($first: Int, $after: String, $last: Int, $before: String, $filter: InvestigationFilter) {
  investigations(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }
  }
}`;

function fieldPaths(r: GqlResponse): string[] {
  return ((r.body.errors?.[0]?.extensions?.fieldErrors as { path: string }[] | undefined) ?? []).map((f) => f.path).sort();
}

describe('investigations, alerts and approvals (read API)', () => {
  let t: TestApp;
  let tenant: string;
  let viewer: string;
  let ingest: string;
  const inv: Record<string, string> = {};
  const alert: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t.db);
    viewer = await createKey(t.app, tenant, ['viewer']);
    ingest = await createKey(t.app, tenant, ['ingest']);
    const p = t.db.prisma;
    const c = {
      a: await makeCase(
        p,
        tenant,
        { source: 'sentinel', severity: 'critical', techniques: ['T1059.001', 'T1003'], title: 'PowerShell credential dumping', timestamp: new Date('2026-01-01T10:00:00Z') },
        {
          state: 'awaiting_human',
          classification: 'true_positive',
          confidence: 0.92,
          createdAt: new Date('2026-01-01T10:00:05Z'),
          llmCalls: 3,
          totalCostUsd: 0.0125,
          version: 4,
          graphState: {
            classification: 'true_positive',
            decision_chain: [
              { agent: 'ioc_extractor', action: 'parsed', timestamp: '2026-01-01T10:00:06Z' },
              { agent: 'reasoning_agent', action: 'classified', timestamp: '2026-01-01T10:00:09Z', confidence: 0.92 },
            ],
          },
        },
      ),
      b: await makeCase(
        p,
        tenant,
        { source: 'elastic', severity: 'low', techniques: ['T1110'], title: 'Brute force on VPN', timestamp: new Date('2026-01-02T10:00:00Z') },
        { state: 'closed', classification: 'false_positive', confidence: 0.97, createdAt: new Date('2026-01-02T10:00:05Z'), closedAt: new Date('2026-01-02T10:01:00Z') },
      ),
      c: await makeCase(
        p,
        tenant,
        { source: 'sentinel', severity: 'high', techniques: ['T1059.001'], title: 'Encoded powershell', timestamp: new Date('2026-01-03T10:00:00Z') },
        { state: 'failed', classification: 'requires_investigation', confidence: 0.4, createdAt: new Date('2026-01-03T10:00:05Z'), unrecoverableError: 'LLM unavailable' },
      ),
      d: await makeCase(
        p,
        tenant,
        { source: 'wazuh', severity: 'medium', title: 'New admin user', timestamp: new Date('2026-01-04T10:00:00Z') },
        { state: 'received', createdAt: new Date('2026-01-03T10:00:05Z') },
      ),
    };
    for (const [k, v] of Object.entries(c)) {
      inv[k] = v.investigation.investigationId;
      alert[k] = v.alert.alertPk;
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const ids = async (filter: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const r = await gql<{ investigations: Conn<{ id: string }> }>(t.url, viewer, INV_LIST, { filter, ...extra });
    expect(r.body.errors).toBeUndefined();
    return r.body.data!.investigations;
  };

  it('reads one investigation with typed GraphState fields, its alert and its decision chain', async () => {
    const r = await gql<{ investigation: Record<string, unknown> }>(
      t.url,
      viewer,
      `query($id: ID!) { investigation(id: $id) {
        id state alertId title source severity classification confidence llmCalls totalCostUsd version createdAt closedAt
        unrecoverableError graphState decisionChain alert { id source severity techniques title sourceAlertId }
      } }`,
      { id: inv.a },
    );
    expect(r.body.errors).toBeUndefined();
    const i = r.body.data!.investigation;
    expect(i).toMatchObject({
      id: inv.a,
      state: 'AWAITING_HUMAN',
      alertId: alert.a,
      source: 'SENTINEL',
      severity: 'CRITICAL',
      classification: 'TRUE_POSITIVE',
      confidence: expect.closeTo(0.92, 5),
      llmCalls: 3,
      totalCostUsd: expect.closeTo(0.0125, 5),
      version: 4,
      createdAt: '2026-01-01T10:00:05.000Z',
      closedAt: null,
      unrecoverableError: null,
      alert: { id: alert.a, source: 'SENTINEL', severity: 'CRITICAL', techniques: ['T1059.001', 'T1003'] },
    });
    expect(i.decisionChain).toEqual([
      { agent: 'ioc_extractor', action: 'parsed', timestamp: '2026-01-01T10:00:06Z' },
      { agent: 'reasoning_agent', action: 'classified', timestamp: '2026-01-01T10:00:09Z', confidence: 0.92 },
    ]);
    expect(i.graphState).toMatchObject({ classification: 'true_positive' });

    const failed = await gql<{ investigation: Record<string, unknown> }>(
      t.url,
      viewer,
      `query($id: ID!) { investigation(id: $id) { state classification unrecoverableError decisionChain } }`,
      { id: inv.c },
    );
    // a stored verdict outside the vocabulary reads as null instead of breaking the response
    expect(failed.body.data!.investigation).toEqual({ state: 'FAILED', classification: null, unrecoverableError: 'LLM unavailable', decisionChain: [] });
    expect(codes(await gql(t.url, viewer, '{ investigation(id: "00000000-0000-0000-0000-000000000000") { id } }'))).toEqual(['NOT_FOUND']);
  });

  it('lists newest first with stable keyset pagination', async () => {
    const all = await ids({});
    // c and d share created_at: the id breaks the tie
    const cd = [inv.c, inv.d].sort();
    expect(all.edges.map((e) => e.node.id)).toEqual([...cd, inv.b, inv.a]);
    expect(all.totalCount).toBe(4);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Conn<{ id: string }> = await ids({}, { first: 1, after });
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...cd, inv.b, inv.a]);
    const last = await ids({}, { last: 3 });
    expect(last.edges.map((e) => e.node.id)).toEqual([cd[1], inv.b, inv.a]);
    const before = await ids({}, { last: 5, before: last.pageInfo.startCursor });
    expect(before.edges.map((e) => e.node.id)).toEqual([cd[0]]);
  });

  it('filters investigations by state, severity, verdict, confidence, time, source, technique and title', async () => {
    const f = async (filter: Record<string, unknown>) => (await ids(filter)).edges.map((e) => e.node.id).sort();
    const s = (...k: string[]) => k.map((x) => inv[x]).sort();
    expect(await f({ states: ['CLOSED', 'FAILED'] })).toEqual(s('b', 'c'));
    expect(await f({ severities: ['CRITICAL', 'HIGH'] })).toEqual(s('a', 'c'));
    expect(await f({ classifications: ['TRUE_POSITIVE', 'FALSE_POSITIVE'] })).toEqual(s('a', 'b'));
    expect(await f({ minConfidence: 0.9 })).toEqual(s('a', 'b'));
    expect(await f({ minConfidence: 0.3, maxConfidence: 0.95 })).toEqual(s('a', 'c'));
    expect(await f({ from: '2026-01-02T00:00:00Z', to: '2026-01-03T10:00:05Z' })).toEqual(s('b'));
    expect(await f({ source: 'SENTINEL' })).toEqual(s('a', 'c'));
    expect(await f({ techniqueId: 'T1059.001' })).toEqual(s('a', 'c'));
    expect(await f({ techniqueId: 'T1110', states: ['CLOSED'] })).toEqual(s('b'));
    expect(await f({ search: 'powershell' })).toEqual(s('a', 'c'));
    const bad = await gql(t.url, viewer, INV_LIST, {
      filter: { minConfidence: 0.9, maxConfidence: 1.5, from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(bad)).toEqual(['filter.maxConfidence', 'filter.to']);
    const crossed = await gql(t.url, viewer, INV_LIST, { filter: { minConfidence: 0.9, maxConfidence: 0.5 } });
    expect(fieldPaths(crossed)).toEqual(['filter.maxConfidence']);
    expect(codes(await gql(t.url, viewer, INV_LIST, { filter: { states: ['SLEEPING'] } }))).toEqual(['BAD_USER_INPUT']);
  });

  it('lists and filters alerts, with their investigation', async () => {
    const q = `query($filter: AlertFilter, $first: Int, $after: String) { alerts(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id title investigation { id state } } } } }`;
    const list = async (filter: Record<string, unknown>, first?: number, after?: string) => {
      const r = await gql<{ alerts: Conn<{ id: string; investigation: { id: string } | null }> }>(t.url, viewer, q, { filter, first, after });
      expect(r.body.errors).toBeUndefined();
      return r.body.data!.alerts;
    };
    const all = await list({});
    expect(all.edges.map((e) => e.node.id)).toEqual([alert.d, alert.c, alert.b, alert.a]);
    expect(all.edges.map((e) => e.node.investigation?.id)).toEqual([inv.d, inv.c, inv.b, inv.a]);
    const p1 = await list({}, 3);
    const p2 = await list({}, 3, p1.pageInfo.endCursor!);
    expect([...p1.edges, ...p2.edges].map((e) => e.node.id)).toEqual([alert.d, alert.c, alert.b, alert.a]);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    const f = async (filter: Record<string, unknown>) => (await list(filter)).edges.map((e) => e.node.id).sort();
    const s = (...k: string[]) => k.map((x) => alert[x]).sort();
    expect(await f({ source: 'SENTINEL' })).toEqual(s('a', 'c'));
    expect(await f({ severities: ['LOW', 'MEDIUM'] })).toEqual(s('b', 'd'));
    expect(await f({ techniqueId: 'T1003' })).toEqual(s('a'));
    expect(await f({ search: 'VPN' })).toEqual(s('b'));
    expect(await f({ from: '2026-01-03T00:00:00Z' })).toEqual(s('c', 'd'));
    expect(await f({ to: '2026-01-02T10:00:00Z' })).toEqual(s('a'));
    const one = await gql<{ alert: { id: string; sourceAlertId: string; entities: unknown; rawPayload: unknown; investigation: { id: string } } }>(
      t.url,
      viewer,
      'query($id: ID!) { alert(id: $id) { id sourceAlertId entities rawPayload receivedAt investigation { id } } }',
      { id: alert.b },
    );
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data!.alert).toMatchObject({ id: alert.b, investigation: { id: inv.b } });
    expect(Array.isArray(one.body.data!.alert.entities)).toBe(true);
    const orphan = await makeAlert(t.db.prisma, tenant, { title: 'Not investigated yet' });
    const o = await gql<{ alert: { investigation: unknown } }>(t.url, viewer, 'query($id: ID!) { alert(id: $id) { investigation { id } } }', { id: orphan.alertPk });
    expect(o.body.data!.alert.investigation).toBeNull();
    await t.db.prisma.alert.delete({ where: { alertPk: orphan.alertPk } });
    expect(codes(await gql(t.url, viewer, '{ alert(id: "nope") { id } }'))).toEqual(['NOT_FOUND']);
  });

  it('lists and filters approvals, with decisions and their investigation', async () => {
    const p = t.db.prisma;
    const soon = new Date(Date.now() + 30 * 60_000);
    const ap1 = await makeApproval(p, tenant, inv.a, { riskTier: 3, requiredApprovals: 2, expiresAt: soon, requestedAt: new Date('2026-01-01T10:00:10Z'), action: 'disable_account', decisions: [{ actor: 'api_key:k1', decision: 'approved', reason: 'confirmed', at: '2026-01-01T10:05:00Z' }, 'garbage'] });
    const ap2 = await makeApproval(p, tenant, inv.a, { riskTier: 2, requestedAt: new Date('2026-01-01T10:00:11Z') });
    const ap3 = await makeApproval(p, tenant, inv.b, { riskTier: 2, status: 'rejected', requestedAt: new Date('2026-01-02T10:00:11Z') });

    const rel = await gql<{ investigation: { approvals: { id: string; riskTier: number; status: string; decisions: unknown[]; investigation: { id: string } }[] } }>(
      t.url,
      viewer,
      'query($id: ID!) { investigation(id: $id) { approvals { id riskTier status requiredApprovals decisions { actor decision reason at } investigation { id } } } }',
      { id: inv.a },
    );
    expect(rel.body.errors).toBeUndefined();
    const aps = rel.body.data!.investigation.approvals;
    expect(aps.map((a) => a.id)).toEqual([ap1.approvalId, ap2.approvalId]);
    expect(aps[0]).toMatchObject({
      riskTier: 3,
      status: 'PENDING',
      investigation: { id: inv.a },
      decisions: [{ actor: 'api_key:k1', decision: 'approved', reason: 'confirmed', at: '2026-01-01T10:05:00.000Z' }],
    });

    const q = `query($filter: ApprovalFilter) { approvals(filter: $filter) { totalCount edges { node { id action } } } }`;
    const list = async (filter: Record<string, unknown>) => {
      const r = await gql<{ approvals: Conn<{ id: string }> }>(t.url, viewer, q, { filter });
      expect(r.body.errors).toBeUndefined();
      return r.body.data!.approvals.edges.map((e) => e.node.id);
    };
    expect(await list({})).toEqual([ap3.approvalId, ap2.approvalId, ap1.approvalId]);
    expect(await list({ statuses: ['PENDING'] })).toEqual([ap2.approvalId, ap1.approvalId]);
    expect(await list({ investigationId: inv.b })).toEqual([ap3.approvalId]);
    expect(await list({ riskTiers: [3] })).toEqual([ap1.approvalId]);
    expect(await list({ expiringBefore: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([ap1.approvalId]);
    const bad = await gql(t.url, viewer, q, { filter: { riskTiers: [1, 7] } });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(bad)).toEqual(['filter.riskTiers[1]']);
    const one = await gql<{ approval: { id: string; action: string; investigation: { id: string } } }>(
      t.url,
      viewer,
      'query($id: ID!) { approval(id: $id) { id action investigation { id } } }',
      { id: ap1.approvalId },
    );
    expect(one.body.data!.approval).toEqual({ id: ap1.approvalId, action: 'disable_account', investigation: { id: inv.a } });
    expect(codes(await gql(t.url, viewer, '{ approval(id: "nope") { id } }'))).toEqual(['NOT_FOUND']);
  });

  it('lets viewers read but not ingest keys or anonymous callers', async () => {
    for (const q of ['{ investigations { totalCount } }', '{ alerts { totalCount } }', '{ approvals { totalCount } }', `{ investigation(id: "${inv.a}") { id } }`]) {
      expect(codes(await gql(t.url, ingest, q))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, null, q))).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('cannot see another tenant’s investigations, alerts or approvals, including through relations', async () => {
    const p = t.db.prisma;
    const other = await createTenant(t.db);
    const otherViewer = await createKey(t.app, other, ['viewer']);
    const ap = await makeApproval(p, tenant, inv.a, {});
    // by id → NOT_FOUND
    expect(codes(await gql(t.url, otherViewer, `{ investigation(id: "${inv.a}") { id } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, otherViewer, `{ alert(id: "${alert.a}") { id } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, otherViewer, `{ approval(id: "${ap.approvalId}") { id } }`))).toEqual(['NOT_FOUND']);
    // lists exclude
    const empty = await gql<{ investigations: { totalCount: number }; alerts: { totalCount: number }; approvals: { totalCount: number } }>(
      t.url,
      otherViewer,
      '{ investigations { totalCount } alerts { totalCount } approvals { totalCount } }',
    );
    expect(empty.body.data).toEqual({ investigations: { totalCount: 0 }, alerts: { totalCount: 0 }, approvals: { totalCount: 0 } });
    // relations: rows of the other tenant that (wrongly) point at ours resolve to nothing
    const theirInv = await makeInvestigation(p, other, alert.a, { title: 'Theirs' });
    const theirAp = await makeApproval(p, other, inv.a, {});
    const r = await gql<{ investigation: { alert: unknown; approvals: unknown[] }; approval: { investigation: unknown } }>(
      t.url,
      otherViewer,
      `query($i: ID!, $a: ID!) { investigation(id: $i) { alert { id } approvals { id } } approval(id: $a) { investigation { id } } }`,
      { i: theirInv.investigationId, a: theirAp.approvalId },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({ investigation: { alert: null, approvals: [] }, approval: { investigation: null } });
    // and ours never show theirs
    const mine = await gql<{ investigation: { approvals: { id: string }[] } }>(
      t.url,
      viewer,
      `query($i: ID!) { investigation(id: $i) { approvals { id } } }`,
      { i: inv.a },
    );
    expect(mine.body.data!.investigation.approvals.map((a) => a.id)).not.toContain(theirAp.approvalId);
    // the other tenant's "newest investigation" of our alert is not our alert's investigation
    const ours = await gql<{ alert: { investigation: { id: string } } }>(t.url, viewer, `query($a: ID!) { alert(id: $a) { investigation { id } } }`, { a: alert.a });
    expect(ours.body.data!.alert.investigation.id).toBe(inv.a);
    await p.approval.deleteMany({ where: { tenantId: other } });
    await p.investigationState.deleteMany({ where: { tenantId: other } });
    await p.approval.delete({ where: { approvalId: ap.approvalId } });
  });
});
