import { promises as fs } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Pool } from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client';
import {
  type DatabaseKind,
  type SqlDriver,
  type SqlQuery,
  type SqlQueryOptions,
  type SqlTransactionRunner,
  pgDriver,
  pgliteDriver,
  pgSqlTransaction,
  prismaSqlQuery,
} from './sql-driver';

export type { DatabaseKind, SqlDriver, SqlQuery };

/** An open database: the Prisma client every service uses, plus raw SQL access for migrations and maintenance. */
export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  /**
   * Autocommit statements outside Prisma: node-postgres on Prisma's own pool (server PostgreSQL), Prisma's
   * raw query on the embedded database (whose single session Prisma owns).
   */
  readonly sql: SqlQuery;
  /** Group-commit transactions outside Prisma (server PostgreSQL); undefined on the embedded database. */
  readonly sqlTransaction?: SqlTransactionRunner;
  /** A dedicated raw-SQL connection (server) or the single embedded connection. Close it when done. */
  sqlDriver(): Promise<SqlDriver>;
  /** Cheap reachability check for readiness probes. */
  ping(): Promise<void>;
  /** Connection pool state (server PostgreSQL only). */
  poolStats(): { total: number; idle: number; waiting: number } | null;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Server PostgreSQL; when absent the embedded database under `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  poolMax?: number;
  /** Embedded only: start from this dumped data directory (tests clone a migrated template this way). */
  loadDataDir?: Blob | File;
  /** Embedded only: keep everything in memory (tests). */
  inMemory?: boolean;
  /** Emit Prisma `query` events (`prisma.$on('query', ...)`), e.g. for tests that count SQL statements. Default off. */
  logQueries?: boolean;
}

function logOption(opts: OpenDatabaseOptions) {
  return opts.logQueries ? { log: [{ emit: 'event' as const, level: 'query' as const }] } : {};
}

/** Opens the database the configuration names. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openServerDatabase(opts.databaseUrl, opts.poolMax ?? 10, opts) : openEmbeddedDatabase(opts);
}

async function openServerDatabase(url: string, poolMax: number, opts: OpenDatabaseOptions): Promise<Database> {
  await ensureServerDatabaseExists(url);
  const pool = new Pool({ connectionString: url, max: poolMax });
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead of crashing
  const prisma: PrismaClient = new PrismaClient({ adapter: new PrismaPg(pool), ...logOption(opts) });
  return {
    kind: 'postgres',
    prisma,
    sqlTransaction: pgSqlTransaction(pool),
    async sql<T>(text: string, params?: unknown[], opts?: SqlQueryOptions) {
      return (await pool.query(opts?.name ? { name: opts.name, text, values: params } : { text, values: params })).rows as T[];
    },
    async sqlDriver() {
      const client = new Client({ connectionString: url });
      // a dedicated connection may sit idle (the kept verification connection): a server-side close must
      // not become an unhandled 'error' event; it surfaces on the next query instead
      client.on('error', () => undefined);
      await client.connect();
      return pgDriver(client);
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    poolStats() {
      return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** Creates the database named in the URL when the server is reachable but the database does not exist yet. */
async function ensureServerDatabaseExists(url: string): Promise<void> {
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    await probe.end();
    return;
  } catch (err) {
    await probe.end().catch(() => undefined);
    if ((err as { code?: string }).code !== '3D000') throw err;
  }
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // created concurrently
  } finally {
    await client.end();
  }
}

async function openEmbeddedDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  let pglite: PGlite;
  if (opts.inMemory || opts.loadDataDir) {
    pglite = new PGlite({ loadDataDir: opts.loadDataDir });
  } else {
    await fs.mkdir(opts.dataDir, { recursive: true });
    pglite = new PGlite(opts.dataDir);
  }
  await pglite.waitReady;
  const prisma: PrismaClient = new PrismaClient({ adapter: new PrismaPGlite(pglite), ...logOption(opts) });
  return {
    kind: 'embedded',
    prisma,
    sql: prismaSqlQuery(prisma),
    async sqlDriver() {
      return pgliteDriver(pglite);
    },
    async ping() {
      await pglite.query('SELECT 1');
    },
    poolStats() {
      return null;
    },
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
