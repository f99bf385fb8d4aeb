/**
 * Offline verification of an audit export (JSONL), without the database (pure over parsed
 * lines; the CLI reads the file and the public key).
 *
 * Export format `aluskort.audit.export/v1`, one canonical JSON object per line:
 * 1. `{"type":"header","format":"aluskort.audit.export/v1","tenantId":…,"exportedAt":…}`
 *    (optional `fromSequence` and `previousHash` for a partial export; default 1 and 64 zeros);
 * 2. `{"type":"record", …every hashed column by its SQL name…, "record_hash":…}` in ascending
 *    sequence order — exactly `canonicalRecord(row)` plus `record_hash`, so a record line can be
 *    re-hashed without any knowledge beyond this format;
 * 3. `{"type":"checkpoint", …the signed checkpoint payload…, "signature":<base64>}` (one or
 *    more; the newest with a valid signature is used).
 *
 * Checks: every record hash and link and the sequence (the chain verifier's rules, identical to
 * the database verification); every checkpoint signature; the chain against the newest valid
 * checkpoint (head hash at its sequence, so missing newest records are detected); and, for a
 * full export, the checkpoint's Merkle root recomputed from record hashes 1..tree_size.
 */
import type { AuditEventType, AuditSeverity, EventCategory } from './audit.taxonomy';
import { canonicalize, type JsonObject } from './canonical-json';
import {
  CHECKPOINT_PAYLOAD_VERSION,
  checkpointPayloadObject,
  publicKeyFingerprint,
  verifyCheckpoint,
  type AuditCheckpoint,
  type KeyInput,
} from './checkpoint-signing';
import {
  createChainVerifier,
  type BreakKind,
  type ChainVerificationReport,
  type ChainVerifier,
} from './chain-verify';
import { MerkleAccumulator, hashLeaf } from './merkle';
import {
  canonicalRecord,
  formatAuditTimestamp,
  GENESIS_PREVIOUS_HASH,
  HASHED_COLUMNS,
  isHashHex,
  type AuditRow,
} from './record-hash';

/** Format tag of the export header. */
export const EXPORT_FORMAT = 'aluskort.audit.export/v1';

/** Break kinds of an offline verification: the chain kinds plus export-level ones. */
export type OfflineBreakKind = BreakKind | 'checkpoint_invalid' | 'export_malformed';

/** One offline finding; `sequence` is null when no record is concerned (e.g. the header). */
export interface OfflineError {
  sequence: number | null;
  kind: OfflineBreakKind;
  message: string;
}

/** The verifier's report shape, extended with the export's checkpoint and key. */
export interface OfflineVerificationReport extends Omit<ChainVerificationReport, 'breakKind' | 'errors'> {
  breakKind: OfflineBreakKind | null;
  errors: OfflineError[];
  tenantId: string | null;
  /** The checkpoint the chain was checked against (newest with a valid signature). */
  checkpoint: {
    sequence: number;
    treeSize: number;
    headHash: string;
    merkleRoot: string;
    /** null when not checked (partial export, or the chain itself is broken). */
    merkleRootValid: boolean | null;
  } | null;
  checkpointsSeen: number;
  publicKeyFingerprint: string | null;
}

/** Options of the export verifier. */
export interface ExportVerifierOptions {
  publicKey: KeyInput;
  /** An export without a validly signed checkpoint is invalid (default true). */
  requireCheckpoint?: boolean;
  maxErrors?: number;
}

/** Header line fields. */
export interface ExportHeaderInput {
  tenantId: string;
  exportedAt: Date;
  fromSequence?: number;
  previousHash?: string;
}

/** The header line (canonical JSON, no trailing newline). */
export function exportHeaderLine(h: ExportHeaderInput): string {
  const obj: Record<string, unknown> = {
    type: 'header',
    format: EXPORT_FORMAT,
    tenantId: h.tenantId,
    exportedAt: formatAuditTimestamp(h.exportedAt, 'exportedAt'),
  };
  if (h.fromSequence !== undefined) obj.fromSequence = h.fromSequence;
  if (h.previousHash !== undefined) obj.previousHash = h.previousHash;
  return canonicalize(obj);
}

/** A record line: `canonicalRecord(row)` plus `record_hash` and `type`. */
export function exportRecordLine(row: AuditRow): string {
  return canonicalize({ type: 'record', ...canonicalRecord(row), record_hash: row.recordHash });
}

/** A checkpoint line: the signed payload plus `signature` and `type`. */
export function exportCheckpointLine(cp: AuditCheckpoint, signature: string): string {
  return canonicalize({ type: 'checkpoint', ...checkpointPayloadObject(cp), signature });
}

/** Marker for an unparseable line, produced by {@link parseExportText}. */
export interface MalformedExportLine {
  type: 'malformed';
  lineNumber: number;
  reason: string;
}

/** Splits JSONL text into parsed objects; blank lines are skipped, bad JSON becomes a marker. */
export function parseExportText(text: string): unknown[] {
  const out: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch (e) {
      out.push({ type: 'malformed', lineNumber: i + 1, reason: (e as Error).message } satisfies MalformedExportLine);
    }
  }
  return out;
}

const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RECORD_KEYS = new Set<string>([...HASHED_COLUMNS, 'record_hash', 'type']);

/** The exact timestamp text of the hash, or an invalid Date (which then fails the hash). */
function parseAuditTimestamp(v: unknown): Date {
  if (typeof v !== 'string' || !ISO_MILLIS.test(v)) return new Date(Number.NaN);
  const d = new Date(v);
  try {
    return formatAuditTimestamp(d) === v ? d : new Date(Number.NaN);
  } catch {
    return new Date(Number.NaN);
  }
}

/**
 * Turns a record line back into a row, keeping every value as exported: wrong types are not
 * repaired, they make the hash check fail (→ record_modified). Only a record without a usable
 * sequence number cannot be placed in the chain.
 */
export function rowFromExportRecord(line: Record<string, unknown>): AuditRow | null {
  const seq = line.sequence_number;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;
  return {
    auditId: line.audit_id as string,
    tenantId: line.tenant_id as string,
    sequenceNumber: seq,
    previousHash: line.previous_hash as string,
    timestamp: parseAuditTimestamp(line.timestamp),
    ingestedAt: parseAuditTimestamp(line.ingested_at),
    eventType: line.event_type as AuditEventType,
    eventCategory: line.event_category as EventCategory,
    severity: line.severity as AuditSeverity,
    actorType: line.actor_type as string,
    actorId: line.actor_id as string,
    actorPermissions: line.actor_permissions as string[],
    investigationId: line.investigation_id as string,
    alertId: line.alert_id as string,
    entityIds: line.entity_ids as string[],
    context: line.context as JsonObject,
    decision: line.decision as JsonObject,
    outcome: line.outcome as JsonObject,
    recordHash: line.record_hash as string,
    recordVersion: line.record_version as string,
  };
}

/** A checkpoint line back to the checkpoint it claims to sign; null when malformed. */
export function checkpointFromExportLine(line: Record<string, unknown>): AuditCheckpoint | null {
  if (line.version !== CHECKPOINT_PAYLOAD_VERSION) return null;
  const createdAt = parseAuditTimestamp(line.created_at);
  const cp = {
    tenantId: line.tenant_id,
    sequence: line.sequence,
    headHash: line.head_hash,
    merkleRoot: line.merkle_root,
    treeSize: line.tree_size,
    createdAt,
  };
  if (
    typeof cp.tenantId !== 'string' ||
    typeof cp.sequence !== 'number' || !Number.isSafeInteger(cp.sequence) || cp.sequence < 1 ||
    typeof cp.treeSize !== 'number' || !Number.isSafeInteger(cp.treeSize) || cp.treeSize < 0 ||
    !isHashHex(cp.headHash) || !isHashHex(cp.merkleRoot) || Number.isNaN(createdAt.getTime())
  ) {
    return null;
  }
  return cp as AuditCheckpoint;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Push-based export verifier: feed parsed lines in file order, then `finish()`. */
export interface ExportVerifier {
  push(line: unknown): void;
  finish(): OfflineVerificationReport;
}

/** Creates a streaming export verifier (memory: 32 bytes per record, for the Merkle check). */
export function createExportVerifier(options: ExportVerifierOptions): ExportVerifier {
  const maxErrors = options.maxErrors ?? 100;
  const requireCheckpoint = options.requireCheckpoint ?? true;
  const malformed: OfflineError[] = [];
  const checkpointErrors: OfflineError[] = [];
  const validCheckpoints: AuditCheckpoint[] = [];
  let checkpointsSeen = 0;
  let tenantId: string | null = null;
  let firstSequence = 1;
  let verifier: ChainVerifier | null = null;
  let lineNo = 0;
  let tenantMismatchReported = false;

  let fingerprint: string | null = null;
  try {
    fingerprint = publicKeyFingerprint(options.publicKey);
  } catch {
    checkpointErrors.push({ sequence: null, kind: 'checkpoint_invalid', message: 'the public key is not an Ed25519 key' });
  }

  function note(err: OfflineError): void {
    if (malformed.length <= maxErrors) malformed.push(err);
  }

  function startChain(from: number, previousHash: string | null): void {
    firstSequence = from;
    verifier = createChainVerifier({
      expectedFirstSequence: from,
      expectedPreviousHash: previousHash,
      retainHashes: true,
      maxErrors,
    });
  }

  function onHeader(line: Record<string, unknown>): void {
    if (verifier !== null) {
      note({ sequence: null, kind: 'export_malformed', message: `line ${lineNo}: header after the first line` });
      return;
    }
    if (line.format !== EXPORT_FORMAT || typeof line.tenantId !== 'string' || line.tenantId === '') {
      note({ sequence: null, kind: 'export_malformed', message: 'header: unknown format or missing tenantId' });
    }
    tenantId = typeof line.tenantId === 'string' ? line.tenantId : null;
    const from = line.fromSequence ?? 1;
    if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 1) {
      note({ sequence: null, kind: 'export_malformed', message: 'header: fromSequence must be an integer ≥ 1' });
      startChain(1, GENESIS_PREVIOUS_HASH);
      return;
    }
    const prev = line.previousHash;
    if (prev !== undefined && !isHashHex(prev)) {
      note({ sequence: null, kind: 'export_malformed', message: 'header: previousHash must be 64 hex characters' });
    }
    startChain(from, isHashHex(prev) ? prev : from === 1 ? GENESIS_PREVIOUS_HASH : null);
  }

  function push(line: unknown): void {
    lineNo++;
    if (!isObject(line)) {
      note({ sequence: null, kind: 'export_malformed', message: `line ${lineNo}: not a JSON object` });
      return;
    }
    if (line.type === 'header') {
      onHeader(line);
      return;
    }
    if (verifier === null) {
      note({ sequence: null, kind: 'export_malformed', message: 'the export does not start with a header line' });
      startChain(1, GENESIS_PREVIOUS_HASH);
    }
    switch (line.type) {
      case 'record': {
        const row = rowFromExportRecord(line);
        if (row === null) {
          note({ sequence: null, kind: 'export_malformed', message: `line ${lineNo}: record without a valid sequence_number` });
          return;
        }
        const extra = Object.keys(line).filter((k) => !RECORD_KEYS.has(k));
        if (extra.length > 0) {
          note({
            sequence: row.sequenceNumber,
            kind: 'export_malformed',
            message: `record ${row.sequenceNumber}: fields outside the record (${extra.join(', ')})`,
          });
        }
        if (tenantId !== null && row.tenantId !== tenantId && !tenantMismatchReported) {
          tenantMismatchReported = true;
          note({
            sequence: row.sequenceNumber,
            kind: 'export_malformed',
            message: `record ${row.sequenceNumber} belongs to another tenant than the header's`,
          });
        }
        verifier!.push(row);
        return;
      }
      case 'checkpoint': {
        checkpointsSeen++;
        const cp = checkpointFromExportLine(line);
        if (cp === null) {
          checkpointErrors.push({ sequence: null, kind: 'checkpoint_invalid', message: `line ${lineNo}: malformed checkpoint` });
          return;
        }
        if (!verifyCheckpoint(cp, line.signature as string, options.publicKey)) {
          checkpointErrors.push({
            sequence: cp.sequence,
            kind: 'checkpoint_invalid',
            message: `checkpoint at sequence ${cp.sequence}: signature does not verify with the given public key`,
          });
          return;
        }
        if (tenantId !== null && cp.tenantId !== tenantId) {
          checkpointErrors.push({
            sequence: cp.sequence,
            kind: 'checkpoint_invalid',
            message: `checkpoint at sequence ${cp.sequence} is signed for another tenant`,
          });
          return;
        }
        validCheckpoints.push(cp);
        return;
      }
      case 'malformed':
        note({ sequence: null, kind: 'export_malformed', message: `line ${String(line.lineNumber)}: ${String(line.reason)}` });
        return;
      default:
        note({ sequence: null, kind: 'export_malformed', message: `line ${lineNo}: unknown line type` });
    }
  }

  function finish(): OfflineVerificationReport {
    if (verifier === null) {
      note({ sequence: null, kind: 'export_malformed', message: 'empty export' });
      startChain(1, GENESIS_PREVIOUS_HASH);
    }
    const newest = validCheckpoints.reduce<AuditCheckpoint | null>(
      (best, cp) => (best === null || cp.sequence > best.sequence ? cp : best),
      null,
    );
    const chain = verifier!.finish({
      checkpoint: newest ? { sequence: newest.sequence, headHash: newest.headHash } : null,
    });

    let merkleRootValid: boolean | null = null;
    if (newest !== null) {
      if (newest.treeSize !== newest.sequence) {
        merkleRootValid = false;
        checkpointErrors.push({
          sequence: newest.sequence,
          kind: 'checkpoint_invalid',
          message: `checkpoint tree_size ${newest.treeSize} differs from its sequence ${newest.sequence}`,
        });
      } else if (chain.valid && firstSequence === 1) {
        const hashes = verifier!.retainedHashes()!;
        const acc = new MerkleAccumulator();
        for (let i = 0; i < newest.treeSize; i++) acc.append(hashLeaf(hashes.subarray(i * 32, i * 32 + 32)));
        merkleRootValid = acc.root().toString('hex') === newest.merkleRoot;
        if (!merkleRootValid) {
          checkpointErrors.push({
            sequence: newest.sequence,
            kind: 'checkpoint_invalid',
            message: `checkpoint merkle_root does not match the records 1..${newest.treeSize}`,
          });
        }
      }
    } else if (requireCheckpoint) {
      checkpointErrors.push({
        sequence: null,
        kind: 'checkpoint_invalid',
        message: 'the export holds no checkpoint with a valid signature',
      });
    }

    const all: OfflineError[] = [...malformed, ...chain.errors, ...checkpointErrors];
    const errors = all.slice(0, maxErrors);
    const primary = errors[0];
    return {
      valid: all.length === 0,
      recordsChecked: chain.recordsChecked,
      firstBrokenSequence: primary ? primary.sequence : null,
      breakKind: primary ? primary.kind : null,
      errors,
      errorsTruncated: chain.errorsTruncated || all.length > maxErrors,
      lastSequence: chain.lastSequence,
      lastHash: chain.lastHash,
      checkpointChecked: chain.checkpointChecked,
      tenantId,
      checkpoint: newest
        ? {
            sequence: newest.sequence,
            treeSize: newest.treeSize,
            headHash: newest.headHash,
            merkleRoot: newest.merkleRoot,
            merkleRootValid,
          }
        : null,
      checkpointsSeen,
      publicKeyFingerprint: fingerprint,
    };
  }

  return { push, finish };
}

/** Verifies parsed export lines (see {@link parseExportText}) in one call. */
export function verifyExport(lines: Iterable<unknown>, options: ExportVerifierOptions): OfflineVerificationReport {
  const v = createExportVerifier(options);
  for (const line of lines) v.push(line);
  return v.finish();
}
