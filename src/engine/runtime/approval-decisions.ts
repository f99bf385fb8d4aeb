/**
 * Human approval gates at runtime (spec §4.8): approve/reject decisions and approval timeouts, and what
 * they do to the investigation. Every path locks the investigation row first (`lockInvestigation`), so
 * deciders and timeouts of one investigation serialise and "every approval is decided" is seen by
 * exactly one of them.
 *
 * Rules:
 * - Open approvals are `pending` or `escalated` (an escalated approval stays open for a human).
 * - The proposer may not decide its own request. Engine proposals (`system:*`) have no human proposer.
 * - Distinct approvers: an actor decides an approval at most once. Required approvals: the stored
 *   `required_approvals`, and never fewer than 2 for risk tier 3 (emergency containment). A partial
 *   approval records the decision; the status stays open. One rejection rejects.
 * - Guarded update: status and decisions as read (count 0 → CONFLICT).
 * - When no approval of the investigation is open any more: all approved → awaiting_human → responding
 *   (the caller enqueues the step); any rejected/timed out → awaiting_human → closed, classification
 *   `rejected` (stored to incident_memory).
 * - Timeouts (approval-timeouts.ts by the investigation's severity and the tenant's overrides):
 *   critical/high → approval `escalated`, investigation stays in awaiting_human with classification
 *   `escalated`, `approval.escalated`; medium/low → approval `timed_out`, the other open approvals
 *   `cancelled`, the investigation closes as `rejected`, `approval.timed_out`.
 * - Critical actions (`requires_acknowledgement`: risk tier 3 or a critical investigation): every approving
 *   decision needs `acknowledgeCritical` (else BAD_USER_INPUT on `acknowledgeCritical`); the timeout
 *   escalates whatever the severity, and a sibling's timeout never cancels them: they stay open, so the
 *   investigation waits for a human instead of closing silently.
 * - Secondary reviewer (`approval_reminder` job, at 50 % of the timeout): a still-pending approval gets
 *   `secondary_notified_at` once (guarded update: a redelivered job or a second worker changes nothing)
 *   and an `approval.escalated` record with `context.escalation = "secondary_reviewer"` (status
 *   unchanged), published on the audit stream after the commit. A decided approval gets none.
 */
import type { AuditEventInput, AuditTx } from '../../audit/audit.append';
import { mutationEvent } from '../../audit/audit.events';
import type { AuditRecorder } from '../../audit/audit.recorder';
import type { JsonObject } from '../../audit/canonical-json';
import { type Scope, systemScope } from '../../auth/scope';
import { badInput, conflict, forbidden, notFound } from '../../errors/domain-error';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { approvalPolicyFor, overridesFromSettings } from '../approval-timeouts';
import type { DecisionEntry } from '../graph-state';
import { type InvestigationJob, severityPriority, type WorkQueue } from '../queue';
import { alertFacts } from './alert-facts';
import { type CreatedApproval, storeIncidentMemory } from './agents/response-agent';
import { applyGraphStatePatch, applyTransition, type InvestigationRow, loadGraphState, lockInvestigation } from './transition';

export type ApprovalRow = Prisma.ApprovalGetPayload<object>;

export const OPEN_APPROVAL_STATUSES = ['pending', 'escalated'];

export interface ApprovalDeps {
  prisma: PrismaClient;
  audit: AuditRecorder;
  queue: WorkQueue;
}

interface StoredDecision {
  actor: string;
  decision: 'approved' | 'rejected';
  reason: string | null;
  at: string;
  /** The approver acknowledged a critical action explicitly. */
  acknowledged?: boolean;
}

export interface DecideOptions {
  /** Explicit acknowledgement, required to approve a critical action (`requires_acknowledgement`). */
  acknowledgeCritical?: boolean;
}

function decisionsOf(v: unknown): StoredDecision[] {
  return Array.isArray(v) ? (v.filter((d) => d && typeof d === 'object') as StoredDecision[]) : [];
}

/** A human (or API key) proposer, as opposed to the engine (`system:*`, `agent:*`). */
export function isHumanActor(actor: string): boolean {
  return !(actor.startsWith('system:') || actor === 'system' || actor.startsWith('agent:'));
}

/** Distinct approvals an approval needs. */
export function requiredApprovalsOf(a: Pick<ApprovalRow, 'requiredApprovals' | 'riskTier'>): number {
  return Math.max(1, a.requiredApprovals, a.riskTier >= 3 ? 2 : 1);
}

const humanEntry = (step: string, action: string, reasoning: string, details?: Record<string, unknown>): DecisionEntry => ({
  step,
  agent: 'human',
  action,
  reasoning,
  confidence: null,
  attestationStatus: 'not_applicable',
  taxonomyVersion: null,
  at: new Date().toISOString(),
  ...(details ? { details } : {}),
});

interface Resolution {
  events: AuditEventInput[];
  /** The investigation moved to responding: enqueue its step after the commit. */
  enqueue?: { severity: string };
}

/**
 * After an approval changed: if the investigation waits and none of its approvals is open, take the
 * human edge (responding or closed as rejected). `inv` must be locked in `tx`.
 */
async function resolveInvestigation(tx: AuditTx, inv: InvestigationRow, agent: 'human' | 'approval_timeout', why: string): Promise<Resolution> {
  if (inv.state !== 'awaiting_human') return { events: [] };
  const approvals = await tx.approval.findMany({ where: { tenantId: inv.tenantId, investigationId: inv.investigationId } });
  if (approvals.length === 0 || approvals.some((a) => OPEN_APPROVAL_STATUSES.includes(a.status))) return { events: [] };
  const refused = approvals.filter((a) => a.status === 'rejected' || a.status === 'timed_out');
  const before = loadGraphState(inv);
  if (refused.length === 0) {
    const t = await applyTransition(tx, {
      row: inv,
      before,
      to: 'responding',
      agent,
      patch: { requiresHumanApproval: false },
      decision: { ...humanEntry('approval', 'approved', why, { approvals: approvals.map((a) => a.approvalId) }), agent: 'human' },
    });
    return { events: [t.event], enqueue: { severity: t.graphState.severity } };
  }
  const t = await applyTransition(tx, {
    row: inv,
    before,
    to: 'closed',
    agent,
    patch: { classification: 'rejected', requiresHumanApproval: false },
    decision: {
      ...humanEntry(agent === 'human' ? 'approval' : 'approval_timeout', 'rejected', why, { refused: refused.map((a) => `${a.approvalId}:${a.status}`) }),
      agent: agent === 'human' ? 'human' : 'system',
    },
  });
  const alert = await tx.alert.findFirst({ where: { alertPk: inv.alertId, tenantId: inv.tenantId } });
  if (alert) await storeIncidentMemory(tx, alertFacts(alert), t.graphState, 'rejected', new Date());
  return { events: [t.event] };
}

async function enqueueResponding(queue: WorkQueue, inv: Pick<InvestigationRow, 'tenantId' | 'investigationId'>, severity: string): Promise<void> {
  await queue.enqueue(
    { tenantId: inv.tenantId, investigationId: inv.investigationId, kind: 'step' },
    { jobId: `${inv.investigationId}-responding`, priority: severityPriority(severity) },
  );
}

/**
 * Records one human decision on an approval of the caller's tenant (NOT_FOUND for other tenants'),
 * and resolves the investigation when it was the last open approval.
 */
export async function decideApproval(
  deps: ApprovalDeps,
  scope: Scope,
  approvalId: string,
  decision: 'approved' | 'rejected',
  reason: string,
  opts: DecideOptions = {},
): Promise<ApprovalRow> {
  const out = await deps.audit.run(scope, async (tx) => {
    const first = await tx.approval.findFirst({ where: { approvalId, tenantId: scope.tenantId } });
    if (!first) throw notFound('Approval', approvalId);
    const inv = await lockInvestigation(tx, scope.tenantId, first.investigationId);
    const cur = await tx.approval.findFirst({ where: { approvalId, tenantId: scope.tenantId } });
    if (!cur || !inv) throw notFound('Approval', approvalId);
    if (!OPEN_APPROVAL_STATUSES.includes(cur.status)) throw conflict(`Approval ${approvalId} is already ${cur.status}`, { status: cur.status });
    if (isHumanActor(cur.requestedBy) && cur.requestedBy === scope.actor) throw forbidden('The proposer cannot decide its own approval request');
    const decisions = decisionsOf(cur.decisions);
    if (decisions.some((d) => d.actor === scope.actor)) throw forbidden('You already decided this approval: a second approval must come from a different approver');
    const acknowledged = decision === 'approved' && cur.requiresAcknowledgement;
    if (acknowledged && opts.acknowledgeCritical !== true) {
      throw badInput(
        [{ path: 'acknowledgeCritical', message: 'must be true: this is a critical action and needs an explicit acknowledgement' }],
        `Approval ${approvalId} is for a critical action (${cur.action} on ${cur.target}): approve it with acknowledgeCritical: true`,
      );
    }
    const now = new Date();
    const next: StoredDecision[] = [...decisions, { actor: scope.actor, decision, reason, at: now.toISOString(), ...(acknowledged ? { acknowledged: true } : {}) }];
    const approvedBy = next.filter((d) => d.decision === 'approved').length;
    const required = requiredApprovalsOf(cur);
    const status = decision === 'rejected' ? 'rejected' : approvedBy >= required ? 'approved' : cur.status;
    const final = status !== cur.status;
    const { count } = await tx.approval.updateMany({
      where: { approvalId, tenantId: scope.tenantId, status: cur.status, decisions: { equals: cur.decisions as Prisma.InputJsonValue } },
      data: {
        decisions: next as unknown as Prisma.InputJsonValue,
        status,
        ...(final ? { decidedBy: scope.actor, decidedAt: now, decisionReason: reason } : {}),
      },
    });
    if (count === 0) throw conflict(`Approval ${approvalId} changed concurrently`, { approvalId });
    const event = mutationEvent(decision === 'approved' ? 'approval.granted' : 'approval.denied', {
      entity: 'approval',
      entityId: approvalId,
      action: decision === 'approved' ? (final ? 'approved' : 'partially_approved') : 'rejected',
      context: {
        action: cur.action,
        target: cur.target,
        risk_tier: cur.riskTier,
        approvals: approvedBy,
        required_approvals: required,
        ...(cur.requiresAcknowledgement ? { requires_acknowledgement: true } : {}),
      },
      decision: { decision_type: 'action_approval', decision, reasoning_summary: reason.slice(0, 500), final, ...(acknowledged ? { acknowledged_critical: true } : {}) } as JsonObject,
      outcome: { state_before: cur.status, state_after: status },
      severity: decision === 'approved' ? 'info' : 'warning',
    });
    const events: AuditEventInput[] = [{ ...event, investigationId: cur.investigationId }];
    let resolution: Resolution = { events: [] };
    if (final) resolution = await resolveInvestigation(tx, inv, 'human', `approval ${approvalId} ${status} by ${scope.actor}: ${reason}`);
    const row = await tx.approval.findFirstOrThrow({ where: { approvalId, tenantId: scope.tenantId } });
    return { result: { row, inv, enqueue: resolution.enqueue }, events: [...events, ...resolution.events] };
  });
  if (out.enqueue) await enqueueResponding(deps.queue, out.inv, out.enqueue.severity);
  return out.row;
}

export type TimeoutResult = 'escalated' | 'timed_out' | 'not_due' | 'noop';

/**
 * The `approval_timeout` job: applies the timeout policy to one approval if it is still pending and
 * expired (idempotent: a processed or decided approval is left alone; an early job re-schedules itself).
 */
export async function handleApprovalTimeout(deps: ApprovalDeps, tenantId: string, approvalId: string, now: Date): Promise<TimeoutResult> {
  const out = await deps.audit.run(systemScope(tenantId, 'approval_timeout'), async (tx) => {
    const noop = (r: TimeoutResult, extra: { retryAt?: Date; investigationId?: string } = {}) => ({ result: { r, ...extra }, events: [] as AuditEventInput[] });
    const first = await tx.approval.findFirst({ where: { approvalId, tenantId } });
    if (!first) return noop('noop');
    const inv = await lockInvestigation(tx, tenantId, first.investigationId);
    const cur = await tx.approval.findFirst({ where: { approvalId, tenantId } });
    if (!cur || !inv || cur.status !== 'pending') return noop('noop');
    if (cur.expiresAt.getTime() > now.getTime()) return noop('not_due', { retryAt: cur.expiresAt, investigationId: cur.investigationId });
    const tenant = await tx.tenant.findUnique({ where: { tenantId }, select: { settings: true } });
    // a critical action escalates whatever the severity's policy says (approvalPolicyFor)
    const policy = approvalPolicyFor(inv.severity, cur, overridesFromSettings(tenant?.settings));
    const o = policy.onTimeout;
    const { count } = await tx.approval.updateMany({
      where: { approvalId, tenantId, status: 'pending' },
      data: o.kind === 'escalate' ? { status: 'escalated', escalatedAt: now } : { status: 'timed_out', decidedAt: now, decidedBy: 'system:approval_timeout', decisionReason: 'timed out' },
    });
    if (count === 0) return noop('noop');
    const events: AuditEventInput[] = [
      {
        eventType: o.auditEvent,
        severity: o.kind === 'escalate' ? 'warning' : 'info',
        investigationId: cur.investigationId,
        context: {
          approval_id: approvalId,
          action: cur.action,
          target: cur.target,
          severity: policy.severity,
          timeout_ms: cur.expiresAt.getTime() - cur.requestedAt.getTime(),
          policy_timeout_ms: policy.timeoutMs,
          expires_at: cur.expiresAt.toISOString(),
          requires_acknowledgement: policy.requiresExplicitAck,
          ...(o.kind === 'escalate' ? { escalation: 'timeout' } : {}),
        },
        outcome: { state_before: 'pending', state_after: o.approvalStatus, investigation_classification: o.classification },
      },
    ];
    if (inv.state === 'awaiting_human') {
      if (o.kind === 'escalate') {
        await applyGraphStatePatch(tx, inv, loadGraphState(inv), { classification: 'escalated' }, {
          ...humanEntry('approval_timeout', 'escalated', `approval ${approvalId} timed out on a ${policy.severity} investigation: escalated, stays open`),
          agent: 'system',
        });
      } else {
        // critical actions are never cancelled by a sibling's timeout: they stay open for a human
        await tx.approval.updateMany({
          where: { tenantId, investigationId: cur.investigationId, status: { in: OPEN_APPROVAL_STATUSES }, requiresAcknowledgement: false },
          data: { status: 'cancelled', decidedAt: now, decidedBy: 'system:approval_timeout', decisionReason: `investigation closed: approval ${approvalId} timed out` },
        });
        const r = await resolveInvestigation(tx, inv, 'approval_timeout', `approval ${approvalId} timed out (${policy.severity}): closed as rejected`);
        events.push(...r.events);
      }
    }
    return { result: { r: o.kind === 'escalate' ? ('escalated' as const) : ('timed_out' as const) }, events };
  });
  if (out.r === 'not_due' && 'retryAt' in out && out.retryAt && 'investigationId' in out && out.investigationId) {
    await deps.queue.enqueue(
      { tenantId, investigationId: out.investigationId, kind: 'approval_timeout', approvalId },
      { jobId: `${approvalId}-timeout-${out.retryAt.getTime()}`, delayMs: Math.max(0, out.retryAt.getTime() - Date.now()) },
    );
  }
  return out.r;
}

export type ReminderResult = 'notified' | 'not_due' | 'noop';

/**
 * The `approval_reminder` job: notifies the secondary reviewer of one approval, once, at 50 % of its
 * timeout, if it is still pending and not yet expired (past the expiry the timeout job decides). The
 * guarded update on `secondary_notified_at IS NULL` makes it idempotent: a redelivered job, a second
 * worker or a reconciler re-queue records nothing more. An early job re-schedules itself.
 */
export async function handleApprovalReminder(deps: ApprovalDeps, tenantId: string, approvalId: string, now: Date): Promise<ReminderResult> {
  const out = await deps.audit.run(systemScope(tenantId, 'approval_reminder'), async (tx) => {
    const noop = (r: ReminderResult, retryAt?: Date, investigationId?: string) => ({ result: { r, retryAt, investigationId }, events: [] as AuditEventInput[] });
    const cur = await tx.approval.findFirst({ where: { approvalId, tenantId } });
    if (!cur || cur.status !== 'pending' || cur.secondaryNotifiedAt || !cur.secondaryReviewerAt) return noop('noop');
    if (cur.secondaryReviewerAt.getTime() > now.getTime()) return noop('not_due', cur.secondaryReviewerAt, cur.investigationId);
    if (cur.expiresAt.getTime() <= now.getTime()) return noop('noop');
    const { count } = await tx.approval.updateMany({
      where: { approvalId, tenantId, status: 'pending', secondaryNotifiedAt: null },
      data: { secondaryNotifiedAt: now },
    });
    if (count === 0) return noop('noop');
    const event: AuditEventInput = {
      eventType: 'approval.escalated',
      severity: 'info',
      investigationId: cur.investigationId,
      context: {
        approval_id: approvalId,
        action: cur.action,
        target: cur.target,
        risk_tier: cur.riskTier,
        escalation: 'secondary_reviewer',
        requested_at: cur.requestedAt.toISOString(),
        secondary_reviewer_at: cur.secondaryReviewerAt.toISOString(),
        expires_at: cur.expiresAt.toISOString(),
        requires_acknowledgement: cur.requiresAcknowledgement,
      },
      outcome: {
        outcome_status: 'success',
        action_taken: 'approval.secondary_reviewer_notified',
        action_target: `approval:${approvalId}`,
        state_before: 'pending',
        state_after: 'pending',
      },
    };
    return { result: { r: 'notified' as const, retryAt: undefined, investigationId: undefined }, events: [event] };
  });
  if (out.r === 'not_due' && out.retryAt && out.investigationId) {
    await deps.queue.enqueue(
      { tenantId, investigationId: out.investigationId, kind: 'approval_reminder', approvalId },
      { jobId: `${approvalId}-reminder-${out.retryAt.getTime()}`, delayMs: Math.max(0, out.retryAt.getTime() - Date.now()) },
    );
  }
  return out.r;
}

/**
 * Schedules the delayed jobs of approvals committed with a transition to awaiting_human: the
 * secondary-reviewer notice (at `secondaryReviewerAt`) and the timeout (at `expiresAt`). Call after the
 * commit; lost jobs are re-queued by the reconciler.
 */
export async function scheduleApprovalJobs(queue: WorkQueue, approvals: readonly CreatedApproval[], severity: string): Promise<void> {
  const priority = severityPriority(severity);
  for (const a of approvals) {
    const job = { tenantId: a.tenantId, investigationId: a.investigationId, approvalId: a.approvalId };
    await queue.enqueue(
      { ...job, kind: 'approval_reminder' },
      { jobId: `${a.approvalId}-reminder`, delayMs: Math.max(0, a.secondaryReviewerAt.getTime() - Date.now()), priority },
    );
    await queue.enqueue(
      { ...job, kind: 'approval_timeout' },
      { jobId: `${a.approvalId}-timeout`, delayMs: Math.max(0, a.expiresAt.getTime() - Date.now()), priority },
    );
  }
}

/** Whether a queue job is one of the approval jobs (`approval_timeout`, `approval_reminder`). */
export function isApprovalJob(job: InvestigationJob): boolean {
  return job.kind === 'approval_timeout' || job.kind === 'approval_reminder';
}

/** Runs an approval job (the runner hands them over unchanged). */
export async function handleApprovalJob(deps: ApprovalDeps, job: InvestigationJob, now: Date = new Date()): Promise<void> {
  if (!job.approvalId) return;
  if (job.kind === 'approval_reminder') await handleApprovalReminder(deps, job.tenantId, job.approvalId, now);
  else if (job.kind === 'approval_timeout') await handleApprovalTimeout(deps, job.tenantId, job.approvalId, now);
}
