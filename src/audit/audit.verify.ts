/**
 * Verification of a tenant's audit chain against the database (spec §4.9; issue items 3–4).
 *
 * - Streams the rows in sequence order in keyset pages (5,000 rows per query by default; the
 *   next page is fetched while the current one is hashed), selecting exactly the stored columns,
 *   with timestamps as epoch milliseconds so a sub-millisecond edit is caught (it makes the row's
 *   timestamp invalid, hence `record_modified`).
 * - Anchors a range on the stored `record_hash` of the row before `fromSequence` (64 zeros for
 *   sequence 1; the archived `last_hash` when the row before was archived by retention). Without
 *   `fromSequence` the range starts after the tenant's archived records.
 * - Detects deletion of the newest records twice: against `audit_chain_state.last_sequence` and
 *   against the newest checkpoint whose Ed25519 signature verifies with the public key stored
 *   under its fingerprint (optionally restricted to `trustedFingerprints`). A stored checkpoint
 *   newer than that whose signature does not verify is itself a finding (`checkpoint_invalid`).
 * - Stores each run in `audit_verification_log` and returns the report.
 *
 * The checkpoint's Merkle root is not recomputed here: the hash chain already commits every
 * record up to the checkpoint's head hash, which is compared. Offline export verification and
 * the checkpoint job (which signs only records it has verified) check the root.
 */
import type { Scope } from '../auth/scope';
import { createChainVerifier, type BreakKind, type ChainVerificationReport } from './chain-verify';
import { publicKeyFingerprint, verifyCheckpoint } from './checkpoint-signing';
import { checkpointsInRange, type StoredCheckpoint } from './audit.checkpoints';
import { GENESIS_PREVIOUS_HASH } from './record-hash';
import { copyAuditRows, copyConnection } from './audit.copy';
import { auditQueryable, auditRowFromRaw, streamAuditRows, type AuditDb } from './audit.sql';

/** `audit_verification_log.verification_type` values. */
export const VERIFICATION_TYPES = ['continuous', 'daily_full', 'hourly_lag', 'weekly_cold', 'on_demand'] as const;
export type VerificationType = (typeof VERIFICATION_TYPES)[number];

/** Break kinds of a database verification: the chain's plus a bad stored checkpoint. */
export type AuditBreakKind = BreakKind | 'checkpoint_invalid';

export interface AuditVerifyError {
  sequence: number;
  kind: AuditBreakKind;
  message: string;
}

export interface VerifyAuditChainOptions {
  fromSequence?: number;
  toSequence?: number;
  /** Default `on_demand`. */
  verificationType?: VerificationType;
  /** Rows per query (default 5,000). */
  pageSize?: number;
  /** Default 100. */
  maxErrors?: number;
  /** Write the run to audit_verification_log (default true). */
  log?: boolean;
  /** Only checkpoints signed by these key fingerprints count (default: any stored key). */
  trustedFingerprints?: readonly string[];
  /** Checkpoints examined, newest first, looking for a validly signed one (default 20). */
  maxCheckpointsExamined?: number;
}

export interface AuditVerificationReport extends Omit<ChainVerificationReport, 'breakKind' | 'errors'> {
  tenantId: string;
  verificationType: VerificationType;
  fromSequence: number;
  toSequence: number | null;
  breakKind: AuditBreakKind | null;
  errors: AuditVerifyError[];
  /** The checkpoint the chain was compared with (null when none applied). */
  checkpoint: { sequence: number; headHash: string; keyFingerprint: string; createdAt: Date } | null;
  durationMs: number;
  /** Rows per second of this run. */
  recordsPerSecond: number;
  /** `audit_verification_log.id` (null with `log: false`). */
  logId: string | null;
}


/**
 * Verifies a tenant's chain (or the range `fromSequence..toSequence`) and logs the run.
 * @param scopeOrTenant the caller's scope (its tenant is verified) or a tenant id (maintenance).
 */
export async function verifyAuditChain(
  db: AuditDb,
  scopeOrTenant: Scope | string,
  options: VerifyAuditChainOptions = {},
): Promise<AuditVerificationReport> {
  const started = process.hrtime.bigint();
  const q = auditQueryable(db);
  const tenantId = typeof scopeOrTenant === 'string' ? scopeOrTenant : scopeOrTenant.tenantId;
  const verificationType = options.verificationType ?? 'on_demand';
  const to = options.toSequence ?? null;
  for (const [name, v] of [['fromSequence', options.fromSequence], ['toSequence', options.toSequence]] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new RangeError(`${name} must be an integer ≥ 1`);
  }

  // Start and anchor.
  let from: number;
  let anchor: string | null;
  if (options.fromSequence === undefined) {
    const arch = await q.query<{ to_seq: string; last_hash: string }>(
      'SELECT to_sequence::text AS to_seq, last_hash FROM audit_archives WHERE tenant_id = $1 ORDER BY to_sequence DESC LIMIT 1',
      [tenantId],
    );
    from = arch[0] ? Number(arch[0].to_seq) + 1 : 1;
    anchor = arch[0] ? arch[0].last_hash : GENESIS_PREVIOUS_HASH;
  } else {
    from = options.fromSequence;
    anchor = from === 1 ? GENESIS_PREVIOUS_HASH : await storedHashAt(q, tenantId, from - 1);
  }
  if (to !== null && to < from) throw new RangeError('toSequence must not be below fromSequence');

  const state = await q.query<{ last_seq: string }>(
    'SELECT last_sequence::text AS last_seq FROM audit_chain_state WHERE tenant_id = $1',
    [tenantId],
  );
  const lastWritten = state[0] ? Number(state[0].last_seq) : 0;
  const expectedLast = to === null ? lastWritten : Math.min(to, lastWritten);

  // The newest checkpoint in range whose signature verifies.
  const cpErrors: AuditVerifyError[] = [];
  let checkpoint: AuditVerificationReport['checkpoint'] = null;
  const cps = await checkpointsInRange(q, tenantId, from, to ?? Number.MAX_SAFE_INTEGER, options.maxCheckpointsExamined ?? 20);
  const trusted = options.trustedFingerprints ? new Set(options.trustedFingerprints) : null;
  for (const cp of cps) {
    const problem = checkpointProblem(cp, trusted);
    if (problem === null) {
      checkpoint = { sequence: cp.sequence, headHash: cp.headHash, keyFingerprint: cp.keyFingerprint, createdAt: cp.createdAt };
      break;
    }
    cpErrors.push({ sequence: cp.sequence, kind: 'checkpoint_invalid', message: `checkpoint at sequence ${cp.sequence}: ${problem}` });
  }

  const maxErrors = options.maxErrors ?? 100;
  const verifier = createChainVerifier({
    expectedFirstSequence: from,
    expectedPreviousHash: anchor,
    checkpoint: checkpoint ? { sequence: checkpoint.sequence, headHash: checkpoint.headHash } : null,
    expectedLastSequence: expectedLast >= from ? expectedLast : null,
    maxErrors,
  });
  const conn = q === db ? null : await copyConnection(db);
  if (conn !== null) {
    // Server connection: binary COPY, hashed from the wire bytes (audit.copy.ts).
    try {
      await copyAuditRows(conn.client, { tenantId, from, to: to ?? Number.MAX_SAFE_INTEGER }, {
        verified: (seq, hash, prev) => verifier.pushVerified(seq, hash, prev),
        row: (row) => verifier.push(row),
      });
    } finally {
      conn.release();
    }
  } else {
    for await (const page of streamAuditRows(q, { tenantId, from, to, pageSize: options.pageSize })) {
      for (let i = 0; i < page.length; i++) verifier.push(auditRowFromRaw(page[i]!));
    }
  }
  const chain = verifier.finish();

  const errors: AuditVerifyError[] = [...chain.errors, ...cpErrors].slice(0, maxErrors);
  const primary = errors[0];
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const report: AuditVerificationReport = {
    ...chain,
    valid: chain.valid && cpErrors.length === 0,
    tenantId,
    verificationType,
    fromSequence: from,
    toSequence: to,
    firstBrokenSequence: primary ? primary.sequence : null,
    breakKind: primary ? primary.kind : null,
    errors,
    errorsTruncated: chain.errorsTruncated || chain.errors.length + cpErrors.length > maxErrors,
    checkpoint,
    durationMs: Math.round(durationMs),
    recordsPerSecond: durationMs > 0 ? Math.round((chain.recordsChecked * 1000) / durationMs) : 0,
    logId: null,
  };
  if (options.log !== false) {
    const rows = await q.query<{ id: string }>(
      `INSERT INTO audit_verification_log
         (tenant_id, verification_type, records_checked, from_sequence, to_sequence, chain_valid, errors, duration_ms,
          first_broken_sequence, break_kind)
       VALUES ($1, $2, $3::bigint, $4::bigint, $5::bigint, $6, $7::jsonb, $8::int, $9::bigint, $10)
       RETURNING id::text AS id`,
      [
        tenantId,
        verificationType,
        String(report.recordsChecked),
        String(from),
        String(to ?? report.lastSequence ?? from - 1),
        report.valid,
        JSON.stringify(errors),
        report.durationMs,
        report.firstBrokenSequence === null ? null : String(report.firstBrokenSequence),
        report.breakKind,
      ],
    );
    report.logId = rows[0]?.id ?? null;
  }
  return report;
}

/** Why a stored checkpoint cannot be trusted, or null when its signature verifies. */
function checkpointProblem(cp: StoredCheckpoint & { publicKeyPem: string | null }, trusted: Set<string> | null): string | null {
  if (cp.publicKeyPem === null) return `signing key ${cp.keyFingerprint} is unknown`;
  if (trusted !== null && !trusted.has(cp.keyFingerprint)) return `signed by untrusted key ${cp.keyFingerprint}`;
  try {
    if (publicKeyFingerprint(cp.publicKeyPem) !== cp.keyFingerprint) return 'stored public key does not match its fingerprint';
  } catch {
    return 'stored public key is not an Ed25519 key';
  }
  if (cp.treeSize !== cp.sequence) return 'tree_size differs from its sequence';
  if (!verifyCheckpoint(cp, cp.signature, cp.publicKeyPem)) return 'signature does not verify';
  return null;
}

/** Stored hash of the row at `seq`, or of the archive ending there; null when not exactly one. */
async function storedHashAt(q: ReturnType<typeof auditQueryable>, tenantId: string, seq: number): Promise<string | null> {
  const rows = await q.query<{ record_hash: string }>(
    'SELECT record_hash FROM audit_records WHERE tenant_id = $1 AND sequence_number = $2::bigint LIMIT 2',
    [tenantId, String(seq)],
  );
  if (rows.length === 1) return rows[0]!.record_hash;
  if (rows.length > 1) return null;
  const arch = await q.query<{ last_hash: string }>(
    'SELECT last_hash FROM audit_archives WHERE tenant_id = $1 AND to_sequence = $2::bigint',
    [tenantId, String(seq)],
  );
  return arch[0]?.last_hash ?? null;
}
