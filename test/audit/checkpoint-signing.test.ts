import { generateKeyPairSync } from 'node:crypto';

import { canonicalize } from '../../src/audit/canonical-json';
import {
  CHECKPOINT_PAYLOAD_VERSION,
  checkpointPayload,
  generateSigningKeyPair,
  publicKeyFingerprint,
  signCheckpoint,
  verifyCheckpoint,
  type AuditCheckpoint,
} from '../../src/audit/checkpoint-signing';

const keys = generateSigningKeyPair();
const other = generateSigningKeyPair();

const cp: AuditCheckpoint = {
  tenantId: 'tenant-a',
  sequence: 1000,
  headHash: 'ab'.repeat(32),
  merkleRoot: 'cd'.repeat(32),
  treeSize: 1000,
  createdAt: new Date(Date.UTC(2026, 1, 1, 12, 0, 0, 123)),
};

describe('checkpoint signing (Ed25519)', () => {
  it('generates PEM key pairs', () => {
    expect(keys.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('signs the canonical JSON of a versioned payload', () => {
    expect(checkpointPayload(cp).toString('utf8')).toBe(
      canonicalize({
        version: CHECKPOINT_PAYLOAD_VERSION,
        tenant_id: 'tenant-a',
        sequence: 1000,
        head_hash: cp.headHash,
        merkle_root: cp.merkleRoot,
        tree_size: 1000,
        created_at: '2026-02-01T12:00:00.123Z',
      }),
    );
  });

  it('round trip: a signature verifies with the matching public key', () => {
    const sig = signCheckpoint(cp, keys.privateKeyPem);
    expect(Buffer.from(sig, 'base64')).toHaveLength(64);
    expect(verifyCheckpoint(cp, sig, keys.publicKeyPem)).toBe(true);
    // Ed25519 is deterministic.
    expect(signCheckpoint(cp, keys.privateKeyPem)).toBe(sig);
  });

  it('any tampered field fails', () => {
    const sig = signCheckpoint(cp, keys.privateKeyPem);
    const tampered: AuditCheckpoint[] = [
      { ...cp, tenantId: 'tenant-b' },
      { ...cp, sequence: 999 },
      { ...cp, headHash: 'ac'.repeat(32) },
      { ...cp, merkleRoot: 'ce'.repeat(32) },
      { ...cp, treeSize: 1001 },
      { ...cp, createdAt: new Date(cp.createdAt.getTime() + 1) },
    ];
    for (const t of tampered) expect(verifyCheckpoint(t, sig, keys.publicKeyPem)).toBe(false);
  });

  it('a wrong key fails', () => {
    const sig = signCheckpoint(cp, keys.privateKeyPem);
    expect(verifyCheckpoint(cp, sig, other.publicKeyPem)).toBe(false);
    expect(verifyCheckpoint(cp, signCheckpoint(cp, other.privateKeyPem), keys.publicKeyPem)).toBe(false);
  });

  it('garbage never throws and returns false', () => {
    const sig = signCheckpoint(cp, keys.privateKeyPem);
    const flipped = Buffer.from(sig, 'base64');
    flipped[10]! ^= 1;
    const garbage: unknown[] = ['', 'abc', 'A'.repeat(88), '!'.repeat(88), flipped.toString('base64'), sig + 'AA', null, 42];
    for (const g of garbage) expect(verifyCheckpoint(cp, g as string, keys.publicKeyPem)).toBe(false);
    expect(verifyCheckpoint(cp, sig, 'not a pem')).toBe(false);
    expect(verifyCheckpoint({ ...cp, headHash: 'zz' }, sig, keys.publicKeyPem)).toBe(false);
    expect(verifyCheckpoint({ ...cp, createdAt: new Date(Number.NaN) }, sig, keys.publicKeyPem)).toBe(false);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    expect(verifyCheckpoint(cp, sig, rsa.publicKey)).toBe(false);
    expect(() => signCheckpoint(cp, rsa.privateKey)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it('rejects malformed checkpoints when signing', () => {
    expect(() => signCheckpoint({ ...cp, sequence: -1 }, keys.privateKeyPem)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => signCheckpoint({ ...cp, headHash: 'AB'.repeat(32) }, keys.privateKeyPem)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => signCheckpoint({ ...cp, tenantId: '' }, keys.privateKeyPem)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it('fingerprints the DER SubjectPublicKeyInfo', () => {
    const fp = publicKeyFingerprint(keys.publicKeyPem);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(publicKeyFingerprint(keys.publicKeyPem)).toBe(fp);
    expect(publicKeyFingerprint(keys.privateKeyPem)).toBe(fp); // derived public key
    expect(publicKeyFingerprint(other.publicKeyPem)).not.toBe(fp);
  });
});
