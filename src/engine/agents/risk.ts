/**
 * Risk state (spec §3.5): `classify_risk` and the context enricher's aggregate rule. Pure.
 *
 * The key rule: missing data is never "safe". Absent data is NO_BASELINE and stale data (older than
 * 24 h) is UNKNOWN; neither is ever LOW.
 */

/** Spec §3.5 RiskState values (database vocabulary of user_entity_behavior.risk_state). */
export const RISK_STATES = ['no_baseline', 'unknown', 'low', 'medium', 'high'] as const;
export type RiskState = (typeof RISK_STATES)[number];

/** Data older than this many hours is stale (spec §3.5 `max_stale_hours`). */
export const MAX_STALE_HOURS = 24;

/** Spec §3.5 RiskSignal (one user_entity_behavior row as the enricher sees it). */
export interface RiskSignal {
  entityId: string;
  signalType: 'ueba' | 'iam' | 'endpoint' | 'ctem';
  riskState: RiskState;
  /** 0–10, or null when there is no baseline. */
  riskScore: number | null;
  /** Age of the underlying data in hours; null = unknown age. */
  dataFreshnessHours: number | null;
  source: string;
}

export interface RiskClassification {
  riskState: RiskState;
  /** The priority as given (null when absent); kept for UNKNOWN (stale) too. */
  riskScore: number | null;
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Spec §3.5 `classify_risk(priority, freshness_h, max_stale_hours=24)`.
 *
 * - priority missing (null, undefined, NaN) → NO_BASELINE, score null;
 * - freshness over `maxStaleHours` → UNKNOWN, score kept;
 * - freshness missing → UNKNOWN, score kept (decision: data whose age cannot be shown to be fresh is
 *   treated like stale data, because missing data is never safe);
 * - priority < 3 → LOW; < 6 → MEDIUM; otherwise HIGH.
 */
export function classifyRisk(
  priority: number | null | undefined,
  freshnessHours: number | null | undefined,
  maxStaleHours: number = MAX_STALE_HOURS,
): RiskClassification {
  if (!isNumber(priority)) return { riskState: 'no_baseline', riskScore: null };
  if (!isNumber(freshnessHours) || freshnessHours > maxStaleHours) return { riskState: 'unknown', riskScore: priority };
  if (priority < 3) return { riskState: 'low', riskScore: priority };
  if (priority < 6) return { riskState: 'medium', riskScore: priority };
  return { riskState: 'high', riskScore: priority };
}

/** Explicit states, worst first. */
const EXPLICIT_ORDER: readonly RiskState[] = ['high', 'medium', 'low'];

export interface AggregateRisk {
  riskState: RiskState;
  /** Highest score among the signals that decided the state (null when none). */
  riskScore: number | null;
  /** Some signal was ignored because it was stale (or of unknown age): the UI shows a banner. */
  stale: boolean;
  reasons: string[];
}

export interface AggregateOptions {
  /** The UEBA query failed: the state is UNKNOWN whatever else is known. */
  queryFailed?: boolean;
  maxStaleHours?: number;
}

/**
 * The enricher's aggregate rule (spec §3.5) over the risk signals of an investigation's entities.
 *
 * - query failed → `unknown`;
 * - no rows → `no_baseline`;
 * - otherwise the worst explicit state among *fresh* rows (high > medium > low);
 * - no fresh explicit state: `unknown` when some row was stale, unknown or of unknown age (decision:
 *   refines the spec's "none → no_baseline", because a stale HIGH is not the absence of a baseline;
 *   both are unsafe), else `no_baseline`.
 *
 * A row's stored state is re-checked against its freshness: a stale `low` never counts as low.
 */
export function aggregateRiskState(signals: readonly RiskSignal[] | null | undefined, opts: AggregateOptions = {}): AggregateRisk {
  const maxStale = opts.maxStaleHours ?? MAX_STALE_HOURS;
  if (opts.queryFailed) {
    return { riskState: 'unknown', riskScore: null, stale: false, reasons: ['risk query failed: state unknown'] };
  }
  if (!signals || signals.length === 0) {
    return { riskState: 'no_baseline', riskScore: null, stale: false, reasons: ['no UEBA/risk rows: no baseline'] };
  }
  let stale = false;
  let sawUnknown = false;
  const fresh: { state: RiskState; score: number | null }[] = [];
  for (const s of signals) {
    const explicit = EXPLICIT_ORDER.includes(s.riskState);
    const age = s.dataFreshnessHours;
    if (explicit && (!isNumber(age) || age > maxStale)) {
      stale = true;
      sawUnknown = true;
      continue;
    }
    if (s.riskState === 'unknown') sawUnknown = true;
    if (explicit) fresh.push({ state: s.riskState, score: s.riskScore });
  }
  for (const state of EXPLICIT_ORDER) {
    const hits = fresh.filter((f) => f.state === state);
    if (hits.length > 0) {
      const scores = hits.map((h) => h.score).filter(isNumber);
      const reasons = [`worst fresh risk state: ${state} (${hits.length} signal${hits.length === 1 ? '' : 's'})`];
      if (stale) reasons.push('some risk signals are older than the staleness limit and were treated as unknown');
      return { riskState: state, riskScore: scores.length ? Math.max(...scores) : null, stale, reasons };
    }
  }
  if (sawUnknown) {
    return {
      riskState: 'unknown',
      riskScore: null,
      stale,
      reasons: [stale ? 'risk data is stale (older than 24 h): treated as unknown' : 'risk signals report unknown'],
    };
  }
  return { riskState: 'no_baseline', riskScore: null, stale: false, reasons: ['risk signals carry no explicit state: no baseline'] };
}
