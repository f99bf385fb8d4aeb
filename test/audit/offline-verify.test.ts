import { generateSigningKeyPair, signCheckpoint, type AuditCheckpoint } from '../../src/audit/checkpoint-signing';
import { MerkleTree } from '../../src/audit/merkle';
import {
  exportCheckpointLine,
  exportHeaderLine,
  exportRecordLine,
  parseExportText,
  verifyExport,
} from '../../src/audit/offline-verify';
import type { AuditRow } from '../../src/audit/record-hash';
import { buildFixtureChain } from './audit-fixtures';

const keys = generateSigningKeyPair();
const other = generateSigningKeyPair();
const N = 60;
const CHAIN = buildFixtureChain(N);
const EXPORTED_AT = new Date(Date.UTC(2026, 2, 1));

function checkpointFor(rows: AuditRow[], size: number): AuditCheckpoint {
  return {
    tenantId: 'tenant-a',
    sequence: size,
    headHash: rows[size - 1]!.recordHash,
    merkleRoot: MerkleTree.fromRecordHashes(rows.slice(0, size).map((r) => r.recordHash)).root().toString('hex'),
    treeSize: size,
    createdAt: new Date(Date.UTC(2026, 1, 28)),
  };
}

function exportLines(rows: AuditRow[], checkpoints: AuditCheckpoint[] = [checkpointFor(CHAIN, N)], key = keys.privateKeyPem): string[] {
  return [
    exportHeaderLine({ tenantId: 'tenant-a', exportedAt: EXPORTED_AT }),
    ...rows.map(exportRecordLine),
    ...checkpoints.map((cp) => exportCheckpointLine(cp, signCheckpoint(cp, key))),
  ];
}

const verifyText = (lines: string[], publicKey = keys.publicKeyPem) =>
  verifyExport(parseExportText(lines.join('\n') + '\n'), { publicKey });

describe('offline export verification', () => {
  it('round trip: an export verifies against the public key', () => {
    const lines = exportLines(CHAIN, [checkpointFor(CHAIN, 30), checkpointFor(CHAIN, N)]);
    expect(JSON.parse(lines[0]!)).toEqual({ type: 'header', format: 'aluskort.audit.export/v1', tenantId: 'tenant-a', exportedAt: '2026-03-01T00:00:00.000Z' });
    const r = verifyText(lines);
    expect(r).toMatchObject({
      valid: true,
      recordsChecked: N,
      errors: [],
      tenantId: 'tenant-a',
      checkpointChecked: true,
      checkpointsSeen: 2,
      lastSequence: N,
      lastHash: CHAIN[N - 1]!.recordHash,
      checkpoint: { sequence: N, treeSize: N, merkleRootValid: true },
    });
    expect(r.publicKeyFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records appended after the newest checkpoint still verify', () => {
    expect(verifyText(exportLines(CHAIN, [checkpointFor(CHAIN, 40)])).valid).toBe(true);
  });

  it('a record line is the canonical record plus record_hash', () => {
    const line = JSON.parse(exportRecordLine(CHAIN[3]!));
    expect(line.type).toBe('record');
    expect(line.sequence_number).toBe(4);
    expect(line.record_hash).toBe(CHAIN[3]!.recordHash);
    expect(line.timestamp).toBe(CHAIN[3]!.timestamp.toISOString());
  });

  it('a tampered record is detected with its sequence', () => {
    const lines = exportLines(CHAIN);
    lines[25] = lines[25]!.replace('"classification":"true_positive"', '"classification":"false_positive"');
    const r = verifyText(lines);
    expect(r).toMatchObject({ valid: false, breakKind: 'record_modified', firstBrokenSequence: 25 });
  });

  it('a re-formatted timestamp is a modification', () => {
    const lines = exportLines(CHAIN);
    lines[10] = lines[10]!.replace(/"timestamp":"([^"]+)\.(\d{3})Z"/, '"timestamp":"$1.$2+00:00"');
    expect(verifyText(lines)).toMatchObject({ valid: false, breakKind: 'record_modified', firstBrokenSequence: 10 });
  });

  it('deleted newest records are detected against the checkpoint', () => {
    const lines = exportLines(CHAIN);
    lines.splice(N - 1, 2); // records N-1 and N
    expect(verifyText(lines)).toMatchObject({ valid: false, breakKind: 'tail_truncated', firstBrokenSequence: N - 1 });
  });

  it('swapped lines are detected as order changes', () => {
    const lines = exportLines(CHAIN);
    [lines[20], lines[40]] = [lines[40]!, lines[20]!];
    expect(verifyText(lines)).toMatchObject({ valid: false, breakKind: 'order_changed', firstBrokenSequence: 20 });
  });

  it('a tampered checkpoint fails its signature', () => {
    const lines = exportLines(CHAIN);
    const last = JSON.parse(lines[lines.length - 1]!);
    last.sequence = N - 5;
    last.head_hash = CHAIN[N - 6]!.recordHash;
    lines[lines.length - 1] = JSON.stringify(last);
    const r = verifyText(lines);
    expect(r).toMatchObject({ valid: false, breakKind: 'checkpoint_invalid', firstBrokenSequence: N - 5, checkpoint: null });
    expect(r.errors.map((e) => e.kind)).toEqual(['checkpoint_invalid', 'checkpoint_invalid']); // bad signature + none valid
  });

  it('the wrong public key fails', () => {
    const r = verifyText(exportLines(CHAIN), other.publicKeyPem);
    expect(r).toMatchObject({ valid: false, breakKind: 'checkpoint_invalid' });
  });

  it('a checkpoint with a wrong Merkle root fails even with a valid signature', () => {
    const cp = { ...checkpointFor(CHAIN, N), merkleRoot: 'ee'.repeat(32) };
    const r = verifyText(exportLines(CHAIN, [cp]));
    expect(r).toMatchObject({ valid: false, breakKind: 'checkpoint_invalid', firstBrokenSequence: N });
    expect(r.checkpoint?.merkleRootValid).toBe(false);
  });

  it('an export without checkpoint is invalid unless allowed', () => {
    const lines = exportLines(CHAIN, []);
    expect(verifyText(lines)).toMatchObject({ valid: false, breakKind: 'checkpoint_invalid', firstBrokenSequence: null });
    const r = verifyExport(parseExportText(lines.join('\n')), { publicKey: keys.publicKeyPem, requireCheckpoint: false });
    expect(r.valid).toBe(true);
  });

  it('malformed lines and a missing header are reported', () => {
    const lines = exportLines(CHAIN);
    lines[5] = '{not json';
    const r = verifyText(lines);
    expect(r.valid).toBe(false);
    expect(r.errors[0]).toMatchObject({ kind: 'export_malformed' });
    expect(r.errors).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'record_missing', sequence: 5 })]));
    const headless = verifyText(exportLines(CHAIN).slice(1));
    expect(headless.errors[0]).toMatchObject({ kind: 'export_malformed', sequence: null });
  });

  it('extra fields in a record line are reported', () => {
    const lines = exportLines(CHAIN);
    const obj = JSON.parse(lines[7]!);
    obj.note = 'added';
    lines[7] = JSON.stringify(obj);
    const r = verifyText(lines);
    expect(r).toMatchObject({ valid: false, breakKind: 'export_malformed', firstBrokenSequence: 7 });
  });

  it('a partial export anchored by the header verifies (no Merkle check)', () => {
    const cp = checkpointFor(CHAIN, N);
    const lines = [
      exportHeaderLine({ tenantId: 'tenant-a', exportedAt: EXPORTED_AT, fromSequence: 31, previousHash: CHAIN[29]!.recordHash }),
      ...CHAIN.slice(30).map(exportRecordLine),
      exportCheckpointLine(cp, signCheckpoint(cp, keys.privateKeyPem)),
    ];
    const r = verifyText(lines);
    expect(r).toMatchObject({ valid: true, recordsChecked: 30, checkpoint: { merkleRootValid: null } });
  });
});
