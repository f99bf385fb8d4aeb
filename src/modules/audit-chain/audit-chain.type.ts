import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';
import { AuditEventCategory, AuditSeverity } from '../audit-log/audit-log.type';

@ObjectType({ description: 'The Ed25519 public key that signs audit checkpoints (PEM, SubjectPublicKeyInfo).' })
export class AuditPublicKey {
  @Field({ description: 'SHA-256 (hex) of the DER-encoded public key.' })
  fingerprint!: string;

  @Field({ description: 'The public key in PEM form; verify checkpoints and exports with it.' })
  publicKeyPem!: string;

  @Field({ description: 'Signature algorithm (ed25519).' })
  algorithm!: string;
}

@ObjectType({ description: 'A signed statement of a tenant’s audit chain head and Merkle root at one sequence.' })
export class AuditCheckpoint {
  @Field(() => Int, { description: 'Sequence number of the chain head covered.' })
  sequence!: number;

  @Field({ description: 'record_hash of that record.' })
  headHash!: string;

  @Field({ description: 'RFC 9162 Merkle tree root over the record hashes 1..treeSize (hex).' })
  merkleRoot!: string;

  @Field(() => Int, { description: 'Number of leaves (records) in the tree.' })
  treeSize!: number;

  @Field({ description: 'Ed25519 signature (base64) over the canonical JSON of the checkpoint.' })
  signature!: string;

  @Field({ description: 'Fingerprint of the signing key.' })
  keyFingerprint!: string;

  @Field(() => DateTimeScalar, { description: 'Signed creation time.' })
  createdAt!: Date;
}

@ObjectType({ description: 'Proof that one audit record is included in a signed checkpoint’s Merkle tree (O(log n) hashes).' })
export class AuditInclusionProof {
  @Field(() => Int, { description: 'Sequence number of the record.' })
  sequence!: number;

  @Field(() => Int, { description: 'Leaf index (sequence − 1).' })
  leafIndex!: number;

  @Field(() => Int, { description: 'Tree size of the checkpoint.' })
  treeSize!: number;

  @Field({ description: 'record_hash of the record (the leaf data).' })
  recordHash!: string;

  @Field(() => [String], { description: 'Sibling hashes from the leaf upwards (hex), RFC 9162 §2.1.3.' })
  auditPath!: string[];

  @Field(() => AuditCheckpoint, { description: 'The signed checkpoint whose root the path leads to.' })
  checkpoint!: AuditCheckpoint;
}

@ObjectType({ description: 'Result of recomputing every hash and link of a range of the tenant’s audit chain.' })
export class AuditVerificationReport {
  @Field({ description: 'Whether the range is intact (and consistent with the newest valid checkpoint).' })
  valid!: boolean;

  @Field(() => Int, { description: 'Records checked.' })
  recordsChecked!: number;

  @Field(() => Int, { description: 'First sequence checked.' })
  fromSequence!: number;

  @Field(() => Int, { nullable: true, description: 'Last sequence requested (null: the head).' })
  toSequence!: number | null;

  @Field(() => Int, { nullable: true, description: 'First broken sequence, if any.' })
  firstBrokenSequence!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Kind of the first break: record_modified, record_missing, order_changed, record_inserted, link_broken, tail_truncated, checkpoint_invalid.',
  })
  breakKind!: string | null;

  @Field(() => JSONScalar, { description: 'Findings, the classified first break first.' })
  errors!: unknown;

  @Field(() => Int, { nullable: true, description: 'Sequence of the checkpoint the chain was compared with.' })
  checkpointSequence!: number | null;

  @Field(() => Int, { description: 'Duration of the run in milliseconds.' })
  durationMs!: number;

  @Field(() => ID, { nullable: true, description: 'Id of the run in auditVerifications.' })
  logId!: string | null;
}

@InputType({ description: 'Which audit events a subscriber wants; all given conditions must hold.' })
export class AuditEventFilter {
  @Field(() => [AuditEventCategory], { nullable: true, description: 'Only these categories.' })
  categories?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Only these dotted event types.' })
  eventTypes?: string[] | null;

  @Field(() => [AuditSeverity], { nullable: true, description: 'Only these severities.' })
  severities?: string[] | null;
}
