import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { givenFields, mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { type FieldError, badInput, notFound } from '../../errors/domain-error';
import type { CreateFpPatternInput, FpPatternFilter } from './fp-pattern.inputs';
import { patternIdsByAlertNameContains } from './fp-pattern.queries';
import { validateEntityPatterns, validateRegex } from './fp-pattern.validation';

export type FpPatternRow = Prisma.FpPatternGetPayload<object>;

/** The FP pattern as the API shows it: parsed conditions, empty governance strings as null. */
export interface FpPatternNode extends Omit<FpPatternRow, 'conditions' | 'createdBy' | 'approvedBy' | 'approvedBy1' | 'approvedBy2' | 'reaffirmedBy' | 'scopeRuleFamily' | 'scopeTenantId' | 'scopeAssetClass' | 'tenantId'> {
  conditions: { alertNameRegex: string; entityPatterns: { entityType: string; valueRegex: string | null; valueCidr: string | null }[] };
  createdBy: string | null;
  approvedBy: string | null;
  approvedBy1: string | null;
  approvedBy2: string | null;
  reaffirmedBy: string | null;
  scopeRuleFamily: string | null;
  scopeTenantId: string | null;
  scopeAssetClass: string | null;
}

const ORDER: SortKey<FpPatternRow>[] = [
  { field: 'createdAt', direction: 'desc', value: (r) => r.createdAt },
  { field: 'patternId', direction: 'asc', value: (r) => r.patternId },
];

const orNull = (v: string) => (v === '' ? null : v);

/** Maps a stored row (snake_case JSON conditions, '' defaults) to the API shape. */
export function toFpPatternNode(row: FpPatternRow): FpPatternNode {
  const c = (row.conditions ?? {}) as { alert_name_regex?: unknown; entity_patterns?: unknown };
  const entities = Array.isArray(c.entity_patterns) ? (c.entity_patterns as Record<string, unknown>[]) : [];
  const { tenantId: _t, ...rest } = row;
  return {
    ...rest,
    conditions: {
      alertNameRegex: typeof c.alert_name_regex === 'string' ? c.alert_name_regex : '',
      entityPatterns: entities.map((e) => ({
        entityType: String(e.entity_type ?? ''),
        valueRegex: typeof e.value_regex === 'string' ? e.value_regex : null,
        valueCidr: typeof e.value_cidr === 'string' ? e.value_cidr : null,
      })),
    },
    createdBy: orNull(row.createdBy),
    approvedBy: orNull(row.approvedBy),
    approvedBy1: orNull(row.approvedBy1),
    approvedBy2: orNull(row.approvedBy2),
    reaffirmedBy: orNull(row.reaffirmedBy),
    scopeRuleFamily: orNull(row.scopeRuleFamily),
    scopeTenantId: orNull(row.scopeTenantId),
    scopeAssetClass: orNull(row.scopeAssetClass),
  };
}

function scopeField(errors: FieldError[], path: string, v: string | null | undefined): string {
  const s = (v ?? '').trim();
  if (s.length > 100) errors.push({ path, message: 'at most 100 characters' });
  return s;
}

/** False-positive patterns of the caller's tenant: reads and creation. Governance lives in FpPatternGovernanceService. */
export class FpPatternService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /** One pattern of the caller's tenant (another tenant's is NOT_FOUND). */
  async pattern(scope: Scope, patternId: string): Promise<FpPatternNode> {
    const row = await this.prisma.fpPattern.findFirst({ where: { patternId, tenantId: scope.tenantId } });
    if (!row) throw notFound('FpPattern', patternId);
    return toFpPatternNode(row);
  }

  /** Patterns of the caller's tenant, newest first, filtered. */
  async patterns(scope: Scope, filter: FpPatternFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<FpPatternNode>> {
    const f = filter ?? {};
    const and: Prisma.FpPatternWhereInput[] = [{ tenantId: scope.tenantId }];
    if (f.status) and.push({ status: f.status });
    if (f.search) and.push({ patternName: { contains: f.search, mode: 'insensitive' } });
    if (f.scopeRuleFamily != null) and.push({ scopeRuleFamily: f.scopeRuleFamily });
    if (f.scopeAssetClass != null) and.push({ scopeAssetClass: f.scopeAssetClass });
    if (f.createdFrom) and.push({ createdAt: { gte: f.createdFrom } });
    if (f.createdTo) and.push({ createdAt: { lt: f.createdTo } });
    if (f.alertName) and.push({ patternId: { in: await patternIdsByAlertNameContains(this.prisma, scope.tenantId, f.alertName) } });
    return paginate(this.prisma.fpPattern, { AND: and }, ORDER, page, toFpPatternNode);
  }

  /**
   * Creates a pattern in `pending_review` with created_by = the caller (who can then never approve it).
   * Conditions are validated: regexes compile, are short and free of catastrophic shapes; each entity pattern
   * has a known entity type and exactly one of a regex or a valid CIDR; the threshold lies in [0.5, 1].
   */
  async create(scope: Scope, input: CreateFpPatternInput): Promise<FpPatternNode> {
    const errors: FieldError[] = [];
    const name = input.patternName.trim();
    if (name === '') errors.push({ path: 'input.patternName', message: 'must not be empty' });
    if (name.length > 200) errors.push({ path: 'input.patternName', message: 'at most 200 characters' });
    const alertNames = [...new Set(input.alertNames.map((a) => a.trim()))];
    if (alertNames.length === 0) errors.push({ path: 'input.alertNames', message: 'at least one alert name' });
    if (alertNames.length > 50) errors.push({ path: 'input.alertNames', message: 'at most 50 alert names' });
    input.alertNames.forEach((a, i) => {
      if (a.trim() === '' || a.length > 500) errors.push({ path: `input.alertNames[${i}]`, message: 'must be 1–500 characters' });
    });
    validateRegex(errors, 'input.conditions.alertNameRegex', input.conditions.alertNameRegex);
    const entities = input.conditions.entityPatterns ?? [];
    validateEntityPatterns(errors, 'input.conditions.entityPatterns', entities);
    const threshold = input.confidenceThreshold ?? 0.9;
    if (!Number.isFinite(threshold) || threshold < 0.5 || threshold > 1) {
      errors.push({ path: 'input.confidenceThreshold', message: 'must be between 0.5 and 1' });
    }
    const scopeRuleFamily = scopeField(errors, 'input.scopeRuleFamily', input.scopeRuleFamily);
    const scopeAssetClass = scopeField(errors, 'input.scopeAssetClass', input.scopeAssetClass);
    if (errors.length) throw badInput(errors);
    const conditions = {
      alert_name_regex: input.conditions.alertNameRegex,
      entity_patterns: entities.map((e) =>
        e.valueRegex != null ? { entity_type: e.entityType, value_regex: e.valueRegex } : { entity_type: e.entityType, value_cidr: e.valueCidr },
      ),
    };
    const row = await this.audit.run(scope, async (tx) => {
      const created = await tx.fpPattern.create({
        data: {
          patternId: `fp-${randomUUID()}`,
          tenantId: scope.tenantId,
          patternName: name,
          alertNames,
          conditions,
          confidenceThreshold: threshold,
          autoClose: input.autoClose ?? true,
          status: 'pending_review',
          createdBy: scope.actor,
          scopeRuleFamily,
          scopeAssetClass,
        },
      });
      const event = mutationEvent('fp_pattern.created', {
        entity: 'fp_pattern',
        entityId: created.patternId,
        action: 'created',
        fields: givenFields(input),
        context: { pattern_name: created.patternName, alert_names: created.alertNames, auto_close: created.autoClose },
        decision: { decision_type: 'fp_pattern_proposed', confidence: created.confidenceThreshold },
        outcome: { state_after: created.status },
      });
      return { result: created, events: [event] };
    });
    return toFpPatternNode(row);
  }
}
