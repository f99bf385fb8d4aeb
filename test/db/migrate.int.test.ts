import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS_DIR, MigrationError, migrationChecksum, readMigrations, runMigrations } from '../../src/db/migrate';
import { pgDriver } from '../../src/db/sql-driver';
import { type TestDatabase, createEmptyTestDatabase } from '../helpers/db';

async function driverFor(db: TestDatabase) {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  return pgDriver(c);
}

async function tempMigrations(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aluskort-mig-'));
  for (const [name, sql] of Object.entries(files)) {
    await fs.mkdir(path.join(dir, name));
    await fs.writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function tableExists(db: TestDatabase, table: string): Promise<boolean> {
  const { rows } = await db.pool.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`public.${table}`]);
  return rows[0].present as boolean;
}

describe('migration runner', () => {
  const dbs: TestDatabase[] = [];
  async function freshDb() {
    const db = await createEmptyTestDatabase();
    dbs.push(db);
    return db;
  }
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it('applies every project migration on a fresh database and records them as Prisma does', async () => {
    const db = await freshDb();
    const driver = await driverFor(db);
    const files = await readMigrations();
    expect(files.length).toBeGreaterThan(0);
    const report = await runMigrations(driver);
    await driver.close();
    expect(report.applied).toEqual(files.map((f) => f.name));
    const { rows } = await db.pool.query(
      `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
         FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, r] of rows.entries()) {
      const onDisk = await fs.readFile(path.join(MIGRATIONS_DIR, files[i].name, 'migration.sql'));
      expect(r.checksum).toBe(migrationChecksum(onDisk));
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
    // Prisma's column set, nothing more or less.
    const cols = await db.pool.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY column_name`,
    );
    expect(cols.rows.map((r) => r.column_name)).toEqual(
      ['applied_steps_count', 'checksum', 'finished_at', 'id', 'logs', 'migration_name', 'rolled_back_at', 'started_at'],
    );
  });

  it('is a no-op when nothing is pending', async () => {
    const db = await freshDb();
    const dir = await tempMigrations({ '0001_a': 'CREATE TABLE a (id int);', '0002_b': 'CREATE TABLE b (id int);' });
    const driver = await driverFor(db);
    expect((await runMigrations(driver, dir)).applied).toEqual(['0001_a', '0002_b']);
    const again = await runMigrations(driver, dir);
    await driver.close();
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe(2);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(rows[0].n).toBe(2);
  });

  it('applies only the new migration when one is added', async () => {
    const db = await freshDb();
    const dir = await tempMigrations({ '0001_a': 'CREATE TABLE a (id int);' });
    const driver = await driverFor(db);
    await runMigrations(driver, dir);
    await fs.mkdir(path.join(dir, '0002_b'));
    await fs.writeFile(path.join(dir, '0002_b', 'migration.sql'), 'CREATE TABLE b (id int);');
    const r = await runMigrations(driver, dir);
    await driver.close();
    expect(r.applied).toEqual(['0002_b']);
    expect(await tableExists(db, 'b')).toBe(true);
  });

  it('refuses to run, naming the migration, when an applied file was edited', async () => {
    const db = await freshDb();
    const dir = await tempMigrations({ '0001_a': 'CREATE TABLE a (id int);', '0002_b': 'CREATE TABLE b (id int);' });
    const driver = await driverFor(db);
    await runMigrations(driver, dir);
    await fs.writeFile(path.join(dir, '0001_a', 'migration.sql'), 'CREATE TABLE a (id bigint);');
    await fs.mkdir(path.join(dir, '0003_c'));
    await fs.writeFile(path.join(dir, '0003_c', 'migration.sql'), 'CREATE TABLE c (id int);');
    const err = await runMigrations(driver, dir).catch((e: unknown) => e);
    await driver.close();
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).migrationName).toBe('0001_a');
    expect((err as MigrationError).kind).toBe('edited');
    expect((err as Error).message).toContain('0001_a');
    // Nothing after the refusal was applied.
    expect(await tableExists(db, 'c')).toBe(false);
  });

  it('leaves no partial schema and no bookkeeping row when a migration fails', async () => {
    const db = await freshDb();
    const dir = await tempMigrations({
      '0001_ok': 'CREATE TABLE ok_table (id int);',
      '0002_broken': 'CREATE TABLE half_done (id int);\nCREATE INDEX half_idx ON half_done (id);\nSELECT * FROM no_such_table;',
    });
    const driver = await driverFor(db);
    const err = await runMigrations(driver, dir).catch((e: unknown) => e);
    await driver.close();
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).migrationName).toBe('0002_broken');
    expect((err as MigrationError).kind).toBe('failed');
    expect(await tableExists(db, 'ok_table')).toBe(true);
    expect(await tableExists(db, 'half_done')).toBe(false);
    const { rows } = await db.pool.query(`SELECT migration_name FROM "_prisma_migrations"`);
    expect(rows.map((r) => r.migration_name)).toEqual(['0001_ok']);
  });

  it('applies each migration once when two runners start at the same time', async () => {
    const db = await freshDb();
    // A slow first migration widens the race window.
    const dir = await tempMigrations({
      '0001_slow': 'SELECT pg_sleep(0.3); CREATE TABLE slow (id int);',
      '0002_counter': 'CREATE TABLE runs (id serial primary key); INSERT INTO runs DEFAULT VALUES;',
    });
    const [d1, d2] = await Promise.all([driverFor(db), driverFor(db)]);
    const [r1, r2] = await Promise.all([runMigrations(d1, dir), runMigrations(d2, dir)]);
    await Promise.all([d1.close(), d2.close()]);
    expect([...r1.applied, ...r2.applied].sort()).toEqual(['0001_slow', '0002_counter']);
    expect(r1.applied.length === 0 || r2.applied.length === 0).toBe(true);
    const runs = await db.pool.query(`SELECT count(*)::int AS n FROM runs`);
    expect(runs.rows[0].n).toBe(1);
    const mig = await db.pool.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(mig.rows[0].n).toBe(2);
  });
});
