import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';

export enum AuditEventCategory {
  DECISION = 'decision',
  ACTION = 'action',
  APPROVAL = 'approval',
  SECURITY = 'security',
  SYSTEM = 'system',
}
registerEnumType(AuditEventCategory, {
  name: 'AuditEventCategory',
  description: 'Category of an audit event (spec §3.4): decisions, actions, approvals, security events, system events.',
});

export enum AuditSeverity {
  INFO = 'info',
  WARNING = 'warning',
  CRITICAL = 'critical',
}
registerEnumType(AuditSeverity, { name: 'AuditSeverity', description: 'Severity of an audit event.' });

export enum AuditVerificationType {
  CONTINUOUS = 'continuous',
  DAILY_FULL = 'daily_full',
  HOURLY_LAG = 'hourly_lag',
  WEEKLY_COLD = 'weekly_cold',
  ON_DEMAND = 'on_demand',
}
registerEnumType(AuditVerificationType, {
  name: 'AuditVerificationType',
  description: 'Kind of chain verification run: continuous (last records), daily full, hourly lag, weekly cold sample, on demand.',
});

@ObjectType({
  description:
    'An append-only audit record of your tenant: one link of the per-tenant hash chain. Fields are exactly as hashed, so the chain can be verified from this API.',
})
export class AuditRecord {
  @Field(() => ID, { description: 'Audit record id (UUID).' })
  auditId!: string;

  @Field(() => Int, { description: 'Position in the tenant’s chain, gapless from 1 (1 is the system.genesis record).' })
  sequenceNumber!: number;

  @Field({ description: 'recordHash of the previous record (64 hex; zeros for genesis).' })
  previousHash!: string;

  @Field(() => DateTimeScalar, { description: 'When the event happened.' })
  timestamp!: Date;

  @Field(() => DateTimeScalar, { description: 'When the record was written.' })
  ingestedAt!: Date;

  @Field({ description: 'Dotted event name, e.g. investigation.state_changed.' })
  eventType!: string;

  @Field(() => AuditEventCategory, { description: 'Event category.' })
  eventCategory!: string;

  @Field(() => AuditSeverity, { description: 'Event severity.' })
  severity!: string;

  @Field({ description: 'Kind of actor: agent, human, system.' })
  actorType!: string;

  @Field({ description: 'Actor id, e.g. api_key:<id> or system:<component>.' })
  actorId!: string;

  @Field(() => [String], { description: 'Permissions the actor held.' })
  actorPermissions!: string[];

  @Field({ description: 'Investigation the event concerns; empty when none.' })
  investigationId!: string;

  @Field({ description: 'Alert the event concerns; empty when none.' })
  alertId!: string;

  @Field(() => [String], { description: 'Entities the event concerns.' })
  entityIds!: string[];

  @Field(() => JSONScalar, { description: 'Context of the event.' })
  context!: unknown;

  @Field(() => JSONScalar, { description: 'The decision taken, if any.' })
  decision!: unknown;

  @Field(() => JSONScalar, { description: 'The outcome.' })
  outcome!: unknown;

  @Field({ description: 'SHA-256 (64 hex) of the canonical JSON of the record without this field.' })
  recordHash!: string;

  @Field({ description: 'Record format version.' })
  recordVersion!: string;
}

@ObjectType({ description: 'Head of your tenant’s audit chain: the last appended record.' })
export class AuditChainHead {
  @Field(() => Int, { description: 'Sequence number of the last record.' })
  lastSequence!: number;

  @Field({ description: 'recordHash of the last record.' })
  lastHash!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Timestamp of the last record.' })
  lastTimestamp!: Date | null;

  @Field(() => DateTimeScalar, { description: 'When the head last moved.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'One verification run over your tenant’s audit chain.' })
export class AuditVerification {
  @Field(() => ID, { description: 'Run id.' })
  id!: string;

  @Field(() => DateTimeScalar, { description: 'When the run finished.' })
  verifiedAt!: Date;

  @Field(() => AuditVerificationType, { description: 'Kind of run.' })
  verificationType!: string;

  @Field(() => Int, { description: 'Records checked.' })
  recordsChecked!: number;

  @Field(() => Int, { description: 'First sequence number checked.' })
  fromSequence!: number;

  @Field(() => Int, { description: 'Last sequence number checked.' })
  toSequence!: number;

  @Field({ description: 'Whether the checked range was intact.' })
  chainValid!: boolean;

  @Field(() => JSONScalar, { description: 'Errors found (list).' })
  errors!: unknown;

  @Field(() => Int, { description: 'Run duration in milliseconds.' })
  durationMs!: number;

  @Field(() => Int, { nullable: true, description: 'First sequence number where the chain broke, if it did.' })
  firstBrokenSequence!: number | null;

  @Field(() => String, { nullable: true, description: 'Kind of break (e.g. hash mismatch, gap), if any.' })
  breakKind!: string | null;
}
