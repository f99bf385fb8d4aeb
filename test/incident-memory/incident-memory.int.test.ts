import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';
import { makeCase } from '../investigations/factories';

type Conn<T> = { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number };

async function makeMemory(
  prisma: PrismaClient,
  tenantId: string,
  over: Partial<{ incidentId: string; timestamp: Date; finalClassification: string | null; initialClassification: string | null; alertName: string; mitreTechniques: string[]; outcome: string; rareImportant: boolean }>,
) {
  return prisma.incidentMemory.create({
    data: {
      docId: `mem-${randomBytes(6).toString('hex')}`,
      tenantId,
      incidentId: over.incidentId ?? `inc-${randomBytes(4).toString('hex')}`,
      alertIds: ['a-1'],
      timestamp: over.timestamp ?? new Date(),
      initialClassification: over.initialClassification ?? null,
      finalClassification: over.finalClassification ?? null,
      alertName: over.alertName ?? 'Alert',
      alertSource: 'sentinel',
      severity: 'high',
      entities: { hosts: ['h1'] },
      mitreTechniques: over.mitreTechniques ?? [],
      investigationSummary: 'summary',
      outcome: over.outcome ?? 'resolved',
      rareImportant: over.rareImportant ?? false,
      analystFeedback: { correct: true, rating: 5, comment: 'good' },
    },
  });
}

describe('incident memory (read API)', () => {
  let t: TestApp;
  let tenant: string;
  let viewer: string;
  const m: Record<string, string> = {};
  let invId: string;

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t.db);
    viewer = await createKey(t.app, tenant, ['viewer']);
    const p = t.db.prisma;
    const c = await makeCase(p, tenant, {}, { state: 'closed', classification: 'true_positive' });
    invId = c.investigation.investigationId;
    m.a = (await makeMemory(p, tenant, { incidentId: invId, timestamp: new Date('2026-01-01T00:00:00Z'), finalClassification: 'true_positive', initialClassification: 'suspicious', alertName: 'PsExec lateral movement', mitreTechniques: ['T1570', 'T1021.002'], outcome: 'resolved' })).docId;
    m.b = (await makeMemory(p, tenant, { timestamp: new Date('2026-01-05T00:00:00Z'), finalClassification: 'false_positive', alertName: 'PsExec during maintenance', mitreTechniques: ['T1570'], outcome: 'auto_closed', rareImportant: true })).docId;
    m.c = (await makeMemory(p, tenant, { timestamp: new Date('2026-01-09T00:00:00Z'), finalClassification: 'weird_value', alertName: 'Impossible travel', outcome: 'resolved' })).docId;
  });
  afterAll(async () => {
    await t.close();
  });

  const q = `query($filter: IncidentMemoryFilter, $first: Int, $after: String) { incidentMemories(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
  const list = async (filter: Record<string, unknown>, first?: number, after?: string | null) => {
    const r = await gql<{ incidentMemories: Conn<{ id: string }> }>(t.url, viewer, q, { filter, first, after });
    expect(r.body.errors).toBeUndefined();
    return r.body.data!.incidentMemories;
  };

  it('reads one remembered incident with its investigation', async () => {
    const r = await gql<{ incidentMemory: Record<string, unknown> }>(
      t.url,
      viewer,
      `query($id: ID!) { incidentMemory(id: $id) { id incidentId initialClassification finalClassification alertName mitreTechniques
        outcome rareImportant entities analystFeedback timestamp investigation { id state } } }`,
      { id: m.a },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.incidentMemory).toMatchObject({
      id: m.a,
      incidentId: invId,
      initialClassification: 'SUSPICIOUS',
      finalClassification: 'TRUE_POSITIVE',
      mitreTechniques: ['T1570', 'T1021.002'],
      analystFeedback: { correct: true, rating: 5, comment: 'good' },
      timestamp: '2026-01-01T00:00:00.000Z',
      investigation: { id: invId, state: 'CLOSED' },
    });
    const c = await gql<{ incidentMemory: { finalClassification: unknown; investigation: unknown } }>(
      t.url,
      viewer,
      `query($id: ID!) { incidentMemory(id: $id) { finalClassification investigation { id } } }`,
      { id: m.c },
    );
    expect(c.body.data!.incidentMemory).toEqual({ finalClassification: null, investigation: null });
    expect(codes(await gql(t.url, viewer, '{ incidentMemory(id: "nope") { id } }'))).toEqual(['NOT_FOUND']);
  });

  it('lists newest first, pages and filters', async () => {
    expect((await list({})).edges.map((e) => e.node.id)).toEqual([m.c, m.b, m.a]);
    const p1 = await list({}, 2);
    const p2 = await list({}, 2, p1.pageInfo.endCursor);
    expect([...p1.edges, ...p2.edges].map((e) => e.node.id)).toEqual([m.c, m.b, m.a]);
    const f = async (filter: Record<string, unknown>) => (await list(filter)).edges.map((e) => e.node.id).sort();
    const s = (...k: string[]) => k.map((x) => m[x]).sort();
    expect(await f({ outcome: 'resolved' })).toEqual(s('a', 'c'));
    expect(await f({ finalClassifications: ['FALSE_POSITIVE', 'TRUE_POSITIVE'] })).toEqual(s('a', 'b'));
    expect(await f({ techniqueId: 'T1570' })).toEqual(s('a', 'b'));
    expect(await f({ search: 'psexec' })).toEqual(s('a', 'b'));
    expect(await f({ rareImportant: true })).toEqual(s('b'));
    expect(await f({ from: '2026-01-05T00:00:00Z', to: '2026-01-09T00:00:00Z' })).toEqual(s('b'));
    const bad = await gql(t.url, viewer, q, { filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  });

  it('needs viewer: ingest keys are FORBIDDEN, anonymous callers UNAUTHENTICATED', async () => {
    const ingest = await createKey(t.app, tenant, ['ingest']);
    expect(codes(await gql(t.url, ingest, '{ incidentMemories { totalCount } }'))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, null, '{ incidentMemories { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
  });

  it('cannot see another tenant’s incident memory', async () => {
    const other = await createTenant(t.db);
    const otherViewer = await createKey(t.app, other, ['viewer']);
    expect(codes(await gql(t.url, otherViewer, `{ incidentMemory(id: "${m.a}") { id } }`))).toEqual(['NOT_FOUND']);
    const r = await gql<{ incidentMemories: { totalCount: number } }>(t.url, otherViewer, '{ incidentMemories { totalCount } }');
    expect(r.body.data!.incidentMemories.totalCount).toBe(0);
    // their memory naming our investigation does not reach it
    const theirs = await makeMemory(t.db.prisma, other, { incidentId: invId });
    const rel = await gql<{ incidentMemory: { investigation: unknown } }>(t.url, otherViewer, `{ incidentMemory(id: "${theirs.docId}") { investigation { id } } }`);
    expect(rel.body.data!.incidentMemory.investigation).toBeNull();
  });
});
