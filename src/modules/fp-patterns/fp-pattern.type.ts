import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

/** Lifecycle of an FP pattern (spec §3.10 FPPatternStatus); values are the strings stored in the database. */
export enum FpPatternStatus {
  PENDING_REVIEW = 'pending_review',
  APPROVED = 'approved',
  ACTIVE = 'active',
  SHADOW = 'shadow',
  DEPRECATED = 'deprecated',
  EXPIRED = 'expired',
  REVOKED = 'revoked',
}
registerEnumType(FpPatternStatus, {
  name: 'FpPatternStatus',
  description:
    'FP pattern lifecycle: PENDING_REVIEW until two different approvers approve, APPROVED, ACTIVE (auto-closes), SHADOW (canary, never auto-closes), DEPRECATED, EXPIRED (90 days without reaffirmation), REVOKED.',
});

/** The 15 entity types of spec §3.3. */
export enum FpEntityType {
  ACCOUNT = 'account',
  HOST = 'host',
  IP = 'ip',
  FILE = 'file',
  PROCESS = 'process',
  URL = 'url',
  DNS = 'dns',
  FILEHASH = 'filehash',
  MAILBOX = 'mailbox',
  MAILMESSAGE = 'mailmessage',
  REGISTRY_KEY = 'registry-key',
  REGISTRY_VALUE = 'registry-value',
  SECURITY_GROUP = 'security-group',
  CLOUD_APPLICATION = 'cloud-application',
  MALWARE = 'malware',
}
registerEnumType(FpEntityType, { name: 'FpEntityType', description: 'Entity type an FP entity pattern matches (spec §3.3).' });

@ObjectType({ description: 'One entity condition of an FP pattern: entities of this type whose value matches a regex or lies in a CIDR.' })
export class FpEntityPattern {
  @Field(() => FpEntityType, { description: 'Entity type the condition applies to.' })
  entityType!: string;

  @Field(() => String, { nullable: true, description: 'Case-insensitive regex on the entity value (exclusive with valueCidr).' })
  valueRegex!: string | null;

  @Field(() => String, { nullable: true, description: 'CIDR the entity value (an IP) must lie in (exclusive with valueRegex).' })
  valueCidr!: string | null;
}

@ObjectType({ description: 'Matching conditions of an FP pattern.' })
export class FpPatternConditions {
  @Field({ description: 'Case-insensitive regex matched against the alert title, anchored at the start.' })
  alertNameRegex!: string;

  @Field(() => [FpEntityPattern], { description: 'Entity conditions; the entity score is the share that match.' })
  entityPatterns!: FpEntityPattern[];
}

@ObjectType({ description: 'A false-positive pattern with two-person governance (spec §4.3).' })
export class FpPattern {
  @Field(() => ID, { description: 'Pattern id (fp-…).' })
  patternId!: string;

  @Field({ description: 'Human-readable name.' })
  patternName!: string;

  @Field(() => [String], { description: 'Alert names (titles) the pattern was written for.' })
  alertNames!: string[];

  @Field(() => FpPatternConditions, { description: 'Matching conditions.' })
  conditions!: FpPatternConditions;

  @Field(() => Float, { description: 'Match confidence needed to auto-close (0.5–1, default 0.90).' })
  confidenceThreshold!: number;

  @Field({ description: 'Whether a match closes the alert automatically (only in APPROVED or ACTIVE status).' })
  autoClose!: boolean;

  @Field(() => Int, { description: 'How many alerts the pattern has matched.' })
  occurrences!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Last match.' })
  lastOccurrence!: Date | null;

  @Field(() => FpPatternStatus, { description: 'Lifecycle status.' })
  status!: string;

  @Field(() => DateTimeScalar, { description: 'Creation time.' })
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: 'Actor that created the pattern.' })
  createdBy!: string | null;

  @Field(() => String, { nullable: true, description: 'First approver.' })
  approvedBy1!: string | null;

  @Field(() => String, { nullable: true, description: 'Second, different approver.' })
  approvedBy2!: string | null;

  @Field(() => String, { nullable: true, description: 'Approver whose approval completed the two-person rule.' })
  approvedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the second approval completed.' })
  approvalDate!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the pattern expires unless reaffirmed (approval + 90 days).' })
  expiryDate!: Date | null;

  @Field(() => String, { nullable: true, description: 'Last actor that reaffirmed the pattern.' })
  reaffirmedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Last reaffirmation.' })
  reaffirmedDate!: Date | null;

  @Field(() => String, { nullable: true, description: 'Blast radius: only alerts of this rule family (null: all).' })
  scopeRuleFamily!: string | null;

  @Field(() => String, { nullable: true, description: 'Blast radius: only alerts of this tenant id (null: all of yours).' })
  scopeTenantId!: string | null;

  @Field(() => String, { nullable: true, description: 'Blast radius: only assets of this class (null: all).' })
  scopeAssetClass!: string | null;
}
