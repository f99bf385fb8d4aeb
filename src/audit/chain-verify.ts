/**
 * Streaming verifier for a tenant's audit hash chain (pure; the caller streams the rows).
 *
 * ## Per-row checks (the fast path)
 * For each row R, relative to the row before it in the stream P (for the first row: the
 * anchor `{ sequence: expectedFirstSequence - 1, hash: expectedPreviousHash }`):
 * - **self**: `computeRecordHash(R) === R.recordHash` (the hash covers the sequence number,
 *   so a row moved to another sequence fails this too);
 * - **sequence**: `R.sequenceNumber === P.sequenceNumber + 1`;
 * - **link**: `R.previousHash === P.recordHash` (skipped for the first row when
 *   `expectedPreviousHash` is null, i.e. an unanchored range).
 * While every row passes, the verifier keeps O(1) state: the last two rows' sequence and hash.
 *
 * ## Classifying the first break
 * The first row failing a check is X; W1 and W2 are the two rows before it (W1 may be the
 * anchor); Y is the row after X. From X on the verifier records compact per-row facts
 * (bounded by `maxForensicRows`, and full rows only for rows failing the self check, bounded by
 * `maxRetainedRows`) so the break can be classified with look-ahead. A row is **displaced**
 * when its self check fails but its stored hash verifies with another sequence number o —
 * candidates for o come from the chain itself: (original sequence of the row whose hash X's
 * previous_hash names) + 1; (original sequence of a row whose previous_hash names X's hash)
 * − 1; and X's sequence ± 1. Resolved displacements cascade (adjacent swaps resolve each other).
 *
 * Rules, first match wins. `firstBrokenSequence` is the sequence of the record the tamper
 * concerns — the modified, missing, inserted, moved or rewritten one (the earliest, when several):
 * 1. **record_missing / order_changed (gap)** — X.seq > W1.seq + 1: sequences
 *    W1.seq+1 … X.seq−1 are absent → `record_missing` at W1.seq + 1. If the absent sequence
 *    turns up later in the stream (input not ordered by sequence, e.g. an edited export file)
 *    → `order_changed` at W1.seq + 1.
 * 2. **order_changed (displaced)** — X is displaced: its content belongs at o ≠ X.seq (two rows'
 *    contents swapped, or a sequence_number rewritten) → `order_changed` at X.seq. Exceptions:
 *    o = W1.seq and X.previousHash = W2.recordHash (the genuine record W1.seq follows W1,
 *    renumbered up: W1 was slipped in before it) → `record_inserted` at W1.seq;
 *    o = X.seq + 1 and the hash X links to exists nowhere in the stream (a record was deleted
 *    and the later rows renumbered down) → `record_missing` at X.seq.
 * 3. **record_inserted (skip forward)** — Y.previousHash = W1.recordHash (≠ X.recordHash):
 *    skipping X restores the chain, so X is an extra row (duplicate sequence number, or later
 *    rows renumbered up) → `record_inserted` at X.seq.
 * 4. **record_inserted (skip backward)** — W1 is a real row and X.previousHash = W2.recordHash
 *    (≠ W1.recordHash): X links past W1, so W1 is the extra row → `record_inserted` at W1.seq.
 * 5. **order_changed (sequence)** — X.seq ≤ W1.seq (duplicate or backwards, not explained by 3
 *    or 4) → `order_changed` at X.seq.
 * 6. **record_modified** — X fails its self check (and is not displaced): the stored hash does
 *    not match the stored content (a field edited, or previous_hash/record_hash edited without
 *    recomputing) → `record_modified` at X.seq.
 * 7. **link_broken** — X passes its self check and sequence but X.previousHash ≠ W1.recordHash:
 *    some record was rewritten *with a recomputed hash*. Which one:
 *    - W1 is the anchor, or a checkpoint vouches for W1 (checkpoint.sequence = W1.seq and
 *      headHash = W1's hash) → X.seq (X was forged);
 *    - Y links to X (Y.previousHash = X.recordHash), or X is the last row and the checkpoint
 *      vouches for X → W1.seq (W1 was rewritten and rehashed; X still commits to the original);
 *    - otherwise (X links to neither neighbour, or X is the newest row) → X.seq (X was replaced
 *      by a forged record with a recomputed hash, or appended without the real link).
 * 8. **tail_truncated** (evaluated in `finish`, primary only if no row broke) — with a
 *    checkpoint at sequence C ≥ expectedFirstSequence: the stream ends before C → at
 *    lastSequence + 1 (the newest records were deleted); or the stored hash at C ≠ the
 *    checkpoint's head hash → at C (the chain was truncated and re-extended, or rewritten and
 *    rehashed up to C; the head hash alone cannot locate the fork more precisely). Also when
 *    `expectedLastSequence` (e.g. `audit_chain_state.last_sequence`) is beyond the last row.
 *
 * Undetectable by design without a checkpoint: deleting the newest records (the rest is a
 * valid shorter chain), and a forger who rewrites every record from some point to the head,
 * recomputing all hashes and links. Signed checkpoints close both.
 *
 * Limits: a displaced row whose partner lies beyond the forensic window (`maxForensicRows`
 * rows after X) cannot be resolved and is reported as `record_modified` at the same sequence.
 * At the very end of the stream two readings can be equally consistent (a forked duplicate of
 * the newest sequence; a newest row that does not link): the rules above pick one, the
 * sequence is right either way, and a checkpoint at that sequence decides rule 7.
 *
 * Cost: one record hash per row (canonical JSON + SHA-256), no per-row allocation beyond the
 * canonical string while the chain is intact. Ranges are independent given their anchor, so a
 * database layer can verify sub-ranges in parallel and re-run only a failing sub-range
 * sequentially (from one row earlier) to classify its break.
 *
 * `errors[0]` is always the classified first break; the other entries are per-row findings
 * after it (one per row, local rules: gap → record_missing, duplicate/backwards →
 * order_changed, self failure → order_changed if displaced else record_modified, link failure
 * → link_broken) plus checkpoint findings, capped at `maxErrors`.
 */
import { computeRecordHash, type AuditRow } from './record-hash';

/** The kinds of chain break the verifier reports. */
export const BREAK_KINDS = [
  'record_modified',
  'record_missing',
  'order_changed',
  'record_inserted',
  'link_broken',
  'tail_truncated',
] as const;

/** A kind of chain break. */
export type BreakKind = (typeof BREAK_KINDS)[number];

/** One finding. */
export interface ChainError {
  sequence: number;
  kind: BreakKind;
  message: string;
}

/** The part of a (signature-verified) checkpoint the chain is checked against. */
export interface ChainCheckpointRef {
  sequence: number;
  headHash: string;
}

/** Options of {@link createChainVerifier}. */
export interface ChainVerifierOptions {
  /** Sequence of the first row expected in the stream (1 for a full chain). */
  expectedFirstSequence: number;
  /**
   * `previous_hash` the first row must carry: 64 zeros from sequence 1, otherwise the stored
   * `record_hash` of row `expectedFirstSequence − 1`; `null` verifies the range unanchored.
   */
  expectedPreviousHash: string | null;
  /** Newest verified checkpoint; detects deletion of the newest records. */
  checkpoint?: ChainCheckpointRef | null;
  /** The chain must reach at least this sequence (e.g. `audit_chain_state.last_sequence`). */
  expectedLastSequence?: number | null;
  /** Cap on `errors` (default 100). */
  maxErrors?: number;
  /** Rows after the first break whose facts are kept for classification (default 100,000). */
  maxForensicRows?: number;
  /** Rows failing their self check kept in full for displacement search (default 1,000). */
  maxRetainedRows?: number;
  /**
   * Keep every stored record_hash (32 bytes per row) so that `finish` can evaluate a checkpoint
   * that is only known at the end (exports) and callers can build the Merkle tree.
   */
  retainHashes?: boolean;
}

/** Result of a verification run (stored in `audit_verification_log` by the DB layer). */
export interface ChainVerificationReport {
  valid: boolean;
  recordsChecked: number;
  firstBrokenSequence: number | null;
  breakKind: BreakKind | null;
  /** `errors[0]` is the classified first break. */
  errors: ChainError[];
  /** More findings existed than `maxErrors` (or beyond the forensic window). */
  errorsTruncated: boolean;
  /** Sequence and stored hash of the last row streamed (null when none). */
  lastSequence: number | null;
  lastHash: string | null;
  /** A checkpoint applied to the verified range and was compared. */
  checkpointChecked: boolean;
}

/** A push-based verifier; rows must be pushed in the order the database streams them. */
export interface ChainVerifier {
  /** Checks one row (never throws on malformed row content: that is a finding). */
  push(row: AuditRow): void;
  /**
   * Same as `push(row)` for a row whose hash the caller has already verified: `seq` is its safe
   * integer sequence number (≥ 1) and `computeRecordHash(row) === recordHash` holds. The
   * sequence and link checks are done here. For a row that does not meet that, call `push`.
   */
  pushVerified(seq: number, recordHash: string, previousHash: string): void;
  /**
   * Ends the run. `checkpoint` here overrides the constructor's; comparing its head hash needs
   * either the constructor checkpoint or `retainHashes`.
   */
  finish(late?: { checkpoint?: ChainCheckpointRef | null }): ChainVerificationReport;
  /** The stored hashes in stream order, 32 bytes each (only with `retainHashes`). */
  retainedHashes(): Buffer | null;
}

interface Fact {
  seq: number;
  hash: string;
  prev: string;
  selfOk: boolean;
  linkOk: boolean;
  /** Sequence of the row before this one in the stream. */
  predSeq: number;
  row: AuditRow | null;
  /** Original sequence of a displaced row, once resolved. */
  orig?: number;
}

interface Neighbour {
  seq: number;
  hash: string | null;
  /** false for the anchor (no row). */
  real: boolean;
}

/** Creates a streaming chain verifier; see the module documentation for the exact rules. */
export function createChainVerifier(options: ChainVerifierOptions): ChainVerifier {
  const first = options.expectedFirstSequence;
  if (!Number.isSafeInteger(first) || first < 1) {
    throw new RangeError('expectedFirstSequence must be an integer ≥ 1');
  }
  const maxErrors = options.maxErrors ?? 100;
  const maxForensic = options.maxForensicRows ?? 100_000;
  const maxRetained = options.maxRetainedRows ?? 1_000;
  const ctorCheckpoint = options.checkpoint ?? null;

  // Fast-path state: the last two rows (W2, W1) and the checkpoint head seen in the stream.
  let w1Seq = first - 1;
  let w1Hash: string | null = options.expectedPreviousHash;
  let w1Real = false;
  let w2Seq = first - 2;
  let w2Hash: string | null = null;
  let w2Real = false;
  let count = 0;
  let maxSeq = first - 1;
  let cpStoredHash: string | undefined;

  // Forensic state, from the first break on.
  let broken = false;
  let snapW1: Neighbour | null = null;
  let snapW2: Neighbour | null = null;
  const facts: Fact[] = [];
  let retainedRows = 0;
  let overflowFindings = 0;

  let hashes: Buffer | null = options.retainHashes ? Buffer.alloc(32 * 1024) : null;

  function retainHash(hash: string): void {
    if (hashes === null) return;
    const off = count * 32;
    if (off + 32 > hashes.length) {
      const bigger = Buffer.alloc(hashes.length * 2);
      hashes.copy(bigger);
      hashes = bigger;
    }
    if (hash.length === 64) hashes.write(hash, off, 32, 'hex');
  }

  function push(row: AuditRow): void {
    const hash = typeof row.recordHash === 'string' ? row.recordHash : '';
    const prev = typeof row.previousHash === 'string' ? row.previousHash : '';
    let seq = row.sequenceNumber;
    let selfOk: boolean;
    if (!Number.isSafeInteger(seq)) {
      // Unusable sequence: treat the row as in place and as modified.
      seq = w1Seq + 1;
      selfOk = false;
    } else {
      try {
        selfOk = computeRecordHash(row) === hash;
      } catch {
        selfOk = false;
      }
    }
    accept(seq, hash, prev, selfOk, row);
  }

  function pushVerified(seq: number, recordHash: string, previousHash: string): void {
    // The common case inline: an intact chain so far, and this row continues it.
    if (!broken && hashes === null && seq === w1Seq + 1 && (w1Hash === null ? count === 0 : previousHash === w1Hash)) {
      if (ctorCheckpoint !== null && seq === ctorCheckpoint.sequence && cpStoredHash === undefined) cpStoredHash = recordHash;
      if (seq > maxSeq) maxSeq = seq;
      count++;
      w2Seq = w1Seq;
      w2Hash = w1Hash;
      w2Real = w1Real;
      w1Seq = seq;
      w1Hash = recordHash;
      w1Real = true;
      return;
    }
    accept(seq, recordHash, previousHash, true, null);
  }

  /** Records one row; `row` is only read when its self check failed (kept for displacement search). */
  function accept(seq: number, hash: string, prev: string, selfOk: boolean, row: AuditRow | null): void {
    const linkOk = w1Hash === null ? count === 0 : prev === w1Hash;
    const seqOk = seq === w1Seq + 1;

    retainHash(hash);
    if (ctorCheckpoint !== null && seq === ctorCheckpoint.sequence && cpStoredHash === undefined) {
      cpStoredHash = hash;
    }
    if (seq > maxSeq) maxSeq = seq;
    count++;

    if (!broken) {
      if (selfOk && seqOk && linkOk) {
        w2Seq = w1Seq;
        w2Hash = w1Hash;
        w2Real = w1Real;
        w1Seq = seq;
        w1Hash = hash;
        w1Real = true;
        return;
      }
      broken = true;
      snapW1 = { seq: w1Seq, hash: w1Hash, real: w1Real };
      snapW2 = w1Real ? { seq: w2Seq, hash: w2Hash, real: w2Real } : null;
    }

    if (facts.length < maxForensic) {
      const keep = !selfOk && retainedRows < maxRetained;
      if (keep) retainedRows++;
      facts.push({ seq, hash, prev, selfOk, linkOk, predSeq: w1Seq, row: keep ? row : null });
    } else if (!(selfOk && seqOk && linkOk)) {
      overflowFindings++;
    }
    w1Seq = seq;
    w1Hash = hash;
    w1Real = true;
  }

  function finish(late?: { checkpoint?: ChainCheckpointRef | null }): ChainVerificationReport {
    const checkpoint = late && 'checkpoint' in late ? late.checkpoint ?? null : ctorCheckpoint;
    const errors: ChainError[] = [];

    if (broken) {
      resolveDisplaced(facts, snapW1!, snapW2, options.expectedPreviousHash, first);
      errors.push(classifyFirstBreak(facts, snapW1!, snapW2, checkpoint));
      for (let i = 1; i < facts.length; i++) {
        const finding = localFinding(facts[i]!);
        if (finding) errors.push(finding);
      }
    }

    const lastSequence = count > 0 ? w1Seq : null;
    const lastHash = count > 0 ? w1Hash : null;
    let checkpointChecked = false;
    const tail: ChainError[] = [];
    if (checkpoint && checkpoint.sequence >= first) {
      checkpointChecked = true;
      if (checkpoint.sequence > maxSeq) {
        tail.push({
          sequence: maxSeq + 1,
          kind: 'tail_truncated',
          message: `chain ends at sequence ${maxSeq} but the signed checkpoint covers sequence ${checkpoint.sequence}`,
        });
      } else {
        const stored = headHashAt(checkpoint.sequence);
        if (stored === undefined) {
          checkpointChecked = false;
        } else if (stored !== checkpoint.headHash) {
          tail.push({
            sequence: checkpoint.sequence,
            kind: 'tail_truncated',
            message: `record ${checkpoint.sequence} is not the head signed by the checkpoint: the chain was cut and re-extended or rewritten at or before sequence ${checkpoint.sequence}`,
          });
        }
      }
    }
    const expectedLast = options.expectedLastSequence;
    if (expectedLast != null && expectedLast > maxSeq && !tail.some((t) => t.sequence === maxSeq + 1)) {
      tail.push({
        sequence: maxSeq + 1,
        kind: 'tail_truncated',
        message: `chain ends at sequence ${maxSeq} but sequence ${expectedLast} was recorded as written`,
      });
    }
    errors.push(...tail);

    const truncated = errors.length > maxErrors || overflowFindings > 0;
    const kept = errors.slice(0, maxErrors);
    const primary = kept[0];
    return {
      valid: errors.length === 0,
      recordsChecked: count,
      firstBrokenSequence: primary ? primary.sequence : null,
      breakKind: primary ? primary.kind : null,
      errors: kept,
      errorsTruncated: truncated,
      lastSequence,
      lastHash,
      checkpointChecked,
    };
  }

  /** Stored hash of the row at `seq`, when it can be known. */
  function headHashAt(seq: number): string | undefined {
    if (ctorCheckpoint !== null && seq === ctorCheckpoint.sequence) return cpStoredHash;
    // Up to the first break, stream position = seq - first.
    const intactThrough = broken ? snapW1!.seq : w1Seq;
    if (hashes !== null && seq >= first && seq <= intactThrough) {
      const idx = seq - first;
      return hashes.toString('hex', idx * 32, idx * 32 + 32);
    }
    if (broken) {
      const f = facts.find((x) => x.seq === seq);
      if (f) return f.hash;
    }
    return undefined;
  }

  return {
    push,
    pushVerified,
    finish,
    retainedHashes: () => (hashes === null ? null : hashes.subarray(0, count * 32)),
  };
}

/** Hash of `row` as if it were stored at sequence `seq`; null when it cannot be computed. */
function hashAtSequence(row: AuditRow, seq: number): string | null {
  try {
    return computeRecordHash({ ...row, sequenceNumber: seq });
  } catch {
    return null;
  }
}

/** Finds the original sequence of rows whose self check failed (see rule 2). */
function resolveDisplaced(
  facts: Fact[],
  w1: Neighbour,
  w2: Neighbour | null,
  anchorHash: string | null,
  first: number,
): void {
  const pending = facts.filter((f) => !f.selfOk && f.row !== null);
  if (pending.length === 0) return;

  const origByHash = new Map<string, number>();
  if (anchorHash !== null) origByHash.set(anchorHash, first - 1);
  if (w2?.real && w2.hash !== null) origByHash.set(w2.hash, w2.seq);
  if (w1.real && w1.hash !== null) origByHash.set(w1.hash, w1.seq);
  for (const f of facts) if (f.selfOk && !origByHash.has(f.hash)) origByHash.set(f.hash, f.seq);

  const byPrev = new Map<string, Fact[]>();
  for (const f of facts) {
    const list = byPrev.get(f.prev);
    if (list) list.push(f);
    else byPrev.set(f.prev, [f]);
  }

  for (let pass = 0; pass < 8; pass++) {
    let progress = false;
    for (const p of pending) {
      if (p.orig !== undefined) continue;
      const candidates = new Set<number>();
      const before = origByHash.get(p.prev);
      if (before !== undefined) candidates.add(before + 1);
      for (const z of byPrev.get(p.hash) ?? []) {
        const zo = z.selfOk ? z.seq : z.orig;
        if (zo !== undefined) candidates.add(zo - 1);
      }
      if (pass === 0) {
        candidates.add(p.seq - 1);
        candidates.add(p.seq + 1);
      }
      for (const o of candidates) {
        if (o < 1 || o === p.seq || !Number.isSafeInteger(o)) continue;
        if (hashAtSequence(p.row!, o) === p.hash) {
          p.orig = o;
          if (!origByHash.has(p.hash)) origByHash.set(p.hash, o);
          progress = true;
          break;
        }
      }
    }
    if (!progress) break;
  }
}

function classifyFirstBreak(
  facts: Fact[],
  w1: Neighbour,
  w2: Neighbour | null,
  checkpoint: ChainCheckpointRef | null,
): ChainError {
  const x = facts[0]!;
  const y = facts[1];
  const expected = w1.seq + 1;

  // Rule 1: gap.
  if (x.seq > expected) {
    if (facts.some((f) => f.seq === expected)) {
      return {
        sequence: expected,
        kind: 'order_changed',
        message: `sequence ${expected} appears after sequence ${x.seq}: rows are out of order`,
      };
    }
    const to = x.seq - 1;
    return {
      sequence: expected,
      kind: 'record_missing',
      message: expected === to ? `record ${expected} is missing` : `records ${expected}..${to} are missing`,
    };
  }

  // Rule 2: displaced.
  if (!x.selfOk && x.orig !== undefined) {
    const linkKnown = x.prev === w1.hash || x.prev === w2?.hash || facts.some((f) => f.hash === x.prev);
    if (w1.real && w2 !== null && x.orig === w1.seq && x.prev === w2.hash && x.prev !== w1.hash) {
      return {
        sequence: w1.seq,
        kind: 'record_inserted',
        message: `the row at sequence ${w1.seq} was inserted: the genuine record ${w1.seq} follows it, renumbered to ${x.seq}`,
      };
    }
    if (x.orig === x.seq + 1 && !linkKnown) {
      return {
        sequence: x.seq,
        kind: 'record_missing',
        message: `record ${x.seq} was deleted and later records renumbered: the row at ${x.seq} is record ${x.orig}`,
      };
    }
    return {
      sequence: x.seq,
      kind: 'order_changed',
      message: `the row at sequence ${x.seq} holds record ${x.orig} (its hash verifies only at sequence ${x.orig}): records were reordered`,
    };
  }

  // Rule 3: skipping X restores the chain.
  if (y !== undefined && w1.hash !== null && y.prev === w1.hash && y.prev !== x.hash) {
    return {
      sequence: x.seq,
      kind: 'record_inserted',
      message: `the row at sequence ${x.seq} is not part of the chain: the next row links to record ${w1.seq}`,
    };
  }

  // Rule 4: X links past W1.
  if (w1.real && w2 !== null && w2.hash !== null && x.prev === w2.hash && x.prev !== w1.hash) {
    return {
      sequence: w1.seq,
      kind: 'record_inserted',
      message: `the row at sequence ${w1.seq} is not part of the chain: the row at ${x.seq} links past it to record ${w2.seq}`,
    };
  }

  // Rule 5: duplicate or backwards sequence.
  if (x.seq <= w1.seq) {
    return {
      sequence: x.seq,
      kind: 'order_changed',
      message:
        x.seq === w1.seq
          ? `sequence ${x.seq} occurs twice`
          : `sequence goes backwards from ${w1.seq} to ${x.seq}`,
    };
  }

  // Rule 6: content does not match its hash.
  if (!x.selfOk) {
    return {
      sequence: x.seq,
      kind: 'record_modified',
      message: `record ${x.seq}: stored record_hash does not match the recomputed hash`,
    };
  }

  // Rule 7: self-consistent row whose link is broken.
  const vouches = (seq: number, hash: string | null): boolean =>
    checkpoint !== null && hash !== null && checkpoint.sequence === seq && checkpoint.headHash === hash;
  let culprit: number;
  if (!w1.real || vouches(w1.seq, w1.hash)) {
    culprit = x.seq;
  } else if ((y !== undefined && y.prev === x.hash) || (y === undefined && vouches(x.seq, x.hash))) {
    culprit = w1.seq;
  } else {
    culprit = x.seq;
  }
  return {
    sequence: culprit,
    kind: 'link_broken',
    message:
      culprit === w1.seq
        ? `record ${w1.seq} is not the record that ${x.seq} links to: it was rewritten with a recomputed hash`
        : !w1.real
          ? `record ${x.seq}: previous_hash does not match the expected previous hash`
          : `record ${x.seq} does not link to record ${w1.seq}: it was forged with a recomputed hash`,
  };
}

function localFinding(f: Fact): ChainError | null {
  if (f.seq > f.predSeq + 1) {
    const from = f.predSeq + 1;
    return {
      sequence: from,
      kind: 'record_missing',
      message: from === f.seq - 1 ? `record ${from} is missing` : `records ${from}..${f.seq - 1} are missing`,
    };
  }
  if (f.seq <= f.predSeq) {
    return { sequence: f.seq, kind: 'order_changed', message: `sequence ${f.seq} follows ${f.predSeq}` };
  }
  if (!f.selfOk) {
    return f.orig !== undefined
      ? { sequence: f.seq, kind: 'order_changed', message: `the row at sequence ${f.seq} holds record ${f.orig}` }
      : { sequence: f.seq, kind: 'record_modified', message: `record ${f.seq}: stored record_hash does not match the recomputed hash` };
  }
  if (!f.linkOk) {
    return { sequence: f.seq, kind: 'link_broken', message: `record ${f.seq}: previous_hash does not match record ${f.predSeq}` };
  }
  return null;
}
