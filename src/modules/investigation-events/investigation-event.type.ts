import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { AlertSeverity, InvestigationClassification, InvestigationStateEnum } from '../investigations/investigation.type';

@ObjectType({ description: 'One state transition of an investigation, as recorded in the audit trail.' })
export class InvestigationEvent {
  @Field(() => ID, { description: 'The investigation.' })
  investigationId!: string;

  @Field(() => InvestigationStateEnum, { nullable: true, description: 'State before the transition (null when the investigation was created).' })
  fromState!: string | null;

  @Field(() => InvestigationStateEnum, { description: 'State after the transition.' })
  toState!: string;

  @Field(() => String, { nullable: true, description: 'Agent that made the transition (ioc_extractor, context_enricher, …), or the human actor.' })
  agent!: string | null;

  @Field(() => [String], { description: 'GraphState fields this transition changed.' })
  changedFields!: string[];

  @Field(() => AlertSeverity, { nullable: true, description: 'Severity after the transition, when recorded.' })
  severity!: string | null;

  @Field(() => InvestigationClassification, { nullable: true, description: 'Classification after the transition, when recorded.' })
  classification!: string | null;

  @Field(() => Int, { description: 'Audit sequence number of the transition: resume a subscription after it with afterSequence.' })
  auditSequence!: number;

  @Field(() => DateTimeScalar, { description: 'When the transition was recorded.' })
  timestamp!: Date;
}

@InputType({ description: 'Which investigation transitions a subscriber wants; all given conditions must hold.' })
export class InvestigationEventFilter {
  @Field(() => [InvestigationStateEnum], { nullable: true, description: 'Only transitions into these states.' })
  states?: string[] | null;

  @Field(() => [AlertSeverity], { nullable: true, description: 'Only investigations of these severities.' })
  severities?: string[] | null;

  @Field(() => [InvestigationClassification], { nullable: true, description: 'Only investigations with these classifications.' })
  classifications?: string[] | null;
}
