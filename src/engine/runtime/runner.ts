/**
 * The investigation runner: turns a queue job into committed transitions.
 *
 * 1. Claim a lease (updateMany where the investigation is runnable and the lease is free, expired or
 *    ours). Count 0 → another worker holds it, or it is waiting for a human / finished: nothing to do.
 * 2. Load the row and its alert, run the step of the current state (steps.ts) from the persisted
 *    GraphState: reads only.
 * 3. Commit ONE transaction for the step: the version-guarded transition (transition.ts), the step's own
 *    writes (approvals, incident memory), and every audit record (state_changed + step events). A version
 *    that moved on → CONFLICT → the step's writes and records roll back: no duplicate transition, no audit
 *    record. The transaction may be shared with other investigations' steps of the same tenant (group
 *    commit, AuditRecorder.runGrouped): each step still commits atomically with its audit records.
 * 4. After the commit: the AuditRecorder publishes the records and approval jobs are scheduled. Unless the
 *    investigation now waits for a human or ended, the same job goes on with the next step from the state
 *    it just committed (lease renewed by the commit, no reload), up to `maxStepsPerJob` steps; then the
 *    next step is enqueued (jobId `${id}-${state}`). A crash between steps leaves a committed state and a
 *    lease that expires: the reconciler re-queues it and the next worker resumes from the GraphState.
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
import type { SqlTx } from '../../audit/audit.append';
import { prismaSqlQuery, type SqlQuery } from '../../db/sql-driver';
import type { AuditRecorder } from '../../audit/audit.recorder';
import { systemScope } from '../../auth/scope';
import { isDomainError } from '../../errors/domain-error';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Logger } from '../../observability/logger';
import { isTerminal, type InvestigationState } from '../investigation.state';
import { type InvestigationJob, severityPriority, type WorkQueue } from '../queue';
import { type AlertRow, alertFacts } from './alert-facts';
import type { Prisma } from '../../generated/prisma/client';

/** The row `claimAndLoad` reads: the investigation's columns, its alert's (prefixed `a_`) and the reference counters. */
interface ClaimedRow extends InvestigationSqlRow {
  a_source: string;
  a_source_alert_id: string;
  a_timestamp: Date | string;
  a_title: string;
  a_description: string;
  a_severity: string;
  a_tactics: string[];
  a_techniques: string[];
  a_entities: Prisma.JsonValue;
  a_product: string;
  a_raw_payload: Prisma.JsonValue;
  a_received_at: Date | string;
  ref_taxonomy: string;
  ref_tenant: string;
}
import { type ReasoningProvider, rulesProvider } from './agents/reasoning-agent';
import { type CreatedApproval } from './agents/response-agent';
import { handleApprovalJob, isApprovalJob, scheduleApprovalJobs } from './approval-decisions';
import { REFERENCE_VERSION_COLUMNS, ReferenceDataCache, type ReferenceVersions } from './reference-data';
import { runStep, type StepOutcome } from './steps';
import { IncidentMemoryStatistics } from './table-statistics';
import { applyTransition, type InvestigationRow, investigationFromSql, type InvestigationSqlRow, loadGraphState } from './transition';
import type { GraphState } from '../graph-state';

export const DEFAULT_LEASE_MS = 60_000;
/** Steps one job runs back to back before handing the rest to a new job (the state machine needs at most 5). */
export const DEFAULT_MAX_STEPS_PER_JOB = 8;

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
  /** Steps one job runs back to back (default DEFAULT_MAX_STEPS_PER_JOB; 1 = a job per step). */
  maxStepsPerJob?: number;
  /** The claim and the per-step reads, outside Prisma (Database.sql); default: Prisma's raw query. */
  sql?: SqlQuery;
  /** Reference data kept between jobs (default: one cache per runner). */
  referenceCache?: ReferenceDataCache;
  /** Watches incident_memory's planner statistics (default: one per runner, see table-statistics.ts). */
  statistics?: IncidentMemoryStatistics;
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
  const maxStepsPerJob = Math.max(1, deps.maxStepsPerJob ?? DEFAULT_MAX_STEPS_PER_JOB);
  const referenceCache = deps.referenceCache ?? new ReferenceDataCache(prisma);
  const sql = deps.sql ?? prismaSqlQuery(prisma);
  const statistics = deps.statistics ?? new IncidentMemoryStatistics(sql, logger);

  /**
   * Claims the lease (the investigation is runnable and the lease is free, expired or ours) and loads the
   * row with its alert, in ONE statement (the start of every job). Null → not claimable: another worker
   * holds it, or it waits for a human, or it ended.
   */
  async function claimAndLoad(
    tenantId: string,
    investigationId: string,
    now: Date,
  ): Promise<{ row: InvestigationRow; alert: AlertRow; versions: ReferenceVersions } | null> {
    const rows = await sql<ClaimedRow>(
      `WITH c AS (
         UPDATE investigation_state SET lease_owner = $3, lease_expires_at = $4::timestamptz
          WHERE investigation_id = $1 AND tenant_id = $2 AND state NOT IN ('awaiting_human', 'closed', 'failed')
            AND (lease_owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < $5::timestamptz OR lease_owner = $3)
         RETURNING *
       )
       SELECT c.investigation_id, c.state, c.alert_id, c.tenant_id, c.graph_state, c.confidence, c.llm_calls, c.total_cost_usd,
              c.created_at, c.updated_at, c.version, c.severity, c.classification, c.title, c.source, c.lease_owner,
              c.lease_expires_at, c.closed_at, c.unrecoverable_error,
              a.source AS a_source, a.source_alert_id AS a_source_alert_id, a.timestamp AS a_timestamp, a.title AS a_title,
              a.description AS a_description, a.severity AS a_severity, a.tactics AS a_tactics, a.techniques AS a_techniques,
              a.entities AS a_entities, a.product AS a_product, a.raw_payload AS a_raw_payload, a.received_at AS a_received_at,
              ${REFERENCE_VERSION_COLUMNS}
         FROM c JOIN alerts a ON a.alert_pk = c.alert_id AND a.tenant_id = c.tenant_id`,
      [investigationId, tenantId, workerId, new Date(now.getTime() + leaseMs).toISOString(), now.toISOString()],
      { name: 'aluskort_claim_investigation' },
    );
    const r = rows[0];
    if (!r) return null;
    const row = investigationFromSql(r);
    const alert: AlertRow = {
      alertPk: r.alert_id,
      tenantId: r.tenant_id,
      source: r.a_source,
      sourceAlertId: r.a_source_alert_id,
      timestamp: new Date(r.a_timestamp),
      title: r.a_title,
      description: r.a_description,
      severity: r.a_severity,
      tactics: r.a_tactics,
      techniques: r.a_techniques,
      entities: r.a_entities,
      product: r.a_product,
      rawPayload: r.a_raw_payload,
      receivedAt: new Date(r.a_received_at),
    };
    return { row, alert, versions: { taxonomy: r.ref_taxonomy, tenant: r.ref_tenant } };
  }

  async function release(tenantId: string, investigationId: string): Promise<void> {
    await prisma.investigationState
      .updateMany({ where: { investigationId, tenantId, leaseOwner: workerId }, data: { leaseOwner: null, leaseExpiresAt: null } })
      .catch(() => undefined);
  }

  /**
   * Commits one step: the transition (keeping the lease when the caller goes on), the step's own writes
   * and every audit record, in one transaction that may be shared with other investigations' steps
   * (group commit, AuditRecorder.runGrouped). `before` is the GraphState the step started from (the
   * row's). Returns the row as it now is in the database.
   */
  async function commit(
    row: InvestigationRow,
    before: GraphState,
    out: StepOutcome,
    now: Date,
    lease: { owner: string; expiresAt: Date } | null,
  ): Promise<{ to: InvestigationState; approvals: CreatedApproval[]; severity: string; row: InvestigationRow }> {
    return audit.runGrouped(systemScope(row.tenantId, 'engine'), async (tx: SqlTx) => {
      const t = await applyTransition(tx, { row, before, to: out.to, agent: out.agent, patch: out.patch, decision: out.decision, now, lease });
      const extra = out.inTx ? await out.inTx(tx, t.graphState) : { events: [] };
      const next: InvestigationRow = {
        ...row,
        state: out.to,
        version: t.version,
        // as the database hands it back (JSON): the next step starts from exactly what a reload would give
        graphState: JSON.parse(t.graphStateJson) as InvestigationRow['graphState'],
        severity: t.graphState.severity,
        updatedAt: now,
        leaseOwner: lease?.owner ?? null,
        leaseExpiresAt: lease?.expiresAt ?? null,
      };
      return {
        result: { to: out.to, approvals: extra.approvals ?? [], severity: t.graphState.severity, row: next },
        events: [t.event, ...out.events, ...extra.events],
      };
    });
  }

  /**
   * Claims the investigation and runs up to `maxSteps` steps back to back, each committed on its own
   * (state, GraphState, decision entry and audit records together) before the next one is computed
   * from the committed state. Between steps the lease stays ours (renewed by each commit) and the row
   * is not reloaded: the version guard of the next commit catches anyone who changed it meanwhile.
   * Stops at awaiting_human or a terminal state; after `maxSteps` it enqueues the rest.
   */
  async function drive(tenantId: string, investigationId: string, maxSteps: number): Promise<boolean> {
    const claimed = await claimAndLoad(tenantId, investigationId, new Date());
    if (!claimed) return false;
    const facts = alertFacts(claimed.alert);
    const reference = referenceCache.reader(tenantId, claimed.versions);
    let row: InvestigationRow = claimed.row;
    for (let step = 1; ; step++) {
      const now = new Date();
      const g = loadGraphState(row);
      const out = await runStep({ sql, reference, tenantId, facts, g, now, reasoning, approvalExpiryOverrideMs: deps.approvalExpiryOverrideMs });
      await deps.beforeCommit?.(investigationId, g.state, out.to);
      const atRest = isTerminal(out.to) || out.to === 'awaiting_human';
      const goOn = !atRest && step < maxSteps;
      const done = await commit(row, g, out, now, goOn ? { owner: workerId, expiresAt: new Date(now.getTime() + leaseMs) } : null);
      await scheduleApprovalJobs(queue, done.approvals, done.severity);
      logger.debug({ tenantId, investigationId, from: g.state, to: done.to }, 'investigation advanced');
      if (done.to === 'closed') statistics.noteStored(); // a closed investigation is stored to incident_memory
      if (atRest) return true;
      if (!goOn) {
        await queue.enqueue({ tenantId, investigationId, kind: 'step' }, { jobId: `${investigationId}-${done.to}`, priority: severityPriority(done.severity) });
        return true;
      }
      row = done.row;
    }
  }

  /** Claims, runs and commits one step, enqueueing the next (throws CONFLICT when it lost a race). */
  function advance(tenantId: string, investigationId: string): Promise<boolean> {
    return drive(tenantId, investigationId, 1);
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
      await drive(job.tenantId, job.investigationId, maxStepsPerJob);
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
