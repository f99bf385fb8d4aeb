import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';
import { InvestigationClassification } from '../investigations/investigation.type';

@ObjectType({ description: 'A closed incident remembered for similar-incident retrieval (spec §4.2).' })
export class IncidentMemory {
  @Field(() => ID, { description: 'Memory document id.' })
  id!: string;

  @Field({ description: 'Incident (investigation) id it records.' })
  incidentId!: string;

  @Field(() => [String], { description: 'Alert ids of the incident.' })
  alertIds!: string[];

  @Field(() => DateTimeScalar, { description: 'When the incident happened.' })
  timestamp!: Date;

  @Field(() => InvestigationClassification, { nullable: true, description: 'First verdict (null if none or outside the vocabulary).' })
  initialClassification!: string | null;

  @Field(() => InvestigationClassification, { nullable: true, description: 'Final verdict after review (null if none or outside the vocabulary).' })
  finalClassification!: string | null;

  @Field(() => String, { nullable: true, description: 'Analyst who corrected the verdict.' })
  correctedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the verdict was corrected.' })
  correctionReason!: string | null;

  @Field(() => String, { nullable: true, description: 'Product that raised the alert.' })
  alertProduct!: string | null;

  @Field({ description: 'Alert name.' })
  alertName!: string;

  @Field({ description: 'Alert source.' })
  alertSource!: string;

  @Field({ description: 'Severity as recorded.' })
  severity!: string;

  @Field(() => JSONScalar, { description: 'Entities of the incident.' })
  entities!: unknown;

  @Field(() => [String], { description: 'ATT&CK / ATLAS technique ids.' })
  mitreTechniques!: string[];

  @Field({ description: 'Summary of the investigation.' })
  investigationSummary!: string;

  @Field(() => JSONScalar, { nullable: true, description: 'The decision chain of the investigation.' })
  decisionChain!: unknown;

  @Field({ description: 'Outcome, e.g. resolved or auto_closed.' })
  outcome!: string;

  @Field(() => JSONScalar, { nullable: true, description: 'Analyst feedback {correct, rating, comment}.' })
  analystFeedback!: unknown;

  @Field(() => String, { nullable: true, description: 'Lessons learned.' })
  lessonsLearned!: string | null;

  @Field(() => [String], { description: 'Ids of similar remembered incidents.' })
  similarTo!: string[];

  @Field(() => [String], { description: 'Tags.' })
  tags!: string[];

  @Field({ description: 'Rare but important: its recency never decays below 0.1.' })
  rareImportant!: boolean;

  @Field(() => DateTimeScalar, { description: 'When it was remembered.' })
  createdAt!: Date;
}
