import { verifyCheckpoint } from '../audit/checkpoint-signing';
import { leafHashOfRecordHash, verifyInclusion as verifyMerklePath } from '../audit/merkle';
import { type AuditRow, computeRecordHash } from '../audit/record-hash';

/** An audit record as the API returns it (dates as ISO strings or Dates), plus the caller's tenant id. */
export interface ClientAuditRecord {
  auditId: string;
  sequenceNumber: number;
  previousHash: string;
  timestamp: string | Date;
  ingestedAt: string | Date;
  eventType: string;
  eventCategory: string;
  severity: string;
  actorType: string;
  actorId: string;
  actorPermissions: string[];
  investigationId: string;
  alertId: string;
  entityIds: string[];
  context: unknown;
  decision: unknown;
  outcome: unknown;
  recordHash: string;
  recordVersion: string;
}

export interface ClientCheckpoint {
  sequence: number;
  headHash: string;
  merkleRoot: string;
  treeSize: number;
  signature: string;
  keyFingerprint?: string;
  createdAt: string | Date;
}

export interface ClientInclusionProof {
  sequence: number;
  leafIndex: number;
  treeSize: number;
  recordHash: string;
  auditPath: string[];
}

/**
 * Verifies, without trusting the server, that `record` is part of the tenant's audit chain as signed in
 * `checkpoint`: the record's content hashes to its recordHash, the audit path leads from that leaf to the
 * checkpoint's Merkle root (RFC 9162), and the checkpoint carries a valid Ed25519 signature by `publicKeyPem`.
 */
export function verifyInclusion(
  tenantId: string,
  record: ClientAuditRecord,
  proof: ClientInclusionProof,
  checkpoint: ClientCheckpoint,
  publicKeyPem: string,
): { valid: boolean; reason: string | null } {
  const cp = {
    tenantId,
    sequence: checkpoint.sequence,
    headHash: checkpoint.headHash,
    merkleRoot: checkpoint.merkleRoot,
    treeSize: checkpoint.treeSize,
    createdAt: new Date(checkpoint.createdAt),
  };
  if (!verifyCheckpoint(cp, checkpoint.signature, publicKeyPem)) return { valid: false, reason: 'checkpoint signature does not verify' };
  if (record.sequenceNumber !== proof.sequence || proof.leafIndex !== proof.sequence - 1) {
    return { valid: false, reason: 'proof is for another record' };
  }
  if (proof.treeSize !== checkpoint.treeSize || proof.sequence > checkpoint.treeSize) {
    return { valid: false, reason: 'proof does not match the checkpoint' };
  }
  let hash: string;
  try {
    hash = computeRecordHash({
      ...record,
      tenantId,
      // The API returns these as GraphQL enums (SYSTEM, INFO); the hashed values are the stored lower-case ones.
      eventCategory: record.eventCategory.toLowerCase(),
      severity: record.severity.toLowerCase(),
      timestamp: new Date(record.timestamp),
      ingestedAt: new Date(record.ingestedAt),
    } as AuditRow);
  } catch {
    return { valid: false, reason: 'record cannot be hashed' };
  }
  if (hash !== record.recordHash) return { valid: false, reason: 'record content does not match its recordHash' };
  if (!verifyMerklePath(proof.leafIndex, proof.treeSize, leafHashOfRecordHash(hash), proof.auditPath, checkpoint.merkleRoot)) {
    return { valid: false, reason: 'audit path does not lead to the signed Merkle root' };
  }
  return { valid: true, reason: null };
}
