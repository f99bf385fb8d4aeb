import { Field, InputType } from 'type-graphql';
import { Framework } from './mitre.type';

@InputType({ description: 'Filters for mitreTechniques; all given conditions must hold.' })
export class MitreTechniqueFilter {
  @Field(() => Framework, { nullable: true, description: 'Only this knowledge base.' })
  framework?: Framework | null;

  @Field(() => [String], { nullable: true, description: 'Only these technique ids.' })
  techniqueIds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Tactic shortname, e.g. credential-access.' })
  tactic?: string | null;

  @Field(() => String, { nullable: true, description: 'Platform, e.g. Windows.' })
  platform?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on id and name.' })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only sub-techniques (true) or only techniques (false).' })
  isSubtechnique?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Include deprecated techniques (default false).' })
  includeDeprecated?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Only techniques used by this group id.' })
  groupId?: string | null;
}

@InputType({ description: 'Filters for mitreGroups.' })
export class MitreGroupFilter {
  @Field(() => String, { nullable: true, description: 'Case-insensitive match on id, name and aliases.' })
  search?: string | null;

  @Field(() => String, { nullable: true, description: 'Only groups known to use this technique id.' })
  techniqueId?: string | null;
}

@InputType({ description: 'Filters for taxonomyEntries.' })
export class TaxonomyEntryFilter {
  @Field(() => Framework, { nullable: true, description: 'Only this knowledge base.' })
  framework?: Framework | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on id and name.' })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only revoked (true) or only non-revoked (false) ids.' })
  revoked?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Only deprecated (true) or non-deprecated (false) ids.' })
  deprecated?: boolean | null;

  @Field(() => String, { nullable: true, description: 'ATLAS entries that cross-walk to this ATT&CK id.' })
  relatedAttackId?: string | null;
}
