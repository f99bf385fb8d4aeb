/**
 * Approval timeout policy (spec §4.8, REM-M05). Pure: no I/O; the scheduler turns the schedule into
 * delayed jobs and the approval service applies the outcome.
 *
 * | severity | timeout | on timeout |
 * |---|---|---|
 * | critical | 1 h | escalate: the approval stays open (status `escalated`), the investigation's classification becomes `escalated`, audit `approval.escalated`; critical actions also need an explicit acknowledgement and never time out silently |
 * | high | 2 h | escalate (as critical) |
 * | medium | 4 h (the default) | close: approval `timed_out`, the action counts as rejected, the investigation is closed with classification `rejected`, audit `approval.timed_out` |
 * | low, informational | 8 h | close (as medium) |
 *
 * A secondary reviewer is notified once, at 50 % of the timeout. Per-tenant overrides replace the
 * timeout of a severity; anything below one hour is raised to one hour (`validateTimeoutOverrides`
 * reports it at configuration time).
 *
 * Critical actions (`approvalPolicyFor`): an approval of risk tier 3 (emergency containment, spec §4.8
 * tier 3) or any approval of a critical investigation needs an explicit acknowledgement from each
 * approver, and its timeout escalates (the approval stays open for a human), whatever the severity's
 * policy would do: a critical action never times out silently.
 */
import type { Severity } from '../ingest/canonical';
import type { FieldError } from '../errors/domain-error';

const HOUR = 3_600_000;

/** Minimum approval timeout, whatever a tenant configures. */
export const MIN_APPROVAL_TIMEOUT_MS = HOUR;

/** Default timeout per severity (spec §4.8); informational is treated as low. */
export const DEFAULT_APPROVAL_TIMEOUTS_MS: Readonly<Record<Severity, number>> = Object.freeze({
  critical: 1 * HOUR,
  high: 2 * HOUR,
  medium: 4 * HOUR,
  low: 8 * HOUR,
  informational: 8 * HOUR,
});

/** Timeout used for an unknown severity (spec: 4 h is also the default). */
export const FALLBACK_APPROVAL_TIMEOUT_MS = 4 * HOUR;

export type TimeoutOverrides = Partial<Record<Severity, number>>;

export interface TimeoutOutcome {
  kind: 'escalate' | 'close';
  /** New status of the approvals row. */
  approvalStatus: 'escalated' | 'timed_out';
  auditEvent: 'approval.escalated' | 'approval.timed_out';
  /** Classification the investigation gets. */
  classification: 'escalated' | 'rejected';
  /** Investigation transition: null = stays in awaiting_human. */
  transitionTo: 'closed' | null;
}

export interface TimeoutPolicy {
  severity: Severity;
  timeoutMs: number;
  /** Offset of the one-off secondary-reviewer notification (50 % of the timeout). */
  secondaryReviewerAfterMs: number;
  /** Critical actions need an explicit acknowledgement; they never time out silently. */
  requiresExplicitAck: boolean;
  onTimeout: TimeoutOutcome;
}

const ESCALATE: TimeoutOutcome = Object.freeze({
  kind: 'escalate',
  approvalStatus: 'escalated',
  auditEvent: 'approval.escalated',
  classification: 'escalated',
  transitionTo: null,
});
const CLOSE: TimeoutOutcome = Object.freeze({
  kind: 'close',
  approvalStatus: 'timed_out',
  auditEvent: 'approval.timed_out',
  classification: 'rejected',
  transitionTo: 'closed',
});

function knownSeverity(s: string): s is Severity {
  return Object.prototype.hasOwnProperty.call(DEFAULT_APPROVAL_TIMEOUTS_MS, s);
}

/** The timeout policy of a severity, with the tenant's overrides (clamped to ≥ 1 h). */
export function approvalTimeoutPolicy(severity: string, overrides: TimeoutOverrides = {}): TimeoutPolicy {
  const sev: Severity = knownSeverity(severity) ? severity : 'medium';
  const base = knownSeverity(severity) ? DEFAULT_APPROVAL_TIMEOUTS_MS[sev] : FALLBACK_APPROVAL_TIMEOUT_MS;
  const o = overrides[sev];
  const timeoutMs = typeof o === 'number' && Number.isFinite(o) ? Math.max(MIN_APPROVAL_TIMEOUT_MS, Math.round(o)) : base;
  const escalates = sev === 'critical' || sev === 'high';
  return {
    severity: sev,
    timeoutMs,
    secondaryReviewerAfterMs: Math.floor(timeoutMs / 2),
    requiresExplicitAck: sev === 'critical',
    onTimeout: escalates ? ESCALATE : CLOSE,
  };
}

export interface ApprovalSchedule {
  expiresAt: Date;
  secondaryReviewerAt: Date;
  policy: TimeoutPolicy;
}

/** When an approval requested at `requestedAt` expires and when the secondary reviewer is notified. */
export function approvalSchedule(requestedAt: Date, severity: string, overrides: TimeoutOverrides = {}): ApprovalSchedule {
  const policy = approvalTimeoutPolicy(severity, overrides);
  const t = requestedAt.getTime();
  return {
    expiresAt: new Date(t + policy.timeoutMs),
    secondaryReviewerAt: new Date(t + policy.secondaryReviewerAfterMs),
    policy,
  };
}

/** Whether the secondary reviewer should be notified now (once: the caller records that it was). */
export function secondaryReviewerDue(requestedAt: Date, severity: string, now: Date, alreadyNotified: boolean, overrides: TimeoutOverrides = {}): boolean {
  if (alreadyNotified) return false;
  const s = approvalSchedule(requestedAt, severity, overrides);
  return now.getTime() >= s.secondaryReviewerAt.getTime() && now.getTime() < s.expiresAt.getTime();
}

/** Configuration-time check of tenant overrides: known severities, whole milliseconds, at least one hour. */
export function validateTimeoutOverrides(overrides: Record<string, unknown>, path = 'approvalTimeouts'): FieldError[] {
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(overrides)) {
    const at = `${path}.${k}`;
    if (!knownSeverity(k)) errors.push({ path: at, message: 'unknown severity' });
    else if (typeof v !== 'number' || !Number.isInteger(v)) errors.push({ path: at, message: 'must be an integer number of milliseconds' });
    else if (v < MIN_APPROVAL_TIMEOUT_MS) errors.push({ path: at, message: `must be at least ${MIN_APPROVAL_TIMEOUT_MS} ms (1 h)` });
  }
  return errors;
}

/** Approval risk tier of emergency containment (spec §4.8 tier 3): always a critical action. */
export const CRITICAL_RISK_TIER = 3;

/**
 * The timeout policy of one approval: the severity's policy (with the tenant's overrides), except that a
 * critical action (risk tier 3, a critical investigation, or a row already marked as needing an
 * acknowledgement) needs an explicit acknowledgement and escalates on timeout.
 */
export function approvalPolicyFor(
  severity: string,
  approval: { riskTier: number; requiresAcknowledgement?: boolean },
  overrides: TimeoutOverrides = {},
): TimeoutPolicy {
  const p = approvalTimeoutPolicy(severity, overrides);
  const critical = p.requiresExplicitAck || approval.riskTier >= CRITICAL_RISK_TIER || approval.requiresAcknowledgement === true;
  return critical ? { ...p, requiresExplicitAck: true, onTimeout: ESCALATE } : p;
}

/**
 * The overrides stored in a tenant's settings (`settings.approvalTimeouts`), keeping only known severities
 * with finite numbers (the policy clamps them to ≥ 1 h). Anything else in the stored JSON is ignored.
 */
export function overridesFromSettings(settings: unknown): TimeoutOverrides {
  const raw = settings && typeof settings === 'object' && !Array.isArray(settings) ? (settings as Record<string, unknown>).approvalTimeouts : undefined;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: TimeoutOverrides = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (knownSeverity(k) && typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return out;
}
