/**
 * GraphState (spec §3.1): the investigation's working state, persisted as JSON in
 * investigation_state.graph_state, plus the decision-chain entry and a diff used by subscriptions.
 * Pure: no I/O. Field names are the spec's, in camelCase.
 */
import type { CanonicalAlert, Severity } from '../ingest/canonical';
import type { AgentRole } from './agents/permissions';
import { type AlertEntities, emptyAlertEntities } from './agents/entity-extraction';
import type { RiskSignal, RiskState } from './agents/risk';
import type { InvestigationState } from './investigation.state';

/** Verdicts the reasoning agent may return (spec §3.1), plus the lifecycle values escalated/rejected/timed_out. */
export const CLASSIFICATIONS = [
  'true_positive',
  'false_positive',
  'suspicious',
  'investigation_required',
  'escalated',
  'rejected',
  'timed_out',
] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** The four verdicts a reasoning provider may produce. */
export type Verdict = 'true_positive' | 'false_positive' | 'suspicious' | 'investigation_required';

/** A threat-intel hit on one of the investigation's IOC candidates. */
export interface IocMatch {
  /** threat_intel_iocs.indicator_type. */
  type: string;
  value: string;
  /** 0–1 (threat_intel_iocs stores 0–100; divide by 100). */
  confidence: number;
  severity?: string | null;
  /** TI source / feed. */
  source?: string | null;
  iocId?: string;
}

/** An open CTEM exposure of one of the alert's assets (ctem_correlator). */
export interface CtemExposureContext {
  exposureKey: string;
  assetId: string;
  title: string;
  /** CTEM severity vocabulary (CRITICAL, HIGH, MEDIUM, LOW). */
  severity: string;
  /** 0–10. */
  ctemScore: number;
  physicalConsequence: string;
  status: string;
  /** updated_at older than 24 h: treat as unknown (spec §3.5). */
  stale: boolean;
  slaDeadlineHours?: number | null;
}

/** Telemetry trust (spec §4.4 REM-H04). */
export type TelemetryTrust = 'trusted' | 'untrusted';

/** An ATLAS technique mapped for the investigation (atlas_mapper). */
export interface AtlasTechniqueMatch {
  atlasId: string;
  attackId?: string | null;
  /** 1.0 for taxonomy cross-walk hits, the similarity for semantic hits. */
  confidence: number;
  source: 'taxonomy' | 'semantic' | 'detection';
  telemetryTrust: TelemetryTrust;
}

/** A past incident judged similar (context_enricher). */
export interface SimilarIncidentContext {
  incidentId: string;
  title: string;
  /** Composite score 0–1 (spec §4.2). */
  score: number;
  components: { similarity: number; recency: number; tenantMatch: number; techniqueOverlap: number };
  reasons: string[];
  /** The incident's final (else initial) classification. */
  priorVerdict: string | null;
  ageDays: number;
  techniques: string[];
}

/** A playbook selected by the response agent. */
export interface PlaybookMatch {
  playbookId: string;
  score: { techniqueOverlap: number; parentOverlap: number; tacticOverlap: number; severityFit: number };
  reasons: string[];
}

/** A recommended action: `tier` 0 = read-only, 1 = reversible automation, 2 = needs human approval. */
export interface RecommendedAction {
  action: string;
  target: string;
  tier: 0 | 1 | 2;
  rationale: string;
}

/** Who produced a verdict (every verdict records its provenance). */
export interface VerdictProvenance {
  provider: 'deterministic' | 'llm' | 'human';
  version: string;
  ruleIds: string[];
  model?: string;
}

/** Spec §3.1 DecisionEntry, plus the time and optional details. */
export interface DecisionEntry {
  /** Step name: extract, fp_short_circuit, enrich, reason, decide, trust_constraint, respond, unrecoverable_error, … */
  step: string;
  agent: AgentRole | 'fp_short_circuit' | 'human' | 'system';
  /** What happened, e.g. `state_changed`, `auto_close_fp`, `classified`, `approval_requested`. */
  action: string;
  reasoning: string;
  confidence: number | null;
  /** `verified`, `untrusted_only`, `unavailable`, `not_applicable`. */
  attestationStatus: string;
  /** Taxonomy version the step validated techniques against (spec §4.6), or null. */
  taxonomyVersion: string | null;
  /** ISO 8601. */
  at: string;
  details?: Record<string, unknown>;
}

/** Spec §3.1 GraphState. */
export interface GraphState {
  investigationId: string;
  state: InvestigationState;
  /** The stored alert row (alerts.alert_pk). */
  alertId: string;
  tenantId: string;
  entities: AlertEntities;
  iocMatches: IocMatch[];
  uebaContext: RiskSignal[];
  ctemExposures: CtemExposureContext[];
  atlasTechniques: AtlasTechniqueMatch[];
  similarIncidents: SimilarIncidentContext[];
  playbookMatches: PlaybookMatch[];
  decisionChain: DecisionEntry[];
  classification: Classification | null;
  confidence: number;
  severity: Severity;
  /** Validated ATT&CK/ATLAS technique ids (deny-by-default, spec §4.6). */
  techniques: string[];
  recommendedActions: RecommendedAction[];
  requiresHumanApproval: boolean;
  riskState: RiskState;
  llmCalls: number;
  totalCostUsd: number;
  queriesExecuted: number;
  /** REM-M01 structured case memory. */
  caseFacts: Record<string, unknown>;
  provenance: VerdictProvenance | null;
}

/** Top-level GraphState fields in a fixed order (the order `diffGraphState` reports them in). */
export const GRAPH_STATE_FIELDS: readonly (keyof GraphState)[] = [
  'investigationId', 'state', 'alertId', 'tenantId', 'entities', 'iocMatches', 'uebaContext', 'ctemExposures',
  'atlasTechniques', 'similarIncidents', 'playbookMatches', 'decisionChain', 'classification', 'confidence',
  'severity', 'techniques', 'recommendedActions', 'requiresHumanApproval', 'riskState', 'llmCalls', 'totalCostUsd',
  'queriesExecuted', 'caseFacts', 'provenance',
];

export interface GraphStateIds {
  investigationId: string;
  tenantId: string;
  /** alerts.alert_pk of the stored alert. */
  alertId: string;
}

/**
 * The GraphState of a freshly ingested alert: state `received`, the alert's severity, risk `unknown`
 * (spec default), nothing extracted or decided yet. Techniques stay empty until validated.
 */
export function initialGraphState(alert: Pick<CanonicalAlert, 'severity'>, ids: GraphStateIds): GraphState {
  return {
    investigationId: ids.investigationId,
    state: 'received',
    alertId: ids.alertId,
    tenantId: ids.tenantId,
    entities: emptyAlertEntities(),
    iocMatches: [],
    uebaContext: [],
    ctemExposures: [],
    atlasTechniques: [],
    similarIncidents: [],
    playbookMatches: [],
    decisionChain: [],
    classification: null,
    confidence: 0,
    severity: alert.severity,
    techniques: [],
    recommendedActions: [],
    requiresHumanApproval: false,
    riskState: 'unknown',
    llmCalls: 0,
    totalCostUsd: 0,
    queriesExecuted: 0,
    caseFacts: {},
    provenance: null,
  };
}

/** Structural equality of JSON-like values (key order ignored; undefined properties ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/**
 * The top-level fields whose value differs between two GraphStates, in GRAPH_STATE_FIELDS order
 * (fields outside the spec list are reported after, sorted). Subscriptions publish this list.
 */
export function diffGraphState(before: Partial<GraphState> | null | undefined, after: Partial<GraphState>): string[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const known = new Set<string>(GRAPH_STATE_FIELDS);
  const changed: string[] = GRAPH_STATE_FIELDS.filter((f) => !jsonEqual(b[f], a[f]));
  const extra = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !known.has(k) && !jsonEqual(b[k], a[k])).sort();
  return [...changed, ...extra];
}

/** A new GraphState with `entry` appended to the decision chain (the input is not modified). */
export function appendDecision(state: GraphState, entry: DecisionEntry): GraphState {
  return { ...state, decisionChain: [...state.decisionChain, entry] };
}
