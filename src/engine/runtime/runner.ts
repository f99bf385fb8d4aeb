/**
 * The investigation runner: turns a queue job into at most one committed transition.
 *
 * 1. Claim a lease (updateMany where the investigation is runnable and the lease is free, expired or
 *    ours). Count 0 → another worker holds it, or it is waiting for a human / finished: nothing to do.
 * 2. Load the row and its alert, run the step of the current state (steps.ts) from the persisted
 *    GraphState: reads only.
 * 3. Commit ONE transaction: the version-guarded transition (transition.ts), the step's own writes
 *    (approvals, incident memory), and every audit record (state_changed + step events). A version that
 *    moved on → CONFLICT → the whole transaction rolls back: no duplicate transition, no audit record.
 * 4. After the commit: the AuditRecorder publishes the records, approval timeouts are scheduled, and the
 *    next step is enqueued (jobId `${id}-${state}`) unless the investigation waits for a human or ended.
 *
 * Failures (documented decision): errors are classified.
 * - CONFLICT: someone else advanced the investigation; drop the job (release our lease).
 * - Transient (database unavailable, pool/transaction timeouts, serialisation/deadlock): release the
 *   lease and rethrow; the queue retries with backoff, and after its retries the reconciler re-queues
 *   once the lease is free. Infrastructure trouble never fails an investigation ("loses nothing").
 * - Anything else (a bug, bad data, a FORBIDDEN permission check): steps are deterministic functions of
 *   the persisted state, so a retry would fail the same way: the investigation moves to `failed` at
 *   once with `unrecoverable_error` recorded (column + decision-chain entry + audit). Should that write
 *   itself fail, the error is rethrown and the next attempt tries again.
 */
import type { AuditTx } from '../../audit/audit.append';
import type { AuditRecorder } from '../../audit/audit.recorder';
import { systemScope } from '../../auth/scope';
import { isDomainError } from '../../errors/domain-error';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Logger } from '../../observability/logger';
import { isTerminal, type InvestigationState } from '../investigation.state';
import { type InvestigationJob, severityPriority, type WorkQueue } from '../queue';
import { alertFacts } from './alert-facts';
import { type ReasoningProvider, rulesProvider } from './agents/reasoning-agent';
import { type CreatedApproval } from './agents/response-agent';
import { handleApprovalJob, isApprovalJob, scheduleApprovalJobs } from './approval-decisions';
import { runStep, type StepOutcome } from './steps';
import { applyTransition, type InvestigationRow, loadGraphState } from './transition';

export const DEFAULT_LEASE_MS = 60_000;
const NOT_RUNNABLE: InvestigationState[] = ['awaiting_human', 'closed', 'failed'];

export interface RunnerDeps {
  prisma: PrismaClient;
  audit: AuditRecorder;
  queue: WorkQueue;
  logger: Logger;
  /** Unique per worker process (lease owner). */
  workerId: string;
  leaseMs?: number;
  reasoning?: ReasoningProvider;
  /** Test/ops override of approval expiries (ms); the policy's ≥ 1 h floor does not apply. */
  approvalExpiryOverrideMs?: number;
  /** Test hook: runs after a step computed and before its transaction (a crash here loses nothing). */
  beforeCommit?: (investigationId: string, from: InvestigationState, to: InvestigationState) => Promise<void>;
}

export interface InvestigationRunner {
  handle(job: InvestigationJob): Promise<void>;
  /** Claims, runs and commits one step (throws CONFLICT when it lost a race); false when not claimable. */
  advance(tenantId: string, investigationId: string): Promise<boolean>;
}

const TRANSIENT_CODES = new Set([
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034',
  '40001', '40P01', '57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE',
]);

/** Whether an error is infrastructure trouble worth retrying (vs. a deterministic failure of the step). */
export function isTransientError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  if (isDomainError(err)) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } };
  const cause = e.meta?.driverAdapterError?.cause;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (cause?.originalCode && TRANSIENT_CODES.has(cause.originalCode)) return true;
  if (typeof e.name === 'string' && /PrismaClientInitializationError/.test(e.name)) return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|ECONNREFUSED|ECONNRESET|connection (is )?closed|Transaction already closed|timed out|Cannot use a pool after calling end/i.test(msg);
}

/** Builds the runner of one worker. */
export function createInvestigationRunner(deps: RunnerDeps): InvestigationRunner {
  const { prisma, audit, queue, logger, workerId } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const reasoning = deps.reasoning ?? rulesProvider;

  async function claim(tenantId: string, investigationId: string, now: Date): Promise<boolean> {
    const { count } = await prisma.investigationState.updateMany({
      where: {
        investigationId,
        tenantId,
        state: { notIn: NOT_RUNNABLE },
        OR: [{ leaseOwner: null }, { leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }, { leaseOwner: workerId }],
      },
      data: { leaseOwner: workerId, leaseExpiresAt: new Date(now.getTime() + leaseMs) },
    });
    return count === 1;
  }

  async function release(tenantId: string, investigationId: string): Promise<void> {
    await prisma.investigationState
      .updateMany({ where: { investigationId, tenantId, leaseOwner: workerId }, data: { leaseOwner: null, leaseExpiresAt: null } })
      .catch(() => undefined);
  }

  async function commit(row: InvestigationRow, out: StepOutcome, now: Date): Promise<{ to: InvestigationState; approvals: CreatedApproval[]; severity: string }> {
    const before = loadGraphState(row);
    return audit.run(systemScope(row.tenantId, 'engine'), async (tx: AuditTx) => {
      const t = await applyTransition(tx, { row, before, to: out.to, agent: out.agent, patch: out.patch, decision: out.decision, now });
      const extra = out.inTx ? await out.inTx(tx, t.graphState) : { events: [] };
      return {
        result: { to: out.to, approvals: extra.approvals ?? [], severity: t.graphState.severity },
        events: [t.event, ...out.events, ...extra.events],
      };
    });
  }

  async function advance(tenantId: string, investigationId: string): Promise<boolean> {
    const now = new Date();
    if (!(await claim(tenantId, investigationId, now))) return false;
    const row = await prisma.investigationState.findFirst({ where: { investigationId, tenantId }, include: { alert: true } });
    if (!row || NOT_RUNNABLE.includes(row.state as InvestigationState)) return false;
    const { alert, ...inv } = row;
    const g = loadGraphState(inv);
    const out = await runStep({ prisma, tenantId, facts: alertFacts(alert), g, now, reasoning, approvalExpiryOverrideMs: deps.approvalExpiryOverrideMs });
    await deps.beforeCommit?.(investigationId, g.state, out.to);
    const done = await commit(inv, out, now);
    await scheduleApprovalJobs(queue, done.approvals, done.severity);
    if (!isTerminal(done.to) && done.to !== 'awaiting_human') {
      await queue.enqueue({ tenantId, investigationId, kind: 'step' }, { jobId: `${investigationId}-${done.to}`, priority: severityPriority(done.severity) });
    }
    logger.debug({ tenantId, investigationId, from: g.state, to: done.to }, 'investigation advanced');
    return true;
  }

  /** Moves the investigation to `failed` (version-guarded; a concurrent move wins and this is skipped). */
  async function fail(tenantId: string, investigationId: string, err: unknown): Promise<void> {
    const row = await prisma.investigationState.findFirst({ where: { investigationId, tenantId } });
    if (!row || isTerminal(row.state as InvestigationState)) return;
    const message = `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`.slice(0, 2000);
    try {
      await audit.run(systemScope(tenantId, 'engine'), async (tx) => {
        const t = await applyTransition(tx, {
          row,
          before: loadGraphState(row),
          to: 'failed',
          agent: 'system',
          patch: {},
          unrecoverableError: message,
          decision: {
            step: 'unrecoverable_error',
            agent: 'system',
            action: 'failed',
            reasoning: message,
            confidence: null,
            attestationStatus: 'not_applicable',
            taxonomyVersion: null,
            details: { failedIn: row.state, worker: workerId },
          },
        });
        return { result: undefined, events: [t.event] };
      });
    } catch (e) {
      if (isDomainError(e) && e.code === 'CONFLICT') return;
      throw e;
    }
    logger.error({ tenantId, investigationId, err }, 'investigation failed');
  }

  async function handleStep(job: InvestigationJob): Promise<void> {
    try {
      await advance(job.tenantId, job.investigationId);
    } catch (err) {
      await release(job.tenantId, job.investigationId);
      if (isDomainError(err) && err.code === 'CONFLICT') {
        logger.debug({ investigationId: job.investigationId, err: err.message }, 'step lost a race; dropped');
        return;
      }
      if (isTransientError(err)) {
        logger.warn({ investigationId: job.investigationId, err }, 'transient failure; will retry');
        throw err;
      }
      await fail(job.tenantId, job.investigationId, err);
    }
  }

  return {
    advance,
    async handle(job) {
      if (isApprovalJob(job)) {
        await handleApprovalJob({ prisma, audit, queue }, job, new Date());
        return;
      }
      await handleStep(job);
    },
  };
}
