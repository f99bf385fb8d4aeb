import { Field, InputType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { UebaRiskState, UebaSignalType } from './ueba.type';

@InputType({ description: 'Filters for uebaSignals; all given conditions must hold.' })
export class UebaSignalFilter {
  @Field(() => String, { nullable: true, description: 'Only this entity.' })
  entityId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this kind of entity.' })
  entityType?: string | null;

  @Field(() => UebaRiskState, { nullable: true, description: 'Only this risk state.' })
  riskState?: UebaRiskState | null;

  @Field(() => UebaSignalType, { nullable: true, description: 'Only this source family.' })
  signalType?: UebaSignalType | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only signals observed at or after this time.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only signals observed before this time.' })
  to?: Date | null;
}
