/**
 * The quick start's mode: no DATABASE_URL, the embedded PostgreSQL (PGlite) and the in-process queue.
 * The pipeline's claim and per-step reads run through Prisma's raw query there (Database.sql), the
 * reference-data counters through the same triggers; an ingested alert must still reach its verdict.
 */
import { createApp, type App } from '../../src/app';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import type { Database } from '../../src/db/database';
import { seedDatabase } from '../../src/db/seed';
import { readMigrations } from '../../src/db/migrate';
import { createLogger } from '../../src/observability/logger';
import { createEmbeddedTestDatabase } from '../helpers/embedded';
import { createKey, createTenant, gql } from '../helpers/app';
import { waitForState } from './helpers';

let db: Database;
let app: App;
let url: string;

beforeAll(async () => {
  db = await createEmbeddedTestDatabase();
  app = await createApp({ db, logger: createLogger('silent'), migrationsApplied: (await readMigrations()).length, pipelineWorkers: { concurrency: 2 }, checkpoints: false });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/graphql`;
}, 60_000);
afterAll(async () => {
  await app.close();
});

describe('pipeline on the embedded database', () => {
  it('runs an ingested alert to its verdict, with its threat-intel match, playbooks and a verifiable chain', async () => {
    expect(db.kind).toBe('embedded');
    const tenant = await createTenant(db);
    await seedDatabase(db.prisma, { tenantId: tenant });
    await db.prisma.threatIntelIoc.create({
      data: { docId: `ioc-${tenant}`, tenantId: tenant, indicatorType: 'ipv4', indicatorValue: '81.2.69.144', confidence: 90, severity: 'high', sources: ['test-feed'] },
    });
    const key = await createKey(app, tenant, ['ingest']);
    const res = await gql<{ ingestAlert: { investigation: { id: string } } }>(
      url,
      key,
      `mutation($i: CanonicalAlertInput!) { ingestAlert(input: $i) { investigation { id } } }`,
      {
        i: {
          alertId: 'embedded-1',
          timestamp: new Date().toISOString(),
          title: 'Brute force attack against alice@corp.example',
          description: 'Many failed sign-ins followed by a success',
          severity: 'HIGH',
          tactics: ['credential-access'],
          techniques: ['T1110'],
          entities: [
            { type: 'account', value: 'alice@corp.example' },
            { type: 'ip', value: '81.2.69.144' },
          ],
          product: 'test',
        },
      },
    );
    const id = res.body.data!.ingestAlert.investigation.id;
    const row = await waitForState(db.prisma, tenant, id, ['closed', 'failed', 'awaiting_human']);
    expect(row.state).toBe('awaiting_human');
    const g = row.graphState as { iocMatches: { value: string }[]; techniques: string[]; playbookMatches: unknown[] };
    expect(g.iocMatches.map((m) => m.value)).toContain('81.2.69.144');
    expect(g.techniques).toContain('T1110');
    expect(g.playbookMatches.length).toBeGreaterThan(0);
    expect(await db.prisma.approval.count({ where: { tenantId: tenant, investigationId: id } })).toBeGreaterThan(0);
    expect((await verifyAuditChain(db.prisma, tenant, { log: false })).valid).toBe(true);
  });
});
