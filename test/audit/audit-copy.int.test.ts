import { Client } from 'pg';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { appendAuditBatch } from '../../src/audit/audit.append';
import { createCheckpoint, type AuditSigningKey } from '../../src/audit/audit.checkpoints';
import { copyAuditRows, copyConnection } from '../../src/audit/audit.copy';
import { verifyAuditChain, type AuditVerificationReport } from '../../src/audit/audit.verify';
import { copyOut } from '../../src/db/pg-copy';
import { pgDriver } from '../../src/db/sql-driver';
import type { AuditRow } from '../../src/audit/record-hash';
import { newSigningKey, newTenant, readRow, rewrite, scopeFor, tamper, tenantWithChain } from './audit-db';

// The binary COPY read path (server connections) against the keyset streaming path (Prisma):
// same verdict, same first break, same findings, on intact chains, awkward values and tampering.

let db: TestDatabase;
let client: Client;
let key: AuditSigningKey;
beforeAll(async () => {
  db = await createTestDatabase();
  client = new Client({ connectionString: db.url });
  await client.connect();
  key = newSigningKey();
});
afterAll(async () => {
  await client.end();
  await db.drop();
});

type Comparable = Omit<AuditVerificationReport, 'durationMs' | 'recordsPerSecond' | 'logId'>;
function comparable(r: AuditVerificationReport): Comparable {
  const { durationMs: _d, recordsPerSecond: _r, logId: _l, ...rest } = r;
  return rest;
}

/** Verifies through Prisma (streaming) and through a pg client, a pg pool and a pgDriver (COPY); all must agree. */
async function bothPaths(tenant: string, opts: { fromSequence?: number; toSequence?: number } = {}): Promise<Comparable> {
  const generic = comparable(await verifyAuditChain(db.prisma, tenant, { ...opts, log: false }));
  for (const handle of [client, db.pool, pgDriver(client, async () => undefined)]) {
    expect(comparable(await verifyAuditChain(handle, tenant, { ...opts, log: false }))).toEqual(generic);
  }
  return generic;
}

/** Rows of a tenant as the COPY decoder classifies them. */
async function copyTally(tenant: string): Promise<{ verified: number; generic: AuditRow[] }> {
  const tally = { verified: 0, generic: [] as AuditRow[] };
  await copyAuditRows(client, { tenantId: tenant, from: 1, to: Number.MAX_SAFE_INTEGER }, {
    verified: () => void tally.verified++,
    row: (r) => void tally.generic.push(r),
  });
  return tally;
}

async function checkpointedTenant(n = 20): Promise<string> {
  const tenant = await tenantWithChain(db.prisma, n);
  expect((await createCheckpoint(db.prisma, tenant, key))?.sequence).toBe(n);
  return tenant;
}

describe('binary COPY read path', () => {
  it('is used for pg clients, pools and pgDriver handles, not for Prisma', async () => {
    for (const handle of [client, db.pool, pgDriver(client, async () => undefined)]) {
      const conn = await copyConnection(handle);
      expect(conn).not.toBeNull();
      conn!.release();
    }
    expect(await copyConnection(db.prisma)).toBeNull();
  });

  it('verifies an intact chain entirely on the fast path, with the same report as the streaming path', async () => {
    const t = await checkpointedTenant(30);
    const tally = await copyTally(t);
    expect(tally).toEqual({ verified: 30, generic: [] });
    expect(await bothPaths(t)).toMatchObject({ valid: true, recordsChecked: 30, lastSequence: 30, checkpointChecked: true });
    expect(await bothPaths(t, { fromSequence: 9, toSequence: 17 })).toMatchObject({ valid: true, recordsChecked: 9, lastSequence: 17 });
  });

  it('hashes values that need JSON escaping, non-ASCII text, empty arrays and nested JSON on the fast path', async () => {
    const t = await tenantWithChain(db.prisma, 1);
    await appendAuditBatch(db.prisma, scopeFor(t), [
      {
        eventType: 'alert.classified',
        alertId: 'quote " backslash \\ tab \t newline \n bell \u0007 del \u007f',
        investigationId: 'münchen ✓ 😀 \u2028',
        entityIds: ['a"b', 'c\\d', '', 'e\u0001f', '😀'],
        context: {
          'key "quoted"': 'v\\', '€': 1, a: [1.5, -0, 1e21, 1e-7, 0.1, true, null, { z: 1, y: [[]] }], '': {}, '\u0001': 'ctl',
          big: 123456789012345680000, neg: -42, s: '\r\n\t\b\f', emoji: '😀',
        },
        decision: { b: 2, a: 1, B: 3, aa: { '10': 1, '9': 2, é: 3, e: 4 } },
        outcome: {},
      },
      { eventType: 'config.changed', entityIds: [], context: {}, decision: {}, outcome: { outcome_status: 'success' } },
    ]);
    expect(await copyTally(t)).toMatchObject({ verified: 3, generic: [] });
    expect(await bothPaths(t)).toMatchObject({ valid: true, recordsChecked: 3 });
  });

  it.each([
    ['a modified field', `UPDATE audit_records SET actor_id = 'mallory' WHERE tenant_id = $1 AND sequence_number = 7`, 7, 'record_modified'],
    ['a timestamp moved by 1 ms', `UPDATE audit_records SET "timestamp" = "timestamp" - interval '1 millisecond' WHERE tenant_id = $1 AND sequence_number = 5`, 5, 'record_modified'],
    ['a deleted record', 'DELETE FROM audit_records WHERE tenant_id = $1 AND sequence_number = 7', 7, 'record_missing'],
    ['the newest 3 records deleted', 'DELETE FROM audit_records WHERE tenant_id = $1 AND sequence_number > 17', 18, 'tail_truncated'],
    ['a NULL array element', `UPDATE audit_records SET entity_ids = ARRAY[NULL]::text[] WHERE tenant_id = $1 AND sequence_number = 4`, 4, 'record_modified'],
    ['a two-dimensional array', `UPDATE audit_records SET entity_ids = '{{a},{b}}'::text[] WHERE tenant_id = $1 AND sequence_number = 4`, 4, 'record_modified'],
    ['a JSON number rewritten', `UPDATE audit_records SET context = jsonb_set(context, '{input_tokens}', '1') WHERE tenant_id = $1 AND sequence_number = 12`, 12, 'record_modified'],
    ['two JSON member values swapped', `UPDATE audit_records SET decision = jsonb_build_object('decision_type', decision->'confidence', 'confidence', decision->'decision_type') WHERE tenant_id = $1 AND sequence_number = 6`, 6, 'record_modified'],
    ['a non-ASCII JSON string edited', `UPDATE audit_records SET context = jsonb_set(context, '{note}', '"munchen ✓"') WHERE tenant_id = $1 AND sequence_number = 9`, 9, 'record_modified'],
    ['a JSON member added', `UPDATE audit_records SET outcome = outcome || '{"a": 1}' WHERE tenant_id = $1 AND sequence_number = 11`, 11, 'record_modified'],
    ['a previous_hash edited', `UPDATE audit_records SET previous_hash = repeat('a', 64) WHERE tenant_id = $1 AND sequence_number = 3`, 3, 'record_modified'],
    ['a sequence renumbered far away', 'UPDATE audit_records SET sequence_number = 9007199254740991 WHERE tenant_id = $1 AND sequence_number = 20', 20, 'record_missing'],
  ])('%s → the same first break as the streaming path', async (_name, sql, seq, kind) => {
    const t = await checkpointedTenant();
    await tamper(db.pool, (c) => c.query(sql, [t]));
    expect(await bothPaths(t)).toMatchObject({ valid: false, firstBrokenSequence: seq, breakKind: kind });
  });

  it('a JSON number re-typed with another scale (0.87 → 0.870) is the same canonical value: still intact', async () => {
    const t = await checkpointedTenant();
    await tamper(db.pool, (c) => c.query(`UPDATE audit_records SET decision = jsonb_set(decision, '{confidence}', '0.870') WHERE tenant_id = $1 AND sequence_number = 5`, [t]));
    expect((await readRow(db.pool, t, 5)).decision).toMatchObject({ confidence: 0.87 });
    expect(await copyTally(t)).toEqual({ verified: 20, generic: [] });
    expect(await bothPaths(t)).toMatchObject({ valid: true, recordsChecked: 20 });
  });

  it('a far-off timestamp (off the fast path) verifies when untampered and is checked by the generic hash', async () => {
    const t = await tenantWithChain(db.prisma, 2);
    const far = new Date(Date.UTC(2400, 0, 1, 0, 0, 0, 1));
    await appendAuditBatch(db.prisma, scopeFor(t), [{ eventType: 'config.changed' }], { now: far });
    const tally = await copyTally(t);
    expect(tally.verified).toBe(2);
    expect(tally.generic.map((r) => r.timestamp.getTime())).toEqual([far.getTime()]);
    expect(await bothPaths(t)).toMatchObject({ valid: true, recordsChecked: 3 });
    await tamper(db.pool, (c) => c.query(`UPDATE audit_records SET "timestamp" = '2400-01-01T00:00:00.002Z' WHERE tenant_id = $1 AND sequence_number = 3`, [t]));
    expect(await bothPaths(t)).toMatchObject({ valid: false, firstBrokenSequence: 3, breakKind: 'record_modified' });
  });

  it('two records swapped, a forged duplicate, forged and rewritten links: same reports on both paths', async () => {
    const swapped = await checkpointedTenant();
    await tamper(db.pool, async (c) => {
      await c.query('UPDATE audit_records SET sequence_number = 0 WHERE tenant_id = $1 AND sequence_number = 7', [swapped]);
      await c.query('UPDATE audit_records SET sequence_number = 7 WHERE tenant_id = $1 AND sequence_number = 8', [swapped]);
      await c.query('UPDATE audit_records SET sequence_number = 8 WHERE tenant_id = $1 AND sequence_number = 0', [swapped]);
    });
    expect(await bothPaths(swapped)).toMatchObject({ firstBrokenSequence: 7, breakKind: 'order_changed' });

    const dup = await checkpointedTenant();
    await tamper(db.pool, (c) =>
      c.query(
        `INSERT INTO audit_records (audit_id, tenant_id, sequence_number, previous_hash, "timestamp", ingested_at, event_type,
           event_category, severity, actor_type, actor_id, actor_permissions, investigation_id, alert_id, entity_ids, context,
           decision, outcome, record_hash, record_version)
         SELECT audit_id || '-copy', tenant_id, sequence_number, previous_hash, "timestamp" + interval '1 millisecond', ingested_at,
           event_type, event_category, severity, actor_type, actor_id, actor_permissions, investigation_id, alert_id, entity_ids,
           context, decision, outcome, record_hash, record_version
           FROM audit_records WHERE tenant_id = $1 AND sequence_number = 10`,
        [dup],
      ),
    );
    expect(await bothPaths(dup)).toMatchObject({ valid: false, firstBrokenSequence: 10 });

    const forged = await checkpointedTenant();
    const row = await readRow(db.pool, forged, 7);
    await rewrite(db.pool, forged, 7, { ...row, actorId: 'mallory', previousHash: 'f'.repeat(64) }, { recomputeHash: true });
    expect(await bothPaths(forged)).toMatchObject({ firstBrokenSequence: 7, breakKind: 'link_broken' });

    const rehashed = await checkpointedTenant();
    const r8 = await readRow(db.pool, rehashed, 8);
    await rewrite(db.pool, rehashed, 8, { ...r8, actorId: 'mallory' }, { recomputeHash: true });
    expect(await bothPaths(rehashed)).toMatchObject({ firstBrokenSequence: 8, breakKind: 'link_broken' });
    // A range whose first row was rewritten is caught through the anchor, on both paths.
    expect(await bothPaths(rehashed, { fromSequence: 8, toSequence: 12 })).toMatchObject({ firstBrokenSequence: 8, breakKind: 'link_broken' });
  });

  it('falls back to the streaming path when the connection does not speak UTF8', async () => {
    const t = await newTenant(db.prisma);
    await appendAuditBatch(db.prisma, scopeFor(t), Array.from({ length: 4 }, () => ({ eventType: 'config.changed', context: { ascii: 'only' } })));
    const latin = new Client({ connectionString: db.url });
    await latin.connect();
    try {
      await latin.query(`SET client_encoding = 'LATIN1'`);
      expect(await copyConnection(latin)).toBeNull();
      expect(await verifyAuditChain(latin, t, { log: false })).toMatchObject({ valid: true, recordsChecked: 5 });
    } finally {
      await latin.end();
    }
  });
});

describe('copyOut', () => {
  it('rejects on a server error and on a consumer error, and leaves the connection usable', async () => {
    await expect(copyOut(client, 'COPY (SELECT 1/0) TO STDOUT', () => undefined)).rejects.toThrow(/division by zero/);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    let seen = 0;
    await expect(
      copyOut(client, 'COPY (SELECT generate_series(1, 1000)) TO STDOUT', () => {
        if (++seen === 3) throw new Error('consumer failed');
      }),
    ).rejects.toThrow('consumer failed');
    expect(seen).toBe(3);
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    const rows: string[] = [];
    await copyOut(client, 'COPY (SELECT generate_series(1, 3)) TO STDOUT', (b) => rows.push(b.toString()));
    expect(rows).toEqual(['1\n', '2\n', '3\n']);
  });
});
