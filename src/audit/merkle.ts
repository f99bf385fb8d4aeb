/**
 * RFC 9162 (Certificate Transparency v2.0, same tree as RFC 6962) Merkle trees over a tenant's
 * audit chain. Leaf i (0-based) is the 32-byte `record_hash` of sequence i + 1.
 *
 *   leaf hash  = SHA-256(0x00 ‖ leaf data)
 *   node hash  = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({})    = SHA-256("")
 *   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k = largest power of two < n      (§2.1.1)
 *
 * Functions here take **leaf hashes** (already prefixed-and-hashed) unless named otherwise;
 * `leafHashOfRecordHash` turns a stored record_hash into its leaf hash.
 *
 * Structures for the database layer:
 * - {@link MerkleAccumulator} (a "compact range"): O(log n) memory, appends in amortised O(1)
 *   hashes, root in O(log n). Its state (`size` + ≤ 53 node hashes) is serialisable, so the
 *   checkpoint job can store it with each checkpoint and extend it with only the new records
 *   next time, instead of re-reading the chain.
 * - {@link MerkleTree}: keeps every perfect (complete, aligned) subtree hash, level by level in
 *   flat buffers (≈ 64 bytes per leaf; 1M records ≈ 64 MB). Built once in O(n) hashes from the
 *   record hashes (loaded once, or appended as records are written), it answers the root,
 *   inclusion proofs and consistency proofs for *any* tree size ≤ n — i.e. against any older
 *   checkpoint — in O(log n) node lookups plus O(log² n) hashes at most for the ragged right edge.
 */
import { hash as cryptoHash } from 'node:crypto';

/** Hash length in bytes (SHA-256). */
export const HASH_BYTES = 32;

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_TREE_ROOT: Buffer = cryptoHash('sha256', Buffer.alloc(0), 'buffer');

/** A hash given as bytes or as 64 hex characters. */
export type HashInput = Uint8Array | string;

const LEAF_PREFIX = Buffer.from([0x00]);
const scratch = Buffer.alloc(1 + 2 * HASH_BYTES);
scratch[0] = 0x01;

/** SHA-256(0x00 ‖ data). */
export function hashLeaf(data: Uint8Array): Buffer {
  return cryptoHash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right). Both inputs must be 32 bytes. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  // crypto.hash copies its input synchronously, so one scratch buffer serves every call.
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_BYTES);
  return cryptoHash('sha256', scratch, 'buffer');
}

/** The leaf hash of an audit record: hashLeaf(32 bytes of the hex `record_hash`). */
export function leafHashOfRecordHash(recordHashHex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(recordHashHex)) {
    throw new RangeError('record hash must be 64 lowercase hex characters');
  }
  return hashLeaf(Buffer.from(recordHashHex, 'hex'));
}

/** Normalises a 32-byte hash given as bytes or hex; null when malformed. */
export function toHashBytes(h: HashInput): Buffer | null {
  if (typeof h === 'string') {
    return /^[0-9a-fA-F]{64}$/.test(h) ? Buffer.from(h, 'hex') : null;
  }
  return h instanceof Uint8Array && h.length === HASH_BYTES ? Buffer.from(h.buffer, h.byteOffset, h.length) : null;
}

/** Largest power of two strictly below n (n ≥ 2). Arithmetic, not bit operations: n may exceed 2^31. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && largestPowerOfTwoBelow(n + 1) === n;
}

function checkSize(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer`);
}

/**
 * Compact range: the roots of the perfect subtrees covering leaves [0, size), largest first.
 * Appending merges equal-sized subtrees (like a binary counter).
 */
export class MerkleAccumulator {
  private readonly nodes: Buffer[] = [];
  private count = 0;

  /** Restores a state produced by {@link MerkleAccumulator.toState}. */
  static fromState(state: MerkleAccumulatorState): MerkleAccumulator {
    checkSize(state.size, 'size');
    let expected = 0;
    for (let s = state.size; s > 0; s = Math.floor(s / 2)) if (s % 2 === 1) expected++;
    if (state.nodes.length !== expected) throw new RangeError('node count does not match size');
    const acc = new MerkleAccumulator();
    for (const n of state.nodes) {
      const b = toHashBytes(n);
      if (b === null) throw new RangeError('malformed node hash');
      acc.nodes.push(Buffer.from(b));
    }
    acc.count = state.size;
    return acc;
  }

  /** Number of leaves appended. */
  get size(): number {
    return this.count;
  }

  /** Appends one leaf hash (32 bytes). */
  append(leafHash: Uint8Array): void {
    if (leafHash.length !== HASH_BYTES) throw new RangeError('leaf hash must be 32 bytes');
    let node: Buffer = Buffer.from(leafHash);
    for (let c = this.count; c % 2 === 1; c = Math.floor(c / 2)) {
      node = hashChildren(this.nodes.pop()!, node);
    }
    this.nodes.push(node);
    this.count++;
  }

  /** Appends the leaf of a stored record hash (hex). */
  appendRecordHash(recordHashHex: string): void {
    this.append(leafHashOfRecordHash(recordHashHex));
  }

  /** MTH of the leaves so far. */
  root(): Buffer {
    if (this.nodes.length === 0) return Buffer.from(EMPTY_TREE_ROOT);
    let r = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) r = hashChildren(this.nodes[i]!, r);
    return Buffer.from(r);
  }

  /** Serialisable state: size and the subtree roots (hex), largest subtree first. */
  toState(): MerkleAccumulatorState {
    return { size: this.count, nodes: this.nodes.map((n) => n.toString('hex')) };
  }
}

/** Serialised {@link MerkleAccumulator}. */
export interface MerkleAccumulatorState {
  size: number;
  nodes: string[];
}

/** One level of perfect subtree hashes, in a growable flat buffer. */
class Level {
  buf: Buffer;
  count = 0;
  constructor(capacity: number) {
    this.buf = Buffer.alloc(Math.max(1, capacity) * HASH_BYTES);
  }
  push(h: Uint8Array): void {
    if ((this.count + 1) * HASH_BYTES > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger);
      this.buf = bigger;
    }
    this.buf.set(h, this.count * HASH_BYTES);
    this.count++;
  }
  get(i: number): Buffer {
    return this.buf.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
  }
}

/**
 * A Merkle tree storing every perfect subtree hash. Level L holds floor(size / 2^L) nodes; node
 * i of level L is MTH(D[i·2^L : (i+1)·2^L]). Any MTH(D[a:b]) that the RFC algorithms need is a
 * perfect node or splits into perfect nodes along the right edge.
 */
export class MerkleTree {
  private readonly levels: Level[];

  private constructor(expected: number) {
    this.levels = [new Level(expected)];
  }

  /** An empty tree (append leaves later). */
  static empty(expectedLeaves = 1024): MerkleTree {
    return new MerkleTree(expectedLeaves);
  }

  /** A tree over the given leaf hashes. */
  static fromLeafHashes(leafHashes: Iterable<Uint8Array>, expectedLeaves = 1024): MerkleTree {
    const t = new MerkleTree(expectedLeaves);
    for (const h of leafHashes) t.append(h);
    return t;
  }

  /** A tree over stored record hashes (hex), in sequence order starting at sequence 1. */
  static fromRecordHashes(recordHashesHex: Iterable<string>, expectedLeaves = 1024): MerkleTree {
    const t = new MerkleTree(expectedLeaves);
    for (const h of recordHashesHex) t.append(leafHashOfRecordHash(h));
    return t;
  }

  /** Number of leaves. */
  get size(): number {
    return this.levels[0]!.count;
  }

  /** Appends one leaf hash; amortised O(1) hashes. */
  append(leafHash: Uint8Array): void {
    if (leafHash.length !== HASH_BYTES) throw new RangeError('leaf hash must be 32 bytes');
    let level = 0;
    this.levels[0]!.push(leafHash);
    while (this.levels[level]!.count % 2 === 0) {
      const lv = this.levels[level]!;
      const parent = hashChildren(lv.get(lv.count - 2), lv.get(lv.count - 1));
      level++;
      if (this.levels.length === level) this.levels.push(new Level(Math.ceil(this.levels[0]!.buf.length / HASH_BYTES / 2 ** level)));
      this.levels[level]!.push(parent);
    }
  }

  /** The leaf hash at `index`. */
  leafHash(index: number): Buffer {
    this.checkIndex(index, this.size);
    return Buffer.from(this.levels[0]!.get(index));
  }

  /** MTH of the first `treeSize` leaves (default: all). */
  root(treeSize: number = this.size): Buffer {
    this.checkTreeSize(treeSize);
    return treeSize === 0 ? Buffer.from(EMPTY_TREE_ROOT) : Buffer.from(this.node(0, treeSize));
  }

  /**
   * RFC 9162 §2.1.3.1 PATH(index, D[treeSize]): the audit path of leaf `index` in the tree of
   * the first `treeSize` leaves, leaf-level sibling first. At most ceil(log2 treeSize) hashes.
   */
  inclusionProof(index: number, treeSize: number = this.size): Buffer[] {
    this.checkTreeSize(treeSize);
    this.checkIndex(index, treeSize);
    const path: Buffer[] = [];
    let m = index;
    let start = 0;
    let end = treeSize;
    // Walk top-down, collecting siblings; PATH lists them bottom-up, so reverse at the end.
    while (end - start > 1) {
      const k = largestPowerOfTwoBelow(end - start);
      if (m < k) {
        path.push(Buffer.from(this.node(start + k, end)));
        end = start + k;
      } else {
        path.push(Buffer.from(this.node(start, start + k)));
        start += k;
        m -= k;
      }
    }
    return path.reverse();
  }

  /**
   * RFC 9162 §2.1.4.1 PROOF(size1, D[size2]): proves the tree of the first `size1` leaves is a
   * prefix of the tree of the first `size2` leaves. Empty when size1 is 0 or equals size2.
   */
  consistencyProof(size1: number, size2: number = this.size): Buffer[] {
    this.checkTreeSize(size2);
    checkSize(size1, 'size1');
    if (size1 > size2) throw new RangeError('size1 must not exceed size2');
    if (size1 === 0 || size1 === size2) return [];
    return this.subproof(size1, 0, size2, true);
  }

  private subproof(m: number, start: number, end: number, completeSubtree: boolean): Buffer[] {
    const n = end - start;
    if (m === n) return completeSubtree ? [] : [Buffer.from(this.node(start, end))];
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      const p = this.subproof(m, start, start + k, completeSubtree);
      p.push(Buffer.from(this.node(start + k, end)));
      return p;
    }
    const p = this.subproof(m - k, start + k, end, false);
    p.push(Buffer.from(this.node(start, start + k)));
    return p;
  }

  /** MTH(D[start:end]) (a copy). */
  subtreeRoot(start: number, end: number): Buffer {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start || end > this.size) {
      throw new RangeError('invalid subtree range');
    }
    return Buffer.from(this.node(start, end));
  }

  /** MTH(D[start:end]); a view of the stored node when the range is a perfect aligned subtree. */
  private node(start: number, end: number): Buffer {
    const n = end - start;
    if (isPowerOfTwo(n) && start % n === 0) {
      let level = 0;
      for (let s = n; s > 1; s /= 2) level++;
      return this.levels[level]!.get(start / n);
    }
    const k = largestPowerOfTwoBelow(n);
    return hashChildren(this.node(start, start + k), this.node(start + k, end));
  }

  private checkTreeSize(treeSize: number): void {
    checkSize(treeSize, 'treeSize');
    if (treeSize > this.size) throw new RangeError(`treeSize ${treeSize} exceeds the ${this.size} leaves`);
  }

  private checkIndex(index: number, treeSize: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
      throw new RangeError(`leaf index ${index} outside a tree of ${treeSize}`);
    }
  }
}

/** MTH over leaf hashes, streaming (O(log n) memory). */
export function merkleRoot(leafHashes: Iterable<Uint8Array>): Buffer {
  const acc = new MerkleAccumulator();
  for (const h of leafHashes) acc.append(h);
  return acc.root();
}

/** RFC 9162 PATH(index, D[n]) over all given leaf hashes (builds the tree: O(n) hashes). */
export function inclusionProof(index: number, leafHashes: readonly Uint8Array[]): Buffer[] {
  return MerkleTree.fromLeafHashes(leafHashes, leafHashes.length).inclusionProof(index);
}

/** RFC 9162 PROOF(size1, D[n]) over all given leaf hashes (builds the tree: O(n) hashes). */
export function consistencyProof(size1: number, leafHashes: readonly Uint8Array[]): Buffer[] {
  return MerkleTree.fromLeafHashes(leafHashes, leafHashes.length).consistencyProof(size1);
}

/**
 * RFC 9162 §2.1.3.2: verifies that `leafHash` is leaf `leafIndex` of the tree of `treeSize`
 * leaves with root `root`. Never throws: malformed input returns false.
 */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: HashInput,
  proof: readonly HashInput[],
  root: HashInput,
): boolean {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize)) return false;
  if (leafIndex < 0 || leafIndex >= treeSize) return false;
  const leaf = toHashBytes(leafHash);
  const expectedRoot = toHashBytes(root);
  if (leaf === null || expectedRoot === null || !Array.isArray(proof)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Buffer = leaf;
  for (const item of proof) {
    const p = toHashBytes(item);
    if (p === null || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(expectedRoot);
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of `size1` leaves with root `root1` is a prefix of
 * the tree of `size2` leaves with root `root2`. Size 0 is consistent with anything (empty
 * proof); equal sizes need an empty proof and equal roots. Never throws.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly HashInput[],
  root1: HashInput,
  root2: HashInput,
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1) return false;
  if (!Array.isArray(proof)) return false;
  const r1 = toHashBytes(root1);
  const r2 = toHashBytes(root2);
  if (size1 === 0) return proof.length === 0;
  if (r1 === null || r2 === null) return false;
  if (size1 === size2) return proof.length === 0 && r1.equals(r2);
  if (proof.length === 0) return false;

  const path: Buffer[] = [];
  for (const item of proof) {
    const b = toHashBytes(item);
    if (b === null) return false;
    path.push(b);
  }
  if (isPowerOfTwo(size1)) path.unshift(r1);

  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = path[0]!;
  let sr: Buffer = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(r1) && sr.equals(r2) && sn === 0;
}
