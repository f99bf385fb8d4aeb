import { Field, ID, InputType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars';
import { OrgCriticality } from './org-context.type';

@InputType({ description: 'Filters for orgContexts; all given conditions must hold.' })
export class OrgContextFilter {
  @Field(() => String, { nullable: true, description: 'Only this entity type (case-insensitive).' })
  entityType?: string | null;

  @Field(() => [OrgCriticality], { nullable: true, description: 'Only these criticalities.' })
  criticalities?: OrgCriticality[] | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on the entity name.' })
  search?: string | null;

  @Field(() => String, { nullable: true, description: 'Only records carrying this tag.' })
  tag?: string | null;
}

@InputType({
  description:
    'Creates or updates organisational context. With `id` that record is updated; without it the record with the same entity type and name (case-insensitive) is updated, or a new one created. Omitted fields keep their stored value (or default); null clears them.',
})
export class UpsertOrgContextInput {
  @Field(() => ID, { nullable: true, description: 'Record to update.' })
  id?: string | null;

  @Field({ description: 'Kind of entity: lower-case letters, digits, _ or - (e.g. host, user, service).' })
  entityType!: string;

  @Field({ description: 'Entity name (1–512 characters).' })
  entityName!: string;

  @Field(() => OrgCriticality, { nullable: true, description: 'Business criticality (default MEDIUM).' })
  criticality?: OrgCriticality | null;

  @Field(() => String, { nullable: true, description: 'Role of the entity.' })
  role?: string | null;

  @Field(() => String, { nullable: true, description: 'Network segment or zone.' })
  networkSegment?: string | null;

  @Field(() => String, { nullable: true, description: 'Owner.' })
  owner?: string | null;

  @Field(() => String, { nullable: true, description: 'Business unit.' })
  businessUnit?: string | null;

  @Field(() => String, { nullable: true, description: 'Maintenance window (free text).' })
  maintenanceWindow?: string | null;

  @Field(() => [String], { nullable: true, description: 'Normal services (replaces the stored list).' })
  normalServices?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Normal admin accounts (replaces the stored list).' })
  normalAdminUsers?: string[] | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Alert suppression rules (JSON object or array).' })
  alertSuppressionRules?: unknown;

  @Field(() => [String], { nullable: true, description: 'Tags (replaces the stored list).' })
  tags?: string[] | null;
}
