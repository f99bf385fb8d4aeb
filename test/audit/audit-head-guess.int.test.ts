/**
 * The optimistic append: a process builds on the chain head it last wrote and one statement checks that
 * head as it inserts. These tests play several processes with their own head caches on one tenant and make
 * every guess go stale in each way it can (another process's append, a rollback, a same-sequence different
 * hash, a head that moves while the guess waits on the row lock); the chain must stay gapless and verify.
 */
import type { PoolClient } from 'pg';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { appendAudit, appendAuditBatch, ChainHeadCache, type SqlTx } from '../../src/audit/audit.append';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { pgSqlTransaction } from '../../src/db/sql-driver';
import { newTenant, range, sampleEvent, scopeFor, storedSequences } from './audit-db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** Statements a transaction ran (the transaction itself is real: it forwards to node-postgres). */
function recording(tx: SqlTx, log: string[]): SqlTx {
  const name = (sql: string) => sql.trim().split(/\s+/).slice(0, 2).join(' ');
  return {
    $queryRawUnsafe: (q, ...v) => (log.push(name(q)), tx.$queryRawUnsafe(q, ...v)),
    $executeRawUnsafe: (q, ...v) => (log.push(name(q)), tx.$executeRawUnsafe(q, ...v)),
    $queryNamed: (n, q, v) => (log.push(n), tx.$queryNamed!(n, q, v)),
  };
}

async function head(tenant: string): Promise<{ sequenceNumber: number; recordHash: string; timestamp: Date }> {
  const { rows } = await db.pool.query<{ s: number; h: string; t: Date }>(
    'SELECT last_sequence::int AS s, last_hash AS h, last_timestamp AS t FROM audit_chain_state WHERE tenant_id = $1',
    [tenant],
  );
  return { sequenceNumber: rows[0]!.s, recordHash: rows[0]!.h, timestamp: rows[0]!.t };
}

async function expectIntact(tenant: string, records: number): Promise<void> {
  expect(await storedSequences(db.prisma, tenant)).toEqual(range(1, records));
  const report = await verifyAuditChain(db.prisma, tenant, { log: false });
  expect(report.valid).toBe(true);
  expect(report.recordsChecked).toBe(records);
}

describe('appending on a guessed chain head', () => {
  const sqlTx = () => pgSqlTransaction(db.pool);

  it('takes no lock statement once the process knows the head, and locks when it does not', async () => {
    const tenant = await newTenant(db.prisma);
    const heads = new ChainHeadCache();
    const log: string[] = [];
    await sqlTx()((tx) => appendAudit(recording(tx, log), scopeFor(tenant), sampleEvent(1), { heads }), 10_000);
    expect(log).toEqual(['aluskort_audit_lock_head', 'INSERT INTO', 'aluskort_audit_lock_head', 'aluskort_audit_insert']); // first use: create the state row
    log.length = 0;
    await sqlTx()((tx) => appendAuditBatch(recording(tx, log), scopeFor(tenant), [sampleEvent(2), sampleEvent(3)], { heads }), 10_000);
    expect(log).toEqual(['aluskort_audit_insert_if_head']);
    log.length = 0;
    await sqlTx()((tx) => appendAudit(recording(tx, log), scopeFor(tenant), sampleEvent(4), { heads: null }), 10_000);
    expect(log).toEqual(['aluskort_audit_lock_head', 'aluskort_audit_insert']);
    await expectIntact(tenant, 5);
  });

  it("falls back to the lock when another process's appends moved the head, in either direction of interleaving", async () => {
    const tenant = await newTenant(db.prisma);
    const a = new ChainHeadCache();
    const b = new ChainHeadCache();
    const seqs: number[] = [];
    for (let i = 0; i < 12; i++) {
      const heads = i % 3 === 0 ? b : a; // a a b a a b …: each cache is sometimes right, sometimes stale
      const rec = await sqlTx()((tx) => appendAudit(tx, scopeFor(tenant), sampleEvent(i), { heads }), 10_000);
      seqs.push(rec.sequenceNumber);
    }
    expect(seqs).toEqual(range(2, 13));
    await expectIntact(tenant, 13);
    expect(a.get(tenant)).toEqual(await head(tenant)); // the last append was a's (i = 11)
  });

  it('backs off guessing for a tenant whose guesses keep going stale, and guesses again once one lands', async () => {
    const tenant = await newTenant(db.prisma);
    const a = new ChainHeadCache();
    const b = new ChainHeadCache();
    const append = async (heads: ChainHeadCache, n: number) => {
      const log: string[] = [];
      await sqlTx()((tx) => appendAudit(recording(tx, log), scopeFor(tenant), sampleEvent(n), { heads }), 10_000);
      return log;
    };
    await append(a, 0);
    let guessesOfA = 0;
    for (let i = 1; i <= 12; i++) {
      await append(b, i); // another process appends between each of a's appends: every guess of a is stale
      const log = await append(a, 100 + i);
      if (log[0] === 'aluskort_audit_insert_if_head') {
        guessesOfA++;
        expect(log).toEqual(['aluskort_audit_insert_if_head', 'aluskort_audit_lock_head', 'aluskort_audit_insert']);
      } else {
        expect(log).toEqual(['aluskort_audit_lock_head', 'aluskort_audit_insert']);
      }
    }
    expect(guessesOfA).toBe(4); // appends 1, 3, 6 and 11 guess; the others lock after 1, 2, 4 stale guesses
    // a appends alone from now on: once its backoff runs out, its guess lands and every append is one statement
    const logs: string[][] = [];
    for (let i = 0; i < 12; i++) logs.push(await append(a, 200 + i));
    const landed = logs.findIndex((l) => l.length === 1);
    expect(landed).toBeGreaterThanOrEqual(0);
    expect(landed).toBeLessThanOrEqual(8);
    expect(logs.slice(landed).every((l) => l.length === 1 && l[0] === 'aluskort_audit_insert_if_head')).toBe(true);
    await expectIntact(tenant, 1 + 1 + 12 * 2 + 12);
  });

  it('leaves no gap when a transaction that appended on the guess rolls back (the cache is then ahead of the table)', async () => {
    const tenant = await newTenant(db.prisma);
    const heads = new ChainHeadCache();
    await sqlTx()((tx) => appendAudit(tx, scopeFor(tenant), sampleEvent(1), { heads }), 10_000);
    await expect(
      sqlTx()(async (tx) => {
        await appendAudit(tx, scopeFor(tenant), sampleEvent(2), { heads });
        throw new Error('business rule failed after auditing');
      }, 10_000),
    ).rejects.toThrow('business rule failed');
    expect(heads.get(tenant)!.sequenceNumber).toBe(3); // what the rolled-back transaction wrote
    const log: string[] = [];
    const rec = await sqlTx()((tx) => appendAudit(recording(tx, log), scopeFor(tenant), sampleEvent(3), { heads }), 10_000);
    expect(rec.sequenceNumber).toBe(3);
    expect(log).toEqual(['aluskort_audit_insert_if_head', 'aluskort_audit_lock_head', 'aluskort_audit_insert']);
    await expectIntact(tenant, 3);
  });

  it('does not link to a guess whose sequence is the head but whose hash is not (another process wrote that sequence)', async () => {
    const tenant = await newTenant(db.prisma);
    const a = new ChainHeadCache();
    const b = new ChainHeadCache();
    await sqlTx()((tx) => appendAudit(tx, scopeFor(tenant), sampleEvent(1), { heads: a }), 10_000);
    b.set(tenant, await head(tenant));
    await expect(
      sqlTx()(async (tx) => {
        await appendAudit(tx, scopeFor(tenant), sampleEvent(2), { heads: a });
        throw new Error('abort');
      }, 10_000),
    ).rejects.toThrow('abort');
    await sqlTx()((tx) => appendAudit(tx, scopeFor(tenant), sampleEvent(3), { heads: b }), 10_000); // sequence 3, another hash
    const stale = a.get(tenant)!;
    const actual = await head(tenant);
    expect(stale.sequenceNumber).toBe(actual.sequenceNumber);
    expect(stale.recordHash).not.toBe(actual.recordHash);
    const rec = await sqlTx()((tx) => appendAudit(tx, scopeFor(tenant), sampleEvent(4), { heads: a }), 10_000);
    expect(rec.sequenceNumber).toBe(4);
    expect(rec.previousHash).toBe(actual.recordHash);
    await expectIntact(tenant, 4);
  });

  describe('a guess that waits on the row lock of a transaction holding the same head', () => {
    /** Starts an append on `heads` in a transaction and keeps the transaction open until `finish` is called. */
    async function openAppend(tenant: string, heads: ChainHeadCache, n: number) {
      const client: PoolClient = await db.pool.connect();
      await client.query('BEGIN');
      const tx: SqlTx = {
        $queryRawUnsafe: async (q, ...v) => (await client.query(q, v)).rows as never,
        $executeRawUnsafe: async (q, ...v) => (await client.query(q, v)).rowCount ?? 0,
      };
      const rec = await appendAudit(tx, scopeFor(tenant), sampleEvent(n), { heads });
      return {
        rec,
        finish: async (how: 'COMMIT' | 'ROLLBACK') => {
          await client.query(how);
          client.release();
        },
      };
    }

    it.each(['COMMIT', 'ROLLBACK'] as const)('after the holder ends with %s, the waiting append lands on the right head', async (how) => {
      const tenant = await newTenant(db.prisma);
      await sqlTx()((tx) => appendAudit(tx, scopeFor(tenant), sampleEvent(1), { heads: null }), 10_000);
      const before = await head(tenant);
      const a = new ChainHeadCache();
      const b = new ChainHeadCache();
      a.set(tenant, before);
      b.set(tenant, before);
      const holder = await openAppend(tenant, a, 2); // on the guess: holds the row lock
      expect(holder.rec.sequenceNumber).toBe(3);
      let settled = false;
      const waiting = sqlTx()((tx) => appendAudit(tx, scopeFor(tenant), sampleEvent(3), { heads: b }), 10_000).finally(() => (settled = true));
      // The waiting append is blocked on the chain row until the holder ends.
      for (let i = 0; i < 50; i++) {
        const { rows } = await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        if (rows[0]!.n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(settled).toBe(false);
      await holder.finish(how);
      const rec = await waiting;
      expect(rec.sequenceNumber).toBe(how === 'COMMIT' ? 4 : 3);
      expect(rec.previousHash).toBe(how === 'COMMIT' ? holder.rec.recordHash : before.recordHash);
      await expectIntact(tenant, how === 'COMMIT' ? 4 : 3);
    });
    it.each(['COMMIT', 'ROLLBACK'] as const)(
      "an append that builds on the holder's uncommitted head waits for it, then lands in one statement (holder ends with %s)",
      async (how) => {
        const tenant = await newTenant(db.prisma);
        await sqlTx()((tx) => appendAudit(tx, scopeFor(tenant), sampleEvent(1), { heads: null }), 10_000);
        const before = await head(tenant);
        const heads = new ChainHeadCache();
        heads.set(tenant, before);
        const holder = await openAppend(tenant, heads, 2); // the cache now holds the holder's head
        expect(heads.get(tenant)!.recordHash).toBe(holder.rec.recordHash);
        const log: string[] = [];
        const waiting = sqlTx()((tx) => appendAudit(recording(tx, log), scopeFor(tenant), sampleEvent(3), { heads }), 10_000);
        for (let i = 0; i < 50 && log.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 100));
        await holder.finish(how);
        const rec = await waiting;
        if (how === 'COMMIT') {
          expect(log).toEqual(['aluskort_audit_insert_if_head']);
          expect(rec.sequenceNumber).toBe(4);
          expect(rec.previousHash).toBe(holder.rec.recordHash);
        } else {
          expect(log).toEqual(['aluskort_audit_insert_if_head', 'aluskort_audit_lock_head', 'aluskort_audit_insert']);
          expect(rec.sequenceNumber).toBe(3);
          expect(rec.previousHash).toBe(before.recordHash);
        }
        await expectIntact(tenant, how === 'COMMIT' ? 4 : 3);
      },
    );
  });

  it('keeps the chain gapless with two processes × 8 writers appending to one tenant', async () => {
    const tenant = await newTenant(db.prisma);
    const caches = [new ChainHeadCache(), new ChainHeadCache()];
    const run = pgSqlTransaction(db.pool);
    let next = 0;
    const total = 400;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        while (next < total) {
          const n = next++;
          const heads = caches[w % 2]!;
          if (n % 25 === 24) {
            await expect(
              run(async (tx) => {
                await appendAudit(tx, scopeFor(tenant), sampleEvent(n), { heads });
                throw new Error('rolled back');
              }, 30_000),
            ).rejects.toThrow('rolled back');
          } else {
            await run((tx) => appendAuditBatch(tx, scopeFor(tenant), [sampleEvent(n), sampleEvent(n + 1)].slice(0, 1 + (n % 2)), { heads }), 30_000);
          }
        }
      }),
    );
    let expected = 1; // genesis
    for (let n = 0; n < total; n++) if (n % 25 !== 24) expected += 1 + (n % 2);
    await expectIntact(tenant, expected);
  });
});
