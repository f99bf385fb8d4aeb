import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { badInput, type FieldError, notFound } from '../../errors/domain-error';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { type SeriesShape, tenantSeriesPage, timeRangeWhere } from '../telemetry/time-series.query';

type RecordRow = Prisma.AuditRecordGetPayload<object>;
type VerificationRow = Prisma.AuditVerificationLogGetPayload<object>;
type HeadRow = Prisma.AuditChainStateGetPayload<object>;

export type AuditRecordNode = Omit<RecordRow, 'sequenceNumber' | 'tenantId'> & { sequenceNumber: number };
export type AuditVerificationNode = Omit<VerificationRow, 'id' | 'recordsChecked' | 'fromSequence' | 'toSequence' | 'firstBrokenSequence' | 'tenantId'> & {
  id: string;
  recordsChecked: number;
  fromSequence: number;
  toSequence: number;
  firstBrokenSequence: number | null;
};
export type AuditChainHeadNode = Omit<HeadRow, 'lastSequence' | 'tenantId'> & { lastSequence: number };

export interface AuditRecordFilterArgs {
  categories?: string[] | null;
  eventTypes?: string[] | null;
  severities?: string[] | null;
  actorId?: string | null;
  investigationId?: string | null;
  alertId?: string | null;
  from?: Date | null;
  to?: Date | null;
  fromSequence?: number | null;
  toSequence?: number | null;
}

export interface AuditVerificationFilterArgs {
  verificationTypes?: string[] | null;
  chainValid?: boolean | null;
  from?: Date | null;
  to?: Date | null;
}

/** Chain order. The primary key is (tenant, sequence, timestamp); timestamp only breaks impossible ties. */
const RECORD_ORDER: SortKey<RecordRow>[] = [
  { field: 'sequenceNumber', direction: 'asc', value: (r) => r.sequenceNumber },
  { field: 'timestamp', direction: 'asc', value: (r) => r.timestamp },
];

const VERIFICATION_SHAPE: SeriesShape<VerificationRow> = {
  timeField: 'verifiedAt',
  idField: 'id',
  time: (r) => r.verifiedAt,
  id: (r) => r.id,
};

export function toRecordNode(row: RecordRow): AuditRecordNode {
  const { tenantId: _t, ...rest } = row;
  return { ...rest, sequenceNumber: Number(row.sequenceNumber) };
}

function toVerificationNode(row: VerificationRow): AuditVerificationNode {
  const { tenantId: _t, ...rest } = row;
  return {
    ...rest,
    id: row.id.toString(),
    recordsChecked: Number(row.recordsChecked),
    fromSequence: Number(row.fromSequence),
    toSequence: Number(row.toSequence),
    firstBrokenSequence: row.firstBrokenSequence === null ? null : Number(row.firstBrokenSequence),
  };
}

function recordWhere(scope: Scope, f: AuditRecordFilterArgs): Prisma.AuditRecordWhereInput {
  const errors: FieldError[] = [];
  for (const k of ['fromSequence', 'toSequence'] as const) {
    const v = f[k];
    if (v != null && v < 0) errors.push({ path: `filter.${k}`, message: 'must not be negative' });
  }
  if (f.fromSequence != null && f.toSequence != null && f.fromSequence > f.toSequence) {
    errors.push({ path: 'filter.toSequence', message: 'must not be below fromSequence' });
  }
  if (f.eventTypes && f.eventTypes.length > 100) errors.push({ path: 'filter.eventTypes', message: 'at most 100 event types' });
  if (errors.length) throw badInput(errors);
  const seq: Prisma.BigIntFilter = {
    ...(f.fromSequence != null ? { gte: BigInt(f.fromSequence) } : {}),
    ...(f.toSequence != null ? { lte: BigInt(f.toSequence) } : {}),
  };
  return {
    ...timeRangeWhere('timestamp', f),
    ...(f.categories?.length ? { eventCategory: { in: f.categories } } : {}),
    ...(f.eventTypes?.length ? { eventType: { in: f.eventTypes } } : {}),
    ...(f.severities?.length ? { severity: { in: f.severities } } : {}),
    ...(f.actorId ? { actorId: f.actorId } : {}),
    ...(f.investigationId ? { investigationId: f.investigationId } : {}),
    ...(f.alertId ? { alertId: f.alertId } : {}),
    ...(Object.keys(seq).length ? { sequenceNumber: seq } : {}),
    tenantId: scope.tenantId,
  };
}

/**
 * Read access to the caller's tenant's audit trail (approver and admin: the spec's audit_reader). Writing
 * the chain belongs to src/audit; nothing here appends or changes records.
 */
export class AuditLogService {
  constructor(private readonly prisma: PrismaClient) {}

  /** Audit records of the caller's tenant in chain order (sequence ascending), filtered. */
  records(scope: Scope, filter: AuditRecordFilterArgs | null | undefined, page: PageArgs): Promise<ConnectionShape<AuditRecordNode>> {
    return paginate(this.prisma.auditRecord, recordWhere(scope, filter ?? {}), RECORD_ORDER, page, toRecordNode);
  }

  /** The record at `sequenceNumber` in the caller's tenant's chain; NOT_FOUND when there is none. */
  async record(scope: Scope, sequenceNumber: number): Promise<AuditRecordNode> {
    if (sequenceNumber < 0) throw badInput([{ path: 'sequenceNumber', message: 'must not be negative' }]);
    const row = await this.prisma.auditRecord.findFirst({
      where: { tenantId: scope.tenantId, sequenceNumber: BigInt(sequenceNumber) },
      orderBy: { timestamp: 'asc' },
    });
    if (!row) throw notFound('AuditRecord', String(sequenceNumber));
    return toRecordNode(row);
  }

  /** Head of the caller's tenant's chain, or null before the first append. */
  async chainHead(scope: Scope): Promise<AuditChainHeadNode | null> {
    const row = await this.prisma.auditChainState.findUnique({ where: { tenantId: scope.tenantId } });
    if (!row) return null;
    const { tenantId: _t, ...rest } = row;
    return { ...rest, lastSequence: Number(row.lastSequence) };
  }

  /** Verification runs over the caller's tenant's chain, newest first. */
  verifications(
    scope: Scope,
    filter: AuditVerificationFilterArgs | null | undefined,
    page: PageArgs,
  ): Promise<ConnectionShape<AuditVerificationNode>> {
    const f = filter ?? {};
    const where = {
      ...(f.verificationTypes?.length ? { verificationType: { in: f.verificationTypes } } : {}),
      ...(f.chainValid != null ? { chainValid: f.chainValid } : {}),
    };
    return tenantSeriesPage(this.prisma.auditVerificationLog, scope, VERIFICATION_SHAPE, f, where, page, toVerificationNode);
  }
}
