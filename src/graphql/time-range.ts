import type { FieldError } from '../errors/domain-error';

/** A `from`/`to` filter on a list's main timestamp: `from` inclusive, `to` exclusive. */
export interface TimeRange {
  from?: Date | null;
  to?: Date | null;
}

/** Field errors of a time range (`to` before `from`), with paths under `path` (e.g. `filter.to`). */
export function timeRangeErrors(r: TimeRange, path = 'filter'): FieldError[] {
  return r.from && r.to && r.from.getTime() > r.to.getTime() ? [{ path: `${path}.to`, message: 'must not be before from' }] : [];
}

/** The Prisma DateTime condition of a time range, or undefined when neither bound is set. */
export function timeRangeWhere(r: TimeRange): { gte?: Date; lt?: Date } | undefined {
  if (!r.from && !r.to) return undefined;
  return { ...(r.from ? { gte: r.from } : {}), ...(r.to ? { lt: r.to } : {}) };
}
