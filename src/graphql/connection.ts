import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from '../errors/domain-error';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field({ description: 'Whether more items follow the last edge.' })
  hasNextPage!: boolean;

  @Field({ description: 'Whether more items precede the first edge.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge.' })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * Builds the `XEdge` and `XConnection` object types for a node type (Relay cursor connection spec).
 * `totalCount` is computed only when selected.
 */
export function Connection<T extends object>(node: ClassType<T>, name: string, description: string) {
  @ObjectType(`${name}Edge`, { description: `An edge in a ${name} connection.` })
  class EdgeType {
    @Field({ description: 'Opaque cursor of this edge.' })
    cursor!: string;

    @Field(() => node, { description: 'The item at the end of the edge.' })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description })
  class ConnectionType {
    @Field(() => [EdgeType], { description: 'The items of this page, in order.' })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Pagination state of this page.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of items matching the filter, across all pages.' })
    totalCount!: number;
  }
  return ConnectionType;
}

/** Relay pagination arguments as every list field takes them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, path: string): unknown[] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length > 0) return v;
  } catch {
    /* fall through */
  }
  throw badInput([{ path, message: 'is not a valid cursor' }]);
}

export interface PagePlan {
  /** Rows to fetch (one more than the page, to learn whether another page exists). */
  take: number;
  direction: 'forward' | 'backward';
  cursor: unknown[] | undefined;
  size: number;
}

/** Validates and normalises Relay arguments: `first` defaults to 50, both `first` and `last` are capped at 500. */
export function planPage(args: PageArgs): PagePlan {
  const errors = [];
  if (args.first != null && args.last != null) errors.push({ path: 'last', message: 'cannot be combined with first' });
  for (const k of ['first', 'last'] as const) {
    const v = args[k];
    if (v != null && (v < 0 || v > MAX_PAGE_SIZE)) {
      errors.push({ path: k, message: `must be between 0 and ${MAX_PAGE_SIZE}` });
    }
  }
  if (args.after != null && args.before != null) errors.push({ path: 'before', message: 'cannot be combined with after' });
  if (errors.length) throw badInput(errors);
  if (args.last != null || (args.before != null && args.first == null)) {
    const size = args.last ?? DEFAULT_PAGE_SIZE;
    return { take: size + 1, direction: 'backward', cursor: args.before ? decodeCursor(args.before, 'before') : undefined, size };
  }
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  return { take: size + 1, direction: 'forward', cursor: args.after ? decodeCursor(args.after, 'after') : undefined, size };
}

export type SortDirection = 'asc' | 'desc';

/** One column of a keyset ordering; the last one must be unique. */
export interface SortKey<Row> {
  field: string;
  direction: SortDirection;
  value: (row: Row) => string | number | boolean | Date | bigint | null;
}

function flip(d: SortDirection): SortDirection {
  return d === 'asc' ? 'desc' : 'asc';
}

function reviveKey(v: unknown): unknown {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v)) return new Date(v);
  if (typeof v === 'string' && /^\d+n$/.test(v)) return BigInt(v.slice(0, -1));
  return v;
}

function freezeKey(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return `${v}n`;
  return v;
}

/**
 * Keyset condition "strictly after `cursor` in this ordering" as a Prisma `where` fragment:
 * (a > x) OR (a = x AND b > y) OR ...
 */
function afterCondition<Row>(keys: SortKey<Row>[], cursor: unknown[], backward: boolean): Record<string, unknown> {
  const or: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i++) {
    const and: Record<string, unknown>[] = [];
    for (let j = 0; j < i; j++) and.push({ [keys[j].field]: reviveKey(cursor[j]) });
    const dir = backward ? flip(keys[i].direction) : keys[i].direction;
    and.push({ [keys[i].field]: { [dir === 'asc' ? 'gt' : 'lt']: reviveKey(cursor[i]) } });
    or.push({ AND: and });
  }
  return { OR: or };
}

/** A Prisma model delegate as far as pagination needs it. */
export interface PageableDelegate<Row> {
  // biome-ignore lint/suspicious/noExplicitAny: Prisma delegates are generic per model; callers pass a typed where.
  findMany(args: any): Promise<Row[]>;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  count(args: any): Promise<number>;
}

/**
 * Keyset (cursor) pagination over any Prisma delegate: stable under concurrent inserts, O(page) per call.
 * Cursors encode the sort key values of the edge's row. `totalCount` is lazy.
 */
export async function paginate<Row, Node = Row>(
  delegate: PageableDelegate<Row>,
  where: Record<string, unknown>,
  keys: SortKey<Row>[],
  args: PageArgs,
  map: (row: Row) => Node = (r) => r as unknown as Node,
): Promise<ConnectionShape<Node>> {
  const plan = planPage(args);
  if (plan.cursor && plan.cursor.length !== keys.length) {
    throw badInput([{ path: plan.direction === 'forward' ? 'after' : 'before', message: 'is not a valid cursor' }]);
  }
  const backward = plan.direction === 'backward';
  const orderBy = keys.map((k) => ({ [k.field]: backward ? flip(k.direction) : k.direction }));
  const pageWhere = plan.cursor ? { AND: [where, afterCondition(keys, plan.cursor, backward)] } : where;
  const rows = plan.size === 0 ? [] : await delegate.findMany({ where: pageWhere, orderBy, take: plan.take });
  const hasMore = rows.length > plan.size;
  const page = rows.slice(0, plan.size);
  if (backward) page.reverse();
  const edges = page.map((row) => ({ cursor: encodeCursor(keys.map((k) => freezeKey(k.value(row)))), node: map(row) }));
  let total: Promise<number> | undefined;
  const result: ConnectionShape<Node> = {
    edges,
    pageInfo: {
      hasNextPage: backward ? Boolean(plan.cursor) : hasMore,
      hasPreviousPage: backward ? hasMore : Boolean(plan.cursor),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: 0,
  };
  // totalCount is a getter-backed promise so the COUNT query runs only when the field is selected.
  Object.defineProperty(result, 'totalCount', {
    enumerable: true,
    get: () => (total ??= delegate.count({ where })),
  });
  return result;
}
