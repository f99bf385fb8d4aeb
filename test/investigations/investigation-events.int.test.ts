import { parse } from 'graphql';
import WebSocket from 'ws';
import { appendAuditBatch } from '../../src/audit/audit.append';
import { systemScope } from '../../src/auth/scope';
import { createAluskortClient } from '../../src/client/sdk';
import { type TestApp, createKey, createTenant, startTestApp } from '../helpers/app';
import { makeCase } from './factories';

/** Records a transition the way the engine does: an investigation.state_changed audit record, published after commit. */
async function transition(t: TestApp, tenantId: string, investigationId: string, from: string | null, to: string, extra: Record<string, unknown> = {}) {
  await t.db.prisma.investigationState.updateMany({ where: { investigationId, tenantId }, data: { state: to } });
  const rows = await appendAuditBatch(t.db.prisma, systemScope(tenantId, 'engine'), [
    {
      eventType: 'investigation.state_changed',
      investigationId,
      context: { from_state: from, to_state: to, agent: 'ioc_extractor', changed_fields: ['state', 'entities'], ...extra },
    },
  ]);
  t.app.services.audit.published(tenantId, rows);
  return rows[0].sequenceNumber;
}

async function until(cond: () => boolean, ms = 8000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}

type Ev = { fromState: string | null; toState: string; auditSequence: number; investigationId: string; investigation: { state: string; title: string } };

describe('investigation event subscriptions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ checkpoints: false });
  });
  afterAll(async () => {
    await t.close();
  });

  function subscribe(key: string, query: string, variables: Record<string, unknown>) {
    const client = createAluskortClient({ url: t.url, apiKey: key, webSocketImpl: WebSocket });
    const events: Ev[] = [];
    const errors: unknown[] = [];
    const stop = client.subscribe(parse(query) as never, variables as never, {
      onNext: (v: Record<string, Ev>) => events.push(Object.values(v)[0]),
      onError: (e: unknown) => errors.push(e),
    } as never);
    return { events, errors, stop: async () => { stop(); await client.close(); } };
  }

  const EVENTS = `subscription($f: InvestigationEventFilter, $after: Int) {
    investigationEvents(filter: $f, afterSequence: $after) { investigationId fromState toState agent changedFields auditSequence timestamp investigation { state title } } }`;

  it('delivers each transition with the investigation itself, filtered, and never another tenant’s', async () => {
    const a = await createTenant(t.db);
    const b = await createTenant(t.db);
    const viewer = await createKey(t.app, a, ['viewer']);
    const { investigation: inv } = await makeCase(t.db.prisma, a, { title: 'Brute force on vpn-gw' });
    const { investigation: other } = await makeCase(t.db.prisma, b);
    const all = subscribe(viewer, EVENTS, {});
    const closedOnly = subscribe(viewer, EVENTS, { f: { states: ['CLOSED'] } });
    await new Promise((r) => setTimeout(r, 300));
    await transition(t, a, inv.investigationId, 'received', 'parsing');
    await transition(t, b, other.investigationId, 'received', 'parsing');
    await transition(t, a, inv.investigationId, 'parsing', 'closed');
    await until(() => all.events.length >= 2 && closedOnly.events.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    await all.stop();
    await closedOnly.stop();
    expect(all.errors).toEqual([]);
    expect(all.events.map((e) => [e.fromState, e.toState])).toEqual([['RECEIVED', 'PARSING'], ['PARSING', 'CLOSED']]);
    expect(all.events.every((e) => e.investigationId === inv.investigationId)).toBe(true);
    expect(all.events[1].investigation).toEqual({ state: 'CLOSED', title: 'Brute force on vpn-gw' });
    expect(closedOnly.events.map((e) => e.toState)).toEqual(['CLOSED']);
  });

  it('identical live subscriptions share one execution per event; a replaying one is its own; tenants never share', async () => {
    const a = await createTenant(t.db);
    const b = await createTenant(t.db);
    const viewerA = await createKey(t.app, a, ['viewer']);
    const viewerB = await createKey(t.app, b, ['viewer']);
    const { investigation: inv } = await makeCase(t.db.prisma, a);
    const { investigation: invB } = await makeCase(t.db.prisma, b);
    const first = await transition(t, a, inv.investigationId, 'received', 'parsing');
    const live = [subscribe(viewerA, EVENTS, {}), subscribe(viewerA, EVENTS, {}), subscribe(viewerA, EVENTS, {})];
    const replaying = subscribe(viewerA, EVENTS, { after: first - 1 });
    const otherTenant = subscribe(viewerB, EVENTS, {});
    await until(() => replaying.events.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    // 5 subscriptions, 3 executions: the 3 identical live ones of tenant A share one
    const metrics = await (await fetch(t.url.replace('/graphql', '/metrics'))).text();
    expect(/^aluskort_ws_shared_sources (\d+)/m.exec(metrics)?.[1]).toBe('2');
    await transition(t, b, invB.investigationId, 'received', 'parsing');
    await transition(t, a, inv.investigationId, 'parsing', 'enriching');
    await transition(t, a, inv.investigationId, 'enriching', 'reasoning');
    await until(() => live.every((l) => l.events.length >= 2) && replaying.events.length >= 3 && otherTenant.events.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    for (const s of [...live, replaying, otherTenant]) await s.stop();
    for (const l of live) {
      expect(l.errors).toEqual([]);
      expect(l.events.map((e) => e.toState)).toEqual(['ENRICHING', 'REASONING']);
    }
    expect(replaying.events.map((e) => e.toState)).toEqual(['PARSING', 'ENRICHING', 'REASONING']);
    expect(otherTenant.events.map((e) => e.investigationId)).toEqual([invB.investigationId]);
  });

  it('resumes after an audit sequence: replay then live, no gap, no duplicate', async () => {
    const a = await createTenant(t.db);
    const viewer = await createKey(t.app, a, ['viewer']);
    const { investigation: inv } = await makeCase(t.db.prisma, a);
    const seqs: number[] = [];
    const states = ['parsing', 'enriching', 'reasoning', 'responding'];
    let prev = 'received';
    for (const s of states) {
      seqs.push(await transition(t, a, inv.investigationId, prev, s));
      prev = s;
    }
    const sub = subscribe(viewer, EVENTS, { after: seqs[1] });
    await until(() => sub.events.length >= 2);
    await transition(t, a, inv.investigationId, 'responding', 'closed');
    await until(() => sub.events.length >= 3);
    await sub.stop();
    expect(sub.events.map((e) => e.toState)).toEqual(['REASONING', 'RESPONDING', 'CLOSED']);
    const got = sub.events.map((e) => e.auditSequence);
    expect(got.slice(0, 2)).toEqual([seqs[2], seqs[3]]);
    expect(new Set(got).size).toBe(got.length);
  });

  it('investigationUpdated follows one investigation and is NOT_FOUND for another tenant’s', async () => {
    const a = await createTenant(t.db);
    const b = await createTenant(t.db);
    const viewerA = await createKey(t.app, a, ['viewer']);
    const viewerB = await createKey(t.app, b, ['viewer']);
    const { investigation: one } = await makeCase(t.db.prisma, a);
    const { investigation: two } = await makeCase(t.db.prisma, a);
    const q = 'subscription($id: ID!) { investigationUpdated(id: $id) { investigationId toState } }';
    const sub = subscribe(viewerA, q, { id: one.investigationId });
    await new Promise((r) => setTimeout(r, 300));
    await transition(t, a, two.investigationId, 'received', 'parsing');
    await transition(t, a, one.investigationId, 'received', 'parsing');
    await until(() => sub.events.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    await sub.stop();
    expect(sub.events).toEqual([{ investigationId: one.investigationId, toState: 'PARSING' }]);

    const spy = subscribe(viewerB, q, { id: one.investigationId });
    await until(() => spy.errors.length > 0);
    await spy.stop();
    expect((spy.errors[0] as { codes?: string[] }).codes).toContain('NOT_FOUND');
  });
});
