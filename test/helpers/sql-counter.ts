import { type TestApp, startTestApp } from './app';

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
  const statements: string[] = [];
  const t = await startTestApp({}, {
    logQueries: true,
    onDatabase: (db) =>
      (db.prisma as unknown as { $on(e: 'query', cb: (ev: { query: string }) => void): void }).$on('query', (ev) => {
        statements.push(ev.query);
      }),
  });
  return {
    ...t,
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
