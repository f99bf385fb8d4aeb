import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { AlertSeverity, AlertSource, ApprovalStatus, InvestigationClassification, InvestigationStateEnum } from './investigation.type';

@InputType({ description: 'Filters for investigations; all given conditions must hold.' })
export class InvestigationFilter {
  @Field(() => [InvestigationStateEnum], { nullable: true, description: 'Only these states.' })
  states?: InvestigationStateEnum[] | null;

  @Field(() => [AlertSeverity], { nullable: true, description: 'Only these severities.' })
  severities?: AlertSeverity[] | null;

  @Field(() => [InvestigationClassification], { nullable: true, description: 'Only these verdicts.' })
  classifications?: InvestigationClassification[] | null;

  @Field(() => Float, { nullable: true, description: 'Only confidence ≥ this (0–1).' })
  minConfidence?: number | null;

  @Field(() => Float, { nullable: true, description: 'Only confidence ≤ this (0–1).' })
  maxConfidence?: number | null;

  @Field(() => AlertSource, { nullable: true, description: 'Only alerts from this source.' })
  source?: AlertSource | null;

  @Field(() => String, { nullable: true, description: 'Only investigations whose alert carries this technique id (e.g. T1059.001).' })
  techniqueId?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on the title.' })
  search?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only investigations opened at or after this time.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only investigations opened before this time.' })
  to?: Date | null;
}

@InputType({ description: 'Filters for alerts; all given conditions must hold.' })
export class AlertFilter {
  @Field(() => AlertSource, { nullable: true, description: 'Only alerts from this source.' })
  source?: AlertSource | null;

  @Field(() => [AlertSeverity], { nullable: true, description: 'Only these severities.' })
  severities?: AlertSeverity[] | null;

  @Field(() => String, { nullable: true, description: 'Only alerts carrying this technique id.' })
  techniqueId?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on the title.' })
  search?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only alerts raised at or after this time (timestamp).' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only alerts raised before this time (timestamp).' })
  to?: Date | null;
}

@InputType({ description: 'Filters for approvals; all given conditions must hold.' })
export class ApprovalFilter {
  @Field(() => [ApprovalStatus], { nullable: true, description: 'Only these statuses.' })
  statuses?: ApprovalStatus[] | null;

  @Field(() => ID, { nullable: true, description: 'Only approvals of this investigation.' })
  investigationId?: string | null;

  @Field(() => [Int], { nullable: true, description: 'Only these risk tiers (0–3).' })
  riskTiers?: number[] | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only approvals expiring before this time.' })
  expiringBefore?: Date | null;
}
