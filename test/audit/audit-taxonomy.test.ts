import {
  AUDIT_EVENT_TYPES,
  AUDIT_SEVERITIES,
  AuditValidationError,
  EVENT_CATEGORIES,
  assertAuditEvent,
  assertAuditSeverity,
  eventCategoryOf,
  isAuditEventType,
  isAuditSeverity,
  type EventCategory,
} from '../../src/audit/audit.taxonomy';
import { DomainError } from '../../src/errors/domain-error';

describe('audit taxonomy (spec §3.4)', () => {
  it('has 5 categories and 48 distinct event types', () => {
    expect(EVENT_CATEGORIES).toEqual(['decision', 'action', 'approval', 'security', 'system']);
    expect(AUDIT_EVENT_TYPES).toHaveLength(48);
    expect(new Set(AUDIT_EVENT_TYPES).size).toBe(48);
  });

  it('counts per category match the spec (decision includes the 3 canary/shadow events)', () => {
    const counts: Record<string, number> = {};
    for (const t of AUDIT_EVENT_TYPES) counts[eventCategoryOf(t)] = (counts[eventCategoryOf(t)] ?? 0) + 1;
    expect(counts).toEqual<Record<EventCategory, number>>({
      decision: 12 + 3,
      action: 11,
      approval: 8,
      security: 6,
      system: 8,
    });
    expect(eventCategoryOf('canary.promoted')).toBe('decision');
    expect(eventCategoryOf('canary.rolled_back')).toBe('decision');
    expect(eventCategoryOf('shadow.decision_logged')).toBe('decision');
    expect(eventCategoryOf('shadow.go_live_approved')).toBe('approval');
    expect(eventCategoryOf('system.genesis')).toBe('system');
    expect(eventCategoryOf('response.generated')).toBe('action');
    expect(eventCategoryOf('spend.hard_limit')).toBe('security');
  });

  it('event types are dotted lower-case', () => {
    for (const t of AUDIT_EVENT_TYPES) expect(t).toMatch(/^[a-z_]+\.[a-z_]+$/);
  });

  it('recognises only own event types (not prototype keys)', () => {
    expect(isAuditEventType('alert.classified')).toBe(true);
    expect(isAuditEventType('Alert.Classified')).toBe(false);
    expect(isAuditEventType('constructor')).toBe(false);
    expect(isAuditEventType('toString')).toBe(false);
    expect(isAuditEventType('__proto__')).toBe(false);
    expect(isAuditEventType(42)).toBe(false);
    expect(isAuditEventType(undefined)).toBe(false);
  });

  it('rejects unknown event types with BAD_USER_INPUT', () => {
    expect(() => assertAuditEvent('alert.classified')).not.toThrow();
    let caught: unknown;
    try {
      assertAuditEvent('alert.deleted');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AuditValidationError);
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as AuditValidationError).code).toBe('BAD_USER_INPUT');
    expect((caught as AuditValidationError).details.field).toBe('eventType');
    expect(() => assertAuditEvent(null)).toThrow(AuditValidationError);
  });

  it('severities are info, warning, critical (case-sensitive)', () => {
    expect(AUDIT_SEVERITIES).toEqual(['info', 'warning', 'critical']);
    expect(isAuditSeverity('warning')).toBe(true);
    expect(isAuditSeverity('Warning')).toBe(false);
    expect(isAuditSeverity('high')).toBe(false);
    expect(() => assertAuditSeverity('critical')).not.toThrow();
    expect(() => assertAuditSeverity('error')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
