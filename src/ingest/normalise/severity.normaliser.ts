import { type Severity } from '../canonical';

/**
 * Vendor severities → the five alert `SeverityLevel`s (spec §3.6). Every function returns
 * `undefined` when it cannot decide, so adapters can fall through to the next vendor field and
 * finally to `DEFAULT_SEVERITY` ('medium', spec §1.5). Thresholds are documented per scale.
 */

const LABELS: Record<string, Severity> = {
  critical: 'critical',
  fatal: 'critical',
  high: 'high',
  medium: 'medium',
  moderate: 'medium',
  low: 'low',
  informational: 'informational',
  information: 'informational',
  info: 'informational',
};

/** Case-insensitive label (`High`, `HIGH`, `info`, `Informational`). `unknown` etc. → undefined. */
export function severityFromLabel(value: unknown): Severity | undefined {
  if (typeof value !== 'string') return undefined;
  return LABELS[value.trim().toLowerCase()];
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/**
 * 0–100 vendor scores without a published banding of their own (CrowdStrike `severity`, Google
 * SecOps `riskScore`): ≥ 90 critical, ≥ 70 high, ≥ 40 medium, ≥ 20 low, below 20 informational.
 * Consistent with CrowdStrike's own `severity_name` on every sample (30 Low, 70 High, 79 High).
 */
export function severityFromScore100(value: unknown): Severity | undefined {
  const n = num(value);
  if (n === undefined || n < 0 || n > 100) return undefined;
  if (n >= 90) return 'critical';
  if (n >= 70) return 'high';
  if (n >= 40) return 'medium';
  if (n >= 20) return 'low';
  return 'informational';
}

/**
 * AWS Security Hub `Severity.Normalized` (ASFF documentation): 0 informational, 1–39 low,
 * 40–69 medium, 70–89 high, 90–100 critical.
 */
export function severityFromAsffNormalized(value: unknown): Severity | undefined {
  const n = num(value);
  if (n === undefined || n < 0 || n > 100) return undefined;
  if (n >= 90) return 'critical';
  if (n >= 70) return 'high';
  if (n >= 40) return 'medium';
  if (n >= 1) return 'low';
  return 'informational';
}

/**
 * Elastic `risk_score` (0–100), only when no severity label exists. Bands are Elastic's own rule
 * defaults: 0–21 low, 22–47 medium, 48–73 high, 74–100 critical.
 */
export function severityFromElasticRiskScore(value: unknown): Severity | undefined {
  const n = num(value);
  if (n === undefined || n < 0 || n > 100) return undefined;
  if (n >= 74) return 'critical';
  if (n >= 48) return 'high';
  if (n >= 22) return 'medium';
  return 'low';
}

/**
 * GuardDuty numeric severity (0.1–10; GuardDuty documentation): 9.0–10 critical (attack
 * sequences), 7.0–8.9 high, 4.0–6.9 medium, 1.0–3.9 low; below 1 informational.
 */
export function severityFromGuardDuty(value: unknown): Severity | undefined {
  const n = num(value);
  if (n === undefined) return severityFromLabel(value);
  if (n < 0 || n > 10) return undefined;
  if (n >= 9) return 'critical';
  if (n >= 7) return 'high';
  if (n >= 4) return 'medium';
  if (n >= 1) return 'low';
  return 'informational';
}

/**
 * Wazuh `rule.level` (0–15), after Wazuh's rule classification table: 0–3 informational (ignored,
 * system notifications, successful/authorised events), 4–6 low (low-priority errors, user errors,
 * low-relevance attacks), 7–11 medium, 12–14 high ("high importance" events), 15 critical
 * ("severe attack").
 */
export function severityFromWazuhLevel(value: unknown): Severity | undefined {
  const n = num(value);
  if (n === undefined || n < 0) return undefined;
  if (n >= 15) return 'critical';
  if (n >= 12) return 'high';
  if (n >= 7) return 'medium';
  if (n >= 4) return 'low';
  return 'informational';
}

/**
 * OCSF `severity_id`: 1 informational, 2 low, 3 medium, 4 high, 5 critical, 6 fatal → critical.
 * 0 (Unknown) and 99 (Other) are undecided: the caller falls back to the `severity` caption.
 */
export function severityFromOcsfId(value: unknown): Severity | undefined {
  const n = num(value);
  switch (n) {
    case 1:
      return 'informational';
    case 2:
      return 'low';
    case 3:
      return 'medium';
    case 4:
      return 'high';
    case 5:
    case 6:
      return 'critical';
    default:
      return undefined;
  }
}
