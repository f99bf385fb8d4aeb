import { createHash } from 'node:crypto';
import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';
import { makeExposure, makeRemediation, makeValidation } from './ctem-factories';

const H = 3_600_000;

interface ExposureOut {
  id: string;
  exposureKey: string;
  severity: string;
  status: string;
  ctemScore: number;
  exploitabilityScore: number;
  physicalConsequence: string;
  slaDeadline: string | null;
  slaStatus: string;
  stale: boolean;
  title: string;
}
type Conn<T> = { edges: { cursor: string; node: T }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null; startCursor: string | null }; totalCount: number };

const EXPOSURE_FIELDS = 'id exposureKey severity status ctemScore exploitabilityScore physicalConsequence slaDeadline slaStatus stale title';

const UPSERT = `mutation($input: UpsertCtemExposureInput!) {
  upsertCtemExposure(input: $input) { created statusPreserved exposure { ${EXPOSURE_FIELDS} } }
}`;
const SET_STATUS = `mutation($id: ID!, $status: CtemExposureStatus!) { updateCtemExposureStatus(id: $id, status: $status) { id status } }`;
const LIST = `query($first: Int, $after: String, $last: Int, $before: String, $filter: CtemExposureFilter) {
  ctemExposures(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ${EXPOSURE_FIELDS} } }
  }
}`;

function fieldPaths(r: GqlResponse): string[] {
  return ((r.body.errors?.[0]?.extensions?.fieldErrors as { path: string }[] | undefined) ?? []).map((f) => f.path);
}

describe('CTEM exposures, validations and remediations', () => {
  let t: TestApp;
  let tenant: string;
  let other: string;
  let viewer: string;
  let analyst: string;
  let ingest: string;
  let otherAnalyst: string;

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t.db);
    other = await createTenant(t.db);
    viewer = await createKey(t.app, tenant, ['viewer']);
    analyst = await createKey(t.app, tenant, ['analyst']);
    ingest = await createKey(t.app, tenant, ['ingest']);
    otherAnalyst = await createKey(t.app, other, ['analyst']);
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (key: string, vars: Record<string, unknown>) => {
    const r = await gql<{ ctemExposures: Conn<ExposureOut> }>(t.url, key, LIST, vars);
    expect(r.body.errors).toBeUndefined();
    return r.body.data!.ctemExposures;
  };

  describe('upsertCtemExposure (spec §4.1 scoring)', () => {
    const finding = {
      sourceTool: 'wiz',
      title: 'Edge inference node exposes SSH',
      assetId: 'edge-gw-01',
      assetType: 'vm',
      assetZone: 'Zone1_EdgeInference',
      originalSeverity: 'CRITICAL',
      atlasTechnique: 'AML.T0051',
    };

    it('scores TC-CTM-001 (Wiz CRITICAL in Zone1_EdgeInference) and derives key and SLA deadline', async () => {
      const before = Date.now();
      const r = await gql<{ upsertCtemExposure: { created: boolean; statusPreserved: boolean; exposure: ExposureOut } }>(
        t.url,
        analyst,
        UPSERT,
        { input: finding },
      );
      expect(r.body.errors).toBeUndefined();
      const { created, exposure } = r.body.data!.upsertCtemExposure;
      expect(created).toBe(true);
      expect(exposure).toMatchObject({
        severity: 'CRITICAL',
        physicalConsequence: 'EQUIPMENT',
        exploitabilityScore: expect.closeTo(0.9, 5),
        ctemScore: expect.closeTo(7.2, 5),
        status: 'OPEN',
        // 24 h deadline: under 24 h remain as soon as it is read
        slaStatus: 'AT_RISK',
        stale: false,
      });
      expect(exposure.exposureKey).toBe(
        createHash('sha256').update(`wiz:${finding.title}:edge-gw-01`).digest('hex').slice(0, 16),
      );
      const deadline = new Date(exposure.slaDeadline!).getTime();
      expect(deadline).toBeGreaterThanOrEqual(before + 24 * H - 1000);
      expect(deadline).toBeLessThanOrEqual(Date.now() + 24 * H + 1000);
      expect(exposure.id).toMatch(/^\d+$/);
    });

    it('updates the same exposure on a re-sighting, keeps its status and never extends the deadline', async () => {
      const first = await gql<{ upsertCtemExposure: { exposure: ExposureOut } }>(t.url, analyst, UPSERT, { input: finding });
      const prev = first.body.data!.upsertCtemExposure.exposure;
      await gql(t.url, analyst, SET_STATUS, { id: prev.id, status: 'IN_PROGRESS' });
      const r = await gql<{ upsertCtemExposure: { created: boolean; exposure: ExposureOut } }>(t.url, analyst, UPSERT, {
        input: { ...finding, originalSeverity: 'LOW', exploitability: 'LOW' },
      });
      expect(r.body.errors).toBeUndefined();
      const { created, exposure } = r.body.data!.upsertCtemExposure;
      expect(created).toBe(false);
      expect(exposure.id).toBe(prev.id);
      expect(exposure).toMatchObject({ severity: 'MEDIUM', status: 'IN_PROGRESS', ctemScore: expect.closeTo(1.6, 5) });
      expect(exposure.slaDeadline).toBe(prev.slaDeadline);
      const rows = await t.db.prisma.ctemExposure.count({ where: { tenantId: tenant, exposureKey: prev.exposureKey } });
      expect(rows).toBe(1);
    });

    it('never reopens a VERIFIED or CLOSED exposure', async () => {
      const input = { ...finding, title: 'Model endpoint without auth', assetZone: 'Zone0_Safety', originalSeverity: 'HIGH' };
      const c = await gql<{ upsertCtemExposure: { exposure: ExposureOut } }>(t.url, analyst, UPSERT, { input });
      const e = c.body.data!.upsertCtemExposure.exposure;
      expect(e).toMatchObject({ severity: 'CRITICAL', physicalConsequence: 'SAFETY_LIFE', ctemScore: expect.closeTo(9, 5) });
      for (const s of ['IN_PROGRESS', 'FIX_DEPLOYED', 'VERIFIED']) {
        const r = await gql(t.url, analyst, SET_STATUS, { id: e.id, status: s });
        expect(r.body.errors).toBeUndefined();
      }
      const again = await gql<{ upsertCtemExposure: { created: boolean; statusPreserved: boolean; exposure: ExposureOut } }>(
        t.url,
        analyst,
        UPSERT,
        { input: { ...input, status: 'OPEN' } },
      );
      expect(again.body.data!.upsertCtemExposure).toMatchObject({ created: false, statusPreserved: true, exposure: { status: 'VERIFIED' } });
      const closed = await gql(t.url, analyst, SET_STATUS, { id: e.exposureKey, status: 'CLOSED' });
      expect(closed.body.errors).toBeUndefined();
      const again2 = await gql<{ upsertCtemExposure: { statusPreserved: boolean; exposure: ExposureOut } }>(t.url, analyst, UPSERT, {
        input: { ...input, status: 'IN_PROGRESS' },
      });
      expect(again2.body.data!.upsertCtemExposure).toMatchObject({ statusPreserved: true, exposure: { status: 'CLOSED' } });
    });

    it('applies a reported status to an unresolved exposure', async () => {
      const input = { ...finding, title: 'Reported status', originalSeverity: 'MEDIUM' };
      const a = await gql<{ upsertCtemExposure: { exposure: ExposureOut } }>(t.url, analyst, UPSERT, { input: { ...input, status: 'IN_PROGRESS' } });
      expect(a.body.data!.upsertCtemExposure.exposure.status).toBe('IN_PROGRESS');
      const b = await gql<{ upsertCtemExposure: { statusPreserved: boolean; exposure: ExposureOut } }>(t.url, analyst, UPSERT, {
        input: { ...input, status: 'OPEN' },
      });
      expect(b.body.data!.upsertCtemExposure).toMatchObject({ statusPreserved: false, exposure: { status: 'OPEN' } });
    });

    it('keeps one row under concurrent first sightings', async () => {
      const input = { ...finding, title: 'Concurrent finding' };
      const results = await Promise.all(Array.from({ length: 6 }, () => gql(t.url, analyst, UPSERT, { input })));
      for (const r of results) expect(r.body.errors).toBeUndefined();
      const created = results.filter((r) => (r.body.data as { upsertCtemExposure: { created: boolean } }).upsertCtemExposure.created);
      expect(created).toHaveLength(1);
      expect(await t.db.prisma.ctemExposure.count({ where: { tenantId: tenant, title: 'Concurrent finding' } })).toBe(1);
    });

    it('rejects invalid input with field paths and stores nothing', async () => {
      const r = await gql(t.url, analyst, UPSERT, {
        input: { ...finding, title: '  ', sourceTool: 'x'.repeat(101), exploitabilityScore: 1.5, ts: new Date(Date.now() + 86_400_000).toISOString() },
      });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(fieldPaths(r)).toEqual(expect.arrayContaining(['input.title', 'input.sourceTool', 'input.exploitabilityScore', 'input.ts']));
      const enumBad = await gql(t.url, analyst, UPSERT, { input: { ...finding, physicalConsequence: 'REPUTATION' } });
      expect(codes(enumBad)).toEqual(['BAD_USER_INPUT']);
      expect(await t.db.prisma.ctemExposure.count({ where: { tenantId: tenant, title: '  ' } })).toBe(0);
    });

    it('needs analyst: viewer is FORBIDDEN, ingest is FORBIDDEN, no key is UNAUTHENTICATED', async () => {
      expect(codes(await gql(t.url, viewer, UPSERT, { input: finding }))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, ingest, UPSERT, { input: finding }))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, null, UPSERT, { input: finding }))).toEqual(['UNAUTHENTICATED']);
      const e = await makeExposure(t.db.prisma, tenant);
      expect(codes(await gql(t.url, viewer, SET_STATUS, { id: String(e.id), status: 'IN_PROGRESS' }))).toEqual(['FORBIDDEN']);
    });
  });

  describe('updateCtemExposureStatus', () => {
    it('follows OPEN → IN_PROGRESS → FIX_DEPLOYED → VERIFIED → CLOSED and rejects other moves with CONFLICT', async () => {
      const e = await makeExposure(t.db.prisma, tenant);
      const id = String(e.id);
      const skip = await gql(t.url, analyst, SET_STATUS, { id, status: 'VERIFIED' });
      expect(codes(skip)).toEqual(['CONFLICT']);
      for (const s of ['IN_PROGRESS', 'FIX_DEPLOYED', 'IN_PROGRESS', 'FIX_DEPLOYED', 'VERIFIED']) {
        const r = await gql<{ updateCtemExposureStatus: { status: string } }>(t.url, analyst, SET_STATUS, { id, status: s });
        expect(r.body.errors).toBeUndefined();
        expect(r.body.data!.updateCtemExposureStatus.status).toBe(s);
      }
      expect(codes(await gql(t.url, analyst, SET_STATUS, { id, status: 'OPEN' }))).toEqual(['CONFLICT']);
      expect(codes(await gql(t.url, analyst, SET_STATUS, { id, status: 'IN_PROGRESS' }))).toEqual(['CONFLICT']);
      expect((await gql(t.url, analyst, SET_STATUS, { id, status: 'CLOSED' })).body.errors).toBeUndefined();
      expect(codes(await gql(t.url, analyst, SET_STATUS, { id, status: 'OPEN' }))).toEqual(['CONFLICT']);
      // the same status again is a no-op
      expect((await gql(t.url, analyst, SET_STATUS, { id, status: 'CLOSED' })).body.errors).toBeUndefined();
      const row = await t.db.prisma.ctemExposure.findUnique({ where: { id: e.id } });
      expect(row!.status).toBe('Closed');
      expect(row!.updatedAt.getTime()).toBeGreaterThan(e.updatedAt.getTime());
    });

    it('is NOT_FOUND for unknown ids', async () => {
      expect(codes(await gql(t.url, analyst, SET_STATUS, { id: '999999999', status: 'IN_PROGRESS' }))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(t.url, analyst, SET_STATUS, { id: 'not-an-id', status: 'IN_PROGRESS' }))).toEqual(['NOT_FOUND']);
    });
  });

  describe('reads', () => {
    let lt: string; // list tenant: isolated data for exact filter assertions
    let lv: string;
    const ids: Record<string, string> = {};
    const keys: Record<string, string> = {};
    beforeAll(async () => {
      lt = await createTenant(t.db);
      lv = await createKey(t.app, lt, ['viewer']);
      const p = t.db.prisma;
      const now = Date.now();
      const rows = {
        a: await makeExposure(p, lt, { severity: 'CRITICAL', ctemScore: 7.2, sourceTool: 'wiz', assetId: 'plc-1', assetZone: 'Zone1_PLCNetwork', physicalConsequence: 'equipment', atlasTechnique: 'AML.T0051', title: 'PLC firmware outdated', slaDeadline: new Date(now - H), ts: new Date('2026-01-10T00:00:00Z') }),
        b: await makeExposure(p, lt, { severity: 'HIGH', ctemScore: 7.2, sourceTool: 'snyk', assetId: 'svc-2', attackTechnique: 'T1190', title: 'torch RCE', slaDeadline: new Date(now + 10 * H), ts: new Date('2026-01-20T00:00:00Z') }),
        c: await makeExposure(p, lt, { severity: 'MEDIUM', ctemScore: 2.66, sourceTool: 'garak', status: 'InProgress', slaDeadline: new Date(now - 2 * H), title: 'Prompt injection succeeds', updatedAt: new Date(now - 30 * H), ts: new Date('2026-02-01T00:00:00Z') }),
        d: await makeExposure(p, lt, { severity: 'LOW', ctemScore: 0.6, sourceTool: 'wiz', status: 'Verified', slaDeadline: new Date(now - 5 * H), title: 'Old bucket', ts: new Date('2026-02-10T00:00:00Z') }),
        e: await makeExposure(p, lt, { severity: 'HIGH', ctemScore: 9, physicalConsequence: 'safety_life', assetZone: 'Zone0_Safety', slaDeadline: null, title: 'SIS reachable', ts: new Date('2026-02-20T00:00:00Z') }),
      };
      for (const [k, r] of Object.entries(rows)) {
        ids[k] = String(r.id);
        keys[k] = r.exposureKey;
      }
    });

    const titlesOf = (c: Conn<ExposureOut>) => c.edges.map((e) => e.node.id);

    it('lists by ctemScore desc then id, with computed slaStatus and stale', async () => {
      const c = await list(lv, {});
      expect(titlesOf(c)).toEqual([ids.e, ids.a, ids.b, ids.c, ids.d]);
      expect(c.totalCount).toBe(5);
      const by = new Map(c.edges.map((e) => [e.node.id, e.node]));
      expect(by.get(ids.a)).toMatchObject({ slaStatus: 'BREACHED', stale: false, severity: 'CRITICAL', physicalConsequence: 'EQUIPMENT' });
      expect(by.get(ids.b)!.slaStatus).toBe('AT_RISK');
      expect(by.get(ids.c)).toMatchObject({ slaStatus: 'BREACHED', stale: true, status: 'IN_PROGRESS' });
      expect(by.get(ids.d)).toMatchObject({ slaStatus: 'NONE', status: 'VERIFIED' });
      expect(by.get(ids.e)!.slaStatus).toBe('NONE');
    });

    it('pages forward and backward without gaps or duplicates across equal REAL scores', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const c: Conn<ExposureOut> = await list(lv, { first: 2, after });
        seen.push(...titlesOf(c));
        if (!c.pageInfo.hasNextPage) break;
        after = c.pageInfo.endCursor;
      }
      expect(seen).toEqual([ids.e, ids.a, ids.b, ids.c, ids.d]);
      const last = await list(lv, { last: 2 });
      expect(titlesOf(last)).toEqual([ids.c, ids.d]);
      expect(last.pageInfo.hasPreviousPage).toBe(true);
      const prev = await list(lv, { last: 2, before: last.pageInfo.startCursor });
      expect(titlesOf(prev)).toEqual([ids.a, ids.b]);
      const bad = await gql(t.url, lv, LIST, { after: 'garbage' });
      expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    });

    it('filters by every dashboard condition', async () => {
      const f = async (filter: Record<string, unknown>) => titlesOf(await list(lv, { filter })).sort();
      const s = (...k: string[]) => k.map((x) => ids[x]).sort();
      expect(await f({ severities: ['HIGH'] })).toEqual(s('b', 'e'));
      expect(await f({ severities: ['CRITICAL', 'LOW'] })).toEqual(s('a', 'd'));
      expect(await f({ statuses: ['IN_PROGRESS', 'VERIFIED'] })).toEqual(s('c', 'd'));
      expect(await f({ sourceTool: 'wiz' })).toEqual(s('a', 'd', 'e'));
      expect(await f({ assetId: 'plc-1' })).toEqual(s('a'));
      expect(await f({ assetZone: 'Zone0_Safety' })).toEqual(s('e'));
      expect(await f({ physicalConsequences: ['SAFETY_LIFE', 'EQUIPMENT'] })).toEqual(s('a', 'e'));
      expect(await f({ minCtemScore: 7.2 })).toEqual(s('a', 'b', 'e'));
      expect(await f({ techniqueId: 'AML.T0051' })).toEqual(s('a'));
      expect(await f({ techniqueId: 'T1190' })).toEqual(s('b'));
      expect(await f({ atlasTechnique: 'AML.T0051' })).toEqual(s('a'));
      expect(await f({ attackTechnique: 'T1190' })).toEqual(s('b'));
      expect(await f({ slaBreached: true })).toEqual(s('a', 'c'));
      expect(await f({ slaBreached: false })).toEqual(s('b', 'd', 'e'));
      expect(await f({ search: 'TORCH' })).toEqual(s('b'));
      expect(await f({ from: '2026-01-20T00:00:00Z', to: '2026-02-10T00:00:00Z' })).toEqual(s('b', 'c'));
      expect(await f({ severities: ['HIGH'], minCtemScore: 8 })).toEqual(s('e'));
      const bad = await gql(t.url, lv, LIST, { filter: { minCtemScore: 11, from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } });
      expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
      expect(fieldPaths(bad).sort()).toEqual(['filter.minCtemScore', 'filter.to']);
    });

    it('reads one exposure by numeric id or exposure key', async () => {
      const q = `query($id: ID!) { ctemExposure(id: $id) { id exposureKey title } }`;
      const byId = await gql<{ ctemExposure: { id: string; exposureKey: string } }>(t.url, lv, q, { id: ids.c });
      expect(byId.body.data!.ctemExposure).toMatchObject({ id: ids.c, exposureKey: keys.c });
      const byKey = await gql<{ ctemExposure: { id: string } }>(t.url, lv, q, { id: keys.c });
      expect(byKey.body.data!.ctemExposure.id).toBe(ids.c);
      expect(codes(await gql(t.url, lv, q, { id: '0000000000000000' }))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(t.url, lv, q, { id: '99999999999999999999999' }))).toEqual(['NOT_FOUND']);
    });

    it('resolves validations, remediations and their exposure through loaders', async () => {
      const p = t.db.prisma;
      const v1 = await makeValidation(p, lt, keys.a, { campaignId: 'red-1', ts: new Date('2026-02-01T00:00:00Z'), exploitable: true, detectionEvaded: true, validationType: 'manual_red_team' });
      const v2 = await makeValidation(p, lt, keys.a, { campaignId: 'red-2', ts: new Date('2026-02-02T00:00:00Z') });
      const r1 = await makeRemediation(p, lt, keys.a, { status: 'InProgress', slaDeadline: new Date(Date.now() - H) });
      const r2 = await makeRemediation(p, lt, keys.b, { status: 'FixDeployed', slaDeadline: new Date(Date.now() - H) });
      const r3 = await makeRemediation(p, lt, keys.b, { status: 'Assigned', slaBreached: true, assignedTo: 'bob' });
      const q = `{ ctemExposures(filter: {sourceTool: "wiz"}) { edges { node { id
        validations { id validationId campaignId exploitable detectionEvaded validationType exposure { id } }
        remediations { id status slaBreached exposure { exposureKey } } } } } }`;
      const r = await gql<{ ctemExposures: Conn<{ id: string; validations: { id: string; validationType: string; exposure: { id: string } }[]; remediations: { id: string; slaBreached: boolean; exposure: { exposureKey: string } }[] }> }>(t.url, lv, q);
      expect(r.body.errors).toBeUndefined();
      const a = r.body.data!.ctemExposures.edges.find((e) => e.node.id === ids.a)!.node;
      expect(a.validations.map((v) => v.id)).toEqual([String(v2.id), String(v1.id)]);
      expect(a.validations[1]).toMatchObject({ validationType: 'MANUAL_RED_TEAM', exposure: { id: ids.a } });
      expect(a.remediations).toEqual([{ id: String(r1.id), status: 'IN_PROGRESS', slaBreached: true, exposure: { exposureKey: keys.a } }]);
      const d = r.body.data!.ctemExposures.edges.find((e) => e.node.id === ids.d)!.node;
      expect(d.validations).toEqual([]);

      const vq = `query($f: CtemValidationFilter, $first: Int, $after: String) { ctemValidations(filter: $f, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id exposureKey exposure { id } } } } }`;
      const vl = async (f: Record<string, unknown>, first?: number, after?: string) => {
        const res = await gql<{ ctemValidations: Conn<{ id: string; exposureKey: string }> }>(t.url, lv, vq, { f, first, after });
        expect(res.body.errors).toBeUndefined();
        return res.body.data!.ctemValidations;
      };
      expect((await vl({})).edges.map((e) => e.node.id)).toEqual([String(v2.id), String(v1.id)]);
      expect((await vl({ exposure: keys.a })).totalCount).toBe(2);
      expect((await vl({ exposure: ids.a })).totalCount).toBe(2);
      expect((await vl({ exposure: keys.b })).totalCount).toBe(0);
      expect((await vl({ campaignId: 'red-1' })).edges.map((e) => e.node.id)).toEqual([String(v1.id)]);
      expect((await vl({ exploitable: true, detectionEvaded: true, validationTypes: ['MANUAL_RED_TEAM'] })).totalCount).toBe(1);
      expect((await vl({ from: '2026-02-02T00:00:00Z' })).edges.map((e) => e.node.id)).toEqual([String(v2.id)]);
      const p1 = await vl({}, 1);
      expect(p1.pageInfo.hasNextPage).toBe(true);
      expect((await vl({}, 1, p1.pageInfo.endCursor!)).edges.map((e) => e.node.id)).toEqual([String(v1.id)]);

      const rq = `query($f: CtemRemediationFilter) { ctemRemediations(filter: $f) { totalCount edges { node { id status slaBreached exposure { id } } } } }`;
      const rl = async (f: Record<string, unknown>) => {
        const res = await gql<{ ctemRemediations: Conn<{ id: string }> }>(t.url, lv, rq, { f });
        expect(res.body.errors).toBeUndefined();
        return res.body.data!.ctemRemediations.edges.map((e) => e.node.id).sort();
      };
      expect(await rl({})).toEqual([r1, r2, r3].map((x) => String(x.id)).sort());
      expect(await rl({ slaBreached: true })).toEqual([String(r1.id), String(r3.id)].sort());
      expect(await rl({ slaBreached: false })).toEqual([String(r2.id)]);
      expect(await rl({ exposure: keys.b, statuses: ['ASSIGNED'] })).toEqual([String(r3.id)]);
      expect(await rl({ assignedTo: 'bob' })).toEqual([String(r3.id)]);

      const one = await gql<{ ctemValidation: { id: string }; byBiz: { id: string }; ctemRemediation: { id: string; exposure: { id: string } } }>(
        t.url,
        lv,
        `query($v: ID!, $vb: ID!, $r: ID!) { ctemValidation(id: $v) { id } byBiz: ctemValidation(id: $vb) { id } ctemRemediation(id: $r) { id exposure { id } } }`,
        { v: String(v1.id), vb: v2.validationId, r: r3.remediationId },
      );
      expect(one.body.errors).toBeUndefined();
      expect(one.body.data).toEqual({ ctemValidation: { id: String(v1.id) }, byBiz: { id: String(v2.id) }, ctemRemediation: { id: String(r3.id), exposure: { id: ids.b } } });
    });

    it('lets viewers read but not ingest keys or anonymous callers', async () => {
      expect(codes(await gql(t.url, ingest, '{ ctemExposures { totalCount } }'))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, ingest, '{ ctemValidations { totalCount } }'))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, ingest, '{ ctemRemediations { totalCount } }'))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, null, '{ ctemExposures { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('tenant isolation', () => {
    it('cannot see or change another tenant’s exposures, validations or remediations', async () => {
      const p = t.db.prisma;
      const shared = 'feedfacecafebeef';
      const mine = await makeExposure(p, tenant, { exposureKey: shared, title: 'Mine' });
      const theirs = await makeExposure(p, other, { exposureKey: shared, title: 'Theirs' });
      const v = await makeValidation(p, tenant, shared);
      const rem = await makeRemediation(p, tenant, shared);

      // read by id and by key → NOT_FOUND / their own row
      const q = `query($id: ID!) { ctemExposure(id: $id) { id title validations { id } remediations { id } } }`;
      expect(codes(await gql(t.url, otherAnalyst, q, { id: String(mine.id) }))).toEqual(['NOT_FOUND']);
      const viaKey = await gql<{ ctemExposure: { id: string; validations: unknown[]; remediations: unknown[] } }>(t.url, otherAnalyst, q, { id: shared });
      // the same key resolves to their own exposure, and relations never cross into ours
      expect(viaKey.body.data!.ctemExposure).toEqual({ id: String(theirs.id), title: 'Theirs', validations: [], remediations: [] });
      expect(codes(await gql(t.url, otherAnalyst, '{ ctemValidation(id: "' + v.id + '") { id } }'))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(t.url, otherAnalyst, '{ ctemRemediation(id: "' + rem.id + '") { id } }'))).toEqual(['NOT_FOUND']);

      // lists exclude
      const l = await list(otherAnalyst, {});
      expect(l.edges.map((e) => e.node.id)).toEqual([String(theirs.id)]);
      const vl = await gql<{ ctemValidations: { totalCount: number } }>(t.url, otherAnalyst, `{ ctemValidations(filter: {exposure: "${shared}"}) { totalCount } }`);
      expect(vl.body.data!.ctemValidations.totalCount).toBe(0);
      const rl = await gql<{ ctemRemediations: { totalCount: number } }>(t.url, otherAnalyst, '{ ctemRemediations { totalCount } }');
      expect(rl.body.data!.ctemRemediations.totalCount).toBe(0);

      // writes → NOT_FOUND, nothing changed
      expect(codes(await gql(t.url, otherAnalyst, SET_STATUS, { id: String(mine.id), status: 'IN_PROGRESS' }))).toEqual(['NOT_FOUND']);
      expect((await p.ctemExposure.findUnique({ where: { id: mine.id } }))!.status).toBe('Open');
      // their upsert of an identical finding creates their own row and leaves ours alone
      const input = { sourceTool: 'wiz', title: 'Twin', assetId: 'a1', assetType: 'vm', assetZone: 'Zone2_HMI', originalSeverity: 'HIGH' };
      const ours = await gql<{ upsertCtemExposure: { exposure: ExposureOut } }>(t.url, analyst, UPSERT, { input });
      await gql(t.url, analyst, SET_STATUS, { id: ours.body.data!.upsertCtemExposure.exposure.id, status: 'IN_PROGRESS' });
      const twin = await gql<{ upsertCtemExposure: { created: boolean; exposure: ExposureOut } }>(t.url, otherAnalyst, UPSERT, {
        input: { ...input, originalSeverity: 'LOW' },
      });
      expect(twin.body.data!.upsertCtemExposure.created).toBe(true);
      expect(twin.body.data!.upsertCtemExposure.exposure.id).not.toBe(ours.body.data!.upsertCtemExposure.exposure.id);
      const oursAfter = await p.ctemExposure.findUnique({ where: { id: BigInt(ours.body.data!.upsertCtemExposure.exposure.id) } });
      expect(oursAfter).toMatchObject({ status: 'InProgress', severity: 'HIGH', tenantId: tenant });
    });
  });
});
