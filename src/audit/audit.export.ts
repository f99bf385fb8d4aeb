/**
 * JSONL export of a tenant's audit chain in the offline-verification format
 * (`aluskort.audit.export/v1`, see offline-verify.ts): a header, the records in sequence order
 * (streamed in keyset pages), then the tenant's signed checkpoints inside the exported range.
 * The records are verified while they are written (same rules as the database verification),
 * and the file's SHA-256 is computed on the way, so callers (retention) know what they archived.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';

import { createChainVerifier, type ChainVerificationReport } from './chain-verify';
import { exportCheckpointLine, exportHeaderLine, exportRecordLine } from './offline-verify';
import { GENESIS_PREVIOUS_HASH } from './record-hash';
import { auditQueryable, auditRowFromRaw, dateFromEpochMillisText, streamAuditRows, type AuditDb } from './audit.sql';

export interface ExportAuditOptions {
  /** Default 1. */
  fromSequence?: number;
  /** Default: the newest record. */
  toSequence?: number;
  /** Read one partition (retention) instead of audit_records. */
  table?: string;
  /** Export time in the header (default now). */
  now?: Date;
  pageSize?: number;
}

export interface ExportAuditResult {
  file: string;
  tenantId: string;
  records: number;
  checkpoints: number;
  fromSequence: number;
  lastSequence: number | null;
  lastHash: string | null;
  sha256: string;
  bytes: number;
  /** The chain as exported, verified while writing. */
  chain: ChainVerificationReport;
}

/**
 * Writes the export to `file` (created with its directory, mode 0640; replaced atomically via a
 * temporary file and rename, then fsync'ed).
 */
export async function exportAuditJsonl(db: AuditDb, tenantId: string, file: string, options: ExportAuditOptions = {}): Promise<ExportAuditResult> {
  const q = auditQueryable(db);
  const from = options.fromSequence ?? 1;
  let previousHash: string | undefined;
  if (from > 1) {
    const rows = await q.query<{ record_hash: string }>(
      `SELECT record_hash FROM audit_records WHERE tenant_id = $1 AND sequence_number = $2::bigint
       UNION ALL SELECT last_hash FROM audit_archives WHERE tenant_id = $1 AND to_sequence = $2::bigint LIMIT 1`,
      [tenantId, String(from - 1)],
    );
    previousHash = rows[0]?.record_hash;
  }

  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp, { mode: 0o640 });
  const sha = createHash('sha256');
  let bytes = 0;
  const write = async (line: string): Promise<void> => {
    const chunk = line + '\n';
    sha.update(chunk);
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  };

  let records = 0;
  let checkpoints = 0;
  let chain: ChainVerificationReport;
  let headerPrev = previousHash;
  try {
    const verifier = createChainVerifier({
      expectedFirstSequence: from,
      expectedPreviousHash: from === 1 ? GENESIS_PREVIOUS_HASH : previousHash ?? null,
      maxErrors: 20,
    });
    let headerWritten = false;
    for await (const page of streamAuditRows(q, { tenantId, from, to: options.toSequence, table: options.table, pageSize: options.pageSize })) {
      for (const raw of page) {
        const row = auditRowFromRaw(raw);
        if (!headerWritten) {
          // Without a stored predecessor, the first record's own previous_hash is the anchor.
          if (from > 1 && headerPrev === undefined) headerPrev = row.previousHash;
          await write(exportHeaderLine({ tenantId, exportedAt: options.now ?? new Date(), fromSequence: from, previousHash: from > 1 ? headerPrev : undefined }));
          headerWritten = true;
        }
        verifier.push(row);
        await write(exportRecordLine(row));
        records++;
      }
    }
    if (!headerWritten) {
      await write(exportHeaderLine({ tenantId, exportedAt: options.now ?? new Date(), fromSequence: from, previousHash: from > 1 ? headerPrev : undefined }));
    }
    chain = verifier.finish();
    // Every checkpoint up to `toSequence` (up to the newest one for a full export, even past the last
    // record: then the offline verifier reports the missing tail).
    if (chain.lastSequence !== null || options.toSequence === undefined) {
      const cps = await q.query<{
        seq: string; head_hash: string; merkle_root: string; tree_size: string; signature: string; created_ms: string;
      }>(
        `SELECT sequence_number::text AS seq, head_hash, merkle_root, tree_size::text AS tree_size, signature,
                (extract(epoch FROM created_at) * 1000)::text AS created_ms
           FROM audit_checkpoints WHERE tenant_id = $1 AND sequence_number BETWEEN $2::bigint AND $3::bigint
          ORDER BY sequence_number`,
        [tenantId, String(from), String(options.toSequence ?? Number.MAX_SAFE_INTEGER)],
      );
      for (const c of cps) {
        await write(
          exportCheckpointLine(
            {
              tenantId,
              sequence: Number(c.seq),
              headHash: c.head_hash,
              merkleRoot: c.merkle_root,
              treeSize: Number(c.tree_size),
              createdAt: dateFromEpochMillisText(c.created_ms),
            },
            c.signature,
          ),
        );
        checkpoints++;
      }
    }
    out.end();
    await once(out, 'finish');
    const fh = await fs.open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    out.destroy();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return {
    file,
    tenantId,
    records,
    checkpoints,
    fromSequence: from,
    lastSequence: chain.lastSequence,
    lastHash: chain.lastHash,
    sha256: sha.digest('hex'),
    bytes,
    chain,
  };
}

/** SHA-256 (hex) of a file's bytes, streamed. */
export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await fs.open(file, 'r');
  try {
    for await (const chunk of fh.createReadStream()) h.update(chunk as Buffer);
  } finally {
    await fh.close().catch(() => undefined);
  }
  return h.digest('hex');
}
