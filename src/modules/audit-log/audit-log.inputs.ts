import { Field, InputType, Int } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { AuditEventCategory, AuditSeverity, AuditVerificationType } from './audit-log.type';

@InputType({ description: 'Filters for auditRecords; all given conditions must hold.' })
export class AuditRecordFilter {
  @Field(() => [AuditEventCategory], { nullable: true, description: 'Only these categories.' })
  categories?: AuditEventCategory[] | null;

  @Field(() => [String], { nullable: true, description: 'Only these dotted event types, e.g. approval.granted.' })
  eventTypes?: string[] | null;

  @Field(() => [AuditSeverity], { nullable: true, description: 'Only these severities.' })
  severities?: AuditSeverity[] | null;

  @Field(() => String, { nullable: true, description: 'Only records of this actor id.' })
  actorId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only records about this investigation.' })
  investigationId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only records about this alert.' })
  alertId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only records at or after this time.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only records before this time.' })
  to?: Date | null;

  @Field(() => Int, { nullable: true, description: 'Only sequence numbers ≥ this.' })
  fromSequence?: number | null;

  @Field(() => Int, { nullable: true, description: 'Only sequence numbers ≤ this.' })
  toSequence?: number | null;
}

@InputType({ description: 'Filters for auditVerifications.' })
export class AuditVerificationFilter {
  @Field(() => [AuditVerificationType], { nullable: true, description: 'Only these kinds of run.' })
  verificationTypes?: AuditVerificationType[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Only runs that found the chain valid (true) or broken (false).' })
  chainValid?: boolean | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only runs at or after this time.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only runs before this time.' })
  to?: Date | null;
}
