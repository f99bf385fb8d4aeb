/**
 * verifyAuditChain through the service on server PostgreSQL keeps one dedicated connection warm between
 * verifications (a new backend first faults in the shared buffers it reads), opens extra ones for
 * concurrent verifications, survives a kept connection that died, and closes it at shutdown.
 */
import { Client } from 'pg';
import type { Scope } from '../../src/auth/scope';
import { pgDriver, type SqlDriver } from '../../src/db/sql-driver';
import { AuditChainService } from '../../src/modules/audit-chain/audit-chain.service';
import { createAppPubSub } from '../../src/pubsub/pubsub';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { newSigningKey, tenantWithChain } from './audit-db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** A service whose raw connections are counted and whose backends we can see. */
function service() {
  const opened: Client[] = [];
  const svc = new AuditChainService(db.prisma, newSigningKey(), createAppPubSub(), async (): Promise<SqlDriver> => {
    const c = new Client({ connectionString: db.url });
    c.on('error', () => undefined); // as Database.sqlDriver does
    await c.connect();
    opened.push(c);
    return pgDriver(c);
  });
  return { svc, opened };
}

const admin = (tenantId: string): Scope => ({ tenantId, actor: 'api_key:admin', roles: ['admin'] }) as unknown as Scope;

describe('verification connection', () => {
  it('reuses one connection for consecutive verifications and closes it at shutdown', async () => {
    const tenant = await tenantWithChain(db.prisma, 30);
    const { svc, opened } = service();
    for (let i = 0; i < 3; i++) expect((await svc.verify(admin(tenant), {})).valid).toBe(true);
    expect(opened).toHaveLength(1);
    await svc.close(true);
    await expect(opened[0]!.query('SELECT 1')).rejects.toThrow();
    // after shutdown a verification still works, on a connection it does not keep
    expect((await svc.verify(admin(tenant), {})).valid).toBe(true);
    expect(opened).toHaveLength(2);
    await expect(opened[1]!.query('SELECT 1')).rejects.toThrow();
  });

  it('concurrent verifications get their own connections; only one is kept', async () => {
    const tenant = await tenantWithChain(db.prisma, 30);
    const { svc, opened } = service();
    const reports = await Promise.all([svc.verify(admin(tenant), {}), svc.verify(admin(tenant), {}), svc.verify(admin(tenant), {})]);
    expect(reports.every((r) => r.valid)).toBe(true);
    expect(opened).toHaveLength(3);
    const alive = await Promise.all(opened.map((c) => c.query('SELECT 1').then(() => true, () => false)));
    expect(alive.filter(Boolean)).toHaveLength(1);
    await svc.close(true);
  });

  it('a kept connection that died is replaced and the verification still answers', async () => {
    const tenant = await tenantWithChain(db.prisma, 30);
    const { svc, opened } = service();
    expect((await svc.verify(admin(tenant), {})).valid).toBe(true);
    const pid = (opened[0] as unknown as { processID: number }).processID;
    await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await new Promise((r) => setTimeout(r, 100)); // the client sees the server close
    expect((await svc.verify(admin(tenant), {})).valid).toBe(true);
    expect(opened).toHaveLength(2);
    await svc.close(true);
  });
});
