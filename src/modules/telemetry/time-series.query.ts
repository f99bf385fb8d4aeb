import type { Scope } from '../../auth/scope';
import { badInput } from '../../errors/domain-error';
import { type ConnectionShape, type PageArgs, type PageableDelegate, type SortKey, paginate } from '../../graphql/connection';

/** A time range as every platform filter takes it: `from` inclusive, `to` exclusive. */
export interface TimeRange {
  from?: Date | null;
  to?: Date | null;
}

/** A Prisma delegate as far as tenant time-series reads need it. */
export interface SeriesDelegate<Row> extends PageableDelegate<Row> {
  // biome-ignore lint/suspicious/noExplicitAny: Prisma delegates are generic per model; callers pass a typed where.
  findFirst(args: any): Promise<Row | null>;
}

/** How a tenant-owned time series is stored: its timestamp column and its unique id column. */
export interface SeriesShape<Row> {
  timeField: string;
  idField: string;
  time: (row: Row) => Date;
  id: (row: Row) => bigint | string;
}

/** The ten ATLAS telemetry tables, inference_logs and the other BIGSERIAL logs: `ts` + BigInt `id`. */
export const TS_ID_SHAPE: SeriesShape<{ ts: Date; id: bigint }> = {
  timeField: 'ts',
  idField: 'id',
  time: (r) => r.ts,
  id: (r) => r.id,
};

/**
 * Prisma condition for a time range on `field`; BAD_USER_INPUT at `<path>.to` (`to` when path is '') when
 * the range is inverted. Returns an empty fragment when neither bound is given.
 */
export function timeRangeWhere(field: string, range: TimeRange | null | undefined, path = 'filter'): Record<string, unknown> {
  const from = range?.from ?? undefined;
  const to = range?.to ?? undefined;
  if (from && to && from.getTime() > to.getTime()) throw badInput([{ path: path ? `${path}.to` : 'to', message: 'must not be before from' }]);
  if (!from && !to) return {};
  return { [field]: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } };
}

/** Equality conditions for the given filter fields that are set (null/undefined/'' mean "any"). */
export function equalsWhere<F extends object>(filter: F | null | undefined, fields: readonly (keyof F & string)[]): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  for (const f of fields) {
    const v = filter?.[f];
    if (v !== undefined && v !== null && v !== '') where[f] = v;
  }
  return where;
}

/** BigInt row id → GraphQL ID string. */
export function withStringId<Row extends { id: bigint }>(row: Row): Omit<Row, 'id'> & { id: string } {
  return { ...row, id: row.id.toString() };
}

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** Parses a BigInt id argument; BAD_USER_INPUT at `path` when it is not a non-negative integer. */
export function parseBigIntId(id: string, path = 'id'): bigint {
  if (!/^\d{1,19}$/.test(id) || BigInt(id) > MAX_BIGINT) throw badInput([{ path, message: 'must be a numeric id' }]);
  return BigInt(id);
}

/**
 * One page of a tenant-owned time series, newest first (time desc, id desc: the id makes the order
 * total). `where` holds the caller's extra conditions; the tenant condition always comes from the scope.
 */
export function tenantSeriesPage<Row, Node>(
  delegate: PageableDelegate<Row>,
  scope: Scope,
  shape: SeriesShape<Row>,
  range: TimeRange | null | undefined,
  where: Record<string, unknown>,
  page: PageArgs,
  map: (row: Row) => Node,
): Promise<ConnectionShape<Node>> {
  const order: SortKey<Row>[] = [
    { field: shape.timeField, direction: 'desc', value: shape.time },
    { field: shape.idField, direction: 'desc', value: shape.id },
  ];
  const full = { ...where, ...timeRangeWhere(shape.timeField, range), tenantId: scope.tenantId };
  return paginate(delegate, full, order, page, map);
}
