import { PGlite } from '@electric-sql/pglite';
import { type Database, openDatabase } from '../../src/db/database';
import { runMigrations } from '../../src/db/migrate';
import { pgliteDriver } from '../../src/db/sql-driver';

let template: Promise<Blob> | undefined;

/**
 * A migrated PGlite data directory, built once per Jest worker (cold start + migrations cost seconds)
 * and dumped so each embedded test database is a cheap clone of it.
 */
export function embeddedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const pg = new PGlite();
    await pg.waitReady;
    await runMigrations(pgliteDriver(pg));
    const blob = await pg.dumpDataDir('none');
    await pg.close();
    return blob;
  })();
  return template;
}

/** A fresh embedded (PGlite) database with every migration applied, as `npm start` would have without DATABASE_URL. */
export async function createEmbeddedTestDatabase(): Promise<Database> {
  return openDatabase({ dataDir: '', loadDataDir: await embeddedTemplate() });
}
