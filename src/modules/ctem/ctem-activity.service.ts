import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { badInput, notFound } from '../../errors/domain-error';
import type { CtemRemediationFilter, CtemValidationFilter } from './ctem.inputs';
import {
  OPEN_REMEDIATION_STATUSES,
  type RemediationNode,
  type RemediationRow,
  type ValidationNode,
  type ValidationRow,
  exposureRefConditions,
  numericId,
  toRemediationNode,
  toValidationNode,
} from './ctem.mappers';
import { timeRangeErrors, timeRangeWhere } from '../../graphql/time-range';

const VALIDATION_ORDER: SortKey<ValidationRow>[] = [
  { field: 'ts', direction: 'desc', value: (r) => r.ts },
  { field: 'id', direction: 'desc', value: (r) => r.id },
];
const REMEDIATION_ORDER: SortKey<RemediationRow>[] = [
  { field: 'ts', direction: 'desc', value: (r) => r.ts },
  { field: 'id', direction: 'desc', value: (r) => r.id },
];

/** CTEM validations and remediations of the caller's tenant (read side). */
export class CtemActivityService {
  constructor(private readonly prisma: PrismaClient) {}

  /** One validation by numeric id or validationId; NOT_FOUND for unknown ids and other tenants' rows. */
  async validation(scope: Scope, ref: string): Promise<ValidationNode> {
    const id = numericId(ref);
    const rows = await this.prisma.ctemValidation.findMany({
      where: { tenantId: scope.tenantId, OR: [...(id !== undefined ? [{ id }] : []), { validationId: ref }] },
      take: 2,
    });
    const row = rows.find((r) => r.id === id) ?? rows[0];
    if (!row) throw notFound('CtemValidation', ref);
    return toValidationNode(row);
  }

  /** Validations, newest first (ts desc, id desc). */
  async validations(scope: Scope, filter: CtemValidationFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<ValidationNode>> {
    const f = filter ?? {};
    const errors = timeRangeErrors(f);
    if (errors.length) throw badInput(errors);
    const and: Prisma.CtemValidationWhereInput[] = [{ tenantId: scope.tenantId }];
    if (f.exposure != null) and.push({ exposureId: { in: await this.exposureKeys(scope, f.exposure) } });
    if (f.campaignId) and.push({ campaignId: f.campaignId });
    if (f.validationTypes?.length) and.push({ validationType: { in: f.validationTypes } });
    if (f.exploitable != null) and.push({ exploitable: f.exploitable });
    if (f.detectionEvaded != null) and.push({ detectionEvaded: f.detectionEvaded });
    const ts = timeRangeWhere(f);
    if (ts) and.push({ ts });
    return paginate(this.prisma.ctemValidation, { AND: and }, VALIDATION_ORDER, page, toValidationNode);
  }

  /** One remediation by numeric id or remediationId; NOT_FOUND for unknown ids and other tenants' rows. */
  async remediation(scope: Scope, ref: string): Promise<RemediationNode> {
    const id = numericId(ref);
    const rows = await this.prisma.ctemRemediation.findMany({
      where: { tenantId: scope.tenantId, OR: [...(id !== undefined ? [{ id }] : []), { remediationId: ref }] },
      take: 2,
    });
    const row = rows.find((r) => r.id === id) ?? rows[0];
    if (!row) throw notFound('CtemRemediation', ref);
    return toRemediationNode(row);
  }

  /** Remediations, newest first (ts desc, id desc). */
  async remediations(scope: Scope, filter: CtemRemediationFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<RemediationNode>> {
    const f = filter ?? {};
    const errors = timeRangeErrors(f);
    if (errors.length) throw badInput(errors);
    const now = new Date();
    const and: Prisma.CtemRemediationWhereInput[] = [{ tenantId: scope.tenantId }];
    if (f.exposure != null) and.push({ exposureId: { in: await this.exposureKeys(scope, f.exposure) } });
    if (f.statuses?.length) and.push({ status: { in: f.statuses } });
    if (f.assignedTo) and.push({ assignedTo: f.assignedTo });
    const ts = timeRangeWhere(f);
    if (ts) and.push({ ts });
    // Same rule as the slaBreached field: flagged by the SLA job, or overdue while the work is still owed.
    // The negation is spelled out: a NULL deadline would make NOT(...) NULL and drop the row.
    if (f.slaBreached === true) {
      and.push({ OR: [{ slaBreached: true }, { slaDeadline: { lt: now }, status: { in: OPEN_REMEDIATION_STATUSES } }] });
    }
    if (f.slaBreached === false) {
      and.push({
        slaBreached: false,
        OR: [{ slaDeadline: null }, { slaDeadline: { gte: now } }, { status: { notIn: OPEN_REMEDIATION_STATUSES } }],
      });
    }
    return paginate(this.prisma.ctemRemediation, { AND: and }, REMEDIATION_ORDER, page, (r) => toRemediationNode(r, now));
  }

  /** Exposure keys (of the caller's tenant) a filter reference denotes: an exposure key or a numeric id. */
  private async exposureKeys(scope: Scope, ref: string): Promise<string[]> {
    const conditions = exposureRefConditions(ref);
    if (conditions.length === 0) return [ref];
    const rows = await this.prisma.ctemExposure.findMany({
      where: { tenantId: scope.tenantId, OR: conditions },
      select: { exposureKey: true },
      take: 2,
    });
    return rows.length ? rows.map((r) => r.exposureKey) : [ref];
  }
}
