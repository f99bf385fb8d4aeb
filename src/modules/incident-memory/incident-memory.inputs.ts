import { Field, InputType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { InvestigationClassification } from '../investigations/investigation.type';

@InputType({ description: 'Filters for incidentMemories; all given conditions must hold.' })
export class IncidentMemoryFilter {
  @Field(() => String, { nullable: true, description: 'Only this outcome (exact).' })
  outcome?: string | null;

  @Field(() => [InvestigationClassification], { nullable: true, description: 'Only these final verdicts.' })
  finalClassifications?: InvestigationClassification[] | null;

  @Field(() => String, { nullable: true, description: 'Only incidents with this technique id.' })
  techniqueId?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on the alert name.' })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only rare-important (true) or only other (false) incidents.' })
  rareImportant?: boolean | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only incidents at or after this time (timestamp).' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only incidents before this time (timestamp).' })
  to?: Date | null;
}
