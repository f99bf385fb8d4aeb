import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { type FieldError, badInput, notFound } from '../../errors/domain-error';
import type { ApprovalFilter } from './investigation.inputs';
import { type ApprovalNode, type ApprovalRow, toApprovalNode } from './investigation.mappers';

const APPROVAL_ORDER: SortKey<ApprovalRow>[] = [
  { field: 'requestedAt', direction: 'desc', value: (r) => r.requestedAt },
  { field: 'approvalId', direction: 'asc', value: (r) => r.approvalId },
];

/**
 * Human approval requests of the caller's tenant: read side. Deciding (approve/reject, timeouts) comes
 * with the investigation pipeline.
 */
export class ApprovalService {
  constructor(private readonly prisma: PrismaClient) {}

  /** One approval of the caller's tenant; NOT_FOUND for unknown ids and other tenants' rows. */
  async approval(scope: Scope, id: string): Promise<ApprovalNode> {
    const row = await this.prisma.approval.findFirst({ where: { approvalId: id, tenantId: scope.tenantId } });
    if (!row) throw notFound('Approval', id);
    return toApprovalNode(row);
  }

  /** Approvals, newest request first (requestedAt desc, then id). */
  async approvals(scope: Scope, filter: ApprovalFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<ApprovalNode>> {
    const f = filter ?? {};
    const errors: FieldError[] = [];
    (f.riskTiers ?? []).forEach((t, i) => {
      if (!(t >= 0 && t <= 3)) errors.push({ path: `filter.riskTiers[${i}]`, message: 'must be between 0 and 3' });
    });
    if (errors.length) throw badInput(errors);
    const and: Prisma.ApprovalWhereInput[] = [{ tenantId: scope.tenantId }];
    if (f.statuses?.length) and.push({ status: { in: f.statuses } });
    if (f.investigationId) and.push({ investigationId: f.investigationId });
    if (f.riskTiers?.length) and.push({ riskTier: { in: f.riskTiers } });
    if (f.expiringBefore) and.push({ expiresAt: { lt: f.expiringBefore } });
    return paginate(this.prisma.approval, { AND: and }, APPROVAL_ORDER, page, toApprovalNode);
  }
}
