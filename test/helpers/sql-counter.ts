import { createApp } from '../../src/app';
import { openDatabase } from '../../src/db/database';
import { readMigrations } from '../../src/db/migrate';
import { createLogger } from '../../src/observability/logger';
import type { TestApp } from './app';
import { createTestDatabase } from './db';

export interface SqlCounter {
  /** Statements Prisma sent since the last reset. */
  readonly count: number;
  /** The statements themselves (for failure messages). */
  readonly statements: readonly string[];
  reset(): void;
}

/**
 * Like startTestApp, but the app's Prisma client emits `query` events, counted by the returned counter
 * (every SQL statement the API runs, including BEGIN/COMMIT if Prisma sends them).
 */
export async function startCountingTestApp(): Promise<TestApp & { sql: SqlCounter }> {
  const testDb = await createTestDatabase();
  const db = await openDatabase({ databaseUrl: testDb.url, dataDir: '', poolMax: 10, logQueries: true });
  const statements: string[] = [];
  (db.prisma as unknown as { $on(e: 'query', cb: (ev: { query: string }) => void): void }).$on('query', (ev) => {
    statements.push(ev.query);
  });
  const app = await createApp({
    db,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    migrationsApplied: (await readMigrations()).length,
  });
  const port = await app.listen(0, '127.0.0.1');
  return {
    app,
    db,
    testDb,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    async close() {
      await app.close();
      await testDb.drop();
    },
    sql: {
      get count() {
        return statements.length;
      },
      get statements() {
        return [...statements];
      },
      reset() {
        statements.length = 0;
      },
    },
  };
}
