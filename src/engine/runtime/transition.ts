/**
 * One investigation transition as one write inside the caller's transaction (ARCHITECTURE habit 8):
 * `assertTransition`, a version-guarded `updateMany` (count 0 → CONFLICT, so the caller's whole
 * transaction, audit records included, rolls back), the decision-chain entry appended to the GraphState,
 * the denormalised columns (severity, classification, confidence, closed_at, unrecoverable_error) and the
 * `investigation.state_changed` audit event (context: from_state, to_state, agent, changed_fields).
 *
 * Used by the runner (agent steps), the approval decisions (human) and the approval timeouts.
 */
import type { AuditEventInput, AuditTx } from '../../audit/audit.append';
import type { JsonObject } from '../../audit/canonical-json';
import type { Prisma } from '../../generated/prisma/client';
import { conflict } from '../../errors/domain-error';
import { appendDecision, type DecisionEntry, diffGraphState, type GraphState, initialGraphState } from '../graph-state';
import { assertTransition, type InvestigationState, isTerminal } from '../investigation.state';
import { isSeverity, type Severity } from '../../ingest/canonical';
import { AGENT_ROLES } from '../agents/permissions';

const AGENT_ACTORS = new Set<string>([...AGENT_ROLES, 'fp_short_circuit']);
const isAgentActor = (a: string): boolean => AGENT_ACTORS.has(a);

export type InvestigationRow = Prisma.InvestigationStateGetPayload<object>;

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
  version: number;
  changedFields: string[];
  /** The `investigation.state_changed` event; append it (with the step's other events) in the same tx. */
  event: AuditEventInput;
}

/**
 * Writes one transition in `tx`. Throws CONFLICT for an illegal edge or when the row's version moved on
 * (another worker, an approval or a timeout got there first).
 */
export async function applyTransition(tx: AuditTx, input: TransitionInput): Promise<TransitionResult> {
  const { row, before, to } = input;
  const from = row.state as InvestigationState;
  assertTransition(from, to);
  const now = input.now ?? new Date();
  const entry: DecisionEntry = { ...input.decision, at: input.decision.at ?? now.toISOString() };
  const after = appendDecision({ ...before, ...input.patch, state: to }, entry);
  const changedFields = diffGraphState(before, after);
  // One parameterised statement with the GraphState as a JSON string: the hot path of every step, and a
  // model update would walk the whole (large, nested) GraphState to build its arguments.
  const count = await tx.$executeRawUnsafe(
    `UPDATE investigation_state
        SET state = $4, version = $5, graph_state = $6::jsonb, severity = $7, classification = $8, confidence = $9::real,
            llm_calls = $10::int, total_cost_usd = $11::real, updated_at = $12::timestamptz, lease_owner = $13,
            lease_expires_at = $14::timestamptz,
            closed_at = CASE WHEN $15::boolean THEN $12::timestamptz ELSE closed_at END,
            unrecoverable_error = CASE WHEN $16::boolean THEN $17 ELSE unrecoverable_error END
      WHERE investigation_id = $1 AND tenant_id = $2 AND version = $3`,
    row.investigationId,
    row.tenantId,
    row.version,
    to,
    row.version + 1,
    JSON.stringify(after),
    after.severity,
    after.classification,
    after.confidence,
    after.llmCalls,
    after.totalCostUsd,
    now.toISOString(),
    input.lease ? input.lease.owner : null,
    input.lease ? input.lease.expiresAt.toISOString() : null,
    isTerminal(to),
    input.unrecoverableError !== undefined,
    input.unrecoverableError ?? null,
  );
  if (count === 0) {
    throw conflict(`Investigation ${row.investigationId} changed concurrently (expected version ${row.version})`, {
      investigationId: row.investigationId,
      expectedVersion: row.version,
    });
  }
  const context: JsonObject = { from_state: from, to_state: to, agent: input.agent, changed_fields: changedFields, version: row.version + 1 };
  return {
    graphState: after,
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
