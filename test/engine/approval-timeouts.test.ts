import {
  approvalPolicyFor,
  approvalSchedule,
  approvalTimeoutPolicy,
  overridesFromSettings,
  secondaryReviewerDue,
  validateTimeoutOverrides,
} from '../../src/engine/approval-timeouts';

const H = 3_600_000;

describe('approval timeouts (spec §4.8)', () => {
  it('timeouts by severity', () => {
    expect(approvalTimeoutPolicy('critical').timeoutMs).toBe(1 * H);
    expect(approvalTimeoutPolicy('high').timeoutMs).toBe(2 * H);
    expect(approvalTimeoutPolicy('medium').timeoutMs).toBe(4 * H);
    expect(approvalTimeoutPolicy('low').timeoutMs).toBe(8 * H);
    expect(approvalTimeoutPolicy('informational').timeoutMs).toBe(8 * H);
    expect(approvalTimeoutPolicy('bogus')).toMatchObject({ severity: 'medium', timeoutMs: 4 * H });
  });

  it('critical/high escalate and stay open; medium/low close as rejected', () => {
    for (const s of ['critical', 'high']) {
      expect(approvalTimeoutPolicy(s).onTimeout).toEqual({
        kind: 'escalate',
        approvalStatus: 'escalated',
        auditEvent: 'approval.escalated',
        classification: 'escalated',
        transitionTo: null,
      });
    }
    for (const s of ['medium', 'low']) {
      expect(approvalTimeoutPolicy(s).onTimeout).toEqual({
        kind: 'close',
        approvalStatus: 'timed_out',
        auditEvent: 'approval.timed_out',
        classification: 'rejected',
        transitionTo: 'closed',
      });
    }
    expect(approvalTimeoutPolicy('critical').requiresExplicitAck).toBe(true);
    expect(approvalTimeoutPolicy('high').requiresExplicitAck).toBe(false);
  });

  it('tenant overrides apply with a 1 h minimum', () => {
    expect(approvalTimeoutPolicy('medium', { medium: 6 * H }).timeoutMs).toBe(6 * H);
    expect(approvalTimeoutPolicy('critical', { critical: 10 * 60_000 }).timeoutMs).toBe(H);
    expect(approvalTimeoutPolicy('high', { medium: 6 * H }).timeoutMs).toBe(2 * H);
    expect(validateTimeoutOverrides({ critical: 1800_000, high: 2 * H, nope: H, low: 'x' })).toEqual([
      { path: 'approvalTimeouts.critical', message: 'must be at least 3600000 ms (1 h)' },
      { path: 'approvalTimeouts.nope', message: 'unknown severity' },
      { path: 'approvalTimeouts.low', message: 'must be an integer number of milliseconds' },
    ]);
  });

  it('secondary reviewer at 50 %, once', () => {
    const t0 = new Date('2025-01-01T00:00:00.000Z');
    const s = approvalSchedule(t0, 'medium');
    expect(s.expiresAt.toISOString()).toBe('2025-01-01T04:00:00.000Z');
    expect(s.secondaryReviewerAt.toISOString()).toBe('2025-01-01T02:00:00.000Z');
    expect(secondaryReviewerDue(t0, 'medium', new Date('2025-01-01T01:59:59.000Z'), false)).toBe(false);
    expect(secondaryReviewerDue(t0, 'medium', new Date('2025-01-01T02:00:00.000Z'), false)).toBe(true);
    expect(secondaryReviewerDue(t0, 'medium', new Date('2025-01-01T03:00:00.000Z'), true)).toBe(false);
    expect(secondaryReviewerDue(t0, 'medium', new Date('2025-01-01T04:00:00.000Z'), false)).toBe(false);
  });

  it('critical actions (risk tier 3, critical severity, or flagged) need an acknowledgement and escalate whatever the severity', () => {
    expect(approvalPolicyFor('low', { riskTier: 2 })).toMatchObject({ requiresExplicitAck: false, onTimeout: { kind: 'close' }, timeoutMs: 8 * H });
    expect(approvalPolicyFor('low', { riskTier: 3 })).toMatchObject({ requiresExplicitAck: true, onTimeout: { kind: 'escalate', auditEvent: 'approval.escalated' }, timeoutMs: 8 * H });
    expect(approvalPolicyFor('medium', { riskTier: 2, requiresAcknowledgement: true })).toMatchObject({ requiresExplicitAck: true, onTimeout: { kind: 'escalate' } });
    expect(approvalPolicyFor('critical', { riskTier: 2 })).toMatchObject({ requiresExplicitAck: true, onTimeout: { kind: 'escalate' } });
    expect(approvalPolicyFor('high', { riskTier: 2 })).toMatchObject({ requiresExplicitAck: false, onTimeout: { kind: 'escalate' } });
    expect(approvalPolicyFor('medium', { riskTier: 3 }, { medium: 90 * 60_000 })).toMatchObject({ timeoutMs: 90 * 60_000, secondaryReviewerAfterMs: 45 * 60_000 });
  });

  it('overrides read from tenant settings keep known severities with finite numbers only', () => {
    expect(overridesFromSettings({ shadowMode: true, approvalTimeouts: { high: 3 * H, bogus: H, low: 'x', medium: null } })).toEqual({ high: 3 * H });
    expect(overridesFromSettings({})).toEqual({});
    expect(overridesFromSettings(null)).toEqual({});
    expect(overridesFromSettings({ approvalTimeouts: [H] })).toEqual({});
  });
});
