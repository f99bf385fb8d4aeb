import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { type FieldError, badInput, notFound } from '../../errors/domain-error';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { isIocType, normaliseIocValue } from './ioc-values';
import type { ThreatIntelIocFilter } from './ioc.inputs';

export type IocRow = Prisma.ThreatIntelIocGetPayload<object>;

const IOC_ORDER: SortKey<IocRow>[] = [
  { field: 'createdAt', direction: 'desc', value: (r) => r.createdAt },
  { field: 'docId', direction: 'asc', value: (r) => r.docId },
];

function checkFilter(f: ThreatIntelIocFilter): void {
  const errors: FieldError[] = [];
  for (const k of ['minConfidence', 'maxConfidence'] as const) {
    const v = f[k];
    if (v != null && (v < 0 || v > 100)) errors.push({ path: `filter.${k}`, message: 'must be between 0 and 100' });
  }
  if (f.minConfidence != null && f.maxConfidence != null && f.minConfidence > f.maxConfidence) {
    errors.push({ path: 'filter.maxConfidence', message: 'must not be below minConfidence' });
  }
  if (f.seenFrom && f.seenTo && f.seenFrom.getTime() > f.seenTo.getTime()) {
    errors.push({ path: 'filter.seenTo', message: 'must not be before seenFrom' });
  }
  if (errors.length) throw badInput(errors);
}

/** Exact-value condition: normalised like stored values when the type is known, else case-insensitive. */
function valueCondition(f: ThreatIntelIocFilter, value: string): Prisma.ThreatIntelIocWhereInput {
  const types = f.indicatorTypes ?? [];
  if (types.length === 1 && isIocType(types[0])) {
    const n = normaliseIocValue(types[0], value);
    return { indicatorValue: n.ok ? n.value : value.trim() };
  }
  return { indicatorValue: { equals: value.trim(), mode: 'insensitive' } };
}

/** Threat-intel indicators of the caller's tenant: reads and deletion. Writes live in IocImportService. */
export class IocService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /** One indicator of the caller's tenant; another tenant's (or an unknown) id is NOT_FOUND. */
  async ioc(scope: Scope, id: string): Promise<IocRow> {
    const row = await this.prisma.threatIntelIoc.findFirst({ where: { docId: id, tenantId: scope.tenantId } });
    if (!row) throw notFound('ThreatIntelIoc', id);
    return row;
  }

  /**
   * Indicators of the caller's tenant, newest first. Expired indicators (expiry before now) are left
   * out unless `includeExpired`.
   */
  async list(scope: Scope, filter: ThreatIntelIocFilter | null | undefined, page: PageArgs, now = new Date()): Promise<ConnectionShape<IocRow>> {
    const f = filter ?? {};
    checkFilter(f);
    const and: Prisma.ThreatIntelIocWhereInput[] = [{ tenantId: scope.tenantId }];
    if (f.indicatorTypes?.length) and.push({ indicatorType: { in: f.indicatorTypes } });
    if (f.value?.trim()) and.push(valueCondition(f, f.value));
    if (f.valueContains?.trim()) and.push({ indicatorValue: { contains: f.valueContains.trim(), mode: 'insensitive' } });
    if (f.minConfidence != null || f.maxConfidence != null) {
      and.push({ confidence: { ...(f.minConfidence != null ? { gte: f.minConfidence } : {}), ...(f.maxConfidence != null ? { lte: f.maxConfidence } : {}) } });
    }
    if (f.severities?.length) and.push({ severity: { in: f.severities } });
    if (f.techniqueId?.trim()) and.push({ mitreTechniques: { has: f.techniqueId.trim().toUpperCase() } });
    if (f.campaign) and.push({ associatedCampaigns: { has: f.campaign } });
    if (f.group) and.push({ associatedGroups: { has: f.group } });
    if (f.tag) and.push({ tags: { has: f.tag } });
    if (f.source) and.push({ sources: { has: f.source } });
    if (!f.includeExpired) and.push({ OR: [{ expiry: null }, { expiry: { gte: now } }] });
    if (f.seenFrom) and.push({ OR: [{ lastSeen: { gte: f.seenFrom } }, { lastSeen: null, firstSeen: { gte: f.seenFrom } }] });
    if (f.seenTo) and.push({ OR: [{ firstSeen: { lte: f.seenTo } }, { firstSeen: null, lastSeen: { lte: f.seenTo } }] });
    return paginate(this.prisma.threatIntelIoc, { AND: and }, IOC_ORDER, page);
  }

  /** Deletes one indicator of the caller's tenant and returns it as it was; others' ids are NOT_FOUND. */
  async remove(scope: Scope, id: string): Promise<IocRow> {
    return this.audit.run(scope, async (tx) => {
      const row = await tx.threatIntelIoc.findFirst({ where: { docId: id, tenantId: scope.tenantId } });
      if (!row) throw notFound('ThreatIntelIoc', id);
      await tx.threatIntelIoc.deleteMany({ where: { docId: id, tenantId: scope.tenantId } });
      const event = mutationEvent('knowledge.indexed', {
        entity: 'threat_intel_ioc',
        entityId: row.docId,
        action: 'deleted',
        context: { indicator_type: row.indicatorType },
      });
      return { result: row, events: [event] };
    });
  }
}
