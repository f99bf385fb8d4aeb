/**
 * Human gates over GraphQL: approveAction / rejectAction (roles, proposer rule, distinct approvers,
 * races, cross-tenant), what the investigation does next, approval timeouts by severity, submitFeedback.
 */
import { randomUUID } from 'node:crypto';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { loadGraphState } from '../../src/engine/runtime/transition';
import { codes, createKey, gql } from '../helpers/app';
import { addThreatIntel, BRUTE_FORCE, createCase, eventTypes, type PipelineEnv, seededTenant, startPipeline, transitions, waitFor, waitForState } from './helpers';

const APPROVE = `mutation($id: ID!, $reason: String!, $ack: Boolean) { approveAction(id: $id, reason: $reason, acknowledgeCritical: $ack) { id status decisions { actor decision reason acknowledged } decidedBy } }`;
const REJECT = `mutation($id: ID!, $reason: String!) { rejectAction(id: $id, reason: $reason) { id status decidedBy } }`;
const FEEDBACK = `mutation($id: ID!, $v: InvestigationClassification!, $note: String) { submitFeedback(investigationId: $id, verdict: $v, note: $note) { id state classification } }`;

type ApprovalOut = { approveAction: { id: string; status: string; decisions: { actor: string }[] } };

let env: PipelineEnv;
beforeAll(async () => {
  env = await startPipeline();
});
afterAll(async () => {
  await env.close();
});

async function actorOf(secret: string): Promise<string> {
  const k = await env.prisma.apiKey.findFirstOrThrow({ where: { keyPrefix: secret.slice(0, 12) } });
  return `api_key:${k.keyId}`;
}

async function waitingCase(tenant: string) {
  const c = await createCase(env, tenant, BRUTE_FORCE);
  await waitForState(env.prisma, tenant, c.investigationId, ['awaiting_human', 'closed', 'failed']);
  const approvals = await env.prisma.approval.findMany({ where: { tenantId: tenant, investigationId: c.investigationId }, orderBy: [{ riskTier: 'asc' }, { action: 'asc' }] });
  return { ...c, approvals };
}

describe('approveAction / rejectAction', () => {
  let tenant: string;
  let approverA: string;
  let approverB: string;
  let analyst: string;
  beforeAll(async () => {
    tenant = await seededTenant(env.prisma);
    await addThreatIntel(env.prisma, tenant, 'ipv4', '81.2.69.144', 90);
    approverA = await createKey(env.t.app, tenant, ['approver'], 'A');
    approverB = await createKey(env.t.app, tenant, ['approver'], 'B');
    analyst = await createKey(env.t.app, tenant, ['analyst'], 'analyst');
  });

  it('all approved (two distinct approvers for the tier-3 action) → responding → closed, approved actions recorded', async () => {
    const { investigationId, approvals } = await waitingCase(tenant);
    expect(approvals.length).toBeGreaterThanOrEqual(2);
    const tier3 = approvals.find((a) => a.riskTier === 3)!;
    expect(tier3.requiredApprovals).toBe(2);

    const denied = await gql(env.t.url, analyst, APPROVE, { id: tier3.approvalId, reason: 'ok' });
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    const empty = await gql(env.t.url, approverA, APPROVE, { id: tier3.approvalId, reason: '  ' });
    expect(codes(empty)).toEqual(['BAD_USER_INPUT']);
    expect((empty.body.errors![0].extensions as { fieldErrors: { path: string }[] }).fieldErrors[0].path).toBe('reason');

    // tier 3 is a critical action: approving it needs the explicit acknowledgement
    expect(tier3.requiresAcknowledgement).toBe(true);
    const unacked = await gql(env.t.url, approverA, APPROVE, { id: tier3.approvalId, reason: 'contain' });
    expect(codes(unacked)).toEqual(['BAD_USER_INPUT']);
    expect((unacked.body.errors![0].extensions as { fieldErrors: { path: string }[] }).fieldErrors[0].path).toBe('acknowledgeCritical');
    const first = await gql<ApprovalOut>(env.t.url, approverA, APPROVE, { id: tier3.approvalId, reason: 'contain', ack: true });
    expect(first.body.data?.approveAction).toMatchObject({ status: 'PENDING', decisions: [{ actor: await actorOf(approverA), acknowledged: true }] });
    const twice = await gql(env.t.url, approverA, APPROVE, { id: tier3.approvalId, reason: 'again', ack: true });
    expect(codes(twice)).toEqual(['FORBIDDEN']);
    const second = await gql<ApprovalOut>(env.t.url, approverB, APPROVE, { id: tier3.approvalId, reason: 'agree', ack: true });
    expect(second.body.data?.approveAction.status).toBe('APPROVED');
    expect((await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId } })).state).toBe('awaiting_human');

    for (const a of approvals.filter((x) => x.approvalId !== tier3.approvalId)) {
      const r = await gql<ApprovalOut>(env.t.url, approverA, APPROVE, { id: a.approvalId, reason: 'fine' });
      expect(r.body.data?.approveAction.status).toBe('APPROVED');
    }
    const done = await waitForState(env.prisma, tenant, investigationId, ['closed', 'failed']);
    expect(done.state).toBe('closed');
    const ts = await transitions(env.prisma, tenant, investigationId);
    expect(ts.slice(-2).map((t) => `${t.from_state}>${t.to_state}:${t.agent}`)).toEqual(['awaiting_human>responding:human', 'responding>closed:response_agent']);
    const recorded = loadGraphState(done).decisionChain.at(-1)!.details!.actions as { approvalId: string | null; status: string }[];
    expect(recorded.filter((a) => a.approvalId).map((a) => a.approvalId).sort()).toEqual(approvals.map((a) => a.approvalId).sort());
    const types = await eventTypes(env.prisma, tenant, investigationId);
    expect(types.filter((t) => t === 'approval.granted')).toHaveLength(approvals.length + 1);
    const again = await gql(env.t.url, approverB, APPROVE, { id: approvals[0].approvalId, reason: 'late' });
    expect(codes(again)).toEqual(['CONFLICT']);
    expect((await verifyAuditChain(env.prisma, tenant, { log: false })).valid).toBe(true);
  });

  it('a rejection (once nothing is open) closes the investigation as rejected', async () => {
    const { investigationId, approvals } = await waitingCase(tenant);
    const [firstA, ...rest] = approvals;
    expect((await gql<ApprovalOut>(env.t.url, approverA, APPROVE, { id: firstA.approvalId, reason: 'fine', ack: firstA.requiresAcknowledgement })).body.data?.approveAction.status).toMatch(/APPROVED|PENDING/);
    for (const a of rest) {
      const r = await gql<{ rejectAction: { status: string } }>(env.t.url, approverB, REJECT, { id: a.approvalId, reason: 'too disruptive' });
      expect(r.body.data?.rejectAction.status).toBe('REJECTED');
    }
    if (firstA.requiredApprovals === 2) await gql(env.t.url, approverB, APPROVE, { id: firstA.approvalId, reason: 'fine', ack: firstA.requiresAcknowledgement });
    const row = await waitForState(env.prisma, tenant, investigationId, ['closed']);
    expect(row.classification).toBe('rejected');
    expect((await transitions(env.prisma, tenant, investigationId)).at(-1)).toMatchObject({ from_state: 'awaiting_human', to_state: 'closed', agent: 'human' });
    expect(await eventTypes(env.prisma, tenant, investigationId)).toContain('approval.denied');
    expect(await env.prisma.incidentMemory.count({ where: { tenantId: tenant, incidentId: investigationId, outcome: 'rejected' } })).toBe(1);
  });

  it('the proposer cannot approve its own request; two approvers racing on a one-approval request: one wins, one CONFLICT', async () => {
    const { investigationId, approvals } = await waitingCase(tenant);
    const own = await env.prisma.approval.create({
      data: { tenantId: tenant, investigationId, action: 'disable_account', target: 'alice@corp.example', riskTier: 2, requestedBy: await actorOf(approverA), expiresAt: new Date(Date.now() + 3_600_000) },
    });
    expect(codes(await gql(env.t.url, approverA, APPROVE, { id: own.approvalId, reason: 'mine' }))).toEqual(['FORBIDDEN']);
    expect((await gql<ApprovalOut>(env.t.url, approverB, APPROVE, { id: own.approvalId, reason: 'ok' })).body.data?.approveAction.status).toBe('APPROVED');

    const single = approvals.find((a) => a.requiredApprovals === 1)!;
    const rs = await Promise.all([
      gql(env.t.url, approverA, APPROVE, { id: single.approvalId, reason: 'a' }),
      gql(env.t.url, approverB, APPROVE, { id: single.approvalId, reason: 'b' }),
    ]);
    expect(rs.map((r) => (r.body.errors ? codes(r)[0] : 'OK')).sort()).toEqual(['CONFLICT', 'OK']);
    const stored = await env.prisma.approval.findFirstOrThrow({ where: { approvalId: single.approvalId } });
    expect(stored.decisions as unknown[]).toHaveLength(1);
  });

  it('cannot approve or reject another tenant’s approval (NOT_FOUND), and nothing changes', async () => {
    const other = await seededTenant(env.prisma);
    await addThreatIntel(env.prisma, other, 'ipv4', '81.2.69.144', 90);
    const { approvals } = await waitingCase(other);
    const id = approvals[0].approvalId;
    expect(codes(await gql(env.t.url, approverA, APPROVE, { id, reason: 'x' }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(env.t.url, approverA, REJECT, { id, reason: 'x' }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(env.t.url, approverA, APPROVE, { id: randomUUID(), reason: 'x' }))).toEqual(['NOT_FOUND']);
    expect((await env.prisma.approval.findFirstOrThrow({ where: { approvalId: id } })).status).toBe('pending');
  });
});

describe('submitFeedback', () => {
  it('writes the analyst verdict into incident_memory; closes a waiting investigation that has no approval; roles and tenants enforced', async () => {
    const tenant = await seededTenant(env.prisma);
    const analyst = await createKey(env.t.app, tenant, ['analyst']);
    const viewer = await createKey(env.t.app, tenant, ['viewer']);
    const closed = await createCase(env, tenant, { title: 'Informational: printer offline', severity: 'low' });
    await waitForState(env.prisma, tenant, closed.investigationId, ['closed']);
    const r = await gql<{ submitFeedback: { state: string } }>(env.t.url, analyst, FEEDBACK, { id: closed.investigationId, v: 'FALSE_POSITIVE', note: 'benign printer' });
    expect(r.body.errors).toBeUndefined();
    const mem = await env.prisma.incidentMemory.findFirstOrThrow({ where: { tenantId: tenant, incidentId: closed.investigationId } });
    expect(mem).toMatchObject({ finalClassification: 'false_positive', correctedBy: await actorOf(analyst), correctionReason: 'benign printer' });
    expect(mem.analystFeedback).toMatchObject({ verdict: 'false_positive', correct: false });

    // high severity, no evidence: low confidence → awaiting_human without approvals; the analyst closes it
    const waiting = await createCase(env, tenant, { title: 'Suspicious sign-in', severity: 'high', entities: [{ type: 'host', value: 'ws-5', properties: {} }] });
    await waitForState(env.prisma, tenant, waiting.investigationId, ['awaiting_human']);
    const w = await gql<{ submitFeedback: { state: string; classification: string } }>(env.t.url, analyst, FEEDBACK, { id: waiting.investigationId, v: 'TRUE_POSITIVE' });
    expect(w.body.data?.submitFeedback).toEqual({ id: waiting.investigationId, state: 'CLOSED', classification: 'TRUE_POSITIVE' });
    expect((await transitions(env.prisma, tenant, waiting.investigationId)).at(-1)).toMatchObject({ from_state: 'awaiting_human', to_state: 'closed', agent: 'human' });
    expect(await env.prisma.incidentMemory.count({ where: { tenantId: tenant, incidentId: waiting.investigationId, finalClassification: 'true_positive' } })).toBe(1);

    expect(codes(await gql(env.t.url, viewer, FEEDBACK, { id: closed.investigationId, v: 'TRUE_POSITIVE' }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(env.t.url, analyst, FEEDBACK, { id: closed.investigationId, v: 'REJECTED' }))).toEqual(['BAD_USER_INPUT']);
    const other = await seededTenant(env.prisma);
    const foreign = await createCase({ prisma: env.prisma }, other);
    expect(codes(await gql(env.t.url, analyst, FEEDBACK, { id: foreign.investigationId, v: 'TRUE_POSITIVE' }))).toEqual(['NOT_FOUND']);
  });
});

describe('approval timeouts (short expiries via the test override)', () => {
  let tenv: PipelineEnv;
  beforeAll(async () => {
    tenv = await startPipeline({ approvalExpiryOverrideMs: 400 });
  });
  afterAll(async () => {
    await tenv.close();
  });

  it('medium/low: approval timed_out, investigation closed as rejected (approval.timed_out); critical/high: escalated, stays awaiting_human (approval.escalated)', async () => {
    const tenant = await seededTenant(tenv.prisma);
    await addThreatIntel(tenv.prisma, tenant, 'ipv4', '81.2.69.144', 90);
    const ip = [{ type: 'ip' as const, value: '81.2.69.144', properties: {} }];
    const low = await createCase(tenv, tenant, { title: 'Connection to known bad address', severity: 'low', entities: ip });
    const high = await createCase(tenv, tenant, { title: 'Connection to known bad address', severity: 'high', entities: ip });

    const lowRow = await waitForState(tenv.prisma, tenant, low.investigationId, ['closed', 'failed'], 20_000);
    expect(lowRow).toMatchObject({ state: 'closed', severity: 'medium', classification: 'rejected' });
    const lowApprovals = await tenv.prisma.approval.findMany({ where: { investigationId: low.investigationId } });
    expect(lowApprovals.map((a) => a.status)).toContain('timed_out');
    expect(await eventTypes(tenv.prisma, tenant, low.investigationId)).toContain('approval.timed_out');
    expect((await transitions(tenv.prisma, tenant, low.investigationId)).at(-1)).toMatchObject({ from_state: 'awaiting_human', to_state: 'closed', agent: 'approval_timeout' });

    const escalated = await waitFor(
      () => tenv.prisma.approval.findMany({ where: { investigationId: high.investigationId } }),
      (as) => as.length > 0 && as.every((a) => a.status === 'escalated'),
    );
    expect(escalated[0].escalatedAt).not.toBeNull();
    const highRow = await tenv.prisma.investigationState.findFirstOrThrow({ where: { investigationId: high.investigationId } });
    expect(highRow).toMatchObject({ state: 'awaiting_human', classification: 'escalated' });
    expect(await eventTypes(tenv.prisma, tenant, high.investigationId)).toContain('approval.escalated');

    // an escalated approval stays open: a human can still decide it
    const approver = await createKey(tenv.t.app, tenant, ['approver']);
    for (const a of escalated) {
      const r = await gql<ApprovalOut>(tenv.t.url, approver, APPROVE, { id: a.approvalId, reason: 'after escalation', ack: a.requiresAcknowledgement });
      expect(r.body.data?.approveAction.status).toMatch(/APPROVED|ESCALATED/);
    }
    // processing a timeout twice changes nothing (idempotent), and the reconciler finds nothing to redo
    expect((await tenv.workers.reconcileNow()).approvals).toBe(0);
    expect((await verifyAuditChain(tenv.prisma, tenant, { log: false })).valid).toBe(true);
  });
});
