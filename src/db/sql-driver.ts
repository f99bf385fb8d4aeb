import type { PGlite } from '@electric-sql/pglite';
import type { Client as PgClient, Pool } from 'pg';

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

/**
 * The part of a transaction that audit appends and the group-committed hot paths use: raw statements.
 * A Prisma interactive-transaction client is one; so is a plain node-postgres transaction
 * ({@link pgSqlTransaction}), which group commits use on server PostgreSQL.
 */
export interface SqlTx {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  /**
   * Server PostgreSQL (node-postgres) only: runs `query` as the connection's named prepared statement
   * `name` (parsed once per connection; one name, one SQL text). Callers fall back to the raw methods.
   */
  $queryNamed?<T = Record<string, unknown>>(name: string, query: string, values: unknown[]): Promise<{ rows: T[]; rowCount: number }>;
}

/** Runs `fn` in one transaction on one connection: commits when it resolves, rolls back when it throws. */
export type SqlTransactionRunner = <T>(fn: (tx: SqlTx) => Promise<T>, timeoutMs: number) => Promise<T>;

/**
 * {@link SqlTransactionRunner} on a node-postgres pool: BEGIN … COMMIT on one pooled connection, without
 * Prisma's interactive-transaction machinery. After `timeoutMs` the call rejects (as a Prisma transaction
 * times out), the backend is terminated (PostgreSQL rolls the transaction back and releases its locks) and
 * the connection is dropped from the pool.
 */
export function pgSqlTransaction(pool: Pool): SqlTransactionRunner {
  return async <T>(fn: (tx: SqlTx) => Promise<T>, timeoutMs: number): Promise<T> => {
    const client = await pool.connect();
    let broken = false;
    let timer: NodeJS.Timeout | undefined;
    const tx: SqlTx = {
      async $queryRawUnsafe<R>(query: string, ...values: unknown[]) {
        return (await client.query(query, values)).rows as R;
      },
      async $executeRawUnsafe(query: string, ...values: unknown[]) {
        return (await client.query(query, values)).rowCount ?? 0;
      },
      async $queryNamed<R>(name: string, text: string, values: unknown[]) {
        const res = await client.query({ name, text, values });
        return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
      },
    };
    try {
      await client.query('BEGIN');
      const work = fn(tx);
      work.catch(() => undefined); // settled below or abandoned on timeout
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          broken = true;
          reject(new Error(`Transaction timed out after ${timeoutMs} ms`));
          // A closed socket is only noticed by a backend that is waiting for the client, not by one that is
          // still running a statement (or waiting for a lock): end the backend, which rolls the transaction
          // back and releases its locks at once.
          const pid = (client as unknown as { processID?: number }).processID;
          if (pid) void pool.query('SELECT pg_terminate_backend($1)', [pid]).catch(() => undefined);
        }, timeoutMs);
      });
      const result = await Promise.race([work, timeout]);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      clearTimeout(timer);
      client.release(broken || undefined);
    }
  };
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
