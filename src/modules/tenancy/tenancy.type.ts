import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { RoleEnum } from '../api-keys/api-key.type';

export enum TenantTier {
  TRIAL = 'trial',
  STANDARD = 'standard',
  PREMIUM = 'premium',
}
registerEnumType(TenantTier, {
  name: 'TenantTier',
  description: 'Commercial tier of a tenant; drives quotas (LLM calls per hour: trial 20, standard 100, premium 500) and retention.',
});

@ObjectType({ description: 'Your tenant.' })
export class Tenant {
  @Field(() => ID, { description: 'Tenant id.' })
  tenantId!: string;

  @Field({ description: 'Tenant name.' })
  name!: string;

  @Field(() => TenantTier, { description: 'Commercial tier.' })
  tier!: string;

  @Field({ description: 'Whether a legal hold suspends deletion of the tenant’s data.' })
  legalHold!: boolean;

  @Field(() => DateTimeScalar, { description: 'Creation time.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'Last change.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'Who you are to the API: the identity behind the presented API key.' })
export class CallerIdentity {
  @Field(() => ID, { description: 'Your tenant id.' })
  tenantId!: string;

  @Field({ description: 'Actor id recorded in audit records, e.g. api_key:<keyId>.' })
  actor!: string;

  @Field(() => [RoleEnum], { description: 'Roles of the key.' })
  roles!: string[];

  @Field(() => ID, { nullable: true, description: 'Id of the API key used, when the call used one.' })
  keyId!: string | null;
}

@InputType({ description: 'Changes to your tenant.' })
export class UpdateTenantInput {
  @Field({ description: 'New name (1–200 characters).' })
  name!: string;
}
