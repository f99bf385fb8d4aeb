/**
 * Signed audit checkpoints, their schedule, and Merkle inclusion proofs (issue items 4–5).
 *
 * ## Signing key
 * One Ed25519 key signs every tenant's checkpoints. It comes from configuration (PEM) or, on
 * first run, is generated into `<dataDir>/audit-signing-key.pem` (mode 0600). Every public key
 * that signed is stored in `audit_signing_keys` by fingerprint, so checkpoints signed before a
 * key rotation stay verifiable.
 *
 * ## Checkpoints
 * `createCheckpoint` extends the previous checkpoint: it restores the stored Merkle accumulator
 * (RFC 9162 compact range), streams only the records after it, **verifies them** (hash, link,
 * sequence, anchored on the previous checkpoint's head hash — a checkpoint never signs a broken
 * chain), appends their leaves, signs {tenant, sequence, head hash, Merkle root, tree size,
 * time} and stores the checkpoint with the new accumulator, in O(new records).
 *
 * ## Inclusion proofs in O(log n)
 * While appending leaves, the checkpoint job stores every perfect, aligned subtree hash of 256
 * leaves or more in `audit_merkle_nodes` (≈ n/128 rows). A proof for leaf i against a tree of
 * size N reads at most ⌈log2 N⌉ stored nodes (one query) and the record hashes of at most two
 * 256-record blocks (i's block and the ragged right edge), and is checked against the signed
 * root before it is returned. Proofs keep working after retention archives older partitions.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

import type { PrismaClient } from '../generated/prisma/client';
import { DomainError, conflict, notFound } from '../errors/domain-error';
import { createChainVerifier } from './chain-verify';
import {
  generateSigningKeyPair,
  publicKeyFingerprint,
  signCheckpoint,
  verifyCheckpoint,
  type AuditCheckpoint,
  type KeyInput,
} from './checkpoint-signing';
import {
  HASH_BYTES,
  MerkleAccumulator,
  MerkleTree,
  hashChildren,
  largestPowerOfTwoBelow,
  leafHashOfRecordHash,
  verifyInclusion,
  type MerkleAccumulatorState,
} from './merkle';
import { computeRecordHash, GENESIS_PREVIOUS_HASH, truncateToMillis, type AuditRow } from './record-hash';
import { auditQueryable, auditRowFromRaw, dateFromEpochMillisText, streamAuditRows, type AuditDb, type AuditQueryable } from './audit.sql';

/** File name of the generated key inside the data directory. */
export const SIGNING_KEY_FILE = 'audit-signing-key.pem';

/** Leaves per stored block: subtrees of 2^8 leaves and larger are stored. */
const BLOCK_LEVEL = 8;
const BLOCK = 2 ** BLOCK_LEVEL;

/** The service's checkpoint signing key. */
export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
  source: 'configured' | 'file' | 'generated';
}

/** A signing key from a PKCS#8 PEM (Ed25519 only). */
export function signingKeyFromPem(privateKeyPem: string, source: AuditSigningKey['source'] = 'configured'): AuditSigningKey {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new DomainError('BAD_USER_INPUT', 'the audit signing key must be an Ed25519 private key');
  }
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, fingerprint: publicKeyFingerprint(publicKeyPem), source };
}

/**
 * The configured key, else `<dataDir>/audit-signing-key.pem`, else a new key written there
 * (mode 0600, exclusive create: two processes starting together end up with the same key).
 */
export async function loadOrCreateSigningKey(dataDir: string, configuredPem?: string | null): Promise<AuditSigningKey> {
  if (configuredPem && configuredPem.trim() !== '') return signingKeyFromPem(configuredPem, 'configured');
  if (!dataDir) throw new Error('loadOrCreateSigningKey: no configured key and no data directory');
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  try {
    return signingKeyFromPem(await fs.readFile(file, 'utf8'), 'file');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(dataDir, { recursive: true });
  const pair = generateSigningKeyPair();
  try {
    await fs.writeFile(file, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return signingKeyFromPem(await fs.readFile(file, 'utf8'), 'file');
  }
  return signingKeyFromPem(pair.privateKeyPem, 'generated');
}

/** Records the key's public half (idempotent). */
export async function registerSigningKey(db: AuditDb, key: Pick<AuditSigningKey, 'fingerprint' | 'publicKeyPem'>): Promise<void> {
  await auditQueryable(db).query(
    `INSERT INTO audit_signing_keys (fingerprint, public_key_pem) VALUES ($1, $2) ON CONFLICT (fingerprint) DO NOTHING`,
    [key.fingerprint, key.publicKeyPem],
  );
}

/** A stored checkpoint with its signature. */
export interface StoredCheckpoint extends AuditCheckpoint {
  signature: string;
  keyFingerprint: string;
}

interface CheckpointDbRow {
  seq: string;
  head_hash: string;
  merkle_root: string;
  tree_size: string;
  signature: string;
  key_fingerprint: string;
  created_ms: string;
  accumulator: MerkleAccumulatorState | string;
}

const CHECKPOINT_COLUMNS = `sequence_number::text AS seq, head_hash, merkle_root, tree_size::text AS tree_size, signature,
  key_fingerprint, (extract(epoch FROM created_at) * 1000)::text AS created_ms, accumulator`;

function toStored(tenantId: string, r: CheckpointDbRow): StoredCheckpoint {
  return {
    tenantId,
    sequence: Number(r.seq),
    headHash: r.head_hash,
    merkleRoot: r.merkle_root,
    treeSize: Number(r.tree_size),
    createdAt: dateFromEpochMillisText(r.created_ms),
    signature: r.signature,
    keyFingerprint: r.key_fingerprint,
  };
}

/** The tenant's newest checkpoint (at or after `minSequence`), or null. */
export async function latestCheckpoint(db: AuditDb, tenantId: string, minSequence = 1): Promise<StoredCheckpoint | null> {
  const rows = await auditQueryable(db).query<CheckpointDbRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tenant_id = $1 AND sequence_number >= $2::bigint
      ORDER BY sequence_number DESC LIMIT 1`,
    [tenantId, String(minSequence)],
  );
  return rows[0] ? toStored(tenantId, rows[0]) : null;
}

/**
 * The tenant's checkpoints with sequence in [from, to], newest first (at most `limit`), each with the
 * public key stored under its fingerprint (null when unknown), for verifiers to check the signature.
 */
export async function checkpointsInRange(
  db: AuditDb,
  tenantId: string,
  from: number,
  to: number,
  limit: number,
): Promise<(StoredCheckpoint & { publicKeyPem: string | null })[]> {
  const rows = await auditQueryable(db).query<CheckpointDbRow & { public_key_pem: string | null }>(
    `SELECT ${CHECKPOINT_COLUMNS},
            (SELECT k.public_key_pem FROM audit_signing_keys k WHERE k.fingerprint = c.key_fingerprint) AS public_key_pem
       FROM audit_checkpoints c
      WHERE tenant_id = $1 AND sequence_number >= $2::bigint AND sequence_number <= $3::bigint
      ORDER BY sequence_number DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
    [tenantId, String(from), String(to)],
  );
  return rows.map((r) => ({ ...toStored(tenantId, r), publicKeyPem: r.public_key_pem }));
}

/** Public key PEM stored under a fingerprint, or null. */
export async function signingPublicKey(db: AuditDb, fingerprint: string): Promise<string | null> {
  const rows = await auditQueryable(db).query<{ public_key_pem: string }>(
    'SELECT public_key_pem FROM audit_signing_keys WHERE fingerprint = $1',
    [fingerprint],
  );
  return rows[0]?.public_key_pem ?? null;
}

export interface CreateCheckpointOptions {
  /** Clock (default now), truncated to milliseconds. */
  now?: Date;
  pageSize?: number;
}

/**
 * Signs and stores a checkpoint at the tenant's current chain head, extending the previous one.
 * @returns the new checkpoint, or null when there is nothing new since the last one.
 * @throws DomainError CONFLICT when the records after the last checkpoint do not verify.
 */
export async function createCheckpoint(
  db: PrismaClient,
  tenantId: string,
  key: AuditSigningKey,
  options: CreateCheckpointOptions = {},
): Promise<StoredCheckpoint | null> {
  const q = auditQueryable(db);
  const state = await q.query<{ last_seq: string; last_hash: string }>(
    'SELECT last_sequence::text AS last_seq, last_hash FROM audit_chain_state WHERE tenant_id = $1',
    [tenantId],
  );
  const head = state[0] ? Number(state[0].last_seq) : 0;
  if (head === 0) return null;
  const prevRows = await q.query<CheckpointDbRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY sequence_number DESC LIMIT 1`,
    [tenantId],
  );
  const prev = prevRows[0] ?? null;
  const prevSeq = prev ? Number(prev.seq) : 0;
  if (prevSeq >= head) return null;

  const acc = prev
    ? MerkleAccumulator.fromState(typeof prev.accumulator === 'string' ? JSON.parse(prev.accumulator) : prev.accumulator)
    : new MerkleAccumulator();
  if (acc.size !== prevSeq) throw conflict(`checkpoint ${prevSeq} of tenant ${tenantId} holds an accumulator of size ${acc.size}`);

  const verifier = createChainVerifier({
    expectedFirstSequence: prevSeq + 1,
    expectedPreviousHash: prev ? prev.head_hash : GENESIS_PREVIOUS_HASH,
    expectedLastSequence: head,
    maxErrors: 5,
  });
  const nodes: { level: number; index: number; hash: string }[] = [];
  for await (const page of streamAuditRows(q, { tenantId, from: prevSeq + 1, to: head, pageSize: options.pageSize })) {
    for (const raw of page) {
      const row = auditRowFromRaw(raw);
      verifier.push(row);
      let leaf: Buffer;
      try {
        leaf = leafHashOfRecordHash(row.recordHash);
      } catch {
        leaf = Buffer.alloc(HASH_BYTES); // malformed stored hash: the verifier reports it, nothing is signed
      }
      appendLeafStoringNodes(acc, leaf, nodes);
    }
  }
  const report = verifier.finish();
  if (!report.valid) {
    const e = report.errors[0]!;
    throw conflict(`audit chain of tenant ${tenantId} does not verify at sequence ${e.sequence} (${e.kind}); no checkpoint signed`, {
      sequence: e.sequence,
      kind: e.kind,
    });
  }
  if (report.lastSequence !== head || acc.size !== head) {
    throw conflict(`audit chain of tenant ${tenantId} ends at ${report.lastSequence}, its head says ${head}; no checkpoint signed`);
  }

  const cp: AuditCheckpoint = {
    tenantId,
    sequence: head,
    headHash: report.lastHash!,
    merkleRoot: acc.root().toString('hex'),
    treeSize: acc.size,
    createdAt: truncateToMillis(options.now ?? new Date()),
  };
  const signature = signCheckpoint(cp, key.privateKey);
  await registerSigningKey(q, key);
  await db.$transaction(async (tx) => {
    const t = auditQueryable(tx);
    for (let i = 0; i < nodes.length; i += 5000) {
      const chunk = nodes.slice(i, i + 5000);
      await t.query(
        `INSERT INTO audit_merkle_nodes (tenant_id, level, node_index, hash)
         SELECT $1, l, i, h FROM unnest($2::smallint[], $3::bigint[], $4::text[]) AS u(l, i, h)
         ON CONFLICT DO NOTHING`,
        [tenantId, chunk.map((n) => n.level), chunk.map((n) => String(n.index)), chunk.map((n) => n.hash)],
      );
    }
    await t.query(
      `INSERT INTO audit_checkpoints (tenant_id, sequence_number, head_hash, merkle_root, tree_size, accumulator, signature,
                                      key_fingerprint, created_at)
       VALUES ($1, $2::bigint, $3, $4, $5::bigint, $6::jsonb, $7, $8, $9::timestamptz)
       ON CONFLICT (tenant_id, sequence_number) DO NOTHING`,
      [
        tenantId,
        String(cp.sequence),
        cp.headHash,
        cp.merkleRoot,
        String(cp.treeSize),
        JSON.stringify(acc.toState()),
        signature,
        key.fingerprint,
        cp.createdAt.toISOString(),
      ],
    );
  });
  // A concurrent creator may have stored this sequence first: return what is stored.
  return (await latestCheckpoint(q, tenantId, cp.sequence)) ?? { ...cp, signature, keyFingerprint: key.fingerprint };
}

/**
 * Appends a leaf; when it completes a 256-leaf block, collects the block root and every larger
 * aligned subtree completed with it. Before the block's last leaf the accumulator's trailing
 * nodes are exactly the block's partial subtrees (128, 64, …, 1 leaves), preceded by the
 * completed larger subtrees the new block merges with, so nothing needs re-reading.
 */
function appendLeafStoringNodes(acc: MerkleAccumulator, leaf: Buffer, out: { level: number; index: number; hash: string }[]): void {
  if (acc.size % BLOCK === BLOCK - 1) {
    const list = acc.toState().nodes;
    let node = leaf;
    let j = list.length - 1;
    for (let k = 0; k < BLOCK_LEVEL; k++, j--) node = hashChildren(Buffer.from(list[j]!, 'hex'), node);
    let level = BLOCK_LEVEL;
    let index = Math.floor(acc.size / BLOCK);
    out.push({ level, index, hash: node.toString('hex') });
    while (index % 2 === 1) {
      node = hashChildren(Buffer.from(list[j]!, 'hex'), node);
      j--;
      level++;
      index = (index - 1) / 2;
      out.push({ level, index, hash: node.toString('hex') });
    }
  }
  acc.append(leaf);
}

// ---------------------------------------------------------------------------------------------
// Scheduler

export interface CheckpointSchedulerOptions {
  prisma: PrismaClient;
  key: AuditSigningKey;
  /** Checkpoint a tenant once this many records were appended since its last checkpoint. */
  everyRecords: number;
  /** …or once this much time passed since its last checkpoint and it has new records. */
  everyMs: number;
  /** How often to look (default min(everyMs, 5 s)). */
  pollMs?: number;
  /** Called for each failure (default: ignored; the next poll retries). */
  onError?: (err: unknown, tenantId: string | null) => void;
  onCheckpoint?: (cp: StoredCheckpoint) => void;
}

export interface CheckpointScheduler {
  /** One pass over the due tenants; resolves with how many checkpoints were written. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

/** Tenants due for a checkpoint: one indexed query over the chain heads. */
export async function dueCheckpointTenants(db: AuditDb, everyRecords: number, everyMs: number, now = new Date()): Promise<string[]> {
  const rows = await auditQueryable(db).query<{ tenant_id: string }>(
    `SELECT s.tenant_id
       FROM audit_chain_state s
       LEFT JOIN LATERAL (SELECT c.sequence_number, c.created_at FROM audit_checkpoints c
                           WHERE c.tenant_id = s.tenant_id ORDER BY c.sequence_number DESC LIMIT 1) c ON true
      WHERE s.last_sequence > COALESCE(c.sequence_number, 0)
        AND (s.last_sequence - COALESCE(c.sequence_number, 0) >= $1::bigint
             OR COALESCE(c.created_at, s.updated_at) <= $2::timestamptz)
      ORDER BY s.tenant_id`,
    [String(everyRecords), new Date(now.getTime() - everyMs).toISOString()],
  );
  return rows.map((r) => r.tenant_id);
}

/**
 * Checkpoints every due tenant periodically: after `everyRecords` new records, or `everyMs`
 * after the last checkpoint (the first one: after its oldest unsigned head update) when there
 * are new records. The timer is unref'd; passes never overlap. Several processes may run it:
 * checkpoints are keyed by (tenant, sequence) and stored with ON CONFLICT DO NOTHING.
 */
export function startCheckpointScheduler(opts: CheckpointSchedulerOptions): CheckpointScheduler {
  const pollMs = opts.pollMs ?? Math.min(opts.everyMs, 5000);
  let running: Promise<number> | null = null;
  let stopped = false;

  async function pass(): Promise<number> {
    let written = 0;
    let tenants: string[];
    try {
      tenants = await dueCheckpointTenants(opts.prisma, opts.everyRecords, opts.everyMs);
    } catch (err) {
      opts.onError?.(err, null);
      return 0;
    }
    for (const tenantId of tenants) {
      if (stopped) break;
      try {
        const cp = await createCheckpoint(opts.prisma, tenantId, opts.key);
        if (cp) {
          written++;
          opts.onCheckpoint?.(cp);
        }
      } catch (err) {
        opts.onError?.(err, tenantId);
      }
    }
    return written;
  }

  function runOnce(): Promise<number> {
    if (running) return running.then(() => runOnce());
    running = pass().finally(() => {
      running = null;
    });
    return running;
  }

  const timer = setInterval(() => {
    if (!running && !stopped) void runOnce();
  }, pollMs);
  timer.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await running.catch(() => 0);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Inclusion proofs

/** An RFC 9162 audit path from a record to a signed checkpoint. */
export interface AuditInclusionProof {
  tenantId: string;
  sequence: number;
  /** sequence − 1. */
  leafIndex: number;
  treeSize: number;
  /** The stored record_hash of the record. */
  recordHash: string;
  /** Sibling hashes, leaf level first (hex). */
  auditPath: string[];
  checkpoint: StoredCheckpoint;
}

/**
 * The audit path of record `sequence` to the tenant's newest checkpoint (which must cover it).
 * @throws DomainError NOT_FOUND when no checkpoint covers the sequence yet, CONFLICT when the
 * stored records no longer produce the signed root.
 */
export async function auditInclusionProof(db: AuditDb, tenantId: string, sequence: number): Promise<AuditInclusionProof> {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new DomainError('BAD_USER_INPUT', 'sequence must be an integer ≥ 1');
  const q = auditQueryable(db);
  const cp = await latestCheckpoint(q, tenantId, sequence);
  if (!cp) throw notFound('Audit checkpoint covering sequence', String(sequence));
  const n = cp.treeSize;
  const index = sequence - 1;

  // Plan: which stored nodes and which 256-leaf blocks the path needs.
  const needNodes = new Map<string, { level: number; index: number }>();
  const needBlocks = new Set<number>([Math.floor(index / BLOCK)]);
  const ranges = pathRanges(index, n);
  for (const [s, e] of ranges) plan(s, e, needNodes, needBlocks);

  const stored = await loadNodes(q, tenantId, [...needNodes.values()]);
  const blocks = new Map<number, MerkleTree>();
  let recordHash = '';
  for (const b of needBlocks) {
    const block = await loadBlock(q, tenantId, b, n);
    blocks.set(b, block.tree);
    if (b === Math.floor(index / BLOCK)) recordHash = block.recordHashes[index % BLOCK]!;
  }

  const resolve = (start: number, end: number): Buffer => nodeHash(start, end, stored, blocks);
  const auditPath = ranges.map(([s, e]) => resolve(s, e)).reverse();
  const leafBlock = blocks.get(Math.floor(index / BLOCK))!;
  const leaf = leafBlock.leafHash(index % BLOCK);
  if (!verifyInclusion(index, n, leaf, auditPath, cp.merkleRoot)) {
    throw conflict(`the stored audit records of tenant ${tenantId} no longer match checkpoint ${cp.sequence}`, {
      sequence,
      checkpoint: cp.sequence,
    });
  }
  return { tenantId, sequence, leafIndex: index, treeSize: n, recordHash, auditPath: auditPath.map((h) => h.toString('hex')), checkpoint: cp };
}

/** The sibling ranges of RFC 9162 PATH(index, D[n]), top-down. */
function pathRanges(index: number, n: number): [number, number][] {
  const out: [number, number][] = [];
  let m = index;
  let start = 0;
  let end = n;
  while (end - start > 1) {
    const k = largestPowerOfTwoBelow(end - start);
    if (m < k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
      m -= k;
    }
  }
  return out;
}

function isPerfectAligned(start: number, size: number): boolean {
  return size >= 1 && Number.isInteger(Math.log2(size)) && start % size === 0;
}

function levelOf(size: number): number {
  return Math.round(Math.log2(size));
}

function plan(start: number, end: number, nodes: Map<string, { level: number; index: number }>, blocks: Set<number>): void {
  const size = end - start;
  if (size >= BLOCK && isPerfectAligned(start, size)) {
    const level = levelOf(size);
    nodes.set(`${level}:${start / size}`, { level, index: start / size });
    return;
  }
  if (size <= BLOCK && Math.floor(start / BLOCK) === Math.floor((end - 1) / BLOCK)) {
    blocks.add(Math.floor(start / BLOCK));
    return;
  }
  const k = largestPowerOfTwoBelow(size);
  plan(start, start + k, nodes, blocks);
  plan(start + k, end, nodes, blocks);
}

function nodeHash(start: number, end: number, stored: Map<string, Buffer>, blocks: Map<number, MerkleTree>): Buffer {
  const size = end - start;
  if (size >= BLOCK && isPerfectAligned(start, size)) {
    const h = stored.get(`${levelOf(size)}:${start / size}`);
    if (h) return h;
  }
  const b = Math.floor(start / BLOCK);
  if (size <= BLOCK && b === Math.floor((end - 1) / BLOCK) && blocks.has(b)) {
    return blocks.get(b)!.subtreeRoot(start - b * BLOCK, end - b * BLOCK);
  }
  if (size === 1) throw conflict(`audit Merkle leaf ${start} is not available`);
  const k = largestPowerOfTwoBelow(size);
  return hashChildren(nodeHash(start, start + k, stored, blocks), nodeHash(start + k, end, stored, blocks));
}

async function loadNodes(q: AuditQueryable, tenantId: string, keys: { level: number; index: number }[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (keys.length === 0) return out;
  const rows = await q.query<{ level: number; idx: string; hash: string }>(
    `SELECT n.level::int AS level, n.node_index::text AS idx, n.hash
       FROM audit_merkle_nodes n JOIN unnest($2::smallint[], $3::bigint[]) AS k(l, i) ON n.level = k.l AND n.node_index = k.i
      WHERE n.tenant_id = $1`,
    [tenantId, keys.map((k) => k.level), keys.map((k) => String(k.index))],
  );
  for (const r of rows) out.set(`${Number(r.level)}:${r.idx}`, Buffer.from(r.hash, 'hex'));
  return out;
}

/** The leaves of block `b` that lie inside the tree of `n` leaves (sequences b·256+1 …). */
async function loadBlock(
  q: AuditQueryable,
  tenantId: string,
  b: number,
  n: number,
): Promise<{ tree: MerkleTree; recordHashes: string[] }> {
  const first = b * BLOCK + 1;
  const last = Math.min((b + 1) * BLOCK, n);
  const rows = await q.query<{ seq: string; record_hash: string }>(
    `SELECT sequence_number::text AS seq, record_hash FROM audit_records
      WHERE tenant_id = $1 AND sequence_number BETWEEN $2::bigint AND $3::bigint ORDER BY sequence_number, "timestamp"`,
    [tenantId, String(first), String(last)],
  );
  const tree = MerkleTree.empty(BLOCK);
  const hashes: string[] = [];
  let expect = first;
  for (const r of rows) {
    if (Number(r.seq) !== expect) throw conflict(`audit records of tenant ${tenantId} around sequence ${expect} are missing or duplicated`);
    let leaf: Buffer;
    try {
      leaf = leafHashOfRecordHash(r.record_hash);
    } catch {
      leaf = Buffer.alloc(HASH_BYTES);
    }
    tree.append(leaf);
    hashes.push(r.record_hash);
    expect++;
  }
  if (expect !== last + 1) throw conflict(`audit records ${expect}..${last} of tenant ${tenantId} are not available`);
  return { tree, recordHashes: hashes };
}

/** Result of {@link verifyAuditInclusion}. */
export interface InclusionCheck {
  valid: boolean;
  reason: string | null;
}

/**
 * Checks, without the database, that `record` (as read or exported) is the record the proof
 * places in the tree signed by the checkpoint: its content re-hashes to its record_hash, the
 * checkpoint signature verifies with `publicKey`, and the audit path leads to the signed root.
 */
export function verifyAuditInclusion(record: AuditRow, proof: AuditInclusionProof, publicKey: KeyInput): InclusionCheck {
  const cp = proof.checkpoint;
  if (!verifyCheckpoint(cp, cp.signature, publicKey)) return { valid: false, reason: 'checkpoint signature does not verify' };
  if (record.tenantId !== cp.tenantId) return { valid: false, reason: 'record belongs to another tenant' };
  if (record.sequenceNumber !== proof.sequence || proof.leafIndex !== proof.sequence - 1) {
    return { valid: false, reason: 'proof is for another sequence' };
  }
  if (proof.treeSize !== cp.treeSize) return { valid: false, reason: 'proof tree size differs from the checkpoint' };
  let hash: string;
  try {
    hash = computeRecordHash(record);
  } catch {
    return { valid: false, reason: 'record cannot be hashed' };
  }
  if (hash !== record.recordHash) return { valid: false, reason: 'record content does not match its record_hash' };
  if (!verifyInclusion(proof.leafIndex, proof.treeSize, leafHashOfRecordHash(hash), proof.auditPath, cp.merkleRoot)) {
    return { valid: false, reason: 'audit path does not lead to the signed Merkle root' };
  }
  return { valid: true, reason: null };
}
