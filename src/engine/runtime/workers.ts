/**
 * Pipeline workers of one process: the runner consuming the work queue plus the reconciler.
 * Wired by the API process (embedded mode) and by `npm run worker` (scale-out, no HTTP server).
 */
import { randomUUID } from 'node:crypto';
import type { AuditRecorder } from '../../audit/audit.recorder';
import type { SqlQuery } from '../../db/sql-driver';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Logger } from '../../observability/logger';
import type { WorkQueue } from '../queue';
import { type ReconcileReport, startReconciler } from './reconciler';
import { createInvestigationRunner, type RunnerDeps } from './runner';

export interface PipelineWorkerOptions {
  prisma: PrismaClient;
  /** Database.sql: the claim and per-step reads outside Prisma (default: Prisma's raw query). */
  sql?: SqlQuery;
  audit: AuditRecorder;
  queue: WorkQueue;
  logger: Logger;
  /** Jobs processed at once by this process (default 4). */
  concurrency?: number;
  /** Lease owner id; unique per process (default `<hostname>-<pid>-<random>`). */
  workerId?: string;
  leaseMs?: number;
  /** Reconciler period (default 30 s) and the idle time after which an unleased investigation counts as stranded (default 60 s). */
  reconcileIntervalMs?: number;
  staleAfterMs?: number;
  /** Tests: approval expiry override and the pre-commit hook (see RunnerDeps). */
  approvalExpiryOverrideMs?: number;
  beforeCommit?: RunnerDeps['beforeCommit'];
}

export interface PipelineWorkers {
  workerId: string;
  reconcileNow(): Promise<ReconcileReport>;
  /** Stops the reconciler; the queue itself is closed by its owner (app.close()). */
  stop(): Promise<void>;
}

/** Starts consuming the queue with the investigation runner and starts the reconciler. */
export function startPipelineWorkers(opts: PipelineWorkerOptions): PipelineWorkers {
  const workerId = opts.workerId ?? `${process.env.HOSTNAME ?? 'worker'}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const runner = createInvestigationRunner({
    prisma: opts.prisma,
    sql: opts.sql,
    audit: opts.audit,
    queue: opts.queue,
    logger: opts.logger,
    workerId,
    leaseMs: opts.leaseMs,
    approvalExpiryOverrideMs: opts.approvalExpiryOverrideMs,
    beforeCommit: opts.beforeCommit,
  });
  opts.queue.process((job) => runner.handle(job), opts.concurrency ?? 4);
  const reconciler = startReconciler({
    prisma: opts.prisma,
    queue: opts.queue,
    logger: opts.logger,
    intervalMs: opts.reconcileIntervalMs,
    staleAfterMs: opts.staleAfterMs,
  });
  return {
    workerId,
    reconcileNow: () => reconciler.runOnce(),
    stop: () => reconciler.stop(),
  };
}
