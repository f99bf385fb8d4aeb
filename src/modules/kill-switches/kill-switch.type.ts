import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

export enum KillSwitchDimension {
  TENANT = 'tenant',
  PATTERN = 'pattern',
  TECHNIQUE = 'technique',
  DATASOURCE = 'datasource',
}
registerEnumType(KillSwitchDimension, {
  name: 'KillSwitchDimension',
  description:
    'What a kill switch stops: TENANT (all automated closing for your tenant), PATTERN (one FP pattern), TECHNIQUE (one technique id), DATASOURCE (one source).',
});

@ObjectType({ description: 'A kill switch: while active, automation for its dimension and value is off.' })
export class KillSwitch {
  @Field(() => ID, { description: 'Kill switch id.' })
  id!: string;

  @Field(() => KillSwitchDimension, { description: 'Dimension switched off.' })
  dimension!: string;

  @Field({ description: 'Value of the dimension (your tenant id, a pattern id, a technique id or a data source).' })
  value!: string;

  @Field({ description: 'Why it was activated.' })
  reason!: string;

  @Field({ description: 'Actor that activated it.' })
  activatedBy!: string;

  @Field(() => DateTimeScalar, { description: 'Activation time.' })
  activatedAt!: Date;

  @Field(() => String, { nullable: true, description: 'Actor that deactivated it.' })
  deactivatedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Deactivation time; null while active.' })
  deactivatedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was deactivated (the reason given to deactivateKillSwitch); null while active.' })
  deactivationReason!: string | null;

  @Field({ description: 'Whether the switch is active (not deactivated).' })
  active!: boolean;
}

@InputType({ description: 'Filters for killSwitches.' })
export class KillSwitchFilter {
  @Field(() => KillSwitchDimension, { nullable: true, description: 'Only this dimension.' })
  dimension?: KillSwitchDimension | null;

  @Field(() => String, { nullable: true, description: 'Only this value.' })
  value?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only active switches (default false: all, history included).' })
  activeOnly?: boolean | null;
}

@InputType({ description: 'A kill switch to activate.' })
export class ActivateKillSwitchInput {
  @Field(() => KillSwitchDimension, { description: 'Dimension to switch off.' })
  dimension!: KillSwitchDimension;

  @Field({
    description:
      'Value: your own tenant id for TENANT, a technique id (T1059.001, AML.T0051) for TECHNIQUE, a pattern id or data source name otherwise (1–200 characters).',
  })
  value!: string;

  @Field({ description: 'Why (1–2,000 characters); recorded with the switch.' })
  reason!: string;
}
