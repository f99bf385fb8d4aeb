/**
 * The reconciler: PostgreSQL is the truth, the queue only carries hints. It re-enqueues
 * - every runnable investigation (not terminal, not awaiting_human) whose lease expired, or that has
 *   no lease and has not changed for `staleAfterMs` (its job was lost: a crash between commit and
 *   enqueue, a lost Redis message, an in-process queue that died with its process);
 * - every approval still `pending` after its expiry (its timeout job was lost);
 * - every approval still `pending`, not yet expired, whose secondary-reviewer notice is due and was not
 *   sent (its reminder job was lost: an in-process queue that died with its process, a flushed Redis).
 *   The reminder handler is idempotent, so a re-queue next to a live job records nothing twice.
 * Job ids carry the observed lease expiry / update time, so repeated passes over the same stranded
 * investigation do not pile up jobs, and a new stranding gets a new job. Double work is impossible
 * anyway: the runner's lease and version guard let exactly one worker commit a step.
 */
import type { PrismaClient } from '../../generated/prisma/client';
import type { Logger } from '../../observability/logger';
import { severityPriority, type WorkQueue } from '../queue';

export const DEFAULT_RECONCILE_INTERVAL_MS = 30_000;
/** How long an unleased runnable investigation may sit still before it counts as stranded. */
export const DEFAULT_STALE_AFTER_MS = 60_000;
const BATCH = 500;

export interface ReconcileOptions {
  staleAfterMs?: number;
}

export interface ReconcileReport {
  investigations: number;
  approvals: number;
  /** Secondary-reviewer notices re-queued. */
  reminders: number;
}

/** One reconciliation pass (all tenants). */
export async function reconcile(prisma: PrismaClient, queue: WorkQueue, now: Date = new Date(), opts: ReconcileOptions = {}): Promise<ReconcileReport> {
  const staleBefore = new Date(now.getTime() - (opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS));
  const stranded = await prisma.investigationState.findMany({
    where: {
      state: { notIn: ['closed', 'failed', 'awaiting_human'] },
      OR: [{ leaseExpiresAt: { lt: now } }, { leaseOwner: null, updatedAt: { lt: staleBefore } }],
    },
    select: { investigationId: true, tenantId: true, state: true, severity: true, leaseExpiresAt: true, updatedAt: true, version: true },
    orderBy: { updatedAt: 'asc' },
    take: BATCH,
  });
  for (const i of stranded) {
    const mark = (i.leaseExpiresAt ?? i.updatedAt).getTime();
    await queue.enqueue(
      { tenantId: i.tenantId, investigationId: i.investigationId, kind: 'step' },
      { jobId: `${i.investigationId}-${i.state}-v${i.version}-r${mark}`, priority: severityPriority(i.severity) },
    );
  }
  const expired = await prisma.approval.findMany({
    where: { status: 'pending', expiresAt: { lt: now } },
    select: { approvalId: true, tenantId: true, investigationId: true, expiresAt: true },
    orderBy: { expiresAt: 'asc' },
    take: BATCH,
  });
  for (const a of expired) {
    await queue.enqueue(
      { tenantId: a.tenantId, investigationId: a.investigationId, kind: 'approval_timeout', approvalId: a.approvalId },
      { jobId: `${a.approvalId}-timeout-r${a.expiresAt.getTime()}` },
    );
  }
  const reminders = await prisma.approval.findMany({
    where: { status: 'pending', secondaryNotifiedAt: null, secondaryReviewerAt: { lte: now }, expiresAt: { gt: now } },
    select: { approvalId: true, tenantId: true, investigationId: true, secondaryReviewerAt: true },
    orderBy: { secondaryReviewerAt: 'asc' },
    take: BATCH,
  });
  for (const a of reminders) {
    await queue.enqueue(
      { tenantId: a.tenantId, investigationId: a.investigationId, kind: 'approval_reminder', approvalId: a.approvalId },
      { jobId: `${a.approvalId}-reminder-r${a.secondaryReviewerAt!.getTime()}` },
    );
  }
  return { investigations: stranded.length, approvals: expired.length, reminders: reminders.length };
}

export interface ReconcilerHandle {
  stop(): Promise<void>;
  /** Runs a pass now (tests, admin tooling). */
  runOnce(): Promise<ReconcileReport>;
}

/** Runs `reconcile` at start and every `intervalMs`; passes never overlap. */
export function startReconciler(deps: { prisma: PrismaClient; queue: WorkQueue; logger: Logger; intervalMs?: number; staleAfterMs?: number }): ReconcilerHandle {
  let running: Promise<ReconcileReport> | undefined;
  let stopped = false;
  const pass = (): Promise<ReconcileReport> => {
    if (running) return running;
    running = reconcile(deps.prisma, deps.queue, new Date(), { staleAfterMs: deps.staleAfterMs })
      .then((r) => {
        if (r.investigations || r.approvals || r.reminders) deps.logger.info(r, 'reconciler re-queued work');
        return r;
      })
      .catch((err: unknown) => {
        deps.logger.warn({ err }, 'reconcile pass failed');
        return { investigations: 0, approvals: 0, reminders: 0 };
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void pass();
  const timer = setInterval(() => {
    if (!stopped) void pass();
  }, deps.intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS);
  timer.unref();
  return {
    runOnce: pass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
