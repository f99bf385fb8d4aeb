import { loadSeedData, seedDatabase, tenantScopedId } from '../../src/db/seed';
import { createPlaybookLoaders } from '../../src/modules/playbooks/playbook.loaders';
import { systemScope } from '../../src/auth/scope';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

const PB = `playbookId title category severity severityApplicable tactics mitreTechniques alertProducts source version reviewStatus approvedBy
  triggerConditions steps { playbookId stepNumber action description automated requiresApproval approvalReason assignedAgent queries }`;

interface Step {
  playbookId: string;
  stepNumber: number;
  action: string;
  requiresApproval: boolean;
  description: string;
}
interface Pb {
  playbookId: string;
  title: string;
  version: string;
  reviewStatus: string;
  approvedBy: string | null;
  mitreTechniques: string[];
  severity: string;
  steps: Step[];
}
interface Page {
  playbooks: { totalCount: number; edges: { cursor: string; node: Pb }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null; startCursor: string | null } };
}

function fieldPaths(r: GqlResponse): string[] {
  return ((r.body.errors?.[0]?.extensions?.fieldErrors as { path: string }[] | undefined) ?? []).map((f) => f.path);
}

function ok<T>(r: GqlResponse<T>): T {
  expect(r.body.errors).toBeUndefined();
  return r.body.data as T;
}

const step = (action: string, extra: Record<string, unknown> = {}) => ({ action, description: `do ${action}`, ...extra });

function newPlaybook(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Suspicious PowerShell on a server',
    category: 'malware',
    severity: 'HIGH',
    severityApplicable: ['HIGH', 'CRITICAL'],
    tactics: ['execution'],
    mitreTechniques: ['T1059.001', 'T1486'],
    alertProducts: ['CrowdStrike Falcon'],
    triggerConditions: { alert_name_regex: 'powershell' },
    steps: [
      step('collect_alert_context', { automated: true, queries: { kql: 'DeviceProcessEvents | take 10' } }),
      step('analyst_review'),
      step('isolate_endpoint', { requiresApproval: true, approvalReason: 'Disrupts the host' }),
    ],
    ...overrides,
  };
}

const CREATE = `mutation($input: CreatePlaybookInput!) { createPlaybook(input: $input) { ${PB} techniques { techniqueId } } }`;

describe('playbooks', () => {
  let t: TestApp;
  let tenant: string;
  let other: string;
  let viewer: string;
  let analyst: string;
  let approver: string;
  let ingest: string;
  let otherAnalyst: string;
  let otherApprover: string;

  async function create(input: Record<string, unknown> = newPlaybook(), key = analyst): Promise<Pb> {
    return ok(await gql<{ createPlaybook: Pb }>(t.url, key, CREATE, { input })).createPlaybook;
  }

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t.db);
    other = await createTenant(t.db);
    await seedDatabase(t.db.prisma, { tenantId: tenant });
    await t.db.prisma.taxonomyId.createMany({
      data: [
        { techniqueId: 'T9001', framework: 'attack', name: 'Old deprecated thing', deprecated: true },
        { techniqueId: 'T9002', framework: 'attack', name: 'Revoked thing', revoked: true, revokedBy: 'T1059.001' },
        { techniqueId: 'T9003', framework: 'attack', name: 'Revoked to nowhere', revoked: true, revokedBy: 'T9999' },
      ],
    });
    await t.db.prisma.mitreTechnique.createMany({
      data: [{ docId: 'attack:T1486', techniqueId: 'T1486', techniqueName: 'Data Encrypted for Impact', description: 'x' }],
      skipDuplicates: true,
    });
    [viewer, analyst, approver, ingest] = await Promise.all([
      createKey(t.app, tenant, ['viewer']),
      createKey(t.app, tenant, ['analyst']),
      createKey(t.app, tenant, ['approver']),
      createKey(t.app, tenant, ['ingest']),
    ]);
    [otherAnalyst, otherApprover] = await Promise.all([createKey(t.app, other, ['analyst']), createKey(t.app, other, ['approver'])]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the seeded default playbooks with their steps (numbered 1..n) and reads one by id', async () => {
    const page = ok(await gql<Page>(t.url, viewer, `{ playbooks(first: 100) { totalCount edges { node { ${PB} } } } }`)).playbooks;
    expect(page.totalCount).toBeGreaterThanOrEqual(14);
    const ransomware = page.edges.map((e) => e.node).find((p) => p.playbookId === tenantScopedId(tenant, 'pb-ransomware'));
    expect(ransomware).toMatchObject({ severity: 'CRITICAL', reviewStatus: 'APPROVED', source: 'aluskort-default' });
    for (const { node } of page.edges) {
      expect(node.steps.map((s) => s.stepNumber)).toEqual(node.steps.map((_, i) => i + 1));
      expect(node.steps.every((s) => s.playbookId === node.playbookId)).toBe(true);
    }
    const one = ok(await gql<{ playbook: Pb }>(t.url, viewer, `query($id: ID!) { playbook(id: $id) { ${PB} } }`, { id: ransomware!.playbookId }));
    expect(one.playbook.steps).toHaveLength(ransomware!.steps.length);
    const missing = await gql(t.url, viewer, '{ playbook(id: "pb-nope") { title } }');
    expect(codes(missing)).toEqual(['NOT_FOUND']);
  });

  it('filters by technique, tactic, severity, applicable severity, category, review status, product and title', async () => {
    const draft = await create(newPlaybook({ title: 'Zebra filter probe', category: 'zebra', alertProducts: ['ZebraEDR'], severity: 'LOW', severityApplicable: ['INFORMATIONAL'] }));
    const ids = async (filter: Record<string, unknown>) =>
      ok(await gql<Page>(t.url, viewer, 'query($f: PlaybookFilter) { playbooks(first: 500, filter: $f) { edges { node { playbookId } } } }', { f: filter })).playbooks.edges.map(
        (e) => e.node.playbookId,
      );
    const rw = tenantScopedId(tenant, 'pb-ransomware');
    expect(await ids({ techniqueId: 'T1486' })).toEqual(expect.arrayContaining([rw, draft.playbookId]));
    expect(await ids({ techniqueId: 'T1566' })).not.toContain(rw);
    expect(await ids({ tactic: 'impact' })).toContain(rw);
    expect(await ids({ tactic: 'impact' })).not.toContain(draft.playbookId);
    expect(await ids({ severity: 'LOW' })).toEqual([draft.playbookId]);
    expect(await ids({ severityApplicable: 'INFORMATIONAL' })).toEqual([draft.playbookId]);
    expect(await ids({ category: 'zebra' })).toEqual([draft.playbookId]);
    expect(await ids({ reviewStatus: 'DRAFT' })).toContain(draft.playbookId);
    expect(await ids({ reviewStatus: 'APPROVED' })).not.toContain(draft.playbookId);
    expect(await ids({ alertProduct: 'ZebraEDR' })).toEqual([draft.playbookId]);
    expect(await ids({ search: 'zEBRA FILTER' })).toEqual([draft.playbookId]);
    expect(await ids({ search: 'ransomware', category: 'zebra' })).toEqual([]);
    expect(await ids({ updatedFrom: new Date(Date.now() + 3600_000).toISOString() })).toEqual([]);
    expect(await ids({ updatedTo: new Date(Date.now() + 3600_000).toISOString() })).toContain(draft.playbookId);
  });

  it('paginates with stable keyset cursors in both directions', async () => {
    const all = ok(await gql<Page>(t.url, viewer, '{ playbooks(first: 500) { totalCount edges { node { playbookId } } } }')).playbooks;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page['playbooks'] = ok(
        await gql<Page>(t.url, viewer, 'query($a: String) { playbooks(first: 4, after: $a) { edges { node { playbookId } } pageInfo { hasNextPage endCursor } } }', { a: after }),
      ).playbooks;
      seen.push(...page.edges.map((e) => e.node.playbookId));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.playbookId));
    expect(new Set(seen).size).toBe(all.totalCount);
    const tail = ok(await gql<Page>(t.url, viewer, '{ playbooks(last: 3) { edges { node { playbookId } } pageInfo { hasPreviousPage } } }')).playbooks;
    expect(tail.edges.map((e) => e.node.playbookId)).toEqual(seen.slice(-3));
    expect(tail.pageInfo.hasPreviousPage).toBe(true);
    expect(codes(await gql(t.url, viewer, '{ playbooks(first: 501) { totalCount } }'))).toEqual(['BAD_USER_INPUT']);
  });

  it('creates a draft playbook with its steps, remapping revoked technique ids, and resolves techniques', async () => {
    const pb = await create(newPlaybook({ mitreTechniques: ['T9002', 'T1486', 'T1059.001'] }));
    expect(pb.playbookId).toMatch(/^pb-[0-9a-f-]{36}$/);
    expect(pb).toMatchObject({ version: '1.0', reviewStatus: 'DRAFT', approvedBy: null, severity: 'HIGH' });
    expect(pb.mitreTechniques).toEqual(['T1059.001', 'T1486']);
    expect(pb.steps.map((s) => [s.stepNumber, s.action, s.requiresApproval])).toEqual([
      [1, 'collect_alert_context', false],
      [2, 'analyst_review', false],
      [3, 'isolate_endpoint', true],
    ]);
    expect((pb as unknown as { techniques: { techniqueId: string }[] }).techniques.map((x) => x.techniqueId)).toContain('T1486');
    const row = await t.db.prisma.playbook.findUnique({ where: { docId: pb.playbookId } });
    expect(row?.tenantId).toBe(tenant);
    expect(await t.db.prisma.playbookStep.count({ where: { playbookId: pb.playbookId, tenantId: tenant } })).toBe(3);
  });

  it('rejects unknown/deprecated technique ids and unapproved destructive steps with field paths, writing nothing', async () => {
    const before = await t.db.prisma.playbook.count();
    const r = await gql(t.url, analyst, CREATE, {
      input: newPlaybook({
        title: '',
        mitreTechniques: ['T1486', 'T9999', 'T9001', 'not-an-id', 'T9003'],
        severityApplicable: [],
        tactics: ['Bad Tactic'],
        steps: [
          step('collect_alert_context'),
          step('Not Snake'),
          step('disable_account', { requiresApproval: false }),
          step('revoke_sessions'),
          step('custom_gate', { requiresApproval: true }),
          step('x', { queries: { kql: 42 } }),
        ],
      }),
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(r)).toEqual(
      expect.arrayContaining([
        'input.title',
        'input.severityApplicable',
        'input.tactics[0]',
        'input.mitreTechniques[1]',
        'input.mitreTechniques[2]',
        'input.mitreTechniques[3]',
        'input.mitreTechniques[4]',
        'input.steps[1].action',
        'input.steps[2].requiresApproval',
        'input.steps[3].requiresApproval',
        'input.steps[4].approvalReason',
        'input.steps[5].queries',
      ]),
    );
    expect(fieldPaths(r)).not.toContain('input.mitreTechniques[0]');
    const noSteps = await gql(t.url, analyst, CREATE, { input: newPlaybook({ steps: [] }) });
    expect(fieldPaths(noSteps)).toEqual(['input.steps']);
    const noTechniques = await gql(t.url, analyst, CREATE, { input: newPlaybook({ mitreTechniques: [] }) });
    expect(fieldPaths(noTechniques)).toEqual(['input.mitreTechniques']);
    expect(await t.db.prisma.playbook.count()).toBe(before);
  });

  it('updates partially, bumps the version, returns approved playbooks to draft, and guards expectedVersion', async () => {
    const pb = await create();
    const approved = ok(await gql<{ approvePlaybook: Pb }>(t.url, approver, 'mutation($id: ID!) { approvePlaybook(id: $id) { reviewStatus approvedBy version } }', { id: pb.playbookId }));
    expect(approved.approvePlaybook).toMatchObject({ reviewStatus: 'APPROVED', version: '1.0' });
    expect(approved.approvePlaybook.approvedBy).toMatch(/^api_key:/);
    const UPDATE = `mutation($id: ID!, $input: UpdatePlaybookInput!) { updatePlaybook(id: $id, input: $input) { ${PB} } }`;
    const u = ok(await gql<{ updatePlaybook: Pb }>(t.url, analyst, UPDATE, { id: pb.playbookId, input: { title: 'Renamed', mitreTechniques: ['T9002'] } })).updatePlaybook;
    expect(u).toMatchObject({ title: 'Renamed', version: '1.1', reviewStatus: 'DRAFT', approvedBy: null, severity: 'HIGH', mitreTechniques: ['T1059.001'] });
    expect(u.steps).toHaveLength(3);
    const stale = await gql(t.url, analyst, UPDATE, { id: pb.playbookId, input: { title: 'Again', expectedVersion: '1.0' } });
    expect(codes(stale)).toEqual(['CONFLICT']);
    const fresh = ok(await gql<{ updatePlaybook: Pb }>(t.url, analyst, UPDATE, { id: pb.playbookId, input: { severity: 'CRITICAL', expectedVersion: '1.1' } }));
    expect(fresh.updatePlaybook).toMatchObject({ version: '1.2', severity: 'CRITICAL', title: 'Renamed' });
    const bad = await gql(t.url, analyst, UPDATE, { id: pb.playbookId, input: { mitreTechniques: ['T1486', 'T9001'], title: ' ' } });
    expect(fieldPaths(bad)).toEqual(expect.arrayContaining(['input.mitreTechniques[1]', 'input.title']));
    expect(codes(await gql(t.url, analyst, UPDATE, { id: 'pb-missing', input: { title: 'x' } }))).toEqual(['NOT_FOUND']);
  });

  it('marks an edited default playbook tenant-modified so a re-seed never overwrites it; empty updates are rejected', async () => {
    const id = tenantScopedId(tenant, 'pb-brute-force');
    const UPDATE = 'mutation($id: ID!, $input: UpdatePlaybookInput!) { updatePlaybook(id: $id, input: $input) { title source version reviewStatus } }';
    expect(codes(await gql(t.url, analyst, UPDATE, { id, input: {} }))).toEqual(['BAD_USER_INPUT']);
    const u = ok(await gql<{ updatePlaybook: { source: string; version: string } }>(t.url, analyst, UPDATE, { id, input: { title: 'Our brute force runbook' } }));
    expect(u.updatePlaybook).toMatchObject({ source: 'tenant-modified', version: '1.1', reviewStatus: 'DRAFT' });
    const data = await loadSeedData();
    data.playbooks = data.playbooks.map((p) => ({ ...p, version: '9.9' }));
    const summary = await seedDatabase(t.db.prisma, { tenantId: tenant, data });
    expect(summary.playbooks.updated).toBeGreaterThan(0);
    const row = await t.db.prisma.playbook.findUnique({ where: { docId: id } });
    expect(row).toMatchObject({ title: 'Our brute force runbook', version: '1.1', source: 'tenant-modified' });
  });

  it('approves drafts only, and only with the approver role', async () => {
    const pb = await create();
    const APPROVE = 'mutation($id: ID!) { approvePlaybook(id: $id) { reviewStatus } }';
    expect(codes(await gql(t.url, analyst, APPROVE, { id: pb.playbookId }))).toEqual(['FORBIDDEN']);
    ok(await gql(t.url, approver, APPROVE, { id: pb.playbookId }));
    expect(codes(await gql(t.url, approver, APPROVE, { id: pb.playbookId }))).toEqual(['CONFLICT']);
  });

  it('adds, updates, removes and reorders steps keeping numbers dense, in one transaction each', async () => {
    const pb = await create();
    const ADD = `mutation($id: ID!, $input: AddPlaybookStepInput!) { addPlaybookStep(playbookId: $id, input: $input) { version steps { stepNumber action } } }`;
    const added = ok(await gql<{ addPlaybookStep: Pb }>(t.url, analyst, ADD, { id: pb.playbookId, input: step('notify_owner', { position: 1 }) })).addPlaybookStep;
    expect(added.version).toBe('1.1');
    expect(added.steps.map((s) => `${s.stepNumber}:${s.action}`)).toEqual(['1:notify_owner', '2:collect_alert_context', '3:analyst_review', '4:isolate_endpoint']);
    const appended = ok(await gql<{ addPlaybookStep: Pb }>(t.url, analyst, ADD, { id: pb.playbookId, input: step('close_ticket') })).addPlaybookStep;
    expect(appended.steps.map((s) => s.action)).toEqual(['notify_owner', 'collect_alert_context', 'analyst_review', 'isolate_endpoint', 'close_ticket']);
    const badAdd = await gql(t.url, analyst, ADD, { id: pb.playbookId, input: step('block_ip', { position: 9 }) });
    expect(fieldPaths(badAdd)).toEqual(['input.requiresApproval']);
    const badPos = await gql(t.url, analyst, ADD, { id: pb.playbookId, input: step('x_y', { position: 9 }) });
    expect(fieldPaths(badPos)).toEqual(['input.position']);

    const UPD = `mutation($id: ID!, $n: Int!, $input: UpdatePlaybookStepInput!) { updatePlaybookStep(playbookId: $id, stepNumber: $n, input: $input) { steps { stepNumber action description requiresApproval approvalReason } } }`;
    const upd = ok(await gql<{ updatePlaybookStep: Pb }>(t.url, analyst, UPD, { id: pb.playbookId, n: 3, input: { description: 'Look closely' } })).updatePlaybookStep;
    expect(upd.steps[2]).toMatchObject({ stepNumber: 3, action: 'analyst_review', description: 'Look closely' });
    const unsafe = await gql(t.url, analyst, UPD, { id: pb.playbookId, n: 4, input: { requiresApproval: false } });
    expect(codes(unsafe)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(unsafe)).toEqual(['input.requiresApproval']);
    const toDestructive = await gql(t.url, analyst, UPD, { id: pb.playbookId, n: 3, input: { action: 'revoke_sessions' } });
    expect(fieldPaths(toDestructive)).toEqual(['input.requiresApproval']);
    expect(codes(await gql(t.url, analyst, UPD, { id: pb.playbookId, n: 42, input: { description: 'x' } }))).toEqual(['NOT_FOUND']);

    const REMOVE = 'mutation($id: ID!, $n: Int!) { removePlaybookStep(playbookId: $id, stepNumber: $n) { steps { stepNumber action } } }';
    const removed = ok(await gql<{ removePlaybookStep: Pb }>(t.url, analyst, REMOVE, { id: pb.playbookId, n: 2 })).removePlaybookStep;
    expect(removed.steps.map((s) => `${s.stepNumber}:${s.action}`)).toEqual(['1:notify_owner', '2:analyst_review', '3:isolate_endpoint', '4:close_ticket']);
    expect(codes(await gql(t.url, analyst, REMOVE, { id: pb.playbookId, n: 9 }))).toEqual(['NOT_FOUND']);

    const REORDER = 'mutation($id: ID!, $o: [Int!]!) { reorderPlaybookSteps(playbookId: $id, order: $o) { version steps { stepNumber action requiresApproval } } }';
    const re = ok(await gql<{ reorderPlaybookSteps: Pb }>(t.url, analyst, REORDER, { id: pb.playbookId, o: [3, 1, 4, 2] })).reorderPlaybookSteps;
    expect(re.steps.map((s) => `${s.stepNumber}:${s.action}`)).toEqual(['1:isolate_endpoint', '2:notify_owner', '3:close_ticket', '4:analyst_review']);
    expect(re.steps[0].requiresApproval).toBe(true);
    const badOrder = await gql(t.url, analyst, REORDER, { id: pb.playbookId, o: [1, 1, 5] });
    expect(fieldPaths(badOrder)).toEqual(expect.arrayContaining(['order[1]', 'order[2]', 'order']));

    const rows = await t.db.prisma.playbookStep.findMany({ where: { playbookId: pb.playbookId }, orderBy: { stepNumber: 'asc' } });
    expect(rows.map((r) => r.stepNumber)).toEqual([1, 2, 3, 4]);
    expect(rows.every((r) => r.tenantId === tenant)).toBe(true);
  });

  it('keeps at least one step and serialises concurrent step edits (dense numbering, loser gets CONFLICT)', async () => {
    const pb = await create(newPlaybook({ steps: [step('only_step')] }));
    const REMOVE = 'mutation($id: ID!) { removePlaybookStep(playbookId: $id, stepNumber: 1) { version } }';
    expect(codes(await gql(t.url, analyst, REMOVE, { id: pb.playbookId }))).toEqual(['BAD_USER_INPUT']);
    const ADD = 'mutation($id: ID!, $input: AddPlaybookStepInput!) { addPlaybookStep(playbookId: $id, input: $input) { version } }';
    const results = await Promise.all(
      ['a_one', 'a_two', 'a_three', 'a_four'].map((a) => gql(t.url, analyst, ADD, { id: pb.playbookId, input: step(a, { position: 1 }) })),
    );
    const wins = results.filter((r) => !r.body.errors).length;
    expect(wins).toBeGreaterThanOrEqual(1);
    for (const r of results.filter((x) => x.body.errors)) expect(codes(r)).toEqual(['CONFLICT']);
    const rows = await t.db.prisma.playbookStep.findMany({ where: { playbookId: pb.playbookId }, orderBy: { stepNumber: 'asc' } });
    expect(rows.map((r) => r.stepNumber)).toEqual(Array.from({ length: 1 + wins }, (_, i) => i + 1));
    expect(rows[rows.length - 1].action).toBe('only_step');
  });

  it('deletes a playbook with its steps', async () => {
    const pb = await create();
    const DEL = 'mutation($id: ID!) { deletePlaybook(id: $id) }';
    expect(ok(await gql<{ deletePlaybook: string }>(t.url, analyst, DEL, { id: pb.playbookId })).deletePlaybook).toBe(pb.playbookId);
    expect(await t.db.prisma.playbookStep.count({ where: { playbookId: pb.playbookId } })).toBe(0);
    expect(codes(await gql(t.url, viewer, 'query($id: ID!) { playbook(id: $id) { title } }', { id: pb.playbookId }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, analyst, DEL, { id: pb.playbookId }))).toEqual(['NOT_FOUND']);
  });

  it('enforces roles: anonymous, ingest and viewer cannot write; ingest cannot read', async () => {
    expect(codes(await gql(t.url, null, '{ playbooks { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(t.url, ingest, '{ playbooks { totalCount } }'))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, ingest, '{ playbook(id: "x") { title } }'))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, viewer, CREATE, { input: newPlaybook() }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, ingest, CREATE, { input: newPlaybook() }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, viewer, 'mutation { deletePlaybook(id: "x") }'))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, viewer, 'mutation { reorderPlaybookSteps(playbookId: "x", order: [1]) { version } }'))).toEqual(['FORBIDDEN']);
  });

  it('loads the steps of a whole page with one tenant-filtered query', async () => {
    let calls = 0;
    const counting = new Proxy(t.db.prisma, {
      get(target, prop, recv) {
        if (prop === 'playbookStep') {
          const d = target.playbookStep;
          return { findMany: (args: Parameters<typeof d.findMany>[0]) => (calls++, d.findMany(args)) };
        }
        return Reflect.get(target, prop, recv);
      },
    }) as PrismaClient;
    const loaders = createPlaybookLoaders(systemScope(tenant, 'test'), counting);
    const ids = (await t.db.prisma.playbook.findMany({ where: { tenantId: tenant }, select: { docId: true } })).map((p) => p.docId);
    const lists = await Promise.all(ids.map((id) => loaders.stepsByPlaybook.load(id)));
    expect(calls).toBe(1);
    expect(lists.every((l) => l.length > 0)).toBe(true);
    const foreign = createPlaybookLoaders(systemScope(other, 'test'), t.db.prisma);
    expect(await foreign.stepsByPlaybook.load(ids[0])).toEqual([]);
  });

  it('cannot see or change another tenant’s playbooks, nor their steps through the relation', async () => {
    const mine = await create();
    const Q = 'query($id: ID!) { playbook(id: $id) { title steps { action } } }';
    expect(codes(await gql(t.url, otherAnalyst, Q, { id: mine.playbookId }))).toEqual(['NOT_FOUND']);
    const theirList = ok(await gql<Page>(t.url, otherAnalyst, '{ playbooks(first: 500) { totalCount edges { node { playbookId } } } }')).playbooks;
    expect(theirList.totalCount).toBe(0);
    const attempts: [string, Record<string, unknown>, string][] = [
      ['mutation($id: ID!) { updatePlaybook(id: $id, input: {title: "pwned"}) { title } }', { id: mine.playbookId }, otherAnalyst],
      ['mutation($id: ID!) { deletePlaybook(id: $id) }', { id: mine.playbookId }, otherAnalyst],
      ['mutation($id: ID!) { approvePlaybook(id: $id) { title } }', { id: mine.playbookId }, otherApprover],
      ['mutation($id: ID!) { addPlaybookStep(playbookId: $id, input: {action: "x_x", description: "x"}) { title } }', { id: mine.playbookId }, otherAnalyst],
      ['mutation($id: ID!) { updatePlaybookStep(playbookId: $id, stepNumber: 1, input: {description: "x"}) { title } }', { id: mine.playbookId }, otherAnalyst],
      ['mutation($id: ID!) { removePlaybookStep(playbookId: $id, stepNumber: 1) { title } }', { id: mine.playbookId }, otherAnalyst],
      ['mutation($id: ID!) { reorderPlaybookSteps(playbookId: $id, order: [3, 2, 1]) { title } }', { id: mine.playbookId }, otherAnalyst],
    ];
    for (const [q, v, key] of attempts) expect(codes(await gql(t.url, key, q, v))).toEqual(['NOT_FOUND']);
    const after = await t.db.prisma.playbook.findUnique({ where: { docId: mine.playbookId }, include: { steps: { orderBy: { stepNumber: 'asc' } } } });
    expect(after).toMatchObject({ title: mine.title, version: '1.0', reviewStatus: 'draft' });
    expect(after!.steps.map((s) => s.action)).toEqual(mine.steps.map((s) => s.action));

    // A step row carrying another tenant's id never shows through this tenant's playbook (loader filters by tenant).
    const theirs = await create(newPlaybook({ title: 'Theirs' }), otherAnalyst);
    await t.db.prisma.playbookStep.create({
      data: { playbookId: theirs.playbookId, stepNumber: 99, tenantId: tenant, action: 'leaked_step', description: 'belongs to the first tenant' },
    });
    const seen = ok(await gql<{ playbook: Pb }>(t.url, otherAnalyst, 'query($id: ID!) { playbook(id: $id) { steps { action } } }', { id: theirs.playbookId }));
    expect(seen.playbook.steps.map((s) => s.action)).not.toContain('leaked_step');
    expect(seen.playbook.steps).toHaveLength(3);
  });
});
