/**
 * response_agent (spec §3.2) at runtime.
 *
 * - `planResponseFor` (the `reasoning` → decide step): the tenant's approved playbooks whose techniques
 *   overlap the validated techniques (parents included) → response-planning.ts → the plan (playbooks,
 *   actions, approval requests, the awaiting_human decision). Reads only.
 * - `createApprovals` (same transaction as the transition to awaiting_human): one approvals row per
 *   request (expiry from the tenant's timeout policy, secondary-reviewer due time, critical-action flag),
 *   so a crash before the commit leaves none.
 * - `completeResponse` (the `responding` → closed step): actions below tier 2 and approved actions are
 *   recorded in the decision chain as `recorded` (no connector executes actions yet), and the closed
 *   investigation is stored in incident_memory (same transaction as the close).
 */
import type { AuditEventInput, SqlTx } from '../../../audit/audit.append';
import { currentGroup } from '../../../audit/audit.recorder';
import type { SqlQuery } from '../../../db/sql-driver';
import type { TimeoutOverrides } from '../../approval-timeouts';
import { assertAgentMay } from '../../agents/permissions';
import { flattenAlertEntities } from '../../agents/entity-extraction';
import { type PlaybookCandidate, planResponse, type ResponsePlan } from '../../agents/response-planning';
import type { GraphState } from '../../graph-state';
import type { AlertFacts } from '../alert-facts';
import type { ReferenceReader } from '../reference-data';

export const ENGINE_PROPOSER = 'system:response_agent';

export interface ResponseOptions {
  /** Tenant shadow mode (tenants.settings.shadowMode): every investigation waits for the analyst. */
  shadowMode: boolean;
  /** The tenant's approval-timeout overrides (tenants.settings.approvalTimeouts; clamped to ≥ 1 h by the policy). */
  timeoutOverrides?: TimeoutOverrides;
  /** Test/ops override of every approval's expiry (ms), bypassing the ≥ 1 h policy floor. */
  approvalExpiryOverrideMs?: number;
}

/** A planned action as stored in GraphState.caseFacts.plannedActions. */
export interface StoredPlannedAction {
  action: string;
  target: string;
  tier: number;
  riskTier: number;
  requiresApproval: boolean;
  playbookId: string | null;
  rationale: string;
}

const parentOf = (t: string): string => t.replace(/\.\d{3}$/, '');

/** Plans the response for the reasoned GraphState. */
export async function planResponseFor(reference: ReferenceReader, facts: AlertFacts, g: GraphState, opts: ResponseOptions): Promise<ResponsePlan> {
  assertAgentMay('response_agent', 'query_data');
  const techs = [...new Set(g.techniques.flatMap((t) => [t, parentOf(t)]))];
  // the tenant's approved playbooks (doc id order) sharing a technique or its parent; the first 50
  const rows = techs.length ? (await reference.tenant()).playbooks.filter((p) => p.mitreTechniques.some((t) => techs.includes(t))).slice(0, 50) : [];
  const candidates: PlaybookCandidate[] = rows.map((p) => ({
    id: p.docId,
    mitreTechniques: p.mitreTechniques,
    tactics: p.tactics,
    severityApplicable: p.severityApplicable,
    steps: p.steps,
  }));
  assertAgentMay('response_agent', 'analyse');
  const plan = planResponse({
    alertId: facts.alert.alertId,
    classification: g.classification ?? 'investigation_required',
    confidence: g.confidence,
    severity: g.severity,
    techniques: g.techniques,
    tactics: facts.alert.tactics,
    entities: flattenAlertEntities(g.entities),
    iocMatches: g.iocMatches,
    recommendedActions: g.recommendedActions,
    playbooks: candidates,
    telemetryTrust: [...g.atlasTechniques.map((a) => a.telemetryTrust), ...(facts.telemetryTrust ? [facts.telemetryTrust] : [])],
    shadowMode: opts.shadowMode,
    reasoningHumanReasons: Array.isArray(g.caseFacts.humanReasons) ? (g.caseFacts.humanReasons as string[]) : [],
    timeoutOverrides: opts.timeoutOverrides,
  });
  if (opts.approvalExpiryOverrideMs !== undefined) {
    for (const a of plan.approvals) {
      a.expiresInMs = opts.approvalExpiryOverrideMs;
      a.secondaryReviewerInMs = Math.floor(opts.approvalExpiryOverrideMs / 2);
    }
  }
  return plan;
}

export function storedActions(plan: ResponsePlan): StoredPlannedAction[] {
  return plan.actions.map((a) => ({
    action: a.action,
    target: a.target,
    tier: a.tier,
    riskTier: a.riskTier,
    requiresApproval: a.requiresApproval,
    playbookId: a.playbookId,
    rationale: a.rationale,
  }));
}

/** An approval row created with the transition to awaiting_human: what its delayed jobs need. */
export interface CreatedApproval {
  tenantId: string;
  investigationId: string;
  approvalId: string;
  expiresAt: Date;
  /** When the secondary-reviewer notice is due. */
  secondaryReviewerAt: Date;
}

/** Creates the plan's approval rows in `tx` and returns them with their `approval.requested` events. */
export async function createApprovals(
  tx: SqlTx,
  tenantId: string,
  investigationId: string,
  plan: ResponsePlan,
  now: Date,
): Promise<{ approvals: CreatedApproval[]; events: AuditEventInput[] }> {
  assertAgentMay('response_agent', 'update_incident');
  const approvals: CreatedApproval[] = [];
  const events: AuditEventInput[] = [];
  for (const a of plan.approvals) {
    const expiresAt = new Date(now.getTime() + a.expiresInMs);
    const secondaryReviewerAt = new Date(now.getTime() + a.secondaryReviewerInMs);
    const [row] = await tx.$queryRawUnsafe<{ approval_id: string }[]>(
      `INSERT INTO approvals (tenant_id, investigation_id, action, target, risk_tier, rationale, requested_by, requested_at,
                              required_approvals, status, expires_at, secondary_reviewer_at, requires_acknowledgement)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9, 'pending', $10::timestamptz, $11::timestamptz, $12)
       RETURNING approval_id`,
      tenantId,
      investigationId,
      a.action,
      a.target,
      a.riskTier,
      a.rationale.slice(0, 2000),
      ENGINE_PROPOSER,
      now.toISOString(),
      a.requiredApprovals,
      expiresAt.toISOString(),
      secondaryReviewerAt.toISOString(),
      a.requiresAcknowledgement,
    );
    if (!row) throw new Error('approval insert returned no row');
    approvals.push({ tenantId, investigationId, approvalId: row.approval_id, expiresAt, secondaryReviewerAt });
    events.push({
      eventType: 'approval.requested',
      actorType: 'agent',
      actorId: 'agent:response_agent',
      investigationId,
      context: {
        approval_id: row.approval_id,
        action: a.action,
        target: a.target,
        risk_tier: a.riskTier,
        required_approvals: a.requiredApprovals,
        expires_at: expiresAt.toISOString(),
        secondary_reviewer_at: secondaryReviewerAt.toISOString(),
        requires_acknowledgement: a.requiresAcknowledgement,
      },
    });
  }
  return { approvals, events };
}

export interface ExecutedAction {
  action: string;
  target: string;
  tier: number;
  status: 'recorded';
  approvalId: string | null;
  playbookId: string | null;
}

/** The actions the responding step records: tier < 2 planned actions and approved approvals. */
export async function actionsToRecord(sql: SqlQuery, tenantId: string, g: GraphState): Promise<ExecutedAction[]> {
  assertAgentMay('response_agent', 'execute_playbook');
  const planned = Array.isArray(g.caseFacts.plannedActions) ? (g.caseFacts.plannedActions as StoredPlannedAction[]) : [];
  // approvals only exist when the decide step requested some (createApprovals, recorded in its entry)
  const requested = g.decisionChain.some((d) => d.step === 'decide' && Number((d.details as { approvals?: unknown } | undefined)?.approvals) > 0);
  const approved = requested
    ? await sql<{ approval_id: string; action: string; target: string }>(
        `SELECT approval_id, action, target FROM approvals
          WHERE tenant_id = $1 AND investigation_id = $2 AND status = 'approved'
          ORDER BY requested_at ASC, approval_id ASC`,
        [tenantId, g.investigationId],
      )
    : [];
  const out: ExecutedAction[] = planned
    .filter((a) => a.tier < 2 && !a.requiresApproval)
    .map((a) => ({ action: a.action, target: a.target, tier: a.tier, status: 'recorded', approvalId: null, playbookId: a.playbookId }));
  for (const a of approved) out.push({ action: a.action, target: a.target, tier: 2, status: 'recorded', approvalId: a.approval_id, playbookId: null });
  return out;
}

/** incident_memory doc id of an investigation (one document per investigation). */
export const incidentDocId = (investigationId: string): string => `inv-${investigationId}`;

/** One incident_memory row as the batched upsert reads it (JSON). */
interface IncidentMemoryWrite {
  doc_id: string;
  incident_id: string;
  alert_ids: string[];
  timestamp: string;
  tenant_id: string;
  initial_classification: string | null;
  alert_product: string | null;
  alert_name: string;
  alert_source: string;
  severity: string;
  entities: unknown;
  mitre_techniques: string[];
  investigation_summary: string;
  decision_chain: unknown;
  outcome: string;
  similar_to: string[];
}

/**
 * Stores (or refreshes) the closed investigation in incident_memory, inside `tx`. In a group commit the
 * rows of every investigation the group closes are written by one statement at the end.
 */
export async function storeIncidentMemory(tx: SqlTx, facts: AlertFacts, g: GraphState, outcome: string, now: Date): Promise<void> {
  const summary = [
    `${g.classification ?? 'unclassified'} (${g.confidence}), severity ${g.severity}.`,
    ...g.decisionChain.slice(-3).map((d) => d.reasoning),
  ]
    .join(' ')
    .slice(0, 4000);
  const row: IncidentMemoryWrite = {
    doc_id: incidentDocId(g.investigationId),
    incident_id: g.investigationId,
    alert_ids: [facts.alertPk],
    timestamp: now.toISOString(),
    tenant_id: g.tenantId,
    initial_classification: g.classification,
    alert_product: facts.alert.product || null,
    alert_name: facts.alert.title,
    alert_source: facts.alert.source,
    severity: g.severity,
    entities: flattenAlertEntities(g.entities).map((e) => ({ type: e.entityType, value: e.primaryValue })),
    mitre_techniques: g.techniques,
    investigation_summary: summary,
    decision_chain: g.decisionChain,
    outcome,
    similar_to: g.similarIncidents.map((s) => s.incidentId),
  };
  const group = currentGroup(tx);
  if (group) group.buffer<IncidentMemoryWrite>('incident_memory.upserts', writeIncidentMemory).push(row);
  else await writeIncidentMemory(tx, [row]);
}

/** Upserts incident_memory rows in one statement (a doc id never moves to another tenant). */
async function writeIncidentMemory(tx: SqlTx, rows: IncidentMemoryWrite[]): Promise<void> {
  const byDoc = new Map(rows.map((r) => [r.doc_id, r]));
  await tx.$executeRawUnsafe(
    `INSERT INTO incident_memory AS m (doc_id, incident_id, alert_ids, "timestamp", tenant_id, initial_classification, alert_product,
            alert_name, alert_source, severity, entities, mitre_techniques, investigation_summary, decision_chain, outcome, similar_to)
     SELECT doc_id, incident_id, alert_ids, "timestamp", tenant_id, initial_classification, alert_product,
            alert_name, alert_source, severity, entities, mitre_techniques, investigation_summary, decision_chain, outcome, similar_to
       FROM jsonb_to_recordset($1::jsonb) AS v(doc_id TEXT, incident_id TEXT, alert_ids TEXT[], "timestamp" TIMESTAMPTZ, tenant_id TEXT,
            initial_classification TEXT, alert_product TEXT, alert_name TEXT, alert_source TEXT, severity TEXT, entities JSONB,
            mitre_techniques TEXT[], investigation_summary TEXT, decision_chain JSONB, outcome TEXT, similar_to TEXT[])
     ON CONFLICT (doc_id) DO UPDATE SET
            incident_id = EXCLUDED.incident_id, alert_ids = EXCLUDED.alert_ids, "timestamp" = EXCLUDED."timestamp",
            initial_classification = EXCLUDED.initial_classification, alert_product = EXCLUDED.alert_product,
            alert_name = EXCLUDED.alert_name, alert_source = EXCLUDED.alert_source, severity = EXCLUDED.severity,
            entities = EXCLUDED.entities, mitre_techniques = EXCLUDED.mitre_techniques,
            investigation_summary = EXCLUDED.investigation_summary, decision_chain = EXCLUDED.decision_chain,
            outcome = EXCLUDED.outcome, similar_to = EXCLUDED.similar_to
      WHERE m.tenant_id = EXCLUDED.tenant_id`,
    JSON.stringify([...byDoc.values()]),
  );
}
