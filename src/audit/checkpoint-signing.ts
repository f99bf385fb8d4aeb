/**
 * Signed audit checkpoints: Ed25519 (node:crypto) over the RFC 8785 canonical JSON of a
 * versioned checkpoint object. A checkpoint commits to the chain head (sequence + record_hash)
 * and to the Merkle root of record hashes 1..treeSize, so deleting the newest records or
 * rewriting history is detectable by anyone holding the public key, without the database.
 *
 * Signed payload (JCS bytes of):
 *   { "created_at": "YYYY-MM-DDTHH:mm:ss.sssZ", "head_hash": <hex>, "merkle_root": <hex>,
 *     "sequence": n, "tenant_id": t, "tree_size": n, "version": "aluskort.audit.checkpoint/v1" }
 * The `version` string doubles as domain separation: these bytes cannot be mistaken for any
 * other signed object. Signatures are base64 (64 raw bytes).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';

import { AuditValidationError } from './audit.taxonomy';
import { canonicalizeToBytes, type JsonObject } from './canonical-json';
import { formatAuditTimestamp, isHashHex } from './record-hash';

/** Version tag of the signed payload. */
export const CHECKPOINT_PAYLOAD_VERSION = 'aluskort.audit.checkpoint/v1';

/** A checkpoint as the service stores and exposes it (signature kept alongside). */
export interface AuditCheckpoint {
  tenantId: string;
  /** Sequence of the chain head covered. */
  sequence: number;
  /** `record_hash` of that record (hex). */
  headHash: string;
  /** RFC 9162 root over the record hashes of sequences 1..treeSize (hex). */
  merkleRoot: string;
  /** Number of leaves; equals `sequence` for a tree over the whole chain. */
  treeSize: number;
  createdAt: Date;
}

/** A PEM string or an already-parsed key. */
export type KeyInput = string | KeyObject;

/** A freshly generated Ed25519 key pair in PEM (SPKI public, PKCS#8 private). */
export interface SigningKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

/** Generates an Ed25519 key pair (the service writes it to the data directory on first run). */
export function generateSigningKeyPair(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/**
 * The signed object, snake_case and versioned.
 * @throws AuditValidationError when a field is malformed.
 */
export function checkpointPayloadObject(cp: AuditCheckpoint): JsonObject {
  if (typeof cp.tenantId !== 'string' || cp.tenantId.length === 0) {
    throw new AuditValidationError('checkpoint tenantId must be a non-empty string', { field: 'tenantId' });
  }
  for (const [field, v] of [
    ['sequence', cp.sequence],
    ['treeSize', cp.treeSize],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new AuditValidationError(`checkpoint ${field} must be a non-negative integer`, { field });
    }
  }
  for (const [field, v] of [
    ['headHash', cp.headHash],
    ['merkleRoot', cp.merkleRoot],
  ] as const) {
    if (!isHashHex(v)) {
      throw new AuditValidationError(`checkpoint ${field} must be 64 lowercase hex characters`, { field });
    }
  }
  return {
    version: CHECKPOINT_PAYLOAD_VERSION,
    tenant_id: cp.tenantId,
    sequence: cp.sequence,
    head_hash: cp.headHash,
    merkle_root: cp.merkleRoot,
    tree_size: cp.treeSize,
    created_at: formatAuditTimestamp(cp.createdAt, 'createdAt'),
  };
}

/** The exact bytes that are signed: JCS of {@link checkpointPayloadObject}. */
export function checkpointPayload(cp: AuditCheckpoint): Buffer {
  return canonicalizeToBytes(checkpointPayloadObject(cp));
}

function privateKeyOf(key: KeyInput): KeyObject {
  const k = typeof key === 'string' ? createPrivateKey(key) : key;
  if (k.type !== 'private' || k.asymmetricKeyType !== 'ed25519') {
    throw new AuditValidationError('checkpoint signing key must be an Ed25519 private key', { field: 'privateKey' });
  }
  return k;
}

function publicKeyOf(key: KeyInput): KeyObject {
  const k = typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key;
  if (k.asymmetricKeyType !== 'ed25519') {
    throw new AuditValidationError('checkpoint key must be an Ed25519 key', { field: 'publicKey' });
  }
  return k;
}

/**
 * Signs a checkpoint; returns the base64 Ed25519 signature.
 * @throws AuditValidationError for a malformed checkpoint or a non-Ed25519 key.
 */
export function signCheckpoint(cp: AuditCheckpoint, privateKey: KeyInput): string {
  return cryptoSign(null, checkpointPayload(cp), privateKeyOf(privateKey)).toString('base64');
}

const BASE64_SIG = /^[A-Za-z0-9+/]{86}==$/;

/**
 * True only if `signature` is a valid Ed25519 signature of this checkpoint under `publicKey`.
 * Never throws: a malformed checkpoint, key or signature yields false.
 */
export function verifyCheckpoint(cp: AuditCheckpoint, signature: string, publicKey: KeyInput): boolean {
  try {
    if (typeof signature !== 'string' || !BASE64_SIG.test(signature)) return false;
    const sig = Buffer.from(signature, 'base64');
    if (sig.length !== 64) return false;
    return cryptoVerify(null, checkpointPayload(cp), publicKeyOf(publicKey), sig);
  } catch {
    return false;
  }
}

/** SHA-256 (hex) of the DER SubjectPublicKeyInfo: identifies the key in exports and logs. */
export function publicKeyFingerprint(publicKey: KeyInput): string {
  const der = publicKeyOf(publicKey).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}
