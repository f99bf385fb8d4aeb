/**
 * incident_memory planner statistics on a young database (table-statistics.ts): the guard analyzes the
 * table once it has stored enough incidents and the table has no statistics, leaves a table that has them
 * alone, stops checking once they exist, and the runner reports the investigations it closes.
 */
import { randomUUID } from 'node:crypto';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { createInvestigationRunner } from '../../src/engine/runtime/runner';
import { IncidentMemoryStatistics } from '../../src/engine/runtime/table-statistics';
import type { SqlQuery } from '../../src/db/sql-driver';
import { createLogger } from '../../src/observability/logger';
import { createCase, type PipelineEnv, seededTenant, startPipeline } from './helpers';

const logger = createLogger('silent');

/** A SqlQuery on the test database that notes each statement's first word. */
function recordingSql(db: TestDatabase, log: string[]): SqlQuery {
  return async <T,>(text: string, params: unknown[] = []) => {
    log.push(text.trim().split(/\s+/)[0]!.toUpperCase());
    return (await db.pool.query(text, params)).rows as T[];
  };
}

async function statisticsRows(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'incident_memory'");
  return rows[0]!.n;
}

async function dropStatistics(db: TestDatabase): Promise<void> {
  await db.pool.query("DELETE FROM pg_statistic WHERE starelid = 'incident_memory'::regclass");
}

async function someIncidents(db: TestDatabase, n: number): Promise<void> {
  await db.pool.query("INSERT INTO tenants (tenant_id, name) VALUES ('s', 's') ON CONFLICT DO NOTHING");
  await db.pool.query(
    `INSERT INTO incident_memory (doc_id, incident_id, "timestamp", tenant_id, alert_name, alert_source, severity, entities, investigation_summary, outcome)
     SELECT 'doc-' || g || '-' || $2, 'inc-' || g, now(), 's', 'Alert ' || g, 'canonical', 'low', '{}', 'summary', 'closed'
       FROM generate_series(1, $1::int) g`,
    [n, randomUUID()],
  );
}

describe('incident_memory statistics guard', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await someIncidents(db, 50);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('analyzes a table without statistics at the check-th stored incident, then stops checking', async () => {
    await dropStatistics(db);
    const log: string[] = [];
    const guard = new IncidentMemoryStatistics(recordingSql(db, log), logger, 3);
    guard.noteStored();
    guard.noteStored();
    await guard.settled();
    expect(log).toEqual([]);
    expect(await statisticsRows(db)).toBe(0);
    guard.noteStored();
    await guard.settled();
    expect(log).toEqual(['SELECT', 'ANALYZE', 'SELECT']);
    expect(await statisticsRows(db)).toBeGreaterThan(0);
    expect(guard.hasStatistics).toBe(true);
    for (let i = 0; i < 10; i++) guard.noteStored();
    await guard.settled();
    expect(log).toHaveLength(3);
  });

  it('leaves a table that has statistics alone', async () => {
    await db.pool.query('ANALYZE incident_memory');
    const log: string[] = [];
    const guard = new IncidentMemoryStatistics(recordingSql(db, log), logger, 1);
    guard.noteStored();
    await guard.settled();
    expect(log).toEqual(['SELECT']);
    expect(guard.hasStatistics).toBe(true);
  });

  it('logs a failed check and tries again at the next one', async () => {
    await dropStatistics(db);
    const log: string[] = [];
    const real = recordingSql(db, log);
    let failures = 1;
    const sql: SqlQuery = async (text, params) => {
      if (failures-- > 0) throw new Error('connection terminated unexpectedly');
      return real(text, params);
    };
    const warnings: unknown[] = [];
    const guard = new IncidentMemoryStatistics(sql, { ...logger, warn: (o: unknown) => void warnings.push(o), info: () => undefined } as never, 2);
    guard.noteStored(2);
    await guard.settled();
    expect(warnings).toHaveLength(1);
    expect(guard.hasStatistics).toBe(false);
    guard.noteStored(2);
    await guard.settled();
    expect(log).toEqual(['SELECT', 'ANALYZE', 'SELECT']);
    expect(guard.hasStatistics).toBe(true);
  });
});

describe('the runner and the guard', () => {
  let env: PipelineEnv;
  beforeAll(async () => {
    env = await startPipeline();
  });
  afterAll(async () => {
    await env.close();
  });

  it('notes every investigation it closes', async () => {
    const tenantId = await seededTenant(env.prisma);
    await env.t.db.prisma.$executeRawUnsafe("DELETE FROM pg_statistic WHERE starelid = 'incident_memory'::regclass");
    const statistics = new IncidentMemoryStatistics(env.t.db.sql, logger, 2);
    const nullQueue = { kind: 'memory' as const, enqueue: async () => undefined, process: () => undefined, close: async () => undefined };
    const runner = createInvestigationRunner({ prisma: env.prisma, audit: env.t.app.services.audit, queue: nullQueue, logger, workerId: `w-${randomUUID()}`, statistics });
    const states: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { investigationId } = await createCase({ prisma: env.prisma }, tenantId, { title: `Informational login notice ${i}`, severity: 'low' });
      await runner.handle({ tenantId, investigationId, kind: 'step' });
      states.push((await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId, tenantId } })).state);
    }
    expect(states).toEqual(['closed', 'closed']);
    await statistics.settled();
    expect(statistics.hasStatistics).toBe(true);
  });
});
