import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';

/** Business criticality of an entity; stored lower-case (org_context.criticality, default medium). */
export enum OrgCriticality {
  CRITICAL = 'critical',
  HIGH = 'high',
  MEDIUM = 'medium',
  LOW = 'low',
}
registerEnumType(OrgCriticality, {
  name: 'OrgCriticality',
  description: 'Business criticality of an organisational entity; weighs alert priority and response approval.',
});

@ObjectType({
  description:
    'Organisational context for an entity (host, user, service, application, network…): criticality, ownership and what is normal for it, used to enrich and suppress alerts.',
})
export class OrgContext {
  @Field(() => ID, { name: 'id', description: 'Context record id.' })
  docId!: string;

  @Field({ description: 'Kind of entity, lower-case, e.g. host, user, service, application, network.' })
  entityType!: string;

  @Field({ description: 'Entity name as alerts refer to it, e.g. a host name or user principal.' })
  entityName!: string;

  @Field(() => OrgCriticality, { description: 'Business criticality.' })
  criticality!: string;

  @Field(() => String, { nullable: true, description: 'Role of the entity, e.g. domain-controller.' })
  role!: string | null;

  @Field(() => String, { nullable: true, description: 'Network segment or zone.' })
  networkSegment!: string | null;

  @Field(() => String, { nullable: true, description: 'Owner (person or team).' })
  owner!: string | null;

  @Field(() => String, { nullable: true, description: 'Business unit.' })
  businessUnit!: string | null;

  @Field(() => String, { nullable: true, description: 'Maintenance window, free text, e.g. Sun 02:00-04:00 UTC.' })
  maintenanceWindow!: string | null;

  @Field(() => [String], { description: 'Services normally running on or used by the entity.' })
  normalServices!: string[];

  @Field(() => [String], { description: 'Accounts that normally administer the entity.' })
  normalAdminUsers!: string[];

  @Field(() => JSONScalar, { nullable: true, description: 'Alert suppression rules for the entity (JSON).' })
  alertSuppressionRules!: unknown;

  @Field(() => [String], { description: 'Labels.' })
  tags!: string[];

  @Field(() => DateTimeScalar, { description: 'Last change.' })
  lastUpdated!: Date;
}
