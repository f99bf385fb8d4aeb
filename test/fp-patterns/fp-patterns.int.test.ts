import { seedDatabase, tenantScopedId } from '../../src/db/seed';
import { FpPatternGovernanceService } from '../../src/modules/fp-patterns/fp-pattern-governance.service';
import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

const FP = `patternId patternName alertNames confidenceThreshold autoClose status createdBy approvedBy1 approvedBy2 approvedBy
  approvalDate expiryDate reaffirmedBy reaffirmedDate scopeRuleFamily scopeTenantId scopeAssetClass occurrences
  conditions { alertNameRegex entityPatterns { entityType valueRegex valueCidr } }`;

interface Fp {
  patternId: string;
  patternName: string;
  status: string;
  createdBy: string | null;
  approvedBy1: string | null;
  approvedBy2: string | null;
  approvedBy: string | null;
  approvalDate: string | null;
  expiryDate: string | null;
  reaffirmedBy: string | null;
  reaffirmedDate: string | null;
  confidenceThreshold: number;
  conditions: { alertNameRegex: string; entityPatterns: { entityType: string; valueRegex: string | null; valueCidr: string | null }[] };
}

const CREATE = `mutation($input: CreateFpPatternInput!) { createFpPattern(input: $input) { ${FP} } }`;
const APPROVE = `mutation($id: ID!, $r: String!) { approveFpPattern(id: $id, reason: $r) { ${FP} } }`;
const ACTIVATE = `mutation($id: ID!) { activateFpPattern(id: $id) { ${FP} } }`;
const REAFFIRM = `mutation($id: ID!) { reaffirmFpPattern(id: $id) { ${FP} } }`;
const REVOKE = `mutation($id: ID!, $r: String!) { revokeFpPattern(id: $id, reason: $r) { ${FP} } }`;
const DAY = 86_400_000;

function ok<T>(r: GqlResponse<T>): T {
  expect(r.body.errors).toBeUndefined();
  return r.body.data as T;
}
function fieldPaths(r: GqlResponse): string[] {
  return ((r.body.errors?.[0]?.extensions?.fieldErrors as { path: string }[] | undefined) ?? []).map((f) => f.path);
}

function newPattern(overrides: Record<string, unknown> = {}) {
  return {
    patternName: 'Vulnerability scanner sweep',
    alertNames: ['Port scan detected', 'Network sweep'],
    conditions: {
      alertNameRegex: '(port scan|network sweep)',
      entityPatterns: [
        { entityType: 'IP', valueCidr: '10.255.10.0/28' },
        { entityType: 'HOST', valueRegex: '^scanner-\\d+$' },
      ],
    },
    scopeRuleFamily: 'network',
    ...overrides,
  };
}

describe('FP patterns', () => {
  let t: TestApp;
  let tenant: string;
  let other: string;
  let viewer: string;
  let analyst: string;
  let approverA: string;
  let approverB: string;
  let approverC: string;
  let ingest: string;
  let otherApprover: string;
  let otherAnalyst: string;

  async function create(input: Record<string, unknown> = newPattern(), key = analyst): Promise<Fp> {
    return ok(await gql<{ createFpPattern: Fp }>(t.url, key, CREATE, { input })).createFpPattern;
  }
  async function approved(): Promise<Fp> {
    const p = await create();
    ok(await gql(t.url, approverA, APPROVE, { id: p.patternId, r: 'scanner range' }));
    return ok(await gql<{ approveFpPattern: Fp }>(t.url, approverB, APPROVE, { id: p.patternId, r: 'agreed' })).approveFpPattern;
  }

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t.db);
    other = await createTenant(t.db);
    await seedDatabase(t.db.prisma, { tenantId: tenant });
    [viewer, analyst, approverA, approverB, approverC, ingest] = await Promise.all([
      createKey(t.app, tenant, ['viewer']),
      createKey(t.app, tenant, ['analyst']),
      createKey(t.app, tenant, ['approver']),
      createKey(t.app, tenant, ['approver']),
      createKey(t.app, tenant, ['approver']),
      createKey(t.app, tenant, ['ingest']),
    ]);
    [otherApprover, otherAnalyst] = await Promise.all([createKey(t.app, other, ['approver']), createKey(t.app, other, ['analyst'])]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a pattern pending review, owned by the caller, with validated conditions', async () => {
    const p = await create();
    expect(p.patternId).toMatch(/^fp-[0-9a-f-]{36}$/);
    expect(p).toMatchObject({ status: 'PENDING_REVIEW', confidenceThreshold: 0.9, approvedBy1: null, approvalDate: null, expiryDate: null });
    expect(p.createdBy).toMatch(/^api_key:/);
    expect(p.conditions).toEqual({
      alertNameRegex: '(port scan|network sweep)',
      entityPatterns: [
        { entityType: 'IP', valueRegex: null, valueCidr: '10.255.10.0/28' },
        { entityType: 'HOST', valueRegex: '^scanner-\\d+$', valueCidr: null },
      ],
    });
    const row = await t.db.prisma.fpPattern.findUnique({ where: { patternId: p.patternId } });
    expect(row).toMatchObject({ tenantId: tenant, status: 'pending_review', scopeRuleFamily: 'network' });
    expect(row!.conditions).toEqual({
      alert_name_regex: '(port scan|network sweep)',
      entity_patterns: [
        { entity_type: 'ip', value_cidr: '10.255.10.0/28' },
        { entity_type: 'host', value_regex: '^scanner-\\d+$' },
      ],
    });
  });

  it('rejects bad conditions with field paths and writes nothing', async () => {
    const before = await t.db.prisma.fpPattern.count();
    const r = await gql(t.url, analyst, CREATE, {
      input: newPattern({
        patternName: ' ',
        alertNames: [],
        confidenceThreshold: 0.3,
        conditions: {
          alertNameRegex: '(a+)+$',
          entityPatterns: [
            { entityType: 'IP', valueCidr: '10.0.0.0/99' },
            { entityType: 'HOST' },
            { entityType: 'ACCOUNT', valueRegex: '^a', valueCidr: '10.0.0.0/8' },
            { entityType: 'PROCESS', valueRegex: '(unclosed' },
          ],
        },
      }),
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(r)).toEqual(
      expect.arrayContaining([
        'input.patternName',
        'input.alertNames',
        'input.confidenceThreshold',
        'input.conditions.alertNameRegex',
        'input.conditions.entityPatterns[0].valueCidr',
        'input.conditions.entityPatterns[1]',
        'input.conditions.entityPatterns[2]',
        'input.conditions.entityPatterns[3].valueRegex',
      ]),
    );
    const long = await gql(t.url, analyst, CREATE, { input: newPattern({ conditions: { alertNameRegex: 'a'.repeat(501) }, confidenceThreshold: 1.01 }) });
    expect(fieldPaths(long)).toEqual(['input.conditions.alertNameRegex', 'input.confidenceThreshold']);
    const badEnum = await gql(t.url, analyst, CREATE, { input: newPattern({ conditions: { alertNameRegex: 'x', entityPatterns: [{ entityType: 'SPACESHIP', valueRegex: 'x' }] } }) });
    expect(codes(badEnum)).toEqual(['BAD_USER_INPUT']);
    expect(await t.db.prisma.fpPattern.count()).toBe(before);
    const edge = await create(newPattern({ confidenceThreshold: 0.5 }));
    expect(edge.confidenceThreshold).toBe(0.5);
  });

  it('applies the two-person rule: not the creator, two different approvers, then approved for 90 days', async () => {
    const p = await create(newPattern(), approverC);
    expect(codes(await gql(t.url, approverC, APPROVE, { id: p.patternId, r: 'mine' }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, analyst, APPROVE, { id: p.patternId, r: 'x' }))).toEqual(['FORBIDDEN']);
    expect(fieldPaths(await gql(t.url, approverA, APPROVE, { id: p.patternId, r: '  ' }))).toEqual(['reason']);
    const first = ok(await gql<{ approveFpPattern: Fp }>(t.url, approverA, APPROVE, { id: p.patternId, r: 'scanner range' })).approveFpPattern;
    expect(first).toMatchObject({ status: 'PENDING_REVIEW', approvedBy2: null, approvalDate: null });
    expect(first.approvedBy1).toMatch(/^api_key:/);
    expect(codes(await gql(t.url, approverA, APPROVE, { id: p.patternId, r: 'again' }))).toEqual(['CONFLICT']);
    const before = Date.now();
    const second = ok(await gql<{ approveFpPattern: Fp }>(t.url, approverB, APPROVE, { id: p.patternId, r: 'agreed' })).approveFpPattern;
    expect(second.status).toBe('APPROVED');
    expect(second.approvedBy1).toBe(first.approvedBy1);
    expect(second.approvedBy2).not.toBe(first.approvedBy1);
    expect(second.approvedBy).toBe(second.approvedBy2);
    const expiry = new Date(second.expiryDate!).getTime() - new Date(second.approvalDate!).getTime();
    expect(expiry).toBe(90 * DAY);
    expect(new Date(second.approvalDate!).getTime()).toBeGreaterThanOrEqual(before - 5000);
    const approverD = await createKey(t.app, tenant, ['approver']);
    expect(codes(await gql(t.url, approverD, APPROVE, { id: p.patternId, r: 'third' }))).toEqual(['CONFLICT']);
  });

  it('never lets two concurrent approvals both count as the same approval (Promise.all)', async () => {
    for (let round = 0; round < 6; round++) {
      const p = await create();
      const rs = await Promise.all([approverA, approverB].map((k) => gql<{ approveFpPattern: Fp }>(t.url, k, APPROVE, { id: p.patternId, r: 'race' })));
      const wins = rs.filter((r) => !r.body.errors).map((r) => r.body.data!.approveFpPattern);
      const row = await t.db.prisma.fpPattern.findUnique({ where: { patternId: p.patternId } });
      if (wins.length === 1) {
        // Raced: the loser's guarded UPDATE matched nothing.
        expect(rs.flatMap(codes)).toEqual(['CONFLICT']);
        expect(row).toMatchObject({ status: 'pending_review', approvedBy1: wins[0].approvedBy1, approvedBy2: '' });
      } else {
        // Ran one after the other: first and second approval, by different approvers.
        expect(wins.map((w) => w.status).sort()).toEqual(['APPROVED', 'PENDING_REVIEW']);
        expect(row!.status).toBe('approved');
        expect(row!.approvedBy1).not.toBe(row!.approvedBy2);
        expect(row!.approvedBy2).not.toBe('');
      }
    }
  });

  it('rejects an approval decided on a stale read with CONFLICT (optimistic guard)', async () => {
    const p = await create();
    const stale = await t.db.prisma.fpPattern.findUnique({ where: { patternId: p.patternId } });
    ok(await gql(t.url, approverA, APPROVE, { id: p.patternId, r: 'first' }));
    // A service whose read returns the row as it was before approverA's approval, as a concurrent request would see it.
    const prisma = t.db.prisma;
    const staleDb = new Proxy(prisma, {
      get(target, prop, recv) {
        if (prop !== '$transaction') return Reflect.get(target, prop, recv);
        return (fn: (tx: unknown) => Promise<unknown>) =>
          target.$transaction((tx) => {
            let first = true;
            const fp = new Proxy(tx.fpPattern, {
              get(d, k, r) {
                if (k === 'findFirst' && first) {
                  first = false;
                  return async () => stale;
                }
                return Reflect.get(d, k, r);
              },
            });
            return fn(new Proxy(tx, { get: (x, k, r) => (k === 'fpPattern' ? fp : Reflect.get(x, k, r)) }));
          });
      },
    }) as typeof prisma;
    const svc = new FpPatternGovernanceService(staleDb);
    const scopeB = (await t.app.services.apiKeys.authenticate(approverB, 'test'))!;
    await expect(svc.approve(scopeB, p.patternId, 'concurrent')).rejects.toMatchObject({ code: 'CONFLICT' });
    const row = await prisma.fpPattern.findUnique({ where: { patternId: p.patternId } });
    expect(row).toMatchObject({ status: 'pending_review', approvedBy2: '' });
    expect(row!.approvedBy1).not.toBe(scopeB.actor);
  });

  it('activates approved patterns only, reaffirms for another 90 days, and revokes once', async () => {
    const pending = await create();
    expect(codes(await gql(t.url, approverA, ACTIVATE, { id: pending.patternId }))).toEqual(['CONFLICT']);
    expect(codes(await gql(t.url, approverA, REAFFIRM, { id: pending.patternId }))).toEqual(['CONFLICT']);
    const p = await approved();
    expect(codes(await gql(t.url, analyst, ACTIVATE, { id: p.patternId }))).toEqual(['FORBIDDEN']);
    const active = ok(await gql<{ activateFpPattern: Fp }>(t.url, approverC, ACTIVATE, { id: p.patternId })).activateFpPattern;
    expect(active.status).toBe('ACTIVE');
    expect(codes(await gql(t.url, approverC, ACTIVATE, { id: p.patternId }))).toEqual(['CONFLICT']);
    const re = ok(await gql<{ reaffirmFpPattern: Fp }>(t.url, approverC, REAFFIRM, { id: p.patternId })).reaffirmFpPattern;
    expect(new Date(re.expiryDate!).getTime() - new Date(p.expiryDate!).getTime()).toBe(90 * DAY);
    expect(re.reaffirmedBy).toMatch(/^api_key:/);
    expect(re.reaffirmedDate).not.toBeNull();
    expect(re.status).toBe('ACTIVE');

    await t.db.prisma.fpPattern.update({ where: { patternId: p.patternId }, data: { expiryDate: new Date(Date.now() - DAY) } });
    expect(codes(await gql(t.url, approverC, REAFFIRM, { id: p.patternId }))).toEqual(['CONFLICT']);

    expect(fieldPaths(await gql(t.url, approverA, REVOKE, { id: p.patternId, r: '' }))).toEqual(['reason']);
    const revoked = ok(await gql<{ revokeFpPattern: Fp }>(t.url, approverA, REVOKE, { id: p.patternId, r: 'closed a real incident' })).revokeFpPattern;
    expect(revoked.status).toBe('REVOKED');
    expect(codes(await gql(t.url, approverA, REVOKE, { id: p.patternId, r: 'again' }))).toEqual(['CONFLICT']);
    expect(codes(await gql(t.url, approverA, APPROVE, { id: p.patternId, r: 'again' }))).toEqual(['CONFLICT']);
    const pendingRevoked = ok(await gql<{ revokeFpPattern: Fp }>(t.url, approverA, REVOKE, { id: pending.patternId, r: 'not needed' })).revokeFpPattern;
    expect(pendingRevoked.status).toBe('REVOKED');
  });

  it('does not activate a pattern whose approval expired', async () => {
    const p = await approved();
    await t.db.prisma.fpPattern.update({ where: { patternId: p.patternId }, data: { expiryDate: new Date(Date.now() - 1000) } });
    expect(codes(await gql(t.url, approverA, ACTIVATE, { id: p.patternId }))).toEqual(['CONFLICT']);
  });

  it('reads by id and lists with filters (status, alert name contains, name, scope, time) and pagination', async () => {
    const special = await create(
      newPattern({ patternName: 'Quokka backup job', alertNames: ['Unusual 100% file_reads by Quokka'], scopeAssetClass: 'backup', scopeRuleFamily: 'exfil' }),
    );
    const one = ok(await gql<{ fpPattern: Fp }>(t.url, viewer, `query($id: ID!) { fpPattern(id: $id) { ${FP} } }`, { id: special.patternId })).fpPattern;
    expect(one.patternName).toBe('Quokka backup job');
    expect(codes(await gql(t.url, viewer, '{ fpPattern(id: "fp-nope") { status } }'))).toEqual(['NOT_FOUND']);

    const ids = async (filter: Record<string, unknown>) =>
      ok(
        await gql<{ fpPatterns: { edges: { node: Fp }[] } }>(t.url, viewer, 'query($f: FpPatternFilter) { fpPatterns(first: 500, filter: $f) { edges { node { patternId } } } }', {
          f: filter,
        }),
      ).fpPatterns.edges.map((e) => e.node.patternId);
    expect(await ids({ alertName: 'quokka' })).toEqual([special.patternId]);
    expect(await ids({ alertName: '100%' })).toEqual([special.patternId]);
    expect(await ids({ alertName: 'e_r' })).toEqual([special.patternId]);
    expect(await ids({ alertName: '100_' })).toEqual([]);
    expect(await ids({ search: 'QUOKKA' })).toEqual([special.patternId]);
    expect(await ids({ scopeAssetClass: 'backup' })).toEqual([special.patternId]);
    expect(await ids({ scopeRuleFamily: 'exfil', status: 'PENDING_REVIEW' })).toEqual([special.patternId]);
    expect(await ids({ scopeRuleFamily: 'exfil', status: 'ACTIVE' })).toEqual([]);
    const shadow = await ids({ status: 'SHADOW' });
    expect(shadow).toEqual(expect.arrayContaining([tenantScopedId(tenant, 'fp-sccm-powershell')]));
    expect(await ids({ createdFrom: new Date(Date.now() + DAY).toISOString() })).toEqual([]);
    expect(await ids({ createdTo: new Date(Date.now() + DAY).toISOString() })).toContain(special.patternId);

    const all = await ids({});
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: GqlResponse<{ fpPatterns: { edges: { node: Fp }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }> = await gql(
        t.url,
        viewer,
        'query($a: String) { fpPatterns(first: 3, after: $a) { edges { node { patternId } } pageInfo { hasNextPage endCursor } } }',
        { a: after },
      );
      const page = ok(r).fpPatterns;
      paged.push(...page.edges.map((e) => e.node.patternId));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
    expect(all.length).toBeGreaterThan(5);
  });

  it('enforces roles: ingest cannot read, viewer cannot create', async () => {
    expect(codes(await gql(t.url, ingest, '{ fpPatterns { totalCount } }'))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, null, '{ fpPatterns { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(t.url, viewer, CREATE, { input: newPattern() }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, analyst, REVOKE, { id: 'x', r: 'x' }))).toEqual(['FORBIDDEN']);
  });

  it('cannot see or change another tenant’s FP patterns', async () => {
    const mine = await create();
    expect(codes(await gql(t.url, otherApprover, `query($id: ID!) { fpPattern(id: $id) { status } }`, { id: mine.patternId }))).toEqual(['NOT_FOUND']);
    const theirs = ok(await gql<{ fpPatterns: { totalCount: number } }>(t.url, otherAnalyst, '{ fpPatterns { totalCount } }'));
    expect(theirs.fpPatterns.totalCount).toBe(0);
    const byName = ok(
      await gql<{ fpPatterns: { totalCount: number } }>(t.url, otherAnalyst, '{ fpPatterns(filter: {alertName: "port scan"}) { totalCount } }'),
    );
    expect(byName.fpPatterns.totalCount).toBe(0);
    for (const [q, v] of [
      [APPROVE, { id: mine.patternId, r: 'x' }],
      [ACTIVATE, { id: mine.patternId }],
      [REAFFIRM, { id: mine.patternId }],
      [REVOKE, { id: mine.patternId, r: 'x' }],
    ] as const) {
      expect(codes(await gql(t.url, otherApprover, q, v))).toEqual(['NOT_FOUND']);
    }
    const row = await t.db.prisma.fpPattern.findUnique({ where: { patternId: mine.patternId } });
    expect(row).toMatchObject({ status: 'pending_review', approvedBy1: '', tenantId: tenant });
  });
});
