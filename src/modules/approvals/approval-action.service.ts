import type { Scope } from '../../auth/scope';
import { decideApproval, type ApprovalDeps } from '../../engine/runtime/approval-decisions';
import { badInput } from '../../errors/domain-error';
import { type ApprovalNode, toApprovalNode } from '../investigations/investigation.mappers';

const MAX_REASON = 2000;

function validReason(reason: string): string {
  const r = (reason ?? '').trim();
  if (r === '') throw badInput([{ path: 'reason', message: 'must not be empty' }]);
  if (r.length > MAX_REASON) throw badInput([{ path: 'reason', message: `must be at most ${MAX_REASON} characters` }]);
  return r;
}

/**
 * Human decisions on approval requests (spec §4.8). The rules (proposer, distinct approvers, required
 * approvals, guarded updates, what the investigation does next) live in
 * src/engine/runtime/approval-decisions.ts, shared with the approval timeouts.
 */
export class ApprovalActionService {
  constructor(private readonly deps: ApprovalDeps) {}

  /**
   * Approves an approval request of the caller's tenant. High-risk requests need a second, different
   * approver; the last required approval moves the investigation on (responding) when nothing else is open.
   * A critical action (`requiresAcknowledgement`) needs `acknowledgeCritical` (BAD_USER_INPUT otherwise).
   */
  async approve(scope: Scope, id: string, reason: string, acknowledgeCritical = false): Promise<ApprovalNode> {
    return toApprovalNode(await decideApproval(this.deps, scope, id, 'approved', validReason(reason), { acknowledgeCritical }));
  }

  /** Rejects an approval request; once nothing else is open, the investigation closes as rejected. */
  async reject(scope: Scope, id: string, reason: string): Promise<ApprovalNode> {
    return toApprovalNode(await decideApproval(this.deps, scope, id, 'rejected', validReason(reason)));
  }
}
