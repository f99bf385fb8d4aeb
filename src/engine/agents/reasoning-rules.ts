/**
 * The deterministic reasoning provider's core (reasoning_agent, spec §3.2): a verdict from the alert and
 * its enrichment, by fixed rules. Pure: no I/O, always available. Technique ids in the output are
 * *not* validated here; the caller runs them through `validateTechniques` (spec §4.6) before they
 * drive anything.
 *
 * | id | when | effect |
 * |---|---|---|
 * | R-001 | a TI match with confidence ≥ 0.8 | true_positive, confidence min(0.95, 0.7 + 0.25·c); severity ≥ medium; propose block_ip (routable IPs) / block_ioc (other indicators), tier 2 |
 * | R-002 | a TI match with 0.5 ≤ confidence < 0.8 | at least suspicious 0.65; propose enrich_iocs, tier 0 |
 * | R-003 | strong similar incidents (score ≥ 0.7) were mostly true_positive | true_positive 0.75 (or +0.05 on an existing true_positive) |
 * | R-004 | ≥ 2 strong similar incidents, a strict majority false_positive, and no hard evidence (R-001/R-002/R-005/R-007/R-009) | false_positive, confidence min(0.85, mean score) |
 * | R-005 | UEBA risk state high | at least suspicious 0.65; +0.05 on a true_positive |
 * | R-006 | UEBA risk no_baseline / unknown / stale | never read as safe: a false_positive's confidence is capped at 0.7 (below the 0.85 auto-close bar) |
 * | R-007 | a fresh CTEM exposure with ctem_score ≥ 7 or CTEM severity CRITICAL on an involved asset | severity ≥ high; at least suspicious 0.6; propose check_exposures, tier 0 |
 * | R-008 | a CTEM exposure with physical consequence safety_life (fresh or stale) | severity critical; requires a human |
 * | R-009 | a trusted ATLAS technique with confidence ≥ 0.7 | at least suspicious 0.7; severity ≥ high |
 * | R-010 | vendor severity ≥ medium and the alert carries techniques | soft signal: suspicious 0.6 (high/critical) or 0.55 (medium); does not block R-004 |
 * | R-011 | no rule reached a verdict | investigation_required 0.5 |
 * | R-012 | safety-relevant alert (spec §4.4) | never false_positive (→ investigation_required); severity ≥ high; requires a human |
 * | R-013 | every ATLAS evidence item is untrusted telemetry (spec §4.4) | requires a human (trust_constraint); never false_positive |
 * | R-014 | stale CTEM exposures | treated as unknown: they never trigger R-007 (noted for the UI banner) |
 * | R-015 | true_positive with accounts and an identity tactic, or hosts and an endpoint tactic | propose revoke_sessions / isolate_endpoint, tier 2 |
 * | R-016 | any verdict other than false_positive | propose collect_alert_context, tier 0 |
 *
 * Decisions:
 * - Severity only ever goes up: the output severity is the maximum of the alert's severity and every
 *   escalation. The rules have no evidence that could justify lowering a vendor's severity; a benign
 *   verdict is carried by the classification, not by a lower severity.
 * - Precedence: true_positive > false_positive (only without hard evidence) > suspicious >
 *   investigation_required; then the safety overrides (R-012, R-013) apply last.
 * - The deterministic provider never claims more than 0.95 confidence.
 */
import type { CanonicalAlert, Severity } from '../../ingest/canonical';
import type {
  AtlasTechniqueMatch,
  CtemExposureContext,
  IocMatch,
  RecommendedAction,
  SimilarIncidentContext,
  TelemetryTrust,
  Verdict,
  VerdictProvenance,
} from '../graph-state';
import type { NormalizedEntity } from './entity-extraction';
import type { RiskState } from './risk';

export const REASONING_RULES_VERSION = 'rules-1.0.0';

const SEVERITY_ORDER: readonly Severity[] = ['informational', 'low', 'medium', 'high', 'critical'];

/** Rank of a severity (informational 0 … critical 4; unknown → medium). */
export function severityRank(s: string): number {
  const i = SEVERITY_ORDER.indexOf(s as Severity);
  return i < 0 ? 2 : i;
}

/** The more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export interface ReasoningInput {
  alert: Pick<CanonicalAlert, 'alertId' | 'title' | 'severity' | 'source' | 'techniques' | 'tactics'>;
  entities: readonly NormalizedEntity[];
  iocMatches: readonly IocMatch[];
  riskState: RiskState;
  /** UEBA data was stale (aggregateRiskState().stale). */
  riskStale?: boolean;
  ctemExposures: readonly CtemExposureContext[];
  similarIncidents: readonly Pick<SimilarIncidentContext, 'incidentId' | 'score' | 'priorVerdict'>[];
  atlasTechniques: readonly AtlasTechniqueMatch[];
  /** Trust of the alert's own telemetry (ATLAS detections on edge/OPC-UA data are untrusted). */
  telemetryTrust?: TelemetryTrust;
  safetyRelevant: boolean;
}

export interface ReasoningResult {
  classification: Verdict;
  confidence: number;
  severity: Severity;
  /** Unvalidated technique ids (alert + ATLAS mapping); validate before use. */
  techniques: string[];
  recommendedActions: RecommendedAction[];
  ruleIds: string[];
  reasoning: string;
  requiresHuman: boolean;
  humanReasons: string[];
  provenance: VerdictProvenance;
}

const STRONG_SIMILARITY = 0.7;
const IDENTITY_TACTICS = new Set(['credential-access', 'initial-access', 'privilege-escalation', 'persistence']);
const ENDPOINT_TACTICS = new Set(['execution', 'impact', 'lateral-movement', 'command-and-control', 'defense-evasion']);
const MAX_ACTIONS_PER_RULE = 5;

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Runs the rules (see the table above) and returns the verdict with its provenance. */
export function reasonDeterministically(input: ReasoningInput): ReasoningResult {
  const fired: string[] = [];
  const notes: string[] = [];
  const fire = (id: string, note: string): void => {
    if (!fired.includes(id)) fired.push(id);
    notes.push(`${id}: ${note}`);
  };
  const actions: RecommendedAction[] = [];
  const propose = (a: RecommendedAction): void => {
    if (!actions.some((x) => x.action === a.action && x.target === a.target)) actions.push(a);
  };
  const humanReasons: string[] = [];
  let severity: Severity = input.alert.severity;
  const escalate = (to: Severity): void => {
    severity = maxSeverity(severity, to);
  };

  let tp = 0;
  let susp = 0;
  let fp = 0;
  let hardEvidence = false;

  // R-001 / R-002: threat intelligence
  const nonRoutable = new Set(
    input.entities.filter((e) => e.entityType === 'ip' && e.properties.nonRoutable === true).map((e) => e.primaryValue),
  );
  const strong = input.iocMatches.filter((m) => m.confidence >= 0.8);
  const medium = input.iocMatches.filter((m) => m.confidence >= 0.5 && m.confidence < 0.8);
  if (strong.length) {
    const c = Math.max(...strong.map((m) => m.confidence));
    tp = Math.max(tp, Math.min(0.95, 0.7 + 0.25 * c));
    hardEvidence = true;
    escalate('medium');
    fire('R-001', `${strong.length} high-confidence threat-intel match(es): ${strong.slice(0, 5).map((m) => `${m.type} ${m.value} (${m.confidence})`).join(', ')}`);
    for (const m of strong.slice(0, MAX_ACTIONS_PER_RULE)) {
      const isIp = m.type === 'ipv4' || m.type === 'ipv6';
      if (isIp && nonRoutable.has(m.value)) continue;
      propose({
        action: isIp ? 'block_ip' : 'block_ioc',
        target: m.value,
        tier: 2,
        rationale: `R-001: ${m.type} ${m.value} matches threat intel with confidence ${m.confidence}`,
      });
    }
  }
  if (medium.length) {
    susp = Math.max(susp, 0.65);
    hardEvidence = true;
    fire('R-002', `${medium.length} medium-confidence threat-intel match(es)`);
    for (const m of medium.slice(0, MAX_ACTIONS_PER_RULE)) {
      propose({ action: 'enrich_iocs', target: m.value, tier: 0, rationale: `R-002: corroborate ${m.type} ${m.value}` });
    }
  }

  // R-005 / R-006: UEBA
  if (input.riskState === 'high') {
    susp = Math.max(susp, 0.65);
    hardEvidence = true;
    fire('R-005', 'UEBA risk state is high');
  }
  const riskUnknown = input.riskState === 'no_baseline' || input.riskState === 'unknown' || input.riskStale === true;
  if (riskUnknown) fire('R-006', `UEBA risk ${input.riskStale ? 'data is stale' : `is ${input.riskState}`}: not treated as safe`);

  // R-007 / R-008 / R-014: CTEM
  const fresh = input.ctemExposures.filter((e) => !e.stale);
  const stale = input.ctemExposures.filter((e) => e.stale);
  const serious = fresh.filter((e) => e.ctemScore >= 7 || e.severity.toUpperCase() === 'CRITICAL');
  if (serious.length) {
    escalate('high');
    susp = Math.max(susp, 0.6);
    hardEvidence = true;
    const maxScore = Math.max(...serious.map((e) => e.ctemScore));
    fire('R-007', `${serious.length} serious open exposure(s) on involved assets (max ctem_score ${maxScore})`);
    for (const e of serious.slice(0, MAX_ACTIONS_PER_RULE)) {
      propose({ action: 'check_exposures', target: e.assetId, tier: 0, rationale: `R-007: ${e.title} (ctem_score ${e.ctemScore})` });
    }
  }
  const safetyLife = input.ctemExposures.filter((e) => e.physicalConsequence === 'safety_life');
  if (safetyLife.length) {
    escalate('critical');
    fire('R-008', `exposure with safety_life consequence on ${safetyLife.map((e) => e.assetId).slice(0, 5).join(', ')}`);
    humanReasons.push('R-008: an involved asset has a safety_life exposure');
  }
  if (stale.length) fire('R-014', `${stale.length} CTEM exposure(s) are stale (> 24 h): treated as unknown`);

  // R-009 / R-013: ATLAS
  const trustedAtlas = input.atlasTechniques.filter((a) => a.telemetryTrust === 'trusted' && a.confidence >= 0.7);
  if (trustedAtlas.length) {
    susp = Math.max(susp, 0.7);
    hardEvidence = true;
    escalate('high');
    fire('R-009', `trusted ATLAS technique(s) ${trustedAtlas.map((a) => a.atlasId).join(', ')}`);
  }
  const trustEvidence: TelemetryTrust[] = [
    ...input.atlasTechniques.map((a) => a.telemetryTrust),
    ...(input.telemetryTrust ? [input.telemetryTrust] : []),
  ];
  const allUntrusted = trustEvidence.length > 0 && trustEvidence.every((t) => t === 'untrusted');

  // R-003 / R-004: similar incidents
  const strongNeighbours = input.similarIncidents.filter((s) => s.score >= STRONG_SIMILARITY);
  const tpNeighbours = strongNeighbours.filter((s) => s.priorVerdict === 'true_positive');
  const fpNeighbours = strongNeighbours.filter((s) => s.priorVerdict === 'false_positive');
  if (tpNeighbours.length > 0 && tpNeighbours.length >= fpNeighbours.length) {
    tp = tp > 0 ? Math.min(0.95, tp + 0.05) : 0.75;
    fire('R-003', `${tpNeighbours.length} strongly similar past incident(s) were true positives (${tpNeighbours.map((s) => s.incidentId).slice(0, 5).join(', ')})`);
  } else if (fpNeighbours.length >= 2 && fpNeighbours.length * 2 > strongNeighbours.length && !hardEvidence) {
    const mean = fpNeighbours.reduce((a, s) => a + s.score, 0) / fpNeighbours.length;
    fp = Math.min(0.85, mean);
    fire('R-004', `${fpNeighbours.length} of ${strongNeighbours.length} strongly similar past incidents were false positives`);
    if (riskUnknown && fp > 0.7) {
      fp = 0.7;
      notes.push('R-006: false-positive confidence capped at 0.7 because risk is unknown');
    }
  }
  if (tp > 0 && input.riskState === 'high') tp = Math.min(0.95, tp + 0.05);

  // R-010: vendor severity + techniques (soft)
  if (input.alert.techniques.length > 0 && severityRank(input.alert.severity) >= 2) {
    const c = severityRank(input.alert.severity) >= 3 ? 0.6 : 0.55;
    if (c > susp && fp === 0) {
      susp = c;
      fire('R-010', `vendor severity ${input.alert.severity} with technique(s) ${input.alert.techniques.slice(0, 5).join(', ')}`);
    }
  }

  let classification: Verdict;
  let confidence: number;
  if (tp > 0) {
    classification = 'true_positive';
    confidence = tp;
  } else if (fp > 0) {
    classification = 'false_positive';
    confidence = fp;
  } else if (susp > 0) {
    classification = 'suspicious';
    confidence = susp;
  } else {
    classification = 'investigation_required';
    confidence = 0.5;
    fire('R-011', 'no rule reached a verdict');
  }

  // R-012 / R-013: safety overrides (last, so nothing can undo them)
  if (input.safetyRelevant) {
    if (classification === 'false_positive') {
      classification = 'investigation_required';
      confidence = 0.5;
    }
    escalate('high');
    humanReasons.push('R-012: safety-relevant alert');
    fire('R-012', 'safety-relevant alert: never false_positive, human review required');
  }
  if (allUntrusted) {
    if (classification === 'false_positive') {
      classification = 'investigation_required';
      confidence = 0.5;
    }
    humanReasons.push('R-013: all ATLAS evidence is untrusted telemetry');
    fire('R-013', 'every telemetry source behind the ATLAS evidence is untrusted: no autonomous action (trust_constraint)');
  }

  // R-015 / R-016: recommendations
  if (classification === 'true_positive') {
    const tactics = new Set(input.alert.tactics);
    const accounts = input.entities.filter((e) => e.entityType === 'account' && e.confidence >= 0.9);
    const hosts = input.entities.filter((e) => e.entityType === 'host' && e.confidence >= 0.9);
    const identity = [...tactics].some((t) => IDENTITY_TACTICS.has(t));
    const endpoint = [...tactics].some((t) => ENDPOINT_TACTICS.has(t));
    if (identity) {
      for (const a of accounts.slice(0, MAX_ACTIONS_PER_RULE)) {
        propose({ action: 'revoke_sessions', target: a.primaryValue, tier: 2, rationale: 'R-015: identity tactic on a true positive' });
      }
    }
    if (endpoint) {
      for (const h of hosts.slice(0, MAX_ACTIONS_PER_RULE)) {
        propose({ action: 'isolate_endpoint', target: h.primaryValue, tier: 2, rationale: 'R-015: endpoint tactic on a true positive' });
      }
    }
    if ((identity && accounts.length) || (endpoint && hosts.length)) fire('R-015', 'containment proposed (needs approval)');
  }
  if (classification !== 'false_positive') {
    propose({ action: 'collect_alert_context', target: input.alert.alertId, tier: 0, rationale: 'R-016: gather context for the analyst' });
    if (!fired.includes('R-016')) fired.push('R-016');
  }

  const techniques: string[] = [];
  for (const t of [
    ...input.alert.techniques,
    ...input.atlasTechniques.flatMap((a) => [a.atlasId, ...(a.attackId ? [a.attackId] : [])]),
  ]) {
    if (t && !techniques.includes(t)) techniques.push(t);
  }

  const ruleIds = [...fired].sort();
  const requiresHuman = humanReasons.length > 0;
  return {
    classification,
    confidence: round2(confidence),
    severity,
    techniques,
    recommendedActions: actions,
    ruleIds,
    reasoning: `${classification} (${round2(confidence)}), severity ${severity}. ${notes.join('. ')}.`,
    requiresHuman,
    humanReasons,
    provenance: { provider: 'deterministic', version: REASONING_RULES_VERSION, ruleIds },
  };
}
