import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

/** One unit of pipeline work. PostgreSQL holds the truth; a job only says "look at this investigation". */
export interface InvestigationJob {
  tenantId: string;
  investigationId: string;
  /**
   * `step`: advance the state machine; `approval_timeout`: apply the timeout policy to one approval;
   * `approval_reminder`: notify the secondary reviewer of one approval (once, at 50 % of its timeout).
   */
  kind: 'step' | 'approval_timeout' | 'approval_reminder';
  approvalId?: string;
}

export interface EnqueueOptions {
  /** 1 (critical) … 5 (informational); lower runs first. */
  priority?: number;
  delayMs?: number;
  /** Jobs with the same id are not queued twice while one is waiting (no ':' in ids: BullMQ refuses them). */
  jobId?: string;
}

export type JobHandler = (job: InvestigationJob) => Promise<void>;

/** The work queue the pipeline runs on: BullMQ on Redis, or in-process in embedded mode. */
export interface WorkQueue {
  readonly kind: 'bullmq' | 'memory';
  enqueue(job: InvestigationJob, opts?: EnqueueOptions): Promise<void>;
  /** Starts consuming with at most `concurrency` jobs at once; failed jobs are retried with backoff. */
  process(handler: JobHandler, concurrency: number): void;
  close(): Promise<void>;
}

/** Queue priority of an alert severity. */
export function severityPriority(severity: string): number {
  return { critical: 1, high: 2, medium: 3, low: 4, informational: 5 }[severity] ?? 3;
}

const MAX_ATTEMPTS = 5;
const BACKOFF_MS = 200;

/**
 * In-process queue for embedded mode and single-process deployments: priority order, delays, a
 * concurrency limit, retries with exponential backoff. Lost on restart by design: the reconciler re-queues
 * every non-terminal investigation from PostgreSQL at start.
 */
export function createMemoryQueue(): WorkQueue {
  type Entry = { job: InvestigationJob; priority: number; seq: number; attempts: number; id?: string };
  const ready: Entry[] = [];
  const waitingIds = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;
  let handler: JobHandler | undefined;
  let concurrency = 1;
  let running = 0;
  let closed = false;

  const pump = () => {
    while (!closed && handler && running < concurrency && ready.length > 0) {
      ready.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      const e = ready.shift()!;
      if (e.id) waitingIds.delete(e.id);
      running++;
      handler(e.job)
        .catch(() => {
          e.attempts++;
          if (e.attempts < MAX_ATTEMPTS && !closed) schedule(e, BACKOFF_MS * 2 ** (e.attempts - 1));
        })
        .finally(() => {
          running--;
          pump();
        });
    }
  };
  const schedule = (e: Entry, delayMs: number) => {
    if (delayMs <= 0) {
      ready.push(e);
      queueMicrotask(pump);
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      ready.push(e);
      pump();
    }, delayMs);
    t.unref();
    timers.add(t);
  };
  return {
    kind: 'memory',
    async enqueue(job, opts = {}) {
      if (closed) return;
      if (opts.jobId && waitingIds.has(opts.jobId)) return;
      if (opts.jobId) waitingIds.add(opts.jobId);
      schedule({ job, priority: opts.priority ?? 3, seq: seq++, attempts: 0, id: opts.jobId }, opts.delayMs ?? 0);
    },
    process(h, c) {
      handler = h;
      concurrency = Math.max(1, c);
      pump();
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      while (running > 0) await new Promise((r) => setTimeout(r, 10));
    },
  };
}

/**
 * BullMQ on Redis: priorities by severity, delayed jobs (approval timeouts), retries with exponential
 * backoff, a per-process concurrency limit; several worker processes share one queue.
 */
/** The BullMQ queue name of a deployment (`ALUSKORT_REDIS_NAMESPACE` separates deployments on one Redis). */
export function queueName(namespace = ''): string {
  return namespace ? `aluskort-investigations-${namespace}` : 'aluskort-investigations';
}

export function createBullQueue(connection: Redis, name = queueName()): WorkQueue {
  // BullMQ needs its own connections (blocking commands); duplicate() keeps the caller's options.
  const queueConn = connection.duplicate({ maxRetriesPerRequest: null });
  const queue = new Queue<InvestigationJob>(name, {
    connection: queueConn,
    defaultJobOptions: {
      attempts: MAX_ATTEMPTS,
      backoff: { type: 'exponential', delay: BACKOFF_MS },
      removeOnComplete: true,
      removeOnFail: 1000,
    },
  });
  let worker: Worker<InvestigationJob> | undefined;
  let workerConn: Redis | undefined;
  return {
    kind: 'bullmq',
    async enqueue(job, opts = {}) {
      await queue.add(job.kind, job, {
        priority: opts.priority ?? 3,
        delay: opts.delayMs,
        jobId: opts.jobId,
      });
    },
    process(handler, concurrency) {
      workerConn = connection.duplicate({ maxRetriesPerRequest: null });
      worker = new Worker<InvestigationJob>(name, async (j) => handler(j.data), {
        connection: workerConn,
        concurrency,
      });
      worker.on('error', () => undefined);
    },
    async close() {
      await worker?.close();
      await queue.close();
      await workerConn?.quit().catch(() => undefined);
      await queueConn.quit().catch(() => undefined);
    },
  };
}
