/**
 * Approval gates, spec §4.8 beyond approve/reject: per-tenant timeout overrides (GraphQL, 1 h floor, used for
 * new expiries and by the timeout job), the secondary-reviewer notice at 50 % (once, idempotent, published,
 * re-queued by the reconciler), critical actions (explicit acknowledgement, escalate instead of closing) and
 * tenant isolation of all of it. Jobs are driven with explicit clocks (handle* with `now`) where timing
 * matters, and through the real queue with the test expiry override where delivery matters.
 */
import { parse } from 'graphql';
import WebSocket from 'ws';
import { createAluskortClient } from '../../src/client/sdk';
import { type ApprovalDeps, handleApprovalReminder, handleApprovalTimeout } from '../../src/engine/runtime/approval-decisions';
import { codes, createKey, gql } from '../helpers/app';
import { addThreatIntel, BRUTE_FORCE, createCase, type PipelineEnv, seededTenant, startPipeline, waitFor, waitForState } from './helpers';

const H = 3_600_000;
const SET = `mutation($i: ApprovalTimeoutsInput!) {
  setApprovalTimeouts(input: $i) { severity timeoutMs defaultTimeoutMs overrideMs secondaryReviewerAfterMs onTimeout requiresAcknowledgement }
}`;
const POLICIES = `{ approvalTimeoutPolicies { severity timeoutMs overrideMs secondaryReviewerAfterMs onTimeout } }`;
const APPROVAL = `query($id: ID!) { approval(id: $id) { id status expiresAt secondaryReviewerAt secondaryNotifiedAt requiresAcknowledgement } }`;
const APPROVE = `mutation($id: ID!, $reason: String!, $ack: Boolean) {
  approveAction(id: $id, reason: $reason, acknowledgeCritical: $ack) { id status decisions { acknowledged } }
}`;
const REJECT = `mutation($id: ID!, $reason: String!) { rejectAction(id: $id, reason: $reason) { id status } }`;
const ESCALATIONS = `query($inv: String) { auditRecords(first: 100, filter: { eventTypes: ["approval.escalated"], investigationId: $inv }) { edges { node { investigationId context } } } }`;

type Policy = { severity: string; timeoutMs: number; overrideMs: number | null; secondaryReviewerAfterMs: number; onTimeout: string };
type ApprovalGql = { id: string; status: string; expiresAt: string; secondaryReviewerAt: string | null; secondaryNotifiedAt: string | null; requiresAcknowledgement: boolean };

let env: PipelineEnv;
let deps: ApprovalDeps;
beforeAll(async () => {
  env = await startPipeline();
  deps = { prisma: env.prisma, audit: env.t.app.services.audit, queue: env.queue };
});
afterAll(async () => {
  await env.close();
});

async function tiTenant(e: PipelineEnv = env): Promise<string> {
  const tenant = await seededTenant(e.prisma);
  await addThreatIntel(e.prisma, tenant, 'ipv4', '81.2.69.144', 90);
  return tenant;
}

/** A brute-force case waiting for approvals (tier 2 first, the tier-3 critical action last). */
async function waitingCase(tenant: string, severity: 'critical' | 'high' | 'medium' | 'low' = 'high', e: PipelineEnv = env) {
  const c = await createCase(e, tenant, { ...BRUTE_FORCE, severity });
  const inv = await waitForState(e.prisma, tenant, c.investigationId, ['awaiting_human', 'closed', 'failed']);
  expect(inv.state).toBe('awaiting_human');
  const approvals = await e.prisma.approval.findMany({ where: { tenantId: tenant, investigationId: c.investigationId }, orderBy: [{ riskTier: 'asc' }, { action: 'asc' }] });
  expect(approvals.length).toBeGreaterThanOrEqual(2);
  return { ...c, inv, approvals };
}

/** The secondary-reviewer records of one approval. */
async function reminderRecords(tenant: string, approvalId: string) {
  const rows = await env.prisma.auditRecord.findMany({ where: { tenantId: tenant, eventType: 'approval.escalated' } });
  return rows.filter((r) => {
    const c = r.context as Record<string, unknown>;
    return c.approval_id === approvalId && c.escalation === 'secondary_reviewer';
  });
}

describe('per-tenant approval timeout overrides', () => {
  it('below 1 h is BAD_USER_INPUT on the severity’s field and stores nothing; admin only; the policy list shows overrides and defaults', async () => {
    const tenant = await seededTenant(env.prisma);
    const admin = await createKey(env.t.app, tenant, ['admin']);
    const approver = await createKey(env.t.app, tenant, ['approver']);
    const viewer = await createKey(env.t.app, tenant, ['viewer']);

    const low = await gql(env.t.url, admin, SET, { i: { high: 30 * 60_000, low: 2 * H } });
    expect(codes(low)).toEqual(['BAD_USER_INPUT']);
    expect((low.body.errors![0].extensions as { fieldErrors: { path: string }[] }).fieldErrors.map((f) => f.path)).toEqual(['input.high']);
    expect(((await env.prisma.tenant.findUniqueOrThrow({ where: { tenantId: tenant } })).settings as Record<string, unknown>).approvalTimeouts).toBeUndefined();
    expect(codes(await gql(env.t.url, approver, SET, { i: { high: 3 * H } }))).toEqual(['FORBIDDEN']);

    const set = await gql<{ setApprovalTimeouts: Policy[] }>(env.t.url, admin, SET, { i: { high: 3 * H, critical: H } });
    expect(set.body.errors).toBeUndefined();
    const bySeverity = Object.fromEntries(set.body.data!.setApprovalTimeouts.map((p) => [p.severity, p]));
    expect(bySeverity.HIGH).toMatchObject({ timeoutMs: 3 * H, overrideMs: 3 * H, defaultTimeoutMs: 2 * H, secondaryReviewerAfterMs: 1.5 * H, onTimeout: 'ESCALATE', requiresAcknowledgement: false });
    expect(bySeverity.CRITICAL).toMatchObject({ timeoutMs: H, overrideMs: H, onTimeout: 'ESCALATE', requiresAcknowledgement: true });
    expect(bySeverity.MEDIUM).toMatchObject({ timeoutMs: 4 * H, overrideMs: null, onTimeout: 'CLOSE' });

    const read = await gql<{ approvalTimeoutPolicies: Policy[] }>(env.t.url, viewer, POLICIES);
    expect(read.body.data!.approvalTimeoutPolicies.map((p) => `${p.severity}:${p.timeoutMs}:${p.overrideMs}`)).toEqual([
      `CRITICAL:${H}:${H}`,
      `HIGH:${3 * H}:${3 * H}`,
      `MEDIUM:${4 * H}:null`,
      `LOW:${8 * H}:null`,
      `INFORMATIONAL:${8 * H}:null`,
    ]);
    // replacing with nothing goes back to the defaults
    const cleared = await gql<{ setApprovalTimeouts: Policy[] }>(env.t.url, admin, SET, { i: {} });
    expect(cleared.body.data!.setApprovalTimeouts.every((p) => p.overrideMs === null)).toBe(true);
  });

  it('new approvals expire by the override, with the reminder due at half of it; the timeout job applies the policy', async () => {
    const tenant = await tiTenant();
    const admin = await createKey(env.t.app, tenant, ['admin']);
    const viewer = await createKey(env.t.app, tenant, ['viewer']);
    expect((await gql(env.t.url, admin, SET, { i: { high: 3 * H } })).body.errors).toBeUndefined();

    const { inv, approvals } = await waitingCase(tenant, 'high');
    expect(inv.severity).toBe('high');
    for (const a of approvals) {
      expect(a.expiresAt.getTime() - a.requestedAt.getTime()).toBe(3 * H);
      expect(a.secondaryReviewerAt!.getTime() - a.requestedAt.getTime()).toBe(1.5 * H);
      expect(a.secondaryNotifiedAt).toBeNull();
    }
    const tier3 = approvals.find((a) => a.riskTier === 3)!;
    const g = await gql<{ approval: ApprovalGql }>(env.t.url, viewer, APPROVAL, { id: tier3.approvalId });
    expect(g.body.data?.approval).toEqual({
      id: tier3.approvalId,
      status: 'PENDING',
      expiresAt: tier3.expiresAt.toISOString(),
      secondaryReviewerAt: tier3.secondaryReviewerAt!.toISOString(),
      secondaryNotifiedAt: null,
      requiresAcknowledgement: true,
    });

    // early: nothing happens; at expiry: escalated (high), recorded with the approval's own and the policy's timeout
    expect(await handleApprovalTimeout(deps, tenant, tier3.approvalId, new Date(tier3.expiresAt.getTime() - 1))).toBe('not_due');
    expect(await handleApprovalTimeout(deps, tenant, tier3.approvalId, new Date(tier3.expiresAt.getTime() + 1))).toBe('escalated');
    const rec = await env.prisma.auditRecord.findFirstOrThrow({ where: { tenantId: tenant, eventType: 'approval.escalated', investigationId: inv.investigationId } });
    expect(rec.context).toMatchObject({ approval_id: tier3.approvalId, escalation: 'timeout', timeout_ms: 3 * H, policy_timeout_ms: 3 * H, requires_acknowledgement: true });
  });

  it('a tenant reads and sets only its own overrides', async () => {
    const a = await seededTenant(env.prisma);
    const b = await seededTenant(env.prisma);
    const adminA = await createKey(env.t.app, a, ['admin']);
    const adminB = await createKey(env.t.app, b, ['admin']);
    await gql(env.t.url, adminB, SET, { i: { medium: 5 * H } });
    await gql(env.t.url, adminA, SET, { i: { medium: 2 * H, low: 3 * H } });
    const medium = async (key: string) =>
      (await gql<{ approvalTimeoutPolicies: Policy[] }>(env.t.url, key, POLICIES)).body.data!.approvalTimeoutPolicies.find((p) => p.severity === 'MEDIUM')!.overrideMs;
    expect(await medium(adminA)).toBe(2 * H);
    expect(await medium(adminB)).toBe(5 * H);
    const settingsB = (await env.prisma.tenant.findUniqueOrThrow({ where: { tenantId: b } })).settings as Record<string, unknown>;
    expect(settingsB.approvalTimeouts).toEqual({ medium: 5 * H });
    // the audit record of A's change is in A's chain only
    const recsB = await env.prisma.auditRecord.findMany({ where: { tenantId: b, eventType: 'config.changed' } });
    expect(recsB.map((r) => (r.context as Record<string, unknown>).approval_timeouts_after)).toEqual([{ medium: 5 * H }]);
  });
});

describe('secondary reviewer notice at 50 %', () => {
  it('not before 50 %; at 50 % exactly once, whatever the number of deliveries (concurrent or repeated)', async () => {
    const tenant = await tiTenant();
    const viewer = await createKey(env.t.app, tenant, ['viewer']);
    const { approvals } = await waitingCase(tenant);
    const a = approvals[0];
    const due = a.secondaryReviewerAt!;
    expect(await handleApprovalReminder(deps, tenant, a.approvalId, new Date(due.getTime() - 1000))).toBe('not_due');
    expect(await reminderRecords(tenant, a.approvalId)).toHaveLength(0);

    const at = new Date(due.getTime() + 1);
    const rs = await Promise.all([handleApprovalReminder(deps, tenant, a.approvalId, at), handleApprovalReminder(deps, tenant, a.approvalId, at)]);
    expect(rs.sort()).toEqual(['noop', 'notified']);
    expect(await handleApprovalReminder(deps, tenant, a.approvalId, new Date(at.getTime() + 60_000))).toBe('noop');
    const recs = await reminderRecords(tenant, a.approvalId);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ actorId: 'system:approval_reminder', severity: 'info', investigationId: a.investigationId });
    expect(recs[0].outcome).toMatchObject({ action_taken: 'approval.secondary_reviewer_notified', state_before: 'pending', state_after: 'pending' });

    const g = await gql<{ approval: ApprovalGql }>(env.t.url, viewer, APPROVAL, { id: a.approvalId });
    expect(g.body.data?.approval).toMatchObject({ status: 'PENDING', secondaryNotifiedAt: at.toISOString() });
    // after the expiry a late reminder is not sent: the timeout decides
    const b = approvals[1];
    expect(await handleApprovalReminder(deps, tenant, b.approvalId, new Date(b.expiresAt.getTime() + 1))).toBe('noop');
    expect(await reminderRecords(tenant, b.approvalId)).toHaveLength(0);
  });

  it('not at all for an approval decided first; a partially approved one is still open and is reminded', async () => {
    const tenant = await tiTenant();
    const [approverA, approverB] = [await createKey(env.t.app, tenant, ['approver']), await createKey(env.t.app, tenant, ['approver'])];
    const { approvals } = await waitingCase(tenant);
    const single = approvals.filter((a) => a.requiredApprovals === 1 && !a.requiresAcknowledgement);
    const tier3 = approvals.find((a) => a.riskTier === 3)!;
    expect(single.length).toBeGreaterThanOrEqual(1);
    expect((await gql<{ approveAction: { status: string } }>(env.t.url, approverA, APPROVE, { id: single[0].approvalId, reason: 'ok' })).body.data?.approveAction.status).toBe('APPROVED');
    expect((await gql<{ approveAction: { status: string } }>(env.t.url, approverA, APPROVE, { id: tier3.approvalId, reason: 'half', ack: true })).body.data?.approveAction.status).toBe('PENDING');
    const at = new Date(tier3.secondaryReviewerAt!.getTime() + 1);
    expect(await handleApprovalReminder(deps, tenant, single[0].approvalId, at)).toBe('noop');
    expect(await reminderRecords(tenant, single[0].approvalId)).toHaveLength(0);
    expect((await env.prisma.approval.findFirstOrThrow({ where: { approvalId: single[0].approvalId } })).secondaryNotifiedAt).toBeNull();
    expect(await handleApprovalReminder(deps, tenant, tier3.approvalId, at)).toBe('notified');
    // rejected afterwards: a redelivery still records nothing more
    await gql(env.t.url, approverB, REJECT, { id: tier3.approvalId, reason: 'no' });
    expect(await handleApprovalReminder(deps, tenant, tier3.approvalId, at)).toBe('noop');
    expect(await reminderRecords(tenant, tier3.approvalId)).toHaveLength(1);
  });

  it('a reminder whose job was lost (restart) is re-queued by the reconciler and sent once', async () => {
    const tenant = await tiTenant();
    const { approvals } = await waitingCase(tenant);
    const a = approvals[0];
    // as after a restart of an in-process queue: the notice is due, its delayed job is gone
    await env.prisma.approval.update({ where: { approvalId: a.approvalId }, data: { secondaryReviewerAt: new Date(Date.now() - 1000) } });
    expect((await env.workers.reconcileNow()).reminders).toBeGreaterThanOrEqual(1);
    await waitFor(
      () => env.prisma.approval.findFirstOrThrow({ where: { approvalId: a.approvalId } }),
      (r) => r.secondaryNotifiedAt !== null,
    );
    await env.workers.reconcileNow();
    await new Promise((r) => setTimeout(r, 300));
    expect(await reminderRecords(tenant, a.approvalId)).toHaveLength(1);
    // the others are not due yet: untouched
    const others = await env.prisma.approval.findMany({ where: { investigationId: a.investigationId, approvalId: { not: a.approvalId } } });
    expect(others.every((o) => o.secondaryNotifiedAt === null)).toBe(true);
  });

  it('another tenant cannot see, read or trigger a tenant’s reminders', async () => {
    const a = await tiTenant();
    const b = await tiTenant();
    const approverA = await createKey(env.t.app, a, ['approver']);
    const approverB = await createKey(env.t.app, b, ['approver']);
    const caseB = await waitingCase(b);
    const bApproval = caseB.approvals[0];
    const at = new Date(bApproval.secondaryReviewerAt!.getTime() + 1);
    // a job naming the wrong tenant does nothing
    expect(await handleApprovalReminder(deps, a, bApproval.approvalId, at)).toBe('noop');
    expect((await env.prisma.approval.findFirstOrThrow({ where: { approvalId: bApproval.approvalId } })).secondaryNotifiedAt).toBeNull();
    expect(await handleApprovalReminder(deps, b, bApproval.approvalId, at)).toBe('notified');

    expect(codes(await gql(env.t.url, approverA, APPROVAL, { id: bApproval.approvalId }))).toEqual(['NOT_FOUND']);
    const seenByA = await gql<{ auditRecords: { edges: { node: { investigationId: string } }[] } }>(env.t.url, approverA, ESCALATIONS, { inv: caseB.investigationId });
    expect(seenByA.body.errors).toBeUndefined();
    expect(seenByA.body.data!.auditRecords.edges).toEqual([]);
    const seenByB = await gql<{ auditRecords: { edges: { node: { context: Record<string, unknown> } }[] } }>(env.t.url, approverB, ESCALATIONS, { inv: caseB.investigationId });
    expect(seenByB.body.data!.auditRecords.edges.map((e) => e.node.context.escalation)).toEqual(['secondary_reviewer']);
  });
});

describe('through the queue (short expiries via the test override)', () => {
  let short: PipelineEnv;
  beforeAll(async () => {
    short = await startPipeline({ approvalExpiryOverrideMs: 4_000 });
  });
  afterAll(async () => {
    await short.close();
  });

  it('the reminder is scheduled with the timeout, fires once at 50 %, is published to the tenant’s audit stream only, and a redelivery adds nothing', async () => {
    const a = await tiTenant(short);
    const b = await tiTenant(short);
    const subscribe = async (tenant: string) => {
      const key = await createKey(short.t.app, tenant, ['approver']);
      const client = createAluskortClient({ url: short.t.url, apiKey: key, webSocketImpl: WebSocket });
      const seen: Record<string, unknown>[] = [];
      const stop = client.subscribe(
        parse('subscription { auditEvents(filter: { eventTypes: ["approval.escalated"] }) { eventType context } }') as never,
        {} as never,
        { onNext: (v: { auditEvents: { context: Record<string, unknown> } }) => seen.push(v.auditEvents.context) } as never,
      );
      return { seen, close: async () => (stop(), client.close()) };
    };
    const subA = await subscribe(a);
    const subB = await subscribe(b);
    await new Promise((r) => setTimeout(r, 300));

    const { approvals } = await waitingCase(a, 'high', short);
    const reminded = await waitFor(
      () => short.prisma.approval.findMany({ where: { tenantId: a, investigationId: approvals[0].investigationId } }),
      (rows) => rows.every((r) => r.secondaryNotifiedAt !== null),
      10_000,
    );
    for (const r of reminded) {
      // at 50 % of the 4 s expiry, before the timeout
      expect(r.secondaryNotifiedAt!.getTime()).toBeGreaterThanOrEqual(r.secondaryReviewerAt!.getTime());
      expect(r.secondaryNotifiedAt!.getTime()).toBeLessThan(r.expiresAt.getTime());
    }
    // redelivery of the same job
    for (const r of reminded) {
      await short.queue.enqueue({ tenantId: a, investigationId: r.investigationId, kind: 'approval_reminder', approvalId: r.approvalId }, { jobId: `${r.approvalId}-redelivered` });
    }
    // then the timeout escalates them (high)
    await waitFor(
      () => short.prisma.approval.findMany({ where: { tenantId: a, investigationId: approvals[0].investigationId } }),
      (rows) => rows.every((r) => r.status === 'escalated'),
      10_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    const recs = await short.prisma.auditRecord.findMany({ where: { tenantId: a, eventType: 'approval.escalated', investigationId: approvals[0].investigationId } });
    const kinds = recs.map((r) => (r.context as Record<string, unknown>).escalation);
    expect(kinds.filter((k) => k === 'secondary_reviewer')).toHaveLength(approvals.length);
    expect(kinds.filter((k) => k === 'timeout')).toHaveLength(approvals.length);

    await waitFor(async () => subA.seen.length, (n) => n >= 2 * approvals.length, 5_000);
    expect(subA.seen.filter((c) => c.escalation === 'secondary_reviewer').map((c) => c.approval_id).sort()).toEqual(approvals.map((x) => x.approvalId).sort());
    expect(subB.seen).toEqual([]);
    await subA.close();
    await subB.close();
  });
});

describe('critical actions', () => {
  it('never time out silently: escalated even on a medium/low investigation, while the siblings close; approving needs the acknowledgement', async () => {
    const tenant = await tiTenant();
    const [approverA, approverB] = [await createKey(env.t.app, tenant, ['approver']), await createKey(env.t.app, tenant, ['approver'])];
    const { inv, investigationId, approvals } = await waitingCase(tenant, 'low');
    expect(['low', 'medium']).toContain(inv.severity);
    const tier3 = approvals.find((a) => a.riskTier === 3)!;
    const others = approvals.filter((a) => a.approvalId !== tier3.approvalId);
    expect(tier3.requiresAcknowledgement).toBe(true);
    expect(others.every((a) => !a.requiresAcknowledgement)).toBe(true);

    // the critical action first, then a sibling: the sibling closes but neither cancels nor closes the critical one
    const late = (a: { expiresAt: Date }) => new Date(a.expiresAt.getTime() + 1);
    expect(await handleApprovalTimeout(deps, tenant, tier3.approvalId, late(tier3))).toBe('escalated');
    // the first sibling to time out closes the request set: the other non-critical siblings are cancelled
    expect(await handleApprovalTimeout(deps, tenant, others[0].approvalId, late(others[0]))).toBe('timed_out');
    for (const o of others.slice(1)) expect(await handleApprovalTimeout(deps, tenant, o.approvalId, late(o))).toBe('noop');
    const after = await env.prisma.approval.findMany({ where: { investigationId } });
    expect(after.find((a) => a.approvalId === tier3.approvalId)).toMatchObject({ status: 'escalated' });
    expect(after.filter((a) => a.approvalId !== tier3.approvalId).map((a) => a.status).sort()).toEqual(['timed_out', ...others.slice(1).map(() => 'cancelled')].sort());
    expect(await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId } })).toMatchObject({ state: 'awaiting_human', classification: 'escalated' });
    expect(await handleApprovalTimeout(deps, tenant, tier3.approvalId, late(tier3))).toBe('noop');

    // approve without the acknowledgement: a stable error on the field, nothing recorded
    const before = await env.prisma.auditRecord.count({ where: { tenantId: tenant } });
    for (const ack of [undefined, false]) {
      const r = await gql(env.t.url, approverA, APPROVE, { id: tier3.approvalId, reason: 'contain', ack });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect((r.body.errors![0].extensions as { fieldErrors: { path: string }[] }).fieldErrors.map((f) => f.path)).toEqual(['acknowledgeCritical']);
    }
    expect(await env.prisma.auditRecord.count({ where: { tenantId: tenant } })).toBe(before);

    // with it: two acknowledged approvals (tier 3), then the investigation resolves (a sibling timed out: rejected)
    const first = await gql<{ approveAction: { status: string; decisions: { acknowledged: boolean }[] } }>(env.t.url, approverA, APPROVE, { id: tier3.approvalId, reason: 'contain', ack: true });
    expect(first.body.data?.approveAction).toEqual({ id: tier3.approvalId, status: 'ESCALATED', decisions: [{ acknowledged: true }] });
    const second = await gql<{ approveAction: { status: string } }>(env.t.url, approverB, APPROVE, { id: tier3.approvalId, reason: 'agree', ack: true });
    expect(second.body.data?.approveAction.status).toBe('APPROVED');
    const granted = await env.prisma.auditRecord.findMany({ where: { tenantId: tenant, eventType: 'approval.granted', investigationId } });
    expect(granted.map((g) => (g.decision as Record<string, unknown>).acknowledged_critical)).toEqual([true, true]);
    expect(await waitForState(env.prisma, tenant, investigationId, ['closed'])).toMatchObject({ classification: 'rejected' });
  });

  it('escalates whichever order the timeouts fire in; a rejection needs no acknowledgement', async () => {
    const tenant = await tiTenant();
    const approver = await createKey(env.t.app, tenant, ['approver']);
    const { investigationId, approvals } = await waitingCase(tenant, 'medium');
    const tier3 = approvals.find((a) => a.riskTier === 3)!;
    const sibling = approvals.find((a) => a.approvalId !== tier3.approvalId)!;
    expect(await handleApprovalTimeout(deps, tenant, sibling.approvalId, new Date(sibling.expiresAt.getTime() + 1))).toBe('timed_out');
    // the sibling's timeout cancelled the other non-critical approvals but left the critical action open
    // (pending), so the investigation still waits
    expect((await env.prisma.approval.findFirstOrThrow({ where: { approvalId: tier3.approvalId } })).status).toBe('pending');
    expect((await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId } })).state).toBe('awaiting_human');
    expect(await handleApprovalTimeout(deps, tenant, tier3.approvalId, new Date(tier3.expiresAt.getTime() + 1))).toBe('escalated');
    const r = await gql<{ rejectAction: { status: string } }>(env.t.url, approver, REJECT, { id: tier3.approvalId, reason: 'too disruptive' });
    expect(r.body.data?.rejectAction.status).toBe('REJECTED');
    expect(await waitForState(env.prisma, tenant, investigationId, ['closed'])).toMatchObject({ classification: 'rejected' });
  });
});
