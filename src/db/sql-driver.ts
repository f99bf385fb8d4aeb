import type { PGlite } from '@electric-sql/pglite';
import type { Client as PgClient } from 'pg';

/** Which PostgreSQL the process talks to: a server (DATABASE_URL) or the embedded PGlite. */
export type DatabaseKind = 'postgres' | 'embedded';

/**
 * The few raw-SQL operations the migration runner and maintenance jobs need, over one connection.
 * Transactions are issued as plain BEGIN/COMMIT on that connection.
 */
export interface SqlDriver {
  readonly kind: DatabaseKind;
  /** Runs one parameterised statement. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script that may hold several statements (simple query protocol). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /** The node-postgres client behind a server connection (for COPY and other driver-level use). */
  readonly pgClient?: PgClient;
}

/**
 * One autocommit statement outside Prisma, for hot paths where Prisma's per-query cost shows (the
 * pipeline's claim and per-step reads). Rows come back as the driver decodes them: cast columns whose
 * JS type differs between drivers (int8, numeric) to int/text/float8 in the SQL.
 */
export type SqlQuery = <T = Record<string, unknown>>(sql: string, params?: unknown[], opts?: SqlQueryOptions) => Promise<T[]>;

export interface SqlQueryOptions {
  /**
   * Prepare the statement once per connection under this name (server PostgreSQL): later executions skip
   * parsing and, once PostgreSQL settles on a generic plan, planning. One name, one SQL text.
   */
  name?: string;
}

/** {@link SqlQuery} through Prisma's raw query (the embedded database's single connection is Prisma's). */
export function prismaSqlQuery(prisma: { $queryRawUnsafe<T>(sql: string, ...params: unknown[]): Promise<T> }): SqlQuery {
  return <T>(sql: string, params: unknown[] = []) => prisma.$queryRawUnsafe<T[]>(sql, ...params);
}

/** Wraps a connected node-postgres client. */
export function pgDriver(client: PgClient, onClose?: () => Promise<void>): SqlDriver {
  return {
    kind: 'postgres',
    pgClient: client,
    async query<T>(sql: string, params?: unknown[]) {
      const res = await client.query(sql, params as unknown[] | undefined);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async close() {
      if (onClose) await onClose();
      else await client.end();
    },
  };
}

/** Wraps a PGlite instance; close() is a no-op because the instance is owned by the Database. */
export function pgliteDriver(db: PGlite): SqlDriver {
  return {
    kind: 'embedded',
    async query<T>(sql: string, params?: unknown[]) {
      const res = await db.query<T>(sql, params as unknown[] | undefined);
      return res.rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async close() {
      /* owned elsewhere */
    },
  };
}
