import { mutationEvent } from '../../audit/audit.events';
import type { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import {
  approvalTimeoutPolicy,
  DEFAULT_APPROVAL_TIMEOUTS_MS,
  overridesFromSettings,
  type TimeoutOverrides,
  validateTimeoutOverrides,
} from '../../engine/approval-timeouts';
import { badInput, notFound } from '../../errors/domain-error';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Severity } from '../../ingest/canonical';

export interface ApprovalTimeoutPolicyNode {
  severity: Severity;
  timeoutMs: number;
  defaultTimeoutMs: number;
  overrideMs: number | null;
  secondaryReviewerAfterMs: number;
  onTimeout: 'escalate' | 'close';
  requiresAcknowledgement: boolean;
}

export type ApprovalTimeoutsInputShape = Partial<Record<Severity, number | null>>;

/** Severities in the order the policy list is returned (most severe first). */
const SEVERITIES = Object.keys(DEFAULT_APPROVAL_TIMEOUTS_MS) as Severity[];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function policiesOf(overrides: TimeoutOverrides): ApprovalTimeoutPolicyNode[] {
  return SEVERITIES.map((severity) => {
    const p = approvalTimeoutPolicy(severity, overrides);
    return {
      severity,
      timeoutMs: p.timeoutMs,
      defaultTimeoutMs: DEFAULT_APPROVAL_TIMEOUTS_MS[severity],
      overrideMs: overrides[severity] ?? null,
      secondaryReviewerAfterMs: p.secondaryReviewerAfterMs,
      onTimeout: p.onTimeout.kind,
      requiresAcknowledgement: p.requiresExplicitAck,
    };
  });
}

/**
 * Per-tenant approval timeout overrides (spec §4.8), stored in `tenants.settings.approvalTimeouts`
 * (milliseconds by severity). The policy itself (defaults, 1 h floor, 50 % secondary reviewer, critical
 * actions) is src/engine/approval-timeouts.ts; the engine reads the overrides when it creates approvals
 * and when their timeout fires. Only the caller's tenant is ever read or written.
 */
export class ApprovalPolicyService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder,
  ) {}

  /** The caller's tenant's timeout policy of every severity. */
  async policies(scope: Scope): Promise<ApprovalTimeoutPolicyNode[]> {
    const row = await this.prisma.tenant.findUnique({ where: { tenantId: scope.tenantId }, select: { settings: true } });
    if (!row) throw notFound('Tenant', scope.tenantId);
    return policiesOf(overridesFromSettings(row.settings));
  }

  /**
   * Replaces the caller's tenant's overrides (omitted or null = default). Below 1 h, or not a whole number
   * of milliseconds: BAD_USER_INPUT naming `input.<severity>`. Audited (`config.changed`) in the same
   * transaction; setting what is already stored changes nothing and records nothing.
   */
  async setTimeouts(scope: Scope, input: ApprovalTimeoutsInputShape): Promise<ApprovalTimeoutPolicyNode[]> {
    const next: TimeoutOverrides = {};
    for (const s of SEVERITIES) {
      const v = input[s];
      if (v !== undefined && v !== null) next[s] = v;
    }
    const errors = validateTimeoutOverrides(next, 'input');
    if (errors.length) throw badInput(errors);
    // AuditRecorder.run serialises the tenant's audited writes, so this read-modify-write of the settings
    // JSON cannot lose a concurrent audited settings change.
    return this.audit.run(scope, async (tx) => {
      const row = await tx.tenant.findUnique({ where: { tenantId: scope.tenantId }, select: { settings: true } });
      if (!row) throw notFound('Tenant', scope.tenantId);
      const settings = isRecord(row.settings) ? row.settings : {};
      const before = overridesFromSettings(settings);
      const changed = SEVERITIES.filter((s) => before[s] !== next[s]);
      if (changed.length === 0) return { result: policiesOf(before), events: [] };
      const { approvalTimeouts: _old, ...rest } = settings;
      const stored = Object.keys(next).length ? { ...rest, approvalTimeouts: next } : rest;
      await tx.tenant.update({ where: { tenantId: scope.tenantId }, data: { settings: stored as Prisma.InputJsonValue, updatedAt: new Date() } });
      const event = mutationEvent('config.changed', {
        entity: 'tenant',
        entityId: scope.tenantId,
        action: 'approval_timeouts_updated',
        fields: changed.map((s) => `approvalTimeouts.${s}`),
        context: { approval_timeouts_before: { ...before }, approval_timeouts_after: { ...next } },
      });
      return { result: policiesOf(next), events: [event] };
    });
  }
}
