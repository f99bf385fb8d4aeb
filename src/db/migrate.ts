import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SqlDriver } from './sql-driver';

/** Where the hand-written SQL migrations live (Prisma's layout). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../prisma/migrations');

/** The advisory lock key Prisma Migrate itself uses, so our runner and `prisma migrate` exclude each other. */
export const MIGRATION_LOCK_KEY = 72707369;

/** Prisma's own bookkeeping table, column for column. */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
  total: number;
}

/** Raised when an applied migration's file changed, or a migration fails. Names the migration. */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migrationName: string,
    readonly kind: 'edited' | 'failed' | 'missing_locally' | 'unfinished',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** sha256 hex of the file's bytes, as Prisma computes it. */
export function migrationChecksum(sql: string | Buffer): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** Reads `<dir>/<name>/migration.sql` for every migration folder, in name order. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const out: MigrationFile[] = [];
  for (const name of names) {
    const buf = await fs.readFile(path.join(dir, name, 'migration.sql'));
    out.push({ name, sql: buf.toString('utf8'), checksum: migrationChecksum(buf) });
  }
  return out;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies every pending migration in name order, each in its own transaction, and records it in
 * `_prisma_migrations` exactly as Prisma Migrate would. Holds Prisma's advisory lock for the whole run,
 * so two processes starting at once apply each migration once. Refuses to run when an applied file
 * was edited. A no-op when nothing is pending.
 */
export async function runMigrations(driver: SqlDriver, dir: string = MIGRATIONS_DIR): Promise<MigrationReport> {
  const files = await readMigrations(dir);
  await driver.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await driver.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await driver.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const applied = new Map<string, AppliedRow>();
    for (const r of rows) {
      if (r.rolled_back_at) continue;
      if (!r.finished_at) {
        throw new MigrationError(
          `Migration ${r.migration_name} was started but never finished; resolve it before migrating again`,
          r.migration_name,
          'unfinished',
        );
      }
      applied.set(r.migration_name, r);
    }
    const local = new Set(files.map((f) => f.name));
    for (const name of applied.keys()) {
      if (!local.has(name)) {
        throw new MigrationError(
          `Migration ${name} is applied to the database but missing from ${dir}`,
          name,
          'missing_locally',
        );
      }
    }
    for (const f of files) {
      const a = applied.get(f.name);
      if (a && a.checksum !== f.checksum) {
        throw new MigrationError(
          `Migration ${f.name} was edited after it was applied (checksum ${a.checksum} in the database, ${f.checksum} on disk); add a new migration instead`,
          f.name,
          'edited',
        );
      }
    }
    const report: MigrationReport = { applied: [], alreadyApplied: applied.size, total: files.length };
    for (const f of files) {
      if (applied.has(f.name)) continue;
      await driver.exec('BEGIN');
      try {
        await driver.exec(f.sql);
        await driver.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, NULL, now(), 1)`,
          [randomUUID(), f.checksum, f.name],
        );
        await driver.exec('COMMIT');
      } catch (err) {
        await driver.exec('ROLLBACK').catch(() => undefined);
        const msg = err instanceof Error ? err.message : String(err);
        throw new MigrationError(`Migration ${f.name} failed and was rolled back: ${msg}`, f.name, 'failed', {
          cause: err,
        });
      }
      report.applied.push(f.name);
    }
    return report;
  } finally {
    await driver.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}

/** Number of migrations recorded as applied (used by /healthz). */
export async function countAppliedMigrations(driver: SqlDriver): Promise<number> {
  const rows = await driver.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return rows[0]?.n ?? 0;
}
