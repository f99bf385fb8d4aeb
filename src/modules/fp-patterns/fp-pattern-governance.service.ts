import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { mutationEvent } from '../../audit/audit.events';
import type { AuditEventInput } from '../../audit/audit.append';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { AuditEventType } from '../../audit/audit.taxonomy';
import type { Scope } from '../../auth/scope';
import { badInput, conflict, forbidden, notFound } from '../../errors/domain-error';
import { type FpPatternNode, type FpPatternRow, toFpPatternNode } from './fp-pattern.service';

/** Approval validity and each reaffirmation's extension (spec §4.3). */
export const FP_APPROVAL_DAYS = 90;
const DAY_MS = 86_400_000;

function checkReason(reason: string): void {
  if (reason.trim() === '') throw badInput([{ path: 'reason', message: 'must not be empty' }]);
  if (reason.length > 1000) throw badInput([{ path: 'reason', message: 'at most 1000 characters' }]);
}

/**
 * FP pattern governance (spec §4.3, two-person rule). Every transition is one transaction whose write is an
 * optimistic guard on the state it was decided from (`updateMany where {patternId, tenantId, status, …}`);
 * when a concurrent transition got there first the guard matches nothing and the caller gets CONFLICT, so two
 * concurrent approvals can never both win. Each transition appends its audit record (fp_pattern.*) in the same
 * transaction, so a CONFLICT leaves none; reasons go to decision.reasoning_summary.
 */
export class FpPatternGovernanceService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  private async load(tx: Prisma.TransactionClient, scope: Scope, patternId: string): Promise<FpPatternRow> {
    const row = await tx.fpPattern.findFirst({ where: { patternId, tenantId: scope.tenantId } });
    if (!row) throw notFound('FpPattern', patternId);
    return row;
  }

  private async guarded(
    tx: Prisma.TransactionClient,
    scope: Scope,
    row: FpPatternRow,
    guard: Prisma.FpPatternWhereInput,
    data: Prisma.FpPatternUpdateManyMutationInput,
  ): Promise<FpPatternNode> {
    const { count } = await tx.fpPattern.updateMany({ where: { patternId: row.patternId, tenantId: scope.tenantId, ...guard }, data });
    if (count === 0) throw conflict(`FpPattern ${row.patternId} was changed concurrently; reload and retry`);
    return toFpPatternNode(await this.load(tx, scope, row.patternId));
  }

  /** The record of a governance transition: state before/after, and the decision (reason) when there is one. */
  private event(
    type: AuditEventType,
    action: string,
    before: FpPatternRow,
    after: FpPatternNode,
    decision?: Record<string, string>,
    severity: 'info' | 'warning' = 'info',
  ): AuditEventInput {
    return mutationEvent(type, {
      entity: 'fp_pattern',
      entityId: before.patternId,
      action,
      severity,
      context: { pattern_name: before.patternName },
      decision,
      outcome: {
        state_before: before.status,
        state_after: after.status,
        expiry_before: before.expiryDate ? before.expiryDate.toISOString() : null,
        expiry_after: after.expiryDate ? after.expiryDate.toISOString() : null,
      },
    });
  }

  /**
   * Approves a pattern (approver role). The creator may not approve (FORBIDDEN). The first approval records
   * approved_by_1 and leaves the pattern pending_review; a second approval by a different actor records
   * approved_by_2 and approved_by, sets approval_date and expiry_date = now + 90 days, and moves it to
   * `approved`. The same actor twice, or any approval of a pattern that is no longer pending_review, is
   * CONFLICT.
   */
  async approve(scope: Scope, patternId: string, reason: string): Promise<FpPatternNode> {
    checkReason(reason);
    return this.audit.run(scope, async (tx) => {
      const row = await this.load(tx, scope, patternId);
      if (row.createdBy === scope.actor) throw forbidden('The creator of an FP pattern cannot approve it');
      if (row.status !== 'pending_review') throw conflict(`FpPattern ${patternId} is ${row.status}, not pending_review`, { status: row.status });
      if (row.approvedBy1 === '') {
        const first = await this.guarded(tx, scope, row, { status: 'pending_review', approvedBy1: '' }, { approvedBy1: scope.actor });
        const decision = { decision_type: 'fp_pattern_first_approval', reasoning_summary: reason.trim() };
        return { result: first, events: [this.event('fp_pattern.approved', 'first_approval', row, first, decision)] };
      }
      if (row.approvedBy1 === scope.actor) throw conflict('The second approval must come from a different approver');
      const now = new Date();
      const second = await this.guarded(
        tx,
        scope,
        row,
        { status: 'pending_review', approvedBy1: row.approvedBy1, approvedBy2: '' },
        {
          approvedBy2: scope.actor,
          approvedBy: scope.actor,
          approvalDate: now,
          expiryDate: new Date(now.getTime() + FP_APPROVAL_DAYS * DAY_MS),
          status: 'approved',
        },
      );
      const decision = { decision_type: 'fp_pattern_second_approval', reasoning_summary: reason.trim(), first_approver: row.approvedBy1 };
      return { result: second, events: [this.event('fp_pattern.approved', 'second_approval', row, second, decision)] };
    });
  }

  /** Puts an approved, unexpired pattern into service: approved → active (approver role). */
  async activate(scope: Scope, patternId: string): Promise<FpPatternNode> {
    return this.audit.run(scope, async (tx) => {
      const row = await this.load(tx, scope, patternId);
      if (row.status !== 'approved') throw conflict(`FpPattern ${patternId} is ${row.status}, not approved`, { status: row.status });
      if (row.expiryDate && row.expiryDate.getTime() <= Date.now()) throw conflict(`FpPattern ${patternId} has expired; reapproval needed`);
      const active = await this.guarded(tx, scope, row, { status: 'approved' }, { status: 'active' });
      return { result: active, events: [this.event('fp_pattern.activated', 'activated', row, active)] };
    });
  }

  /**
   * Reaffirms an approved or active, unexpired pattern (approver role): expiry moves to max(expiry, now) + 90
   * days; reaffirmed_by/date record who and when. An expired pattern cannot be reaffirmed.
   */
  async reaffirm(scope: Scope, patternId: string): Promise<FpPatternNode> {
    return this.audit.run(scope, async (tx) => {
      const row = await this.load(tx, scope, patternId);
      if (row.status !== 'approved' && row.status !== 'active') {
        throw conflict(`FpPattern ${patternId} is ${row.status}; only approved or active patterns can be reaffirmed`, { status: row.status });
      }
      const now = Date.now();
      if (row.expiryDate && row.expiryDate.getTime() <= now) throw conflict(`FpPattern ${patternId} has expired; reapproval needed`);
      const base = Math.max(row.expiryDate?.getTime() ?? now, now);
      const reaffirmed = await this.guarded(
        tx,
        scope,
        row,
        { status: row.status, expiryDate: row.expiryDate },
        { expiryDate: new Date(base + FP_APPROVAL_DAYS * DAY_MS), reaffirmedBy: scope.actor, reaffirmedDate: new Date(now) },
      );
      const decision = { decision_type: 'fp_pattern_reaffirmation' };
      return { result: reaffirmed, events: [this.event('fp_pattern.approved', 'reaffirmed', row, reaffirmed, decision)] };
    });
  }

  /** Revokes a pattern from any state but revoked (approver role); revoking twice is CONFLICT. */
  async revoke(scope: Scope, patternId: string, reason: string): Promise<FpPatternNode> {
    checkReason(reason);
    return this.audit.run(scope, async (tx) => {
      const row = await this.load(tx, scope, patternId);
      if (row.status === 'revoked') throw conflict(`FpPattern ${patternId} is already revoked`, { status: row.status });
      const revoked = await this.guarded(tx, scope, row, { status: row.status }, { status: 'revoked' });
      const decision = { decision_type: 'fp_pattern_revocation', reasoning_summary: reason.trim() };
      return { result: revoked, events: [this.event('fp_pattern.revoked', 'revoked', row, revoked, decision, 'warning')] };
    });
  }
}
