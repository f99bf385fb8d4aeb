import {
  createChainVerifier,
  type ChainCheckpointRef,
  type ChainVerificationReport,
  type ChainVerifierOptions,
} from '../../src/audit/chain-verify';
import {
  buildNextRecord,
  computeRecordHash,
  GENESIS_PREVIOUS_HASH,
  type AuditRow,
} from '../../src/audit/record-hash';
import { buildFixtureChain, fixtureInput } from './audit-fixtures';

const N = 100;
const CHAIN = buildFixtureChain(N);

function fresh(): AuditRow[] {
  return structuredClone(CHAIN);
}

function verify(rows: readonly AuditRow[], opts: Partial<ChainVerifierOptions> = {}): ChainVerificationReport {
  const v = createChainVerifier({ expectedFirstSequence: 1, expectedPreviousHash: GENESIS_PREVIOUS_HASH, ...opts });
  for (const r of rows) v.push(r);
  return v.finish();
}

function checkpointAt(seq: number): ChainCheckpointRef {
  return { sequence: seq, headHash: CHAIN[seq - 1]!.recordHash };
}

const bySeq = (rows: AuditRow[], seq: number): AuditRow => rows.find((r) => r.sequenceNumber === seq)!;
const rehash = (r: AuditRow): AuditRow => ({ ...r, recordHash: computeRecordHash(r) });

/** Swaps everything but the sequence number between the rows at sequences a and b. */
function swapContents(rows: AuditRow[], a: number, b: number): AuditRow[] {
  const ra = bySeq(rows, a);
  const rb = bySeq(rows, b);
  return rows.map((r) =>
    r.sequenceNumber === a ? { ...rb, sequenceNumber: a } : r.sequenceNumber === b ? { ...ra, sequenceNumber: b } : r,
  );
}

/** A forged record for sequence `seq` that links to `prevHash`, with a correct hash. */
function forged(seq: number, prevHash: string, timeShiftMs = 1): AuditRow {
  const base = buildNextRecord({ sequenceNumber: seq - 1, recordHash: prevHash }, fixtureInput('tenant-a', seq));
  return rehash({
    ...base,
    timestamp: new Date(base.timestamp.getTime() + timeShiftMs),
    decision: { decision_type: 'classification', classification: 'false_positive', confidence: 0.99 },
  });
}

function expectBreak(report: ChainVerificationReport, kind: string, sequence: number): void {
  expect({ valid: report.valid, kind: report.breakKind, sequence: report.firstBrokenSequence }).toEqual({
    valid: false,
    kind,
    sequence,
  });
  expect(report.errors[0]).toMatchObject({ kind, sequence });
}

describe('chain verifier', () => {
  it('accepts an intact chain and reports its head', () => {
    const r = verify(CHAIN, { checkpoint: checkpointAt(N), expectedLastSequence: N });
    expect(r).toEqual({
      valid: true,
      recordsChecked: N,
      firstBrokenSequence: null,
      breakKind: null,
      errors: [],
      errorsTruncated: false,
      lastSequence: N,
      lastHash: CHAIN[N - 1]!.recordHash,
      checkpointChecked: true,
    });
  });

  it('accepts an empty chain without expectations', () => {
    expect(verify([]).valid).toBe(true);
  });

  describe('tamper suite (each: kind and first broken sequence)', () => {
    it('modify a field → record_modified at that record', () => {
      const rows = fresh();
      (bySeq(rows, 50).context as Record<string, unknown>).cost_usd = 0;
      const r = verify(rows, { checkpoint: checkpointAt(N) });
      expectBreak(r, 'record_modified', 50);
      expect(r.errors).toHaveLength(1);
    });

    it('modify previous_hash without recomputing → record_modified', () => {
      const rows = fresh();
      bySeq(rows, 50).previousHash = CHAIN[10]!.recordHash;
      expectBreak(verify(rows), 'record_modified', 50);
    });

    it('modify the genesis record → record_modified at 1', () => {
      const rows = fresh();
      rows[0]!.actorId = 'mallory';
      expectBreak(verify(rows), 'record_modified', 1);
    });

    it('delete a middle record → record_missing at its sequence', () => {
      const rows = fresh().filter((r) => r.sequenceNumber !== 50);
      const r = verify(rows, { checkpoint: checkpointAt(N) });
      expectBreak(r, 'record_missing', 50);
      expect(r.errors[0]!.message).toBe('record 50 is missing');
    });

    it('delete several middle records → record_missing at the first', () => {
      const rows = fresh().filter((r) => r.sequenceNumber < 40 || r.sequenceNumber > 42);
      const r = verify(rows);
      expectBreak(r, 'record_missing', 40);
      expect(r.errors[0]!.message).toBe('records 40..42 are missing');
    });

    it('delete the genesis record → record_missing at 1', () => {
      expectBreak(verify(fresh().slice(1)), 'record_missing', 1);
    });

    it('delete the newest 3: invisible without a checkpoint, tail_truncated against one', () => {
      const rows = fresh().slice(0, N - 3);
      expect(verify(rows).valid).toBe(true);
      const r = verify(rows, { checkpoint: checkpointAt(N) });
      expectBreak(r, 'tail_truncated', N - 2);
      expect(r.checkpointChecked).toBe(true);
      expectBreak(verify(rows, { expectedLastSequence: N }), 'tail_truncated', N - 2);
    });

    it('delete the newest 3 and re-extend the chain → tail_truncated at the checkpoint sequence', () => {
      const rows = fresh().slice(0, N - 3);
      for (let s = N - 2; s <= N; s++) rows.push(forged(s, rows[rows.length - 1]!.recordHash));
      expect(verify(rows).valid).toBe(true);
      expectBreak(verify(rows, { checkpoint: checkpointAt(N) }), 'tail_truncated', N);
    });

    it('swap two records (contents exchanged, sequences 1..n kept) → order_changed at the first', () => {
      const r = verify(swapContents(fresh(), 30, 70), { checkpoint: checkpointAt(N) });
      expectBreak(r, 'order_changed', 30);
      expect(r.errors[0]!.message).toContain('holds record 70');
      expect(r.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'order_changed', sequence: 70 })]),
      );
    });

    it('swap adjacent records → order_changed', () => {
      expectBreak(verify(swapContents(fresh(), 40, 41)), 'order_changed', 40);
    });

    it('swap the newest two records → order_changed', () => {
      expectBreak(verify(swapContents(fresh(), N - 1, N)), 'order_changed', N - 1);
    });

    it('swap the genesis with a later record → order_changed at 1', () => {
      expectBreak(verify(swapContents(fresh(), 1, 5)), 'order_changed', 1);
    });

    it('rewrite one sequence_number onto another (duplicate) → order_changed', () => {
      const rows = fresh();
      const moved = { ...bySeq(rows, 60), sequenceNumber: 20 };
      const out = rows.filter((r) => r.sequenceNumber !== 60);
      out.splice(20, 0, moved); // after the genuine 20
      expectBreak(verify(out), 'order_changed', 20);
    });

    it('insert a forged record (duplicate sequence, streamed after the genuine one) → record_inserted', () => {
      const rows = fresh();
      const f = forged(50, bySeq(rows, 49).recordHash);
      rows.splice(50, 0, f); // index 50 = right after sequence 50
      const r = verify(rows, { checkpoint: checkpointAt(N) });
      expectBreak(r, 'record_inserted', 50);
    });

    it('insert a forged record (duplicate sequence, streamed before the genuine one) → record_inserted', () => {
      const rows = fresh();
      rows.splice(49, 0, forged(50, bySeq(rows, 49).recordHash)); // before the genuine 50
      expectBreak(verify(rows, { checkpoint: checkpointAt(N) }), 'record_inserted', 50);
    });

    it('insert a garbage record (hash not even consistent) → record_inserted', () => {
      const rows = fresh();
      rows.splice(50, 0, { ...forged(50, bySeq(rows, 49).recordHash), recordHash: 'f'.repeat(64) });
      expectBreak(verify(rows), 'record_inserted', 50);
    });

    it('insert a forged record and renumber the later rows up → record_inserted', () => {
      const rows = fresh().map((r) => (r.sequenceNumber >= 50 ? { ...r, sequenceNumber: r.sequenceNumber + 1 } : r));
      rows.splice(49, 0, forged(50, bySeq(CHAIN.slice(), 49).recordHash));
      expectBreak(verify(rows), 'record_inserted', 50);
    });

    it('delete a record and renumber the later rows down → record_missing', () => {
      const rows = fresh()
        .filter((r) => r.sequenceNumber !== 50)
        .map((r) => (r.sequenceNumber > 50 ? { ...r, sequenceNumber: r.sequenceNumber - 1 } : r));
      expectBreak(verify(rows), 'record_missing', 50);
    });

    it('forge a record with a recomputed hash, successor not re-linked → link_broken at the forged record', () => {
      const rows = fresh();
      const i = rows.findIndex((r) => r.sequenceNumber === 50);
      rows[i] = rehash({ ...rows[i]!, decision: { decision_type: 'classification', classification: 'benign' } });
      const r = verify(rows, { checkpoint: checkpointAt(N) });
      expectBreak(r, 'link_broken', 50);
    });

    it('forge a record with a recomputed hash over a wrong previous_hash → link_broken at the forged record', () => {
      const rows = fresh();
      const i = rows.findIndex((r) => r.sequenceNumber === 50);
      rows[i] = rehash({ ...rows[i]!, previousHash: 'a'.repeat(64), actorId: 'mallory' });
      expectBreak(verify(rows), 'link_broken', 50);
    });

    it('forge the newest record with a recomputed hash but without the real link → link_broken at it', () => {
      const rows = fresh();
      rows[N - 1] = rehash({ ...rows[N - 1]!, previousHash: 'b'.repeat(64) });
      expectBreak(verify(rows), 'link_broken', N);
    });

    it('forge the second-newest record when a checkpoint vouches for the newest → link_broken at the forged record', () => {
      const rows = fresh();
      rows[N - 2] = rehash({ ...rows[N - 2]!, actorId: 'mallory' });
      expectBreak(verify(rows, { checkpoint: checkpointAt(N) }), 'link_broken', N - 1);
    });

    it('rewrite the whole suffix with recomputed hashes → only the checkpoint catches it', () => {
      const rows = fresh().slice(0, 59);
      for (let s = 60; s <= N; s++) rows.push(forged(s, rows[rows.length - 1]!.recordHash));
      expect(verify(rows).valid).toBe(true);
      expectBreak(verify(rows, { checkpoint: checkpointAt(N) }), 'tail_truncated', N);
    });

    it('rows streamed out of order (edited export) → order_changed', () => {
      const rows = fresh();
      const a = rows.findIndex((r) => r.sequenceNumber === 30);
      const b = rows.findIndex((r) => r.sequenceNumber === 70);
      [rows[a], rows[b]] = [rows[b]!, rows[a]!];
      expectBreak(verify(rows), 'order_changed', 30);
    });
  });

  describe('ranges and anchors', () => {
    it('verifies a range anchored on the stored hash of the row before it', () => {
      const r = verify(CHAIN.slice(50), { expectedFirstSequence: 51, expectedPreviousHash: CHAIN[49]!.recordHash });
      expect(r.valid).toBe(true);
      expect(r.recordsChecked).toBe(N - 50);
    });

    it('a wrong anchor is a broken link at the first row of the range', () => {
      const r = verify(CHAIN.slice(50), { expectedFirstSequence: 51, expectedPreviousHash: CHAIN[10]!.recordHash });
      expectBreak(r, 'link_broken', 51);
    });

    it('an unanchored range checks everything after its first row', () => {
      expect(verify(CHAIN.slice(50), { expectedFirstSequence: 51, expectedPreviousHash: null }).valid).toBe(true);
      const rows = fresh().slice(50);
      rows[5]!.alertId = 'x';
      expectBreak(verify(rows, { expectedFirstSequence: 51, expectedPreviousHash: null }), 'record_modified', 56);
    });

    it('a checkpoint before the range is not applicable; one within it is checked', () => {
      const slice = CHAIN.slice(50);
      const opts = { expectedFirstSequence: 51, expectedPreviousHash: CHAIN[49]!.recordHash };
      expect(verify(slice, { ...opts, checkpoint: checkpointAt(10) }).checkpointChecked).toBe(false);
      expect(verify(slice, { ...opts, checkpoint: checkpointAt(80) })).toMatchObject({ valid: true, checkpointChecked: true });
    });

    it('no rows but a checkpoint → tail_truncated at the first expected sequence', () => {
      expectBreak(verify([], { checkpoint: checkpointAt(3) }), 'tail_truncated', 1);
    });

    it('a late checkpoint is evaluated from retained hashes', () => {
      const v = createChainVerifier({ expectedFirstSequence: 1, expectedPreviousHash: GENESIS_PREVIOUS_HASH, retainHashes: true });
      for (const r of CHAIN) v.push(r);
      expect(v.retainedHashes()!.length).toBe(N * 32);
      expect(v.retainedHashes()!.subarray(32 * 41, 32 * 42).toString('hex')).toBe(CHAIN[41]!.recordHash);
      expect(v.finish({ checkpoint: checkpointAt(42) })).toMatchObject({ valid: true, checkpointChecked: true });
      const w = createChainVerifier({ expectedFirstSequence: 1, expectedPreviousHash: GENESIS_PREVIOUS_HASH, retainHashes: true });
      for (const r of CHAIN) w.push(r);
      const report = w.finish({ checkpoint: { sequence: 42, headHash: 'c'.repeat(64) } });
      expectBreak(report, 'tail_truncated', 42);
    });
  });

  describe('robustness', () => {
    it('never throws on malformed rows', () => {
      const rows = fresh();
      (rows[10] as unknown as Record<string, unknown>).sequenceNumber = Number.NaN;
      (rows[20] as unknown as Record<string, unknown>).timestamp = 'yesterday';
      (rows[30] as unknown as Record<string, unknown>).context = undefined;
      (rows[40] as unknown as Record<string, unknown>).recordHash = null;
      const r = verify(rows);
      expectBreak(r, 'record_modified', 11);
      expect(r.errors.map((e) => e.sequence)).toEqual(expect.arrayContaining([21, 31, 41]));
    });

    it('caps errors', () => {
      const rows = fresh().map((r) => ({ ...r, actorId: 'x' }));
      const r = verify(rows, { maxErrors: 10 });
      expect(r.errors).toHaveLength(10);
      expect(r.errorsTruncated).toBe(true);
      expectBreak(r, 'record_modified', 1);
    });

    it('keeps classifying the first break when the forensic window overflows', () => {
      const rows = fresh().map((r) => (r.sequenceNumber > 10 ? { ...r, actorId: 'x' } : r));
      const r = verify(rows, { maxForensicRows: 5 });
      expectBreak(r, 'record_modified', 11);
      expect(r.errorsTruncated).toBe(true);
    });

    it('rejects an invalid first sequence', () => {
      expect(() => createChainVerifier({ expectedFirstSequence: 0, expectedPreviousHash: null })).toThrow(RangeError);
    });
  });

  describe('randomised tamper suite (seeded)', () => {
    // Every tamper has a known right answer; positions are drawn at random, including the edges.
    let seed = 20260201;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    type Case = { name: string; rows: AuditRow[]; kind: string; sequence: number };
    const cases: Case[] = [];
    for (let i = 0; i < 25; i++) {
      const k = 1 + rand(N - 1); // 1..N-1
      const a = 1 + rand(N - 1);
      const b = a + 1 + rand(N - a);
      const t = 1 + rand(5);
      const modified = fresh();
      bySeq(modified, k).alertId += '!';
      cases.push({ name: `modify ${k}`, rows: modified, kind: 'record_modified', sequence: k });
      cases.push({ name: `delete ${k}`, rows: fresh().filter((r) => r.sequenceNumber !== k), kind: 'record_missing', sequence: k });
      cases.push({ name: `delete newest ${t}`, rows: fresh().slice(0, N - t), kind: 'tail_truncated', sequence: N - t + 1 });
      cases.push({ name: `swap ${a},${b}`, rows: swapContents(fresh(), a, b), kind: 'order_changed', sequence: a });
      const after = fresh();
      after.splice(k, 0, forged(k, k === 1 ? GENESIS_PREVIOUS_HASH : bySeq(after, k - 1).recordHash));
      cases.push({ name: `insert after ${k}`, rows: after, kind: 'record_inserted', sequence: k });
      const before = fresh();
      before.splice(k - 1, 0, forged(k, k === 1 ? GENESIS_PREVIOUS_HASH : bySeq(before, k - 1).recordHash));
      cases.push({ name: `insert before ${k}`, rows: before, kind: 'record_inserted', sequence: k });
      const rewritten = fresh();
      rewritten[k - 1] = rehash({ ...rewritten[k - 1]!, actorId: 'mallory' });
      cases.push({ name: `rehash ${k}`, rows: rewritten, kind: 'link_broken', sequence: k });
      const relinked = fresh();
      relinked[k - 1] = rehash({ ...relinked[k - 1]!, previousHash: 'd'.repeat(64) });
      cases.push({ name: `rehash with wrong link ${k}`, rows: relinked, kind: 'link_broken', sequence: k });
    }

    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const r = verify(c.rows, { checkpoint: checkpointAt(N) });
      expectBreak(r, c.kind, c.sequence);
    });
  });
});
