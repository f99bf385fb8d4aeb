import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';

export enum Framework {
  ATTACK = 'attack',
  ATLAS = 'atlas',
}
registerEnumType(Framework, { name: 'Framework', description: 'MITRE knowledge base a technique belongs to.' });

@ObjectType({ description: 'A MITRE ATT&CK or ATLAS technique or sub-technique (global reference data).' })
export class MitreTechnique {
  @Field(() => ID, { description: 'Technique id, e.g. T1059.001 or AML.T0051.' })
  techniqueId!: string;

  @Field({ description: 'Technique name.' })
  techniqueName!: string;

  @Field(() => Framework, { description: 'ATT&CK or ATLAS.' })
  framework!: string;

  @Field(() => String, { nullable: true, description: 'Parent technique id for sub-techniques.' })
  parentTechnique!: string | null;

  @Field({ description: 'Whether this is a sub-technique.' })
  isSubtechnique!: boolean;

  @Field({ description: 'Deprecated techniques are kept for history and excluded from validation.' })
  deprecated!: boolean;

  @Field(() => [String], { description: 'Tactic shortnames (kill-chain phases), e.g. execution.' })
  tactic!: string[];

  @Field({ description: 'MITRE description (Markdown).' })
  description!: string;

  @Field(() => String, { nullable: true, description: 'Detection guidance.' })
  detection!: string | null;

  @Field(() => [String], { description: 'Platforms the technique applies to.' })
  platforms!: string[];

  @Field(() => [String], { description: 'Data sources that can observe it.' })
  dataSources!: string[];

  @Field(() => [String], { description: 'SIEM log tables where it shows up (tuned per SOC).' })
  logTables!: string[];

  @Field({ description: 'Baseline severity ALUSKORT assumes for alerts of this technique.' })
  severityBaseline!: string;

  @Field(() => [String], { description: 'ATT&CK group ids (G####) known to use it.' })
  groupsUsing!: string[];

  @Field(() => [String], { description: 'Software ids (S####) known to use it.' })
  softwareUsing!: string[];

  @Field(() => String, { nullable: true, description: 'Knowledge-base version it was imported from.' })
  attackVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'STIX id of the source object.' })
  stixId!: string | null;

  @Field(() => DateTimeScalar, { description: 'Last modification by MITRE.' })
  lastUpdated!: Date;
}

@ObjectType({ description: 'A MITRE ATT&CK threat group (intrusion set).' })
export class MitreGroup {
  @Field(() => ID, { description: 'Group id, e.g. G0016.' })
  groupId!: string;

  @Field({ description: 'Group name.' })
  groupName!: string;

  @Field(() => [String], { description: 'Other names the group is tracked under.' })
  aliases!: string[];

  @Field({ description: 'MITRE description (Markdown).' })
  description!: string;

  @Field(() => JSONScalar, { description: 'Technique ids the group uses (raw list).' })
  techniquesUsed!: unknown;

  @Field(() => [String], { description: 'Software ids the group uses.' })
  softwareUsed!: string[];

  @Field(() => [String], { description: 'Sectors the group targets.' })
  targetSectors!: string[];

  @Field(() => [String], { description: 'Reference URLs.' })
  references!: string[];

  @Field(() => DateTimeScalar, { description: 'Last modification by MITRE.' })
  lastUpdated!: Date;
}

@ObjectType({
  description:
    'An entry of the controlled technique vocabulary used for deny-by-default validation of every technique id ALUSKORT acts on.',
})
export class TaxonomyEntry {
  @Field(() => ID, { description: 'Technique id.' })
  techniqueId!: string;

  @Field(() => Framework, { description: 'ATT&CK or ATLAS.' })
  framework!: string;

  @Field({ description: 'Technique name.' })
  name!: string;

  @Field({ description: 'Whether this is a sub-technique.' })
  isSubtechnique!: boolean;

  @Field(() => String, { nullable: true, description: 'Parent technique id.' })
  parentId!: string | null;

  @Field({ description: 'Deprecated ids fail validation.' })
  deprecated!: boolean;

  @Field({ description: 'Revoked ids are remapped to revokedBy.' })
  revoked!: boolean;

  @Field(() => String, { nullable: true, description: 'Replacement technique id of a revoked one.' })
  revokedBy!: string | null;

  @Field(() => [String], { description: 'ATT&CK ids an ATLAS technique cross-walks to.' })
  relatedAttackIds!: string[];

  @Field(() => [String], { description: 'Tactic shortnames.' })
  tactics!: string[];

  @Field(() => DateTimeScalar, { description: 'Last modification.' })
  lastUpdated!: Date;
}

@ObjectType({ description: 'Versions of the loaded knowledge bases.' })
export class TaxonomyVersion {
  @Field(() => String, { nullable: true, description: 'ATT&CK version, e.g. 18.1.' })
  attackVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'ATLAS version.' })
  atlasVersion!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When a knowledge base was last imported.' })
  lastSync!: Date | null;
}
