/**
 * The work of each state (investigation.state.ts `nextStepFor`) as a pure-ish function of the persisted
 * GraphState: reads through the agents, returns the transition to commit. Steps never write; the one
 * write a step needs besides the transition (approvals, incident memory) is returned as `inTx` and runs
 * inside the transition's transaction, so a crash before the commit leaves nothing behind and a re-run
 * recomputes the same result from the same GraphState.
 */
import type { AuditEventInput, SqlTx } from '../../audit/audit.append';
import type { SqlQuery } from '../../db/sql-driver';
import { conflict } from '../../errors/domain-error';
import { overridesFromSettings } from '../approval-timeouts';
import type { DecisionEntry, GraphState } from '../graph-state';
import { type InvestigationState, nextStepFor } from '../investigation.state';
import type { AlertFacts } from './alert-facts';
import type { ReferenceReader } from './reference-data';
import { runAtlasMapper } from './agents/atlas-mapper';
import { runContextEnricher } from './agents/context-enricher';
import { runCtemCorrelator } from './agents/ctem-correlator';
import { checkFpShortCircuit } from './agents/fp-short-circuit';
import { runIocExtractor } from './agents/ioc-extractor';
import { type ReasoningProvider, runReasoningAgent } from './agents/reasoning-agent';
import {
  actionsToRecord,
  createApprovals,
  type CreatedApproval,
  planResponseFor,
  storedActions,
  storeIncidentMemory,
} from './agents/response-agent';

export interface StepContext {
  /** The per-step reads (threat intel, UEBA, exposures, similar incidents, approvals). */
  sql: SqlQuery;
  /** Reference data (taxonomy, the tenant's FP patterns, kill switches, playbooks, settings) as of the job's claim. */
  reference: ReferenceReader;
  tenantId: string;
  facts: AlertFacts;
  g: GraphState;
  now: Date;
  reasoning: ReasoningProvider;
  approvalExpiryOverrideMs?: number;
}

export interface StepOutcome {
  to: InvestigationState;
  agent: string;
  patch: Partial<GraphState>;
  decision: Omit<DecisionEntry, 'at'>;
  /** Step-specific audit events (the state change event is added by the transition). */
  events: AuditEventInput[];
  /** Writes that must commit with the transition. */
  inTx?: (tx: SqlTx, g: GraphState) => Promise<{ events: AuditEventInput[]; approvals?: CreatedApproval[] }>;
}

const entry = (
  step: string,
  agent: DecisionEntry['agent'],
  action: string,
  reasoning: string,
  confidence: number | null,
  taxonomyVersion: string | null = null,
  details?: Record<string, unknown>,
): Omit<DecisionEntry, 'at'> => ({
  step,
  agent,
  action,
  reasoning,
  confidence,
  attestationStatus: 'not_applicable',
  taxonomyVersion,
  ...(details ? { details } : {}),
});

/** received → parsing (ioc_extractor). */
async function extract(c: StepContext): Promise<StepOutcome> {
  const r = await runIocExtractor(c.sql, c.tenantId, c.facts, c.now);
  const counts = Object.fromEntries(Object.entries(r.extraction.buckets).map(([k, v]) => [k, v.length]));
  return {
    to: 'parsing',
    agent: 'ioc_extractor',
    patch: { entities: r.extraction.buckets, iocMatches: r.iocMatches, queriesExecuted: c.g.queriesExecuted + r.queries },
    decision: entry('extract', 'ioc_extractor', 'entities_extracted', `${r.extraction.entities.length} entities, ${r.extraction.iocCandidates.length} IOC candidates, ${r.iocMatches.length} threat-intel matches`, null, null, {
      counts,
      iocMatches: r.iocMatches.map((m) => `${m.type}:${m.value}`),
    }),
    events: [],
  };
}

/** parsing → closed (FP short-circuit) | enriching (context_enricher ∥ ctem_correlator ∥ atlas_mapper). */
async function enrich(c: StepContext): Promise<StepOutcome> {
  const fp = await checkFpShortCircuit(c.reference, c.tenantId, c.facts, c.g, c.now);
  if (fp.matched) {
    const reasoning = fp.reasons.join('; ');
    return {
      to: 'closed',
      agent: 'fp_short_circuit',
      patch: { classification: 'false_positive', confidence: fp.confidence },
      decision: entry('fp_short_circuit', 'fp_short_circuit', 'auto_close_fp', reasoning, fp.confidence, null, { patternId: fp.patternId, threshold: fp.threshold }),
      events: [
        {
          eventType: 'alert.auto_closed',
          actorType: 'agent',
          actorId: 'agent:fp_short_circuit',
          investigationId: c.g.investigationId,
          alertId: c.g.alertId,
          context: { pattern_id: fp.patternId, threshold: fp.threshold },
          decision: { classification: 'false_positive', confidence: fp.confidence, reasoning },
        },
      ],
      inTx: async (tx, g) => {
        await storeIncidentMemory(tx, c.facts, g, 'auto_closed_false_positive', c.now);
        return { events: [] };
      },
    };
  }
  const [ctx, ctem, atlas] = await Promise.all([
    runContextEnricher(c.sql, c.tenantId, c.facts, c.g, c.now),
    runCtemCorrelator(c.sql, c.tenantId, c.g, c.now),
    runAtlasMapper(c.reference, c.facts),
  ]);
  const summary = {
    ueba_signals: ctx.uebaContext.length,
    risk_state: ctx.risk.riskState,
    similar_incidents: ctx.similarIncidents.length,
    ctem_exposures: ctem.length,
    stale_exposures: ctem.filter((e) => e.stale).length,
    atlas_techniques: atlas.length,
  };
  return {
    to: 'enriching',
    agent: 'context_enricher',
    patch: {
      uebaContext: ctx.uebaContext,
      riskState: ctx.risk.riskState,
      similarIncidents: ctx.similarIncidents,
      ctemExposures: ctem,
      atlasTechniques: atlas,
      queriesExecuted: c.g.queriesExecuted + ctx.queries + 2,
      caseFacts: { ...c.g.caseFacts, riskReasons: ctx.risk.reasons, riskStale: ctx.risk.stale, fpCheck: fp.reasons },
    },
    decision: entry('enrich', 'context_enricher', 'enriched', `risk ${ctx.risk.riskState}; ${ctx.similarIncidents.length} similar incidents; ${ctem.length} open exposures; ${atlas.length} ATLAS techniques`, null, null, {
      agents: ['context_enricher', 'ctem_correlator', 'atlas_mapper'],
      fpCheck: fp.reasons,
    }),
    events: [{ eventType: 'investigation.enriched', actorType: 'agent', actorId: 'agent:context_enricher', investigationId: c.g.investigationId, alertId: c.g.alertId, context: summary }],
  };
}

/** enriching → reasoning (reasoning_agent). */
async function reason(c: StepContext): Promise<StepOutcome> {
  const { verdict, validation, taxonomyVersion: tv } = await runReasoningAgent(c.reference, c.reasoning, c.facts, c.g);
  const events: AuditEventInput[] = [
    {
      eventType: 'alert.classified',
      actorType: 'agent',
      actorId: 'agent:reasoning_agent',
      investigationId: c.g.investigationId,
      alertId: c.g.alertId,
      context: { provider: c.reasoning.name, rule_ids: verdict.ruleIds, taxonomy_version: tv },
      decision: { classification: verdict.classification, confidence: verdict.confidence, severity: verdict.severity, techniques: validation.valid },
    },
  ];
  if (validation.quarantined.length) {
    events.push({
      eventType: 'technique.quarantined',
      severity: 'warning',
      actorType: 'agent',
      actorId: 'agent:reasoning_agent',
      investigationId: c.g.investigationId,
      alertId: c.g.alertId,
      context: { quarantined: validation.quarantined.map((q) => ({ id: q.id, reason: q.reason })), taxonomy_version: tv },
    });
  }
  const remap = new Map(validation.remapped.map((r) => [r.from, r.to]));
  const quarantined = new Set(validation.quarantined.map((q) => q.id));
  // technique ids inside recommended-action rationales follow the same rule as the text
  const actions = verdict.recommendedActions.map((a) => ({ ...a }));
  return {
    to: 'reasoning',
    agent: 'reasoning_agent',
    patch: {
      classification: verdict.classification,
      confidence: verdict.confidence,
      severity: verdict.severity,
      techniques: validation.valid,
      recommendedActions: actions,
      provenance: verdict.provenance,
      caseFacts: { ...c.g.caseFacts, humanReasons: verdict.humanReasons, quarantinedTechniques: [...quarantined], remappedTechniques: [...remap].map(([from, to]) => ({ from, to })) },
    },
    decision: entry('reason', 'reasoning_agent', 'classified', validation.cleanedText, verdict.confidence, tv, {
      provenance: { provider: c.reasoning.name, version: verdict.provenance.version, ruleIds: verdict.ruleIds },
      quarantined: validation.quarantined,
      remapped: validation.remapped,
    }),
    events,
  };
}

/** reasoning → responding | awaiting_human (response_agent planning; approvals in the same tx). */
async function decide(c: StepContext): Promise<StepOutcome> {
  const { settings } = await c.reference.tenant();
  const plan = await planResponseFor(c.reference, c.facts, c.g, {
    shadowMode: settings.shadowMode === true,
    timeoutOverrides: overridesFromSettings(settings),
    approvalExpiryOverrideMs: c.approvalExpiryOverrideMs,
  });
  // the taxonomy the techniques were validated against (recorded by the reason step), else the current one
  const tv = [...c.g.decisionChain].reverse().find((d) => d.step === 'reason')?.taxonomyVersion ?? (await c.reference.taxonomy()).version;
  const events: AuditEventInput[] = [];
  if (plan.playbookMatches.length) {
    events.push({
      eventType: 'playbook.selected',
      actorType: 'agent',
      actorId: 'agent:response_agent',
      investigationId: c.g.investigationId,
      alertId: c.g.alertId,
      context: { playbooks: plan.playbookMatches.map((p) => p.playbookId) },
    });
  }
  const waiting = plan.decision === 'awaiting_human';
  return {
    to: plan.decision,
    agent: 'response_agent',
    patch: {
      playbookMatches: plan.playbookMatches,
      requiresHumanApproval: waiting,
      caseFacts: { ...c.g.caseFacts, plannedActions: storedActions(plan), deferredActions: plan.deferred, awaitingHumanReasons: plan.reasons },
    },
    decision: entry(
      'decide',
      'response_agent',
      waiting ? 'approval_requested' : 'response_planned',
      waiting ? plan.reasons.map((r) => `${r.code}: ${r.detail}`).join('; ') : `${plan.actions.length} action(s) planned, none needs approval`,
      c.g.confidence,
      tv,
      { playbooks: plan.playbookMatches.map((p) => p.playbookId), approvals: plan.approvals.length, reasons: plan.reasons.map((r) => r.code) },
    ),
    events,
    inTx: plan.approvals.length ? async (tx) => createApprovals(tx, c.tenantId, c.g.investigationId, plan, c.now) : undefined,
  };
}

/** responding → closed (response_agent: record the allowed and approved actions, store the incident). */
async function respond(c: StepContext): Promise<StepOutcome> {
  const actions = await actionsToRecord(c.sql, c.tenantId, c.g);
  return {
    to: 'closed',
    agent: 'response_agent',
    patch: {},
    decision: entry('respond', 'response_agent', 'actions_recorded', `${actions.length} action(s) recorded (no action connector is configured: nothing was sent to an external system)`, c.g.confidence, null, {
      actions,
    }),
    events: [],
    inTx: async (tx, g) => {
      await storeIncidentMemory(tx, c.facts, g, g.classification ?? 'closed', c.now);
      return { events: [] };
    },
  };
}

/** Runs the step of the GraphState's current state. */
export async function runStep(c: StepContext): Promise<StepOutcome> {
  const next = nextStepFor(c.g.state);
  if (next.kind !== 'run') throw conflict(`Investigation ${c.g.investigationId} is ${c.g.state}: no step to run`, { state: c.g.state });
  switch (next.step) {
    case 'extract':
      return extract(c);
    case 'enrich':
      return enrich(c);
    case 'reason':
      return reason(c);
    case 'decide':
      return decide(c);
    case 'respond':
      return respond(c);
  }
}
