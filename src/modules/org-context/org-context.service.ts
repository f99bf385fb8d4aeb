import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../../generated/prisma/client';
import { givenFields, mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { type FieldError, badInput, notFound } from '../../errors/domain-error';
import { translateDbError } from '../../errors/prisma-errors';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import type { OrgContextFilter, UpsertOrgContextInput } from './org-context.inputs';

export type OrgContextRow = Prisma.OrgContextGetPayload<object>;

/** The criticality vocabulary (lower case, as stored). */
export const CRITICALITIES = ['critical', 'high', 'medium', 'low'] as const;
const ENTITY_TYPE_RE = /^[a-z][a-z0-9_-]{0,63}$/;
const MAX_NAME = 512;
const MAX_TEXT = 1000;
const MAX_LIST = 200;
const MAX_RULES_BYTES = 64 * 1024;

const ORDER: SortKey<OrgContextRow>[] = [
  { field: 'entityName', direction: 'asc', value: (r) => r.entityName },
  { field: 'docId', direction: 'asc', value: (r) => r.docId },
];

type Data = Omit<Prisma.OrgContextUncheckedCreateInput, 'docId' | 'tenantId'>;

function text(v: string | null | undefined, path: string, errors: FieldError[]): string | null | undefined {
  if (v === undefined) return undefined;
  const t = v?.trim() || null;
  if (t && t.length > MAX_TEXT) errors.push({ path, message: `at most ${MAX_TEXT} characters` });
  return t;
}

function list(v: string[] | null | undefined, path: string, errors: FieldError[]): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v ?? [];
  if (items.length > MAX_LIST) errors.push({ path, message: `at most ${MAX_LIST} items` });
  items.forEach((s, i) => {
    if (!s.trim()) errors.push({ path: `${path}[${i}]`, message: 'must not be empty' });
    else if (s.length > MAX_TEXT) errors.push({ path: `${path}[${i}]`, message: `at most ${MAX_TEXT} characters` });
  });
  return [...new Set(items.map((s) => s.trim()).filter(Boolean))];
}

/** Validates the input into column values; undefined means "not given" (keep stored value). */
function validate(input: UpsertOrgContextInput): { data: Data; entityType: string; entityName: string } {
  const errors: FieldError[] = [];
  const entityType = input.entityType.trim().toLowerCase();
  if (!ENTITY_TYPE_RE.test(entityType)) {
    errors.push({ path: 'input.entityType', message: 'lower-case letters, digits, _ or -, starting with a letter (at most 64)' });
  }
  const entityName = input.entityName.trim();
  if (!entityName) errors.push({ path: 'input.entityName', message: 'must not be empty' });
  if (entityName.length > MAX_NAME) errors.push({ path: 'input.entityName', message: `at most ${MAX_NAME} characters` });
  if (input.criticality != null && !(CRITICALITIES as readonly string[]).includes(input.criticality)) {
    errors.push({ path: 'input.criticality', message: `must be one of ${CRITICALITIES.join(', ')}` });
  }
  const rules = input.alertSuppressionRules;
  if (rules !== undefined && rules !== null) {
    if (typeof rules !== 'object') errors.push({ path: 'input.alertSuppressionRules', message: 'must be a JSON object or array' });
    else if (JSON.stringify(rules).length > MAX_RULES_BYTES) errors.push({ path: 'input.alertSuppressionRules', message: 'at most 64 KB' });
  }
  const data: Data = {
    entityType,
    entityName,
    criticality: input.criticality === null ? 'medium' : input.criticality,
    role: text(input.role, 'input.role', errors),
    networkSegment: text(input.networkSegment, 'input.networkSegment', errors),
    owner: text(input.owner, 'input.owner', errors),
    businessUnit: text(input.businessUnit, 'input.businessUnit', errors),
    maintenanceWindow: text(input.maintenanceWindow, 'input.maintenanceWindow', errors),
    normalServices: list(input.normalServices, 'input.normalServices', errors),
    normalAdminUsers: list(input.normalAdminUsers, 'input.normalAdminUsers', errors),
    tags: list(input.tags, 'input.tags', errors),
    alertSuppressionRules:
      rules === undefined ? undefined : rules === null ? Prisma.DbNull : (rules as Prisma.InputJsonValue),
  };
  if (errors.length) throw badInput(errors);
  return { data, entityType, entityName };
}

/** Organisational context (org_context) of the caller's tenant. */
export class OrgContextService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /** One record of the caller's tenant; another tenant's id is NOT_FOUND. */
  async get(scope: Scope, id: string): Promise<OrgContextRow> {
    const row = await this.prisma.orgContext.findFirst({ where: { docId: id, tenantId: scope.tenantId } });
    if (!row) throw notFound('OrgContext', id);
    return row;
  }

  /** Records of the caller's tenant ordered by entity name. */
  async list(scope: Scope, filter: OrgContextFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<OrgContextRow>> {
    const f = filter ?? {};
    const where: Prisma.OrgContextWhereInput = {
      tenantId: scope.tenantId,
      ...(f.entityType?.trim() ? { entityType: f.entityType.trim().toLowerCase() } : {}),
      ...(f.criticalities?.length ? { criticality: { in: f.criticalities } } : {}),
      ...(f.search?.trim() ? { entityName: { contains: f.search.trim(), mode: 'insensitive' } } : {}),
      ...(f.tag ? { tags: { has: f.tag } } : {}),
    };
    return paginate(this.prisma.orgContext, where, ORDER, page);
  }

  /**
   * Creates or updates a record: by `id` (NOT_FOUND when it is not the caller's), else by (entity type,
   * entity name) case-insensitively. The natural key is unique (index org_context_tenant_entity_key on
   * (tenant_id, entity_type, lower(entity_name))): INSERT ... ON CONFLICT either creates the row or locks the
   * existing one, so concurrent upserts of the same entity end with one record. Renaming a record (by id)
   * onto another record's natural key is a CONFLICT.
   */
  async upsert(scope: Scope, input: UpsertOrgContextInput): Promise<OrgContextRow> {
    const { data, entityType, entityName } = validate(input);
    const fields = givenFields(input, ['id'], true);
    const event = (row: OrgContextRow, action: string) =>
      mutationEvent('config.changed', { entity: 'org_context', entityId: row.docId, action, fields, context: { entity_type: row.entityType } });
    return this.audit
      .run(scope, async (tx) => {
        let docId: string;
        let created = false;
        if (input.id) {
          const existing = await tx.orgContext.findFirst({ where: { docId: input.id, tenantId: scope.tenantId }, select: { docId: true } });
          if (!existing) throw notFound('OrgContext', input.id);
          docId = existing.docId;
        } else {
          // Inserts a row with the natural key (defaults elsewhere; the update below applies the input), or
          // (DO UPDATE) locks and returns the existing one, waiting for a concurrent inserter to finish.
          const newId = `org-${randomUUID()}`;
          const [row] = await tx.$queryRaw<{ doc_id: string }[]>`
            INSERT INTO org_context (doc_id, tenant_id, entity_type, entity_name)
            VALUES (${newId}, ${scope.tenantId}, ${entityType}, ${entityName})
            ON CONFLICT (tenant_id, entity_type, lower(entity_name)) DO UPDATE SET last_updated = EXCLUDED.last_updated
            RETURNING doc_id`;
          docId = row.doc_id;
          created = docId === newId;
        }
        await tx.orgContext.updateMany({ where: { docId, tenantId: scope.tenantId }, data: { ...data, lastUpdated: new Date() } });
        const row = await tx.orgContext.findFirstOrThrow({ where: { docId, tenantId: scope.tenantId } });
        return { result: row, events: [event(row, created ? 'created' : 'updated')] };
      })
      .catch((err: unknown) => {
        throw translateDbError(err) ?? err;
      });
  }

  /** Deletes a record of the caller's tenant and returns it as it was. */
  async remove(scope: Scope, id: string): Promise<OrgContextRow> {
    return this.audit.run(scope, async (tx) => {
      const row = await tx.orgContext.findFirst({ where: { docId: id, tenantId: scope.tenantId } });
      if (!row) throw notFound('OrgContext', id);
      await tx.orgContext.deleteMany({ where: { docId: id, tenantId: scope.tenantId } });
      const event = mutationEvent('config.changed', { entity: 'org_context', entityId: row.docId, action: 'deleted', context: { entity_type: row.entityType } });
      return { result: row, events: [event] };
    });
  }
}
