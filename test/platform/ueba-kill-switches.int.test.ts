import { type TestApp, startTestApp } from '../helpers/app';
import { type TwoTenants, codes, fieldPaths, gql, ok, twoTenants } from './platform.helpers';

const T0 = Date.parse('2026-05-01T00:00:00.000Z');
const at = (h: number) => new Date(T0 + h * 3_600_000);
const SIGNALS = `query($filter: UebaSignalFilter, $first: Int, $after: String) { uebaSignals(filter: $filter, first: $first, after: $after) {
  totalCount edges { node { id entityId entityType signalType riskState riskScore dataFreshnessHours source details observedAt } } pageInfo { endCursor } } }`;
const ACTIVATE = `mutation($input: ActivateKillSwitchInput!) { activateKillSwitch(input: $input) { id dimension value reason activatedBy active deactivatedAt deactivationReason } }`;
const DEACTIVATE = `mutation($id: ID!, $reason: String!) { deactivateKillSwitch(id: $id, reason: $reason) { id active deactivatedBy deactivatedAt deactivationReason reason } }`;

describe('UEBA signals and kill switches', () => {
  let t: TestApp;
  let s: TwoTenants;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp();
    s = await twoTenants(t);
    const p = t.db.prisma.userEntityBehavior;
    const mk = async (name: string, data: Parameters<typeof p.create>[0]['data']) => {
      ids[name] = (await p.create({ data })).id.toString();
    };
    await mk('a1', { tenantId: s.a, entityId: 'alice@corp', entityType: 'account', signalType: 'ueba', riskState: 'high', riskScore: 8.5, dataFreshnessHours: 1, source: 'sentinel', details: { z: 3 }, observedAt: at(1) });
    await mk('a2', { tenantId: s.a, entityId: 'alice@corp', entityType: 'account', signalType: 'iam', riskState: 'no_baseline', observedAt: at(2) });
    await mk('a3', { tenantId: s.a, entityId: 'host-7', entityType: 'host', signalType: 'endpoint', riskState: 'low', riskScore: 1, observedAt: at(3) });
    await mk('b1', { tenantId: s.b, entityId: 'alice@corp', entityType: 'account', signalType: 'ueba', riskState: 'high', riskScore: 9, observedAt: at(1) });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('uebaSignals', () => {
    const list = async (filter: Record<string, unknown>, key = s.keys.aViewer) =>
      (await ok(t, key, SIGNALS, { filter })).uebaSignals.edges.map((e: { node: { id: string } }) => e.node.id);

    it('lists the tenant’s signals newest first and filters them', async () => {
      expect(await list({})).toEqual([ids.a3, ids.a2, ids.a1]);
      expect(await list({ entityId: 'alice@corp' })).toEqual([ids.a2, ids.a1]);
      expect(await list({ entityType: 'host' })).toEqual([ids.a3]);
      expect(await list({ riskState: 'NO_BASELINE' })).toEqual([ids.a2]);
      expect(await list({ signalType: 'UEBA' })).toEqual([ids.a1]);
      expect(await list({ from: at(2).toISOString(), to: at(3).toISOString() })).toEqual([ids.a2]);
      const r = await ok(t, s.keys.aViewer, SIGNALS, { filter: { signalType: 'UEBA' } });
      expect(r.uebaSignals.edges[0].node).toMatchObject({ riskState: 'HIGH', riskScore: 8.5, details: { z: 3 }, source: 'sentinel' });
      const nb = await ok(t, s.keys.aViewer, `{ uebaSignal(id: "${ids.a2}") { riskScore riskState } }`);
      expect(nb.uebaSignal).toEqual({ riskScore: null, riskState: 'NO_BASELINE' });
    });

    it('pages with cursors', async () => {
      const p1 = await ok(t, s.keys.aViewer, SIGNALS, { first: 2 });
      const p2 = await ok(t, s.keys.aViewer, SIGNALS, { first: 2, after: p1.uebaSignals.pageInfo.endCursor });
      expect(p2.uebaSignals.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids.a1]);
    });

    it('denies ingest keys and isolates tenants', async () => {
      expect(codes(await gql(t.url, s.keys.aIngest, SIGNALS, {}))).toEqual(['FORBIDDEN']);
      expect(await list({ entityId: 'alice@corp' }, s.keys.bViewer)).toEqual([ids.b1]);
      expect(codes(await gql(t.url, s.keys.bViewer, `{ uebaSignal(id: "${ids.a1}") { id } }`))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(t.url, s.keys.bViewer, '{ uebaSignal(id: "x1") { id } }'))).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('kill switches', () => {
    it('activates, conflicts while active, deactivates, and allows re-activation', async () => {
      const on = await ok(t, s.keys.aAdmin, ACTIVATE, { input: { dimension: 'TECHNIQUE', value: 'T1059.001', reason: 'noisy' } });
      expect(on.activateKillSwitch).toMatchObject({ dimension: 'TECHNIQUE', value: 'T1059.001', reason: 'noisy', active: true, deactivatedAt: null, deactivationReason: null });
      expect(on.activateKillSwitch.activatedBy).toMatch(/^api_key:/);
      const dup = await gql(t.url, s.keys.aAdmin, ACTIVATE, { input: { dimension: 'TECHNIQUE', value: 'T1059.001', reason: 'again' } });
      expect(codes(dup)).toEqual(['CONFLICT']);
      // The same value on another dimension is a different switch.
      await ok(t, s.keys.aAdmin, ACTIVATE, { input: { dimension: 'DATASOURCE', value: 'T1059.001', reason: 'odd but allowed' } });
      const off = await ok(t, s.keys.aAdmin, DEACTIVATE, { id: on.activateKillSwitch.id, reason: '  tuned  ' });
      // The deactivation reason is stored (trimmed) next to the activation reason, which it does not replace.
      expect(off.deactivateKillSwitch).toMatchObject({ active: false, deactivationReason: 'tuned', reason: 'noisy' });
      expect(off.deactivateKillSwitch.deactivatedBy).toMatch(/^api_key:/);
      expect(await t.db.prisma.killSwitch.findUniqueOrThrow({ where: { id: on.activateKillSwitch.id } })).toMatchObject({ deactivationReason: 'tuned' });
      const blank = await gql(t.url, s.keys.aAdmin, DEACTIVATE, { id: on.activateKillSwitch.id, reason: '   ' });
      expect(fieldPaths(blank)).toEqual(['reason']);
      const twice = await gql(t.url, s.keys.aAdmin, DEACTIVATE, { id: on.activateKillSwitch.id, reason: 'other' });
      expect(codes(twice)).toEqual(['CONFLICT']);
      // A refused second deactivation keeps the first reason.
      expect(await t.db.prisma.killSwitch.findUniqueOrThrow({ where: { id: on.activateKillSwitch.id } })).toMatchObject({ deactivationReason: 'tuned' });
      const again = await ok(t, s.keys.aAdmin, ACTIVATE, { input: { dimension: 'TECHNIQUE', value: 'T1059.001', reason: 'back' } });
      expect(again.activateKillSwitch.id).not.toBe(on.activateKillSwitch.id);
    });

    it('settles concurrent activations with one winner and CONFLICT for the rest', async () => {
      const input = { dimension: 'PATTERN', value: 'fp-race', reason: 'race' };
      const results = await Promise.all([1, 2, 3, 4].map(() => gql(t.url, s.keys.aAdmin, ACTIVATE, { input })));
      const outcomes = results.map((r) => (r.body.errors ? codes(r)[0] : 'OK')).sort();
      expect(outcomes).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
      expect(await t.db.prisma.killSwitch.count({ where: { tenantId: s.a, value: 'fp-race', deactivatedAt: null } })).toBe(1);
    });

    it('lists with filters and reads one', async () => {
      const q = `query($filter: KillSwitchFilter) { killSwitches(filter: $filter) { totalCount edges { node { id dimension value active } } } }`;
      const all = await ok(t, s.keys.aViewer, q, {});
      expect(all.killSwitches.totalCount).toBe(4);
      const active = await ok(t, s.keys.aViewer, q, { filter: { activeOnly: true } });
      expect(active.killSwitches.edges.every((e: { node: { active: boolean } }) => e.node.active)).toBe(true);
      expect(active.killSwitches.totalCount).toBe(3);
      const tech = await ok(t, s.keys.aViewer, q, { filter: { dimension: 'TECHNIQUE', value: 'T1059.001' } });
      expect(tech.killSwitches.edges.map((e: { node: { active: boolean } }) => e.node.active)).toEqual([true, false]);
      const one = await ok(t, s.keys.aViewer, `{ killSwitch(id: "${tech.killSwitches.edges[1].node.id}") { active reason deactivationReason } }`);
      expect(one.killSwitch).toEqual({ active: false, reason: 'noisy', deactivationReason: 'tuned' });
    });

    it('validates input with field paths', async () => {
      const bad = await gql(t.url, s.keys.aAdmin, ACTIVATE, { input: { dimension: 'TECHNIQUE', value: 'not-a-technique', reason: ' ' } });
      expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
      expect(fieldPaths(bad).sort()).toEqual(['input.reason', 'input.value']);
      const otherTenant = await gql(t.url, s.keys.aAdmin, ACTIVATE, { input: { dimension: 'TENANT', value: s.b, reason: 'x' } });
      expect(fieldPaths(otherTenant)).toEqual(['input.value']);
      const own = await ok(t, s.keys.aAdmin, ACTIVATE, { input: { dimension: 'TENANT', value: s.a, reason: 'incident' } });
      const noReason = await gql(t.url, s.keys.aAdmin, DEACTIVATE, { id: own.activateKillSwitch.id, reason: '' });
      expect(fieldPaths(noReason)).toEqual(['reason']);
      await ok(t, s.keys.aAdmin, DEACTIVATE, { id: own.activateKillSwitch.id, reason: 'over' });
    });

    it('needs admin to switch and viewer to read', async () => {
      const input = { dimension: 'DATASOURCE', value: 'splunk', reason: 'x' };
      for (const key of [s.keys.aViewer, s.keys.aAnalyst, s.keys.aApprover, s.keys.aIngest]) {
        expect(codes(await gql(t.url, key, ACTIVATE, { input }))).toEqual(['FORBIDDEN']);
        expect(codes(await gql(t.url, key, DEACTIVATE, { id: 'x', reason: 'x' }))).toEqual(['FORBIDDEN']);
      }
      expect(codes(await gql(t.url, s.keys.aIngest, '{ killSwitches { totalCount } }'))).toEqual(['FORBIDDEN']);
    });

    it('cannot see or change another tenant’s kill switches', async () => {
      const aActive = await t.db.prisma.killSwitch.findFirstOrThrow({ where: { tenantId: s.a, deactivatedAt: null } });
      const bList = await ok(t, s.keys.bViewer, '{ killSwitches { totalCount } }');
      expect(bList.killSwitches.totalCount).toBe(0);
      expect(codes(await gql(t.url, s.keys.bViewer, `{ killSwitch(id: "${aActive.id}") { id } }`))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(t.url, s.keys.bAdmin, DEACTIVATE, { id: aActive.id, reason: 'evil' }))).toEqual(['NOT_FOUND']);
      expect((await t.db.prisma.killSwitch.findUniqueOrThrow({ where: { id: aActive.id } })).deactivatedAt).toBeNull();
      // The same (dimension, value) is independent per tenant.
      const bOwn = await ok(t, s.keys.bAdmin, ACTIVATE, { input: { dimension: aActive.dimension.toUpperCase(), value: aActive.value, reason: 'mine' } });
      expect(bOwn.activateKillSwitch.active).toBe(true);
    });
  });
});
