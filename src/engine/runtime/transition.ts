/**
 * One investigation transition as one write inside the caller's transaction (ARCHITECTURE habit 8):
 * `assertTransition`, a version-guarded `updateMany` (count 0 → CONFLICT, so the caller's whole
 * transaction, audit records included, rolls back), the decision-chain entry appended to the GraphState,
 * the denormalised columns (severity, classification, confidence, closed_at, unrecoverable_error) and the
 * `investigation.state_changed` audit event (context: from_state, to_state, agent, changed_fields).
 *
 * Used by the runner (agent steps), the approval decisions (human) and the approval timeouts.
 */
import type { AuditEventInput, AuditTx, SqlTx } from '../../audit/audit.append';
import type { JsonObject } from '../../audit/canonical-json';
import type { Prisma } from '../../generated/prisma/client';
import { currentGroup } from '../../audit/audit.recorder';
import { conflict } from '../../errors/domain-error';
import { appendDecision, type DecisionEntry, diffGraphState, type GraphState, initialGraphState } from '../graph-state';
import { assertTransition, type InvestigationState, isTerminal } from '../investigation.state';
import { isSeverity, type Severity } from '../../ingest/canonical';
import { AGENT_ROLES } from '../agents/permissions';

const AGENT_ACTORS = new Set<string>([...AGENT_ROLES, 'fp_short_circuit']);
const isAgentActor = (a: string): boolean => AGENT_ACTORS.has(a);

export type InvestigationRow = Prisma.InvestigationStateGetPayload<object>;

/** investigation_state as a plain-SQL `SELECT *` / `RETURNING *` returns it (snake_case, driver types). */
export interface InvestigationSqlRow {
  investigation_id: string;
  state: string;
  alert_id: string;
  tenant_id: string;
  graph_state: Prisma.JsonValue;
  confidence: number;
  llm_calls: number;
  total_cost_usd: number;
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
  severity: string;
  classification: string | null;
  title: string;
  source: string;
  lease_owner: string | null;
  lease_expires_at: Date | string | null;
  closed_at: Date | string | null;
  unrecoverable_error: string | null;
}

/** The model row of a plain-SQL investigation_state row. */
export function investigationFromSql(r: InvestigationSqlRow): InvestigationRow {
  const date = (v: Date | string | null) => (v === null ? null : new Date(v));
  return {
    investigationId: r.investigation_id,
    state: r.state,
    alertId: r.alert_id,
    tenantId: r.tenant_id,
    graphState: r.graph_state,
    confidence: Number(r.confidence),
    llmCalls: Number(r.llm_calls),
    totalCostUsd: Number(r.total_cost_usd),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    version: Number(r.version),
    severity: r.severity,
    classification: r.classification,
    title: r.title,
    source: r.source,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: date(r.lease_expires_at),
    closedAt: date(r.closed_at),
    unrecoverableError: r.unrecoverable_error,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The persisted GraphState of a row, with spec defaults for missing fields (ingest may store `{}` or a
 * partial state); the row's columns win for identity and state.
 */
export function loadGraphState(row: InvestigationRow): GraphState {
  const sev: Severity = isSeverity(row.severity) ? row.severity : 'medium';
  const base = initialGraphState({ severity: sev }, { investigationId: row.investigationId, tenantId: row.tenantId, alertId: row.alertId });
  const stored = isRecord(row.graphState) ? (row.graphState as Partial<GraphState>) : {};
  return {
    ...base,
    ...stored,
    investigationId: row.investigationId,
    tenantId: row.tenantId,
    alertId: row.alertId,
    state: row.state as InvestigationState,
    decisionChain: Array.isArray(stored.decisionChain) ? stored.decisionChain : [],
  };
}

export interface TransitionInput {
  /** The row as loaded (its version is the expected version). */
  row: InvestigationRow;
  /** The GraphState the step started from (loadGraphState(row)). */
  before: GraphState;
  to: InvestigationState;
  /** Who takes the edge (recorded as the audit context's `agent`). */
  agent: string;
  /** GraphState fields the step computed (state and decision chain are handled here). */
  patch: Partial<GraphState>;
  decision: Omit<DecisionEntry, 'at'> & { at?: string };
  /** Lease after the commit: cleared by default. */
  lease?: { owner: string; expiresAt: Date } | null;
  /** For `failed`. */
  unrecoverableError?: string;
  now?: Date;
  /** Audit severity of the state change (default info; failed → warning). */
  severity?: 'info' | 'warning' | 'critical';
}

export interface TransitionResult {
  graphState: GraphState;
  /** `graphState` as written (JSON text): what a reload of the row would parse. */
  graphStateJson: string;
  version: number;
  changedFields: string[];
  /** The `investigation.state_changed` event; append it (with the step's other events) in the same tx. */
  event: AuditEventInput;
}

/**
 * Writes one transition in `tx`. Throws CONFLICT for an illegal edge or when the row's version moved on
 * (another worker, an approval or a timeout got there first).
 */
export async function applyTransition(tx: SqlTx, input: TransitionInput): Promise<TransitionResult> {
  const { row, before, to } = input;
  const from = row.state as InvestigationState;
  assertTransition(from, to);
  const now = input.now ?? new Date();
  const entry: DecisionEntry = { ...input.decision, at: input.decision.at ?? now.toISOString() };
  const after = appendDecision({ ...before, ...input.patch, state: to }, entry);
  const changedFields = diffGraphState(before, after);
  const graphStateJson = JSON.stringify(after);
  const write: TransitionWrite = {
    investigation_id: row.investigationId,
    tenant_id: row.tenantId,
    expected_version: row.version,
    state: to,
    version: row.version + 1,
    ...graphStateDelta(before, after, changedFields, !Object.prototype.hasOwnProperty.call(input.patch, 'decisionChain')),
    severity: after.severity,
    classification: after.classification,
    confidence: after.confidence,
    llm_calls: after.llmCalls,
    total_cost_usd: after.totalCostUsd,
    updated_at: now.toISOString(),
    lease_owner: input.lease ? input.lease.owner : null,
    lease_expires_at: input.lease ? input.lease.expiresAt.toISOString() : null,
    closed: isTerminal(to),
    set_error: input.unrecoverableError !== undefined,
    unrecoverable_error: input.unrecoverableError ?? null,
  };
  const group = currentGroup(tx);
  if (group) {
    // Sharing a transaction with other investigations' steps: one UPDATE for all of them at the end.
    group.buffer<TransitionWrite>('investigation_state.transitions', writeTransitions).push(write);
  } else {
    const count = await writeTransitionRows(tx, [write]);
    if (count === 0) {
      throw conflict(`Investigation ${row.investigationId} changed concurrently (expected version ${row.version})`, {
        investigationId: row.investigationId,
        expectedVersion: row.version,
      });
    }
  }
  const context: JsonObject = { from_state: from, to_state: to, agent: input.agent, changed_fields: changedFields, version: row.version + 1 };
  return {
    graphState: after,
    graphStateJson,
    version: row.version + 1,
    changedFields,
    event: {
      eventType: 'investigation.state_changed',
      severity: input.severity ?? (to === 'failed' ? 'warning' : 'info'),
      ...(isAgentActor(input.agent) ? { actorType: 'agent', actorId: `agent:${input.agent}` } : {}),
      investigationId: row.investigationId,
      alertId: row.alertId,
      context,
      decision: { step: entry.step, action: entry.action, confidence: entry.confidence, reasoning: entry.reasoning.slice(0, 2000) },
    },
  };
}

/**
 * How a transition changes the stored GraphState: the changed top-level fields (their new values), the
 * fields it drops, and the decision entries it appends. Only this travels to PostgreSQL, not the whole
 * GraphState (1–10 KB, rewritten on every transition, was most of the bytes a pipeline worker sent).
 */
interface GraphStateDelta {
  /** JSON object text: each changed top-level field with its new value (decisionChain only if replaced). */
  graph_patch_json: string;
  /** Top-level fields the new GraphState no longer has. */
  removed: string[];
  /** JSON array text of the entries appended to decisionChain, or null when `graph_patch_json` replaces it. */
  decision_append_json: string | null;
}

/**
 * The delta from `before` (the stored GraphState as loaded, the row's version guarding that it is still
 * what is stored) to `after`. Applied to the stored JSON it gives `after` up to fields `before` only has as
 * defaults (loadGraphState fills them in again on every load). The decision chain is appended to unless
 * the step's patch replaced it (`mayAppend` false).
 */
function graphStateDelta(before: GraphState, after: GraphState, changed: readonly string[], mayAppend: boolean): GraphStateDelta {
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  // `after` is appendDecision({...before, ...patch}, entry): unless the patch replaced the chain, it is
  // `before`'s chain plus the new entry
  const appended = mayAppend ? after.decisionChain.slice(before.decisionChain.length) : null;
  const patch: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const k of changed) {
    if (k === 'decisionChain' && appended) continue;
    if (a[k] === undefined) {
      if (b[k] !== undefined) removed.push(k);
    } else patch[k] = a[k];
  }
  return { graph_patch_json: JSON.stringify(patch), removed, decision_append_json: appended ? JSON.stringify(appended) : null };
}

/** One version-guarded transition row write (the JSON shape the batched UPDATE reads). */
interface TransitionWrite extends GraphStateDelta {
  investigation_id: string;
  tenant_id: string;
  expected_version: number;
  state: string;
  version: number;
  severity: string;
  classification: string | null;
  confidence: number;
  llm_calls: number;
  total_cost_usd: number;
  updated_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  closed: boolean;
  set_error: boolean;
  unrecoverable_error: string | null;
}

/**
 * Writes transitions in ONE statement (the rows travel as a JSON array, each with its GraphState delta
 * as JSON, so no model layer walks it), each guarded by its expected version. A stored GraphState that
 * is not an object (never written by ALUSKORT) is treated as empty, a decision chain that is not an array
 * as empty. Returns the number of rows updated.
 */
async function writeTransitionRows(tx: SqlTx, writes: readonly TransitionWrite[]): Promise<number> {
  return tx.$executeRawUnsafe(
    `UPDATE investigation_state AS i
        SET state = v.state, version = v.version,
            graph_state = CASE
              WHEN v.decision_append IS NULL THEN (CASE WHEN jsonb_typeof(i.graph_state) = 'object' THEN i.graph_state ELSE '{}'::jsonb END - v.removed) || v.graph_patch
              ELSE jsonb_set(
                     (CASE WHEN jsonb_typeof(i.graph_state) = 'object' THEN i.graph_state ELSE '{}'::jsonb END - v.removed) || v.graph_patch,
                     '{decisionChain}',
                     CASE WHEN jsonb_typeof(i.graph_state -> 'decisionChain') = 'array' THEN i.graph_state -> 'decisionChain' ELSE '[]'::jsonb END
                       || v.decision_append)
            END,
            severity = v.severity,
            classification = v.classification, confidence = v.confidence, llm_calls = v.llm_calls,
            total_cost_usd = v.total_cost_usd, updated_at = v.updated_at, lease_owner = v.lease_owner,
            lease_expires_at = v.lease_expires_at,
            closed_at = CASE WHEN v.closed THEN v.updated_at ELSE i.closed_at END,
            unrecoverable_error = CASE WHEN v.set_error THEN v.unrecoverable_error ELSE i.unrecoverable_error END
       FROM jsonb_to_recordset($1::jsonb) AS v(
              investigation_id TEXT, tenant_id TEXT, expected_version INTEGER, state TEXT, version INTEGER,
              graph_patch JSONB, removed TEXT[], decision_append JSONB, severity TEXT, classification TEXT, confidence REAL, llm_calls INTEGER,
              total_cost_usd REAL, updated_at TIMESTAMPTZ, lease_owner TEXT, lease_expires_at TIMESTAMPTZ,
              closed BOOLEAN, set_error BOOLEAN, unrecoverable_error TEXT)
      WHERE i.investigation_id = v.investigation_id AND i.tenant_id = v.tenant_id AND i.version = v.expected_version`,
    transitionRowsJson(writes),
  );
}

/** The JSON array the UPDATE reads: each write's fields, with its delta's JSON texts spliced in as they are. */
function transitionRowsJson(writes: readonly TransitionWrite[]): string {
  const parts = writes.map(({ graph_patch_json, decision_append_json, ...fields }) => {
    const head = JSON.stringify(fields);
    return `${head.slice(0, -1)},"graph_patch":${graph_patch_json},"decision_append":${decision_append_json ?? 'null'}}`;
  });
  return `[${parts.join(',')}]`;
}

/** Group flush: every buffered transition must apply, or the group fails (and each step re-runs alone). */
async function writeTransitions(tx: SqlTx, writes: TransitionWrite[]): Promise<void> {
  const count = await writeTransitionRows(tx, writes);
  if (count !== writes.length) {
    throw conflict(`${writes.length - count} of ${writes.length} investigations changed concurrently`, {
      investigationIds: writes.map((w) => w.investigation_id),
    });
  }
}

/**
 * A GraphState change without a transition (e.g. classification `escalated` on an approval timeout):
 * version-guarded like a transition, no state change, no state_changed event.
 */
export async function applyGraphStatePatch(
  tx: AuditTx,
  row: InvestigationRow,
  before: GraphState,
  patch: Partial<GraphState>,
  entry: DecisionEntry,
): Promise<{ graphState: GraphState; changedFields: string[] }> {
  const after = appendDecision({ ...before, ...patch }, entry);
  const { count } = await tx.investigationState.updateMany({
    where: { investigationId: row.investigationId, tenantId: row.tenantId, version: row.version },
    data: {
      version: row.version + 1,
      graphState: after as unknown as Prisma.InputJsonValue,
      severity: after.severity,
      classification: after.classification,
      confidence: after.confidence,
      updatedAt: new Date(entry.at),
    },
  });
  if (count === 0) throw conflict(`Investigation ${row.investigationId} changed concurrently`, { investigationId: row.investigationId });
  return { graphState: after, changedFields: diffGraphState(before, after) };
}

/**
 * Locks the investigation row for the rest of `tx` (approval decisions and timeouts of one investigation
 * serialise on it, so "all approvals decided" is never missed by two concurrent deciders) and returns it.
 */
export async function lockInvestigation(tx: AuditTx, tenantId: string, investigationId: string): Promise<InvestigationRow | null> {
  await tx.$queryRaw`SELECT 1 FROM investigation_state WHERE investigation_id = ${investigationId} AND tenant_id = ${tenantId} FOR UPDATE`;
  return tx.investigationState.findFirst({ where: { investigationId, tenantId } });
}
