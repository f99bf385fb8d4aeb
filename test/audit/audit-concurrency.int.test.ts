import { spawn } from 'node:child_process';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { appendAudit } from '../../src/audit/audit.append';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { newTenant, range, sampleEvent, scopeFor, storedSequences } from './audit-db';

let db: TestDatabase;
let wide: PrismaClient;
beforeAll(async () => {
  db = await createTestDatabase();
  wide = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 17 }) });
});
afterAll(async () => {
  await wide.$disconnect();
  await db.drop();
});

const TX = { maxWait: 60_000, timeout: 60_000 };

describe('concurrent appends', () => {
  it('16 writers in separate transactions, one tenant, 2,000 appends → sequences 1..2,001 gapless and the chain verifies', async () => {
    const tenant = await newTenant(db.prisma);
    const scope = scopeFor(tenant);
    let next = 0;
    const started = Date.now();
    await Promise.all(
      range(1, 16).map(async () => {
        while (next < 2000) {
          const n = ++next;
          await wide.$transaction((tx) => appendAudit(tx, scope, sampleEvent(n)), TX);
        }
      }),
    );
    const elapsed = Date.now() - started;
    expect(await storedSequences(db.prisma, tenant)).toEqual(range(1, 2001));
    const report = await verifyAuditChain(db.prisma, tenant);
    expect(report).toMatchObject({ valid: true, recordsChecked: 2001 });
    // Informational: appends/s of this run (2 shared cores).
    process.stdout.write(`audit concurrency: 2000 appends by 16 writers in ${elapsed} ms (${Math.round(2000_000 / elapsed)}/s)\n`);
  }, 120_000);

  it("a tenant's open transaction holding its chain lock does not delay another tenant's append", async () => {
    const a = await newTenant(db.prisma);
    const b = await newTenant(db.prisma);
    await appendAudit(wide, scopeFor(a), sampleEvent(1));
    await appendAudit(wide, scopeFor(b), sampleEvent(1));

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = wide.$transaction(async (tx) => {
      await appendAudit(tx, scopeFor(a), sampleEvent(2));
      locked();
      await held;
    }, TX);
    await isLocked;

    // Tenant b is not blocked…
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const other = await Promise.race([
      appendAudit(wide, scopeFor(b), sampleEvent(3)),
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 5000))),
    ]);
    clearTimeout(timer);
    expect(other).not.toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(5000);

    // …while tenant a's next writer waits for the lock.
    let aDone = false;
    const waiting = appendAudit(wide, scopeFor(a), sampleEvent(4)).then((r) => {
      aDone = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(aDone).toBe(false);
    release();
    await holder;
    expect((await waiting).sequenceNumber).toBe(4);
    expect(await storedSequences(db.prisma, a)).toEqual(range(1, 4));
    expect(await storedSequences(db.prisma, b)).toEqual(range(1, 3));
  });

  it('first appends racing on a new tenant create exactly one genesis', async () => {
    const t = await newTenant(db.prisma);
    await Promise.all(range(1, 12).map((n) => wide.$transaction((tx) => appendAudit(tx, scopeFor(t), sampleEvent(n)), TX)));
    expect(await storedSequences(db.prisma, t)).toEqual(range(1, 13));
    const genesis = await db.pool.query(`SELECT count(*)::int AS n FROM audit_records WHERE tenant_id = $1 AND event_type = 'system.genesis'`, [t]);
    expect(genesis.rows[0].n).toBe(1);
    expect((await verifyAuditChain(db.prisma, t, { log: false })).valid).toBe(true);
  });
});

describe('crash', () => {
  it('a writer process SIGKILLed mid-append leaves a chain that verifies with no gap, and appends continue', async () => {
    const tenant = await newTenant(db.prisma);
    const root = path.resolve(__dirname, '../..');
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'fixtures/append-loop.ts'), db.url, tenant], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | number | null>((r) => child.on('exit', (code, sig) => r(sig ?? code)));
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.trim().split('\n');
        if (Number(lines[lines.length - 1]) >= 40) resolve();
      });
      child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // "Restart": a new writer appends (waiting, if need be, until the server has rolled back the dead
    // session's open transaction), then the whole chain is verified.
    const next = await wide.$transaction((tx) => appendAudit(tx, scopeFor(tenant), sampleEvent(1)), TX);
    const seqs = await storedSequences(db.prisma, tenant);
    expect(seqs.length).toBeGreaterThanOrEqual(81);
    expect(seqs).toEqual(range(1, seqs.length));
    expect(next.sequenceNumber).toBe(seqs.length);
    const state = await db.prisma.auditChainState.findUniqueOrThrow({ where: { tenantId: tenant } });
    expect(Number(state.lastSequence)).toBe(seqs.length);
    expect((await verifyAuditChain(db.prisma, tenant)).valid).toBe(true);
  }, 120_000);
});
