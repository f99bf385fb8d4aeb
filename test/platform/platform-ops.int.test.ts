import { createHash } from 'node:crypto';
import { type TestApp, startTestApp } from '../helpers/app';
import { type TwoTenants, codes, gql, ok, twoTenants } from './platform.helpers';

const MIGRATIONS = `query($filter: EmbeddingMigrationFilter, $first: Int, $after: String) { embeddingMigrations(filter: $filter, first: $first, after: $after) {
  totalCount edges { node { id oldModel newModel collection lastPointId pointsMigrated pointsTotal progress status completedAt } } pageInfo { endCursor hasNextPage } } }`;
const SESSIONS = `query($filter: DashboardSessionFilter) { dashboardSessions(filter: $filter) {
  totalCount edges { node { sessionFingerprint userId role active expiresAt } } } }`;

describe('embedding migrations and dashboard sessions (admin, read-only)', () => {
  let t: TestApp;
  let s: TwoTenants;
  beforeAll(async () => {
    t = await startTestApp();
    s = await twoTenants(t);
    const t0 = Date.parse('2026-02-01T00:00:00Z');
    await t.db.prisma.embeddingMigration.createMany({
      data: [
        { tenantId: s.a, oldModel: 'e5', newModel: 'bge', collection: 'incidents', pointsMigrated: 250n, pointsTotal: 1000n, startedAt: new Date(t0) },
        { tenantId: s.a, oldModel: 'bge', newModel: 'voyage', collection: 'playbooks', pointsMigrated: 9_000_000_000n, pointsTotal: 9_000_000_000n, status: 'completed', startedAt: new Date(t0 + 1000), completedAt: new Date(t0 + 5000) },
        { tenantId: s.a, oldModel: 'x', newModel: 'y', collection: 'incidents', status: 'paused', startedAt: new Date(t0 + 2000) },
        { tenantId: s.b, oldModel: 'e5', newModel: 'bge', collection: 'incidents', startedAt: new Date(t0) },
      ],
    });
    const now = Date.now();
    await t.db.prisma.dashboardSession.createMany({
      data: [
        { sessionId: `sess-a1-${s.a}`, userId: 'alice', tenantId: s.a, expiresAt: new Date(now + 3_600_000), createdAt: new Date(now - 1000) },
        { sessionId: `sess-a2-${s.a}`, userId: 'bob', role: 'admin', tenantId: s.a, expiresAt: new Date(now - 1000), createdAt: new Date(now - 7_200_000) },
        { sessionId: `sess-b1-${s.b}`, userId: 'alice', tenantId: s.b, expiresAt: new Date(now + 3_600_000) },
      ],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists re-embedding runs newest first with progress, filters and pages', async () => {
    const all = await ok(t, s.keys.aAdmin, MIGRATIONS, {});
    expect(all.embeddingMigrations.edges.map((e: { node: { collection: string; status: string } }) => [e.node.collection, e.node.status])).toEqual([
      ['incidents', 'PAUSED'],
      ['playbooks', 'COMPLETED'],
      ['incidents', 'IN_PROGRESS'],
    ]);
    expect(all.embeddingMigrations.edges[1].node).toMatchObject({ pointsMigrated: 9_000_000_000, progress: 1 });
    expect(all.embeddingMigrations.edges[2].node).toMatchObject({ progress: 0.25, pointsTotal: 1000 });
    expect(all.embeddingMigrations.edges[0].node.progress).toBe(0);
    const incidents = await ok(t, s.keys.aAdmin, MIGRATIONS, { filter: { collection: 'incidents', status: 'IN_PROGRESS' } });
    expect(incidents.embeddingMigrations.totalCount).toBe(1);
    const p1 = await ok(t, s.keys.aAdmin, MIGRATIONS, { first: 2 });
    const p2 = await ok(t, s.keys.aAdmin, MIGRATIONS, { first: 2, after: p1.embeddingMigrations.pageInfo.endCursor });
    expect(p2.embeddingMigrations.edges.map((e: { node: { status: string } }) => e.node.status)).toEqual(['IN_PROGRESS']);
  });

  it('lists dashboard sessions without exposing session ids', async () => {
    const all = await ok(t, s.keys.aAdmin, SESSIONS, {});
    expect(all.dashboardSessions.edges.map((e: { node: { userId: string; active: boolean } }) => [e.node.userId, e.node.active])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
    expect(all.dashboardSessions.edges[0].node.sessionFingerprint).toBe(createHash('sha256').update(`sess-a1-${s.a}`).digest('hex'));
    expect(JSON.stringify(all)).not.toContain('sess-a1');
    const active = await ok(t, s.keys.aAdmin, SESSIONS, { filter: { activeOnly: true } });
    expect(active.dashboardSessions.totalCount).toBe(1);
    const bob = await ok(t, s.keys.aAdmin, SESSIONS, { filter: { userId: 'bob' } });
    expect(bob.dashboardSessions.edges[0].node.role).toBe('admin');
  });

  it('pages dashboard sessions by (createdAt desc, fingerprint) with cursors that hold no session id', async () => {
    const createdAt = new Date(Date.now() - 60_000);
    const ids = [`pg-1-${s.a}`, `pg-2-${s.a}`, `pg-\\x41-ü€😀-${s.a}`, `pg-4-${s.a}`];
    await t.db.prisma.dashboardSession.createMany({
      data: ids.map((sessionId) => ({ sessionId, userId: 'pager', tenantId: s.a, createdAt, expiresAt: new Date(Date.now() + 60_000) })),
    });
    const sha = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');
    const PAGE = `query($after: String) { dashboardSessions(first: 1, after: $after, filter: {userId: "pager"}) {
      edges { cursor node { sessionFingerprint } } pageInfo { endCursor hasNextPage } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < ids.length; i++) {
      const page: Record<string, any> = await ok(t, s.keys.aAdmin, PAGE, { after });
      const conn = page.dashboardSessions;
      expect(conn.edges).toHaveLength(1);
      seen.push(conn.edges[0].node.sessionFingerprint);
      const decoded = Buffer.from(conn.edges[0].cursor, 'base64url').toString('utf8');
      for (const id of ids) expect(decoded).not.toContain(id.slice(0, 6));
      expect(decoded).toContain(conn.edges[0].node.sessionFingerprint);
      expect(conn.pageInfo.hasNextPage).toBe(i < ids.length - 1);
      after = conn.pageInfo.endCursor;
    }
    // Same createdAt: the (database-computed) fingerprint orders them, descending, and equals sha256 of the id.
    expect(seen).toEqual(ids.map(sha).sort().reverse());
  });

  it('is admin only', async () => {
    for (const key of [s.keys.aViewer, s.keys.aAnalyst, s.keys.aApprover, s.keys.aIngest]) {
      expect(codes(await gql(t.url, key, '{ embeddingMigrations { totalCount } }'))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, key, '{ dashboardSessions { totalCount } }'))).toEqual(['FORBIDDEN']);
    }
  });

  it('cannot see another tenant’s runs or sessions', async () => {
    const b = await ok(t, s.keys.bAdmin, '{ embeddingMigrations { totalCount } dashboardSessions { totalCount edges { node { userId } } } }');
    expect(b).toEqual({ embeddingMigrations: { totalCount: 1 }, dashboardSessions: { totalCount: 1, edges: [{ node: { userId: 'alice' } }] } });
  });
});
