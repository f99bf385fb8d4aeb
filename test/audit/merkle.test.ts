import { createHash } from 'node:crypto';

import {
  EMPTY_TREE_ROOT,
  MerkleAccumulator,
  MerkleTree,
  consistencyProof,
  hashChildren,
  hashLeaf,
  inclusionProof,
  leafHashOfRecordHash,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/merkle';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (h: string): Buffer => Buffer.from(h, 'hex');

// RFC 6962 / CT reference data (certificate-transparency and transparency-dev test vectors).
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION: Array<[number, number, string[]]> = [
  [0, 8, [
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ]],
  [5, 8, [
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [1, 5, [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  ]],
];
const CT_CONSISTENCY: Array<[number, number, string[]]> = [
  [1, 8, [
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ]],
  [6, 8, [
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]],
  [2, 5, [
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  ]],
  [6, 7, [
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]],
];

/** Naive recursive MTH straight from RFC 9162 §2.1.1. */
function naiveMth(leaves: Buffer[]): Buffer {
  const n = leaves.length;
  if (n === 0) return createHash('sha256').digest();
  if (n === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(naiveMth(leaves.slice(0, k)))
    .update(naiveMth(leaves.slice(k)))
    .digest();
}

/** Synthetic record hashes → leaf hashes. */
function leavesOf(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) =>
    leafHashOfRecordHash(createHash('sha256').update(`record-${i + 1}`).digest('hex')),
  );
}

describe('RFC 9162 Merkle tree', () => {
  const ctLeafHashes = CT_LEAVES.map(hashLeaf);

  it('hashes leaves and nodes with the 0x00 / 0x01 prefixes', () => {
    expect(hex(hashLeaf(Buffer.alloc(0)))).toBe(CT_ROOTS[1]);
    const a = hashLeaf(Buffer.from('a'));
    const b = hashLeaf(Buffer.from('b'));
    expect(hashChildren(a, b)).toEqual(createHash('sha256').update(Buffer.concat([Buffer.from([1]), a, b])).digest());
    expect(hex(EMPTY_TREE_ROOT)).toBe(CT_ROOTS[0]);
  });

  it('matches the published reference roots for sizes 0..8', () => {
    for (let n = 0; n <= 8; n++) {
      expect(hex(merkleRoot(ctLeafHashes.slice(0, n)))).toBe(CT_ROOTS[n]);
      expect(hex(MerkleTree.fromLeafHashes(ctLeafHashes).root(n))).toBe(CT_ROOTS[n]);
    }
  });

  it('produces and verifies the published inclusion proofs', () => {
    const tree = MerkleTree.fromLeafHashes(ctLeafHashes);
    for (const [index, size, proof] of CT_INCLUSION) {
      expect(tree.inclusionProof(index, size).map(hex)).toEqual(proof);
      expect(verifyInclusion(index, size, ctLeafHashes[index]!, proof, CT_ROOTS[size]!)).toBe(true);
    }
  });

  it('produces and verifies the published consistency proofs', () => {
    const tree = MerkleTree.fromLeafHashes(ctLeafHashes);
    for (const [m, n, proof] of CT_CONSISTENCY) {
      expect(tree.consistencyProof(m, n).map(hex)).toEqual(proof);
      expect(verifyConsistency(m, n, proof, CT_ROOTS[m]!, CT_ROOTS[n]!)).toBe(true);
      expect(verifyConsistency(m, n, proof, CT_ROOTS[n]!, CT_ROOTS[m]!)).toBe(false);
    }
  });

  it('sizes 1..33: root = naive MTH; every inclusion proof verifies, is ≤ ceil(log2 n), and fails when tampered', () => {
    const all = leavesOf(33);
    const tree = MerkleTree.empty(4);
    for (let n = 1; n <= 33; n++) {
      tree.append(all[n - 1]!);
      const leaves = all.slice(0, n);
      const root = naiveMth(leaves);
      expect(tree.root()).toEqual(root);
      expect(merkleRoot(leaves)).toEqual(root);
      const maxLen = Math.ceil(Math.log2(n));
      for (let i = 0; i < n; i++) {
        const proof = tree.inclusionProof(i);
        expect(proof.length).toBeLessThanOrEqual(maxLen);
        expect(inclusionProof(i, leaves)).toEqual(proof);
        expect(verifyInclusion(i, n, leaves[i]!, proof, root)).toBe(true);
        // A modified leaf, a wrong index, a wrong size or a flipped proof bit all fail.
        const modified = Buffer.from(leaves[i]!);
        modified[0]! ^= 1;
        expect(verifyInclusion(i, n, modified, proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion((i + 1) % n, n, leaves[i]!, proof, root)).toBe(false);
        // (The tree size itself is authenticated by the signed checkpoint, not by the proof: RFC 9162
        // paths of a few sizes coincide, e.g. leaf 0 of 3 and of 4 leaves, so only a different height is tested.)
        expect(verifyInclusion(i, 2 * n, leaves[i]!, proof, root)).toBe(false);
        for (let j = 0; j < proof.length; j++) {
          const bad = proof.map((p) => Buffer.from(p));
          bad[j]![31]! ^= 0x80;
          expect(verifyInclusion(i, n, leaves[i]!, bad, root)).toBe(false);
        }
        expect(verifyInclusion(i, n, leaves[i]!, [...proof, root], root)).toBe(false);
      }
    }
  });

  it('sizes 1..33: every consistency proof verifies and fails against other roots', () => {
    const all = leavesOf(33);
    const tree = MerkleTree.fromLeafHashes(all);
    for (let n = 1; n <= 33; n++) {
      const rootN = naiveMth(all.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const rootM = naiveMth(all.slice(0, m));
        const proof = tree.consistencyProof(m, n);
        expect(consistencyProof(m, all.slice(0, n))).toEqual(proof);
        expect(verifyConsistency(m, n, proof, rootM, rootN)).toBe(true);
        if (m < n) {
          expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 1);
          expect(verifyConsistency(m, n, proof, rootN, rootN)).toBe(false);
          expect(verifyConsistency(m, n, proof.slice(0, -1), rootM, rootN)).toBe(false);
          expect(verifyConsistency(m, n, [], rootM, rootN)).toBe(false);
        }
      }
    }
  });

  it('edge cases of verification never throw', () => {
    const root = CT_ROOTS[8]!;
    expect(verifyInclusion(0, 0, CT_ROOTS[1]!, [], CT_ROOTS[0]!)).toBe(false);
    expect(verifyInclusion(-1, 8, CT_ROOTS[1]!, [], root)).toBe(false);
    expect(verifyInclusion(0, 1, CT_ROOTS[1]!, [], CT_ROOTS[1]!)).toBe(true);
    expect(verifyInclusion(0, 1, 'nothex', [], CT_ROOTS[1]!)).toBe(false);
    expect(verifyInclusion(0, 8, CT_ROOTS[1]!, ['abc'], root)).toBe(false);
    expect(verifyInclusion(0, 8, CT_ROOTS[1]!, null as never, root)).toBe(false);
    expect(verifyConsistency(0, 0, [], root, root)).toBe(true);
    expect(verifyConsistency(0, 5, [], root, CT_ROOTS[5]!)).toBe(true);
    expect(verifyConsistency(0, 5, [root], root, CT_ROOTS[5]!)).toBe(false);
    expect(verifyConsistency(3, 3, [], CT_ROOTS[3]!, CT_ROOTS[3]!)).toBe(true);
    expect(verifyConsistency(3, 3, [], CT_ROOTS[3]!, CT_ROOTS[4]!)).toBe(false);
    expect(verifyConsistency(4, 3, [], CT_ROOTS[3]!, CT_ROOTS[4]!)).toBe(false);
  });

  it('answers for historical tree sizes (proofs against an older checkpoint)', () => {
    const all = leavesOf(40);
    const tree = MerkleTree.fromLeafHashes(all);
    const oldRoot = tree.root(23);
    expect(oldRoot).toEqual(naiveMth(all.slice(0, 23)));
    for (const i of [0, 11, 22]) {
      expect(verifyInclusion(i, 23, all[i]!, tree.inclusionProof(i, 23), oldRoot)).toBe(true);
    }
    expect(() => tree.inclusionProof(23, 23)).toThrow(RangeError);
    expect(() => tree.root(41)).toThrow(RangeError);
  });

  it('accumulator: roots at every size, state round trip, resume with only new leaves', () => {
    const all = leavesOf(70);
    const acc = new MerkleAccumulator();
    for (let n = 1; n <= 70; n++) {
      acc.append(all[n - 1]!);
      expect(acc.root()).toEqual(naiveMth(all.slice(0, n)));
      if (n === 45) {
        const state = JSON.parse(JSON.stringify(acc.toState()));
        expect(state.nodes).toHaveLength(4); // 45 = 0b101101: subtrees of 32, 8, 4 and 1 leaves
      }
    }
    const resumed = MerkleAccumulator.fromState(new MerkleAccumulator().toState());
    for (const l of all.slice(0, 37)) resumed.append(l);
    const again = MerkleAccumulator.fromState(resumed.toState());
    for (const l of all.slice(37)) again.append(l);
    expect(again.root()).toEqual(acc.root());
    expect(again.size).toBe(70);
    expect(() => MerkleAccumulator.fromState({ size: 3, nodes: [] })).toThrow(RangeError);
    expect(merkleRoot([])).toEqual(EMPTY_TREE_ROOT);
  });

  it('returned hashes are copies (callers cannot corrupt the tree)', () => {
    const tree = MerkleTree.fromLeafHashes(leavesOf(8));
    const before = tree.root();
    tree.inclusionProof(3)[0]!.fill(0);
    tree.root().fill(0);
    tree.subtreeRoot(0, 4).fill(0);
    expect(tree.root()).toEqual(before);
  });

  it('leafHashOfRecordHash validates its input', () => {
    expect(() => leafHashOfRecordHash('ABC')).toThrow(RangeError);
    expect(leafHashOfRecordHash('00'.repeat(32))).toEqual(hashLeaf(Buffer.alloc(32)));
  });
});
