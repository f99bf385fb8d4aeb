import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';

export enum UebaRiskState {
  NO_BASELINE = 'no_baseline',
  UNKNOWN = 'unknown',
  LOW = 'low',
  MEDIUM = 'medium',
  HIGH = 'high',
}
registerEnumType(UebaRiskState, {
  name: 'UebaRiskState',
  description:
    'Risk state of an entity (spec §3.5). Missing data is never "safe": NO_BASELINE when there is no score, UNKNOWN when the data is stale (over 24 h).',
});

export enum UebaSignalType {
  UEBA = 'ueba',
  IAM = 'iam',
  ENDPOINT = 'endpoint',
  CTEM = 'ctem',
}
registerEnumType(UebaSignalType, { name: 'UebaSignalType', description: 'Source family of a risk signal.' });

@ObjectType({ description: 'A risk signal about a user or entity (user_entity_behavior).' })
export class UebaSignal {
  @Field(() => ID, { description: 'Signal id.' })
  id!: string;

  @Field({ description: 'Entity the signal is about (user principal, host, …).' })
  entityId!: string;

  @Field({ description: 'Kind of entity, e.g. account or host.' })
  entityType!: string;

  @Field(() => UebaSignalType, { description: 'Source family.' })
  signalType!: string;

  @Field(() => UebaRiskState, { description: 'Risk state.' })
  riskState!: string;

  @Field(() => Float, { nullable: true, description: 'Risk score 0–10; null when there is no baseline.' })
  riskScore!: number | null;

  @Field(() => Float, { nullable: true, description: 'Age of the underlying data in hours.' })
  dataFreshnessHours!: number | null;

  @Field({ description: 'Product or feed that produced the signal.' })
  source!: string;

  @Field(() => JSONScalar, { description: 'Source-specific details.' })
  details!: unknown;

  @Field(() => DateTimeScalar, { description: 'When the signal was observed.' })
  observedAt!: Date;
}
