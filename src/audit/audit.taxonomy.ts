/**
 * Audit event taxonomy (spec §3.4): 5 categories, 48 event types.
 *
 * Pure data plus tiny guards. The canary/shadow events are categorised as `decision`
 * (spec §3.4 and §9 item 2); `system.genesis` is the first record of every tenant's chain.
 */
import { DomainError } from '../errors/domain-error';

/** The five audit event categories, in spec order. */
export const EVENT_CATEGORIES = ['decision', 'action', 'approval', 'security', 'system'] as const;

/** An audit event category. */
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/** Audit severities (spec §3.6, "Audit" row). Case-sensitive. */
export const AUDIT_SEVERITIES = ['info', 'warning', 'critical'] as const;

/** An audit record severity. */
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];

/**
 * Every event type with its category, exactly as spec §3.4 (12 decision + 11 action +
 * 8 approval + 6 security + 3 canary/shadow (decision) + 8 system = 48).
 */
export const EVENT_TAXONOMY = {
  // Decision (12)
  'alert.classified': 'decision',
  'alert.auto_closed': 'decision',
  'alert.escalated': 'decision',
  'alert.short_circuited': 'decision',
  'investigation.state_changed': 'decision',
  'investigation.enriched': 'decision',
  'playbook.selected': 'decision',
  'playbook.generated': 'decision',
  'ctem.exposure_scored': 'decision',
  'atlas.detection_fired': 'decision',
  'routing.tier_selected': 'decision',
  'routing.provider_failover': 'decision',
  // Action (11)
  'response.prepared': 'action',
  'response.executed': 'action',
  'response.rolled_back': 'action',
  'ioc.enriched': 'action',
  'fp_pattern.created': 'action',
  'fp_pattern.activated': 'action',
  'ctem.remediation_assigned': 'action',
  'ctem.remediation_verified': 'action',
  'knowledge.indexed': 'action',
  'embedding.reindexed': 'action',
  'response.generated': 'action',
  // Approval (8)
  'approval.requested': 'approval',
  'approval.granted': 'approval',
  'approval.denied': 'approval',
  'approval.timed_out': 'approval',
  'approval.escalated': 'approval',
  'fp_pattern.approved': 'approval',
  'fp_pattern.revoked': 'approval',
  'shadow.go_live_approved': 'approval',
  // Security (6)
  'injection.detected': 'security',
  'injection.quarantined': 'security',
  'technique.quarantined': 'security',
  'accumulation.threshold_breached': 'security',
  'spend.soft_limit': 'security',
  'spend.hard_limit': 'security',
  // Canary/shadow (3, category = decision)
  'canary.promoted': 'decision',
  'canary.rolled_back': 'decision',
  'shadow.decision_logged': 'decision',
  // System (8)
  'degradation.entered': 'system',
  'degradation.exited': 'system',
  'kill_switch.activated': 'system',
  'kill_switch.deactivated': 'system',
  'config.changed': 'system',
  'circuit_breaker.opened': 'system',
  'circuit_breaker.closed': 'system',
  'system.genesis': 'system',
} as const satisfies Record<string, EventCategory>;

/** One of the 48 audit event types. */
export type AuditEventType = keyof typeof EVENT_TAXONOMY;

/** All 48 event types, in spec order. */
export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = Object.freeze(
  Object.keys(EVENT_TAXONOMY) as AuditEventType[],
);

/** The event type of record #1 of every tenant chain. */
export const GENESIS_EVENT_TYPE = 'system.genesis' satisfies AuditEventType;

/**
 * Error thrown when an audit input is invalid: a {@link DomainError} with the stable code
 * `BAD_USER_INPUT`, so the single GraphQL error formatter maps it like any other input error.
 * `details.field` names the offending input field (also given as `fieldErrors`).
 */
export class AuditValidationError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    const field = typeof details.field === 'string' ? details.field : undefined;
    super('BAD_USER_INPUT', message, field ? { ...details, fieldErrors: [{ path: field, message }] } : details);
    this.name = 'AuditValidationError';
  }
}

/** True when `x` is one of the 48 event types (own keys only: `'constructor'` is not one). */
export function isAuditEventType(x: unknown): x is AuditEventType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(EVENT_TAXONOMY, x);
}

/** True when `x` is `info`, `warning` or `critical`. */
export function isAuditSeverity(x: unknown): x is AuditSeverity {
  return x === 'info' || x === 'warning' || x === 'critical';
}

/** True when `x` is one of the five categories. */
export function isEventCategory(x: unknown): x is EventCategory {
  return typeof x === 'string' && (EVENT_CATEGORIES as readonly string[]).includes(x);
}

/** The category of an event type (e.g. `canary.promoted` → `decision`). */
export function eventCategoryOf(type: AuditEventType): EventCategory {
  return EVENT_TAXONOMY[type];
}

/**
 * Validates an event type on append.
 * @throws AuditValidationError (code `BAD_USER_INPUT`) for anything not in the taxonomy.
 */
export function assertAuditEvent(type: unknown): asserts type is AuditEventType {
  if (!isAuditEventType(type)) {
    throw new AuditValidationError(`Unknown audit event type: ${describe(type)}`, {
      field: 'eventType',
      value: typeof type === 'string' ? type : String(type),
    });
  }
}

/**
 * Validates a severity on append.
 * @throws AuditValidationError (code `BAD_USER_INPUT`) unless info, warning or critical.
 */
export function assertAuditSeverity(severity: unknown): asserts severity is AuditSeverity {
  if (!isAuditSeverity(severity)) {
    throw new AuditValidationError(`Invalid audit severity: ${describe(severity)}`, {
      field: 'severity',
      value: typeof severity === 'string' ? severity : String(severity),
    });
  }
}

function describe(x: unknown): string {
  return typeof x === 'string' ? JSON.stringify(x) : typeof x;
}
