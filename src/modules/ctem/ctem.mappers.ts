import type { Prisma } from '../../generated/prisma/client';
import { isStale, slaStatus } from './ctem.scoring';

export type ExposureRow = Prisma.CtemExposureGetPayload<object>;
export type ValidationRow = Prisma.CtemValidationGetPayload<object>;
export type RemediationRow = Prisma.CtemRemediationGetPayload<object>;

/** An exposure as the API shows it: string id plus the read-time SLA state and staleness. */
export type ExposureNode = Omit<ExposureRow, 'id'> & { id: string; slaStatus: string; stale: boolean };
export type ValidationNode = Omit<ValidationRow, 'id' | 'exposureId'> & { id: string; exposureKey: string };
export type RemediationNode = Omit<RemediationRow, 'id' | 'exposureId'> & { id: string; exposureKey: string };

/** Remediation statuses in which the work is still owed (SLA still running). */
export const OPEN_REMEDIATION_STATUSES = ['Assigned', 'InProgress'];

export function toExposureNode(row: ExposureRow, now: Date = new Date()): ExposureNode {
  return {
    ...row,
    id: row.id.toString(),
    slaStatus: slaStatus(row.slaDeadline, row.status, now),
    stale: isStale(row.updatedAt, now),
  };
}

export function toValidationNode(row: ValidationRow): ValidationNode {
  const { exposureId, ...rest } = row;
  return { ...rest, id: row.id.toString(), exposureKey: exposureId };
}

export function toRemediationNode(row: RemediationRow, now: Date = new Date()): RemediationNode {
  const { exposureId, ...rest } = row;
  const pastDeadline = row.slaDeadline !== null && row.slaDeadline.getTime() < now.getTime();
  return {
    ...rest,
    id: row.id.toString(),
    exposureKey: exposureId,
    slaBreached: row.slaBreached || (pastDeadline && OPEN_REMEDIATION_STATUSES.includes(row.status)),
  };
}

/** Largest value of a PostgreSQL BIGINT; larger numeric ids cannot exist. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * Reads an exposure reference: a numeric row id and/or a 16-hex exposure key. Returns the Prisma
 * conditions to try (an all-digit 16-character string may be either, so both are tried).
 */
export function exposureRefConditions(ref: string): Prisma.CtemExposureWhereInput[] {
  const s = ref.trim();
  const out: Prisma.CtemExposureWhereInput[] = [];
  if (/^[0-9a-f]{16}$/.test(s)) out.push({ exposureKey: s });
  if (/^\d{1,19}$/.test(s) && BigInt(s) <= MAX_BIGINT) out.push({ id: BigInt(s) });
  return out;
}

/** Same for validations/remediations: numeric row id only. */
export function numericId(ref: string): bigint | undefined {
  const s = ref.trim();
  return /^\d{1,19}$/.test(s) && BigInt(s) <= MAX_BIGINT ? BigInt(s) : undefined;
}
