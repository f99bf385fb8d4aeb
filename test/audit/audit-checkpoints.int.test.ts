import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { appendAuditBatch } from '../../src/audit/audit.append';
import {
  auditInclusionProof,
  createCheckpoint,
  loadOrCreateSigningKey,
  SIGNING_KEY_FILE,
  startCheckpointScheduler,
  verifyAuditInclusion,
  type AuditSigningKey,
} from '../../src/audit/audit.checkpoints';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { verifyCheckpoint } from '../../src/audit/checkpoint-signing';
import { MerkleTree } from '../../src/audit/merkle';
import { newSigningKey, newTenant, range, readRow, sampleEvent, scopeFor, tamper, tenantWithChain } from './audit-db';

let db: TestDatabase;
let key: AuditSigningKey;
beforeAll(async () => {
  db = await createTestDatabase();
  key = newSigningKey();
});
afterAll(async () => {
  await db.drop();
});

async function allHashes(tenant: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ record_hash: string }>(
    'SELECT record_hash FROM audit_records WHERE tenant_id = $1 ORDER BY sequence_number',
    [tenant],
  );
  return rows.map((r) => r.record_hash);
}

describe('signing key', () => {
  it('is generated once into the data directory (0600), then reloaded; a configured PEM wins', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aluskort-key-'));
    try {
      const a = await loadOrCreateSigningKey(dir);
      expect(a.source).toBe('generated');
      const st = await fs.stat(path.join(dir, SIGNING_KEY_FILE));
      expect(st.mode & 0o777).toBe(0o600);
      const b = await loadOrCreateSigningKey(dir);
      expect(b).toMatchObject({ source: 'file', fingerprint: a.fingerprint });
      const configured = newSigningKey();
      const pem = configured.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const c = await loadOrCreateSigningKey(dir, pem);
      expect(c).toMatchObject({ source: 'configured', fingerprint: configured.fingerprint });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('checkpoints and inclusion proofs', () => {
  it('extends the previous checkpoint incrementally; roots equal the full RFC 9162 tree; proofs verify for first, middle and last', async () => {
    const tenant = await tenantWithChain(db.prisma, 300);
    const cp1 = await createCheckpoint(db.prisma, tenant, key);
    expect(cp1).toMatchObject({ sequence: 300, treeSize: 300 });
    expect(await createCheckpoint(db.prisma, tenant, key)).toBeNull(); // nothing new
    await appendAuditBatch(db.prisma, scopeFor(tenant), range(1, 469).map(sampleEvent)); // → 769
    const cp2 = (await createCheckpoint(db.prisma, tenant, key))!;
    await appendAuditBatch(db.prisma, scopeFor(tenant), range(1, 255).map(sampleEvent)); // → 1024
    const cp3 = (await createCheckpoint(db.prisma, tenant, key))!;
    await appendAuditBatch(db.prisma, scopeFor(tenant), range(1, 37).map(sampleEvent)); // → 1061
    const cp4 = (await createCheckpoint(db.prisma, tenant, key))!;
    expect([cp2.sequence, cp3.sequence, cp4.sequence]).toEqual([769, 1024, 1061]);

    const hashes = await allHashes(tenant);
    const tree = MerkleTree.fromRecordHashes(hashes);
    for (const cp of [cp1!, cp2, cp3, cp4]) {
      expect(cp.merkleRoot).toBe(tree.root(cp.treeSize).toString('hex'));
      expect(cp.headHash).toBe(hashes[cp.sequence - 1]);
      expect(verifyCheckpoint(cp, cp.signature, key.publicKeyPem)).toBe(true);
    }
    // Stored subtrees: every aligned 256-leaf block and its parents up to 1024.
    const nodes = await db.prisma.auditMerkleNode.findMany({ where: { tenantId: tenant }, orderBy: [{ level: 'asc' }, { nodeIndex: 'asc' }] });
    expect(nodes.map((n) => `${n.level}:${n.nodeIndex}`)).toEqual(['8:0', '8:1', '8:2', '8:3', '9:0', '9:1', '10:0']);
    expect(nodes.find((n) => n.level === 10)!.hash).toBe(tree.root(1024).toString('hex'));

    for (const seq of [1, 2, 255, 256, 257, 530, 768, 1024, 1025, 1060, 1061]) {
      const proof = await auditInclusionProof(db.prisma, tenant, seq);
      expect(proof).toMatchObject({ sequence: seq, leafIndex: seq - 1, treeSize: 1061, recordHash: hashes[seq - 1] });
      expect(proof.checkpoint.sequence).toBe(1061);
      expect(proof.auditPath).toEqual(tree.inclusionProof(seq - 1, 1061).map((h) => h.toString('hex')));
      expect(proof.auditPath.length).toBeLessThanOrEqual(11);
      const record = await readRow(db.pool, tenant, seq);
      expect(verifyAuditInclusion(record, proof, key.publicKeyPem)).toEqual({ valid: true, reason: null });
      // A modified record, a wrong key or a forged checkpoint do not verify.
      expect(verifyAuditInclusion({ ...record, actorId: 'mallory' }, proof, key.publicKeyPem).valid).toBe(false);
      expect(verifyAuditInclusion(record, proof, newSigningKey().publicKeyPem).reason).toBe('checkpoint signature does not verify');
      const forgedCp = { ...proof, checkpoint: { ...proof.checkpoint, treeSize: 1062, sequence: 1062 } };
      expect(verifyAuditInclusion(record, forgedCp, key.publicKeyPem).valid).toBe(false);
    }
    await expect(auditInclusionProof(db.prisma, tenant, 1062)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a record modified in the database fails its proof; a rewritten record_hash makes the proof CONFLICT', async () => {
    const tenant = await tenantWithChain(db.prisma, 40);
    await createCheckpoint(db.prisma, tenant, key);
    await tamper(db.pool, (c) => c.query(`UPDATE audit_records SET actor_id = 'mallory' WHERE tenant_id = $1 AND sequence_number = 20`, [tenant]));
    const proof = await auditInclusionProof(db.prisma, tenant, 20);
    const record = await readRow(db.pool, tenant, 20);
    expect(verifyAuditInclusion(record, proof, key.publicKeyPem)).toEqual({ valid: false, reason: 'record content does not match its record_hash' });
    await tamper(db.pool, (c) =>
      c.query(`UPDATE audit_records SET record_hash = $2 WHERE tenant_id = $1 AND sequence_number = 21`, [tenant, 'a'.repeat(64)]),
    );
    await expect(auditInclusionProof(db.prisma, tenant, 21)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('the scheduler checkpoints a tenant after N new records or T elapsed, and stops cleanly', async () => {
    const busy = await tenantWithChain(db.prisma, 60);
    const quiet = await newTenant(db.prisma);
    await appendAuditBatch(db.prisma, scopeFor(quiet), [sampleEvent(1)]);
    const seen: string[] = [];
    const scheduler = startCheckpointScheduler({
      prisma: db.prisma,
      key,
      everyRecords: 50,
      everyMs: 3_600_000,
      pollMs: 3_600_000,
      onCheckpoint: (cp) => seen.push(`${cp.tenantId}:${cp.sequence}`),
    });
    try {
      await scheduler.runOnce();
      expect(seen).toContain(`${busy}:60`);
      expect(seen.some((s) => s.startsWith(quiet))).toBe(false); // 2 records, last write just now
      await appendAuditBatch(db.prisma, scopeFor(busy), range(1, 10).map(sampleEvent));
      await scheduler.runOnce();
      expect(seen.filter((s) => s.startsWith(busy))).toEqual([`${busy}:60`]);
    } finally {
      await scheduler.stop();
    }
    const timed = startCheckpointScheduler({ prisma: db.prisma, key, everyRecords: 1000, everyMs: 1, pollMs: 20 });
    try {
      await new Promise((r) => setTimeout(r, 150));
      await timed.runOnce();
    } finally {
      await timed.stop();
    }
    const cpQuiet = await db.prisma.auditCheckpoint.findFirst({ where: { tenantId: quiet }, orderBy: { sequenceNumber: 'desc' } });
    expect(Number(cpQuiet?.sequenceNumber)).toBe(2);
    const cpBusy = await db.prisma.auditCheckpoint.findFirst({ where: { tenantId: busy }, orderBy: { sequenceNumber: 'desc' } });
    expect(Number(cpBusy?.sequenceNumber)).toBe(70);
    expect((await verifyAuditChain(db.prisma, busy, { log: false })).checkpoint?.sequence).toBe(70);
  });
});
