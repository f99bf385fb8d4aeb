import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { timeRangeErrors, timeRangeWhere } from '../../graphql/time-range';
import { type FieldError, badInput, notFound } from '../../errors/domain-error';
import type { InvestigationFilter } from './investigation.inputs';
import { type InvestigationNode, type InvestigationRow, toInvestigationNode } from './investigation.mappers';

const INVESTIGATION_ORDER: SortKey<InvestigationRow>[] = [
  { field: 'createdAt', direction: 'desc', value: (r) => r.createdAt },
  { field: 'investigationId', direction: 'asc', value: (r) => r.investigationId },
];

/** Investigations (persisted GraphState) of the caller's tenant: read side. */
export class InvestigationService {
  constructor(private readonly prisma: PrismaClient) {}

  /** One investigation of the caller's tenant; NOT_FOUND for unknown ids and other tenants' rows. */
  async investigation(scope: Scope, id: string): Promise<InvestigationNode> {
    const row = await this.prisma.investigationState.findFirst({ where: { investigationId: id, tenantId: scope.tenantId } });
    if (!row) throw notFound('Investigation', id);
    return toInvestigationNode(row);
  }

  /** Investigations, newest first (createdAt desc, then id). */
  async investigations(
    scope: Scope,
    filter: InvestigationFilter | null | undefined,
    page: PageArgs,
  ): Promise<ConnectionShape<InvestigationNode>> {
    const f = filter ?? {};
    const errors: FieldError[] = timeRangeErrors(f);
    for (const k of ['minConfidence', 'maxConfidence'] as const) {
      const v = f[k];
      if (v != null && !(v >= 0 && v <= 1)) errors.push({ path: `filter.${k}`, message: 'must be between 0 and 1' });
    }
    if (f.minConfidence != null && f.maxConfidence != null && f.minConfidence > f.maxConfidence) {
      errors.push({ path: 'filter.maxConfidence', message: 'must not be below minConfidence' });
    }
    if (errors.length) throw badInput(errors);
    const and: Prisma.InvestigationStateWhereInput[] = [{ tenantId: scope.tenantId }];
    if (f.states?.length) and.push({ state: { in: f.states } });
    if (f.severities?.length) and.push({ severity: { in: f.severities } });
    if (f.classifications?.length) and.push({ classification: { in: f.classifications } });
    if (f.minConfidence != null) and.push({ confidence: { gte: f.minConfidence } });
    if (f.maxConfidence != null) and.push({ confidence: { lte: f.maxConfidence } });
    if (f.source) and.push({ source: f.source });
    // The alert is always the caller's own (same tenant); the tenant condition is repeated for the planner.
    if (f.techniqueId) and.push({ alert: { tenantId: scope.tenantId, techniques: { has: f.techniqueId } } });
    if (f.search) and.push({ title: { contains: f.search, mode: 'insensitive' } });
    const created = timeRangeWhere(f);
    if (created) and.push({ createdAt: created });
    return paginate(this.prisma.investigationState, { AND: and }, INVESTIGATION_ORDER, page, toInvestigationNode);
  }
}
