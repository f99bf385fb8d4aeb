import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONObjectScalar } from '../../graphql/scalars';
import { Framework } from '../mitre/mitre.type';

/** Formats the taxonomy importer recognises (detected from the content). */
export enum TaxonomyImportFormat {
  STIX_BUNDLE = 'stix-bundle',
  ATLAS_YAML = 'atlas-yaml',
}
registerEnumType(TaxonomyImportFormat, {
  name: 'TaxonomyImportFormat',
  description: 'STIX_BUNDLE: a MITRE ATT&CK STIX 2.1 bundle (JSON); ATLAS_YAML: MITRE ATLAS.yaml.',
});

@ObjectType({ description: 'Rows an import wrote to one table.' })
export class TaxonomyTableCounts {
  @Field(() => Int, { description: 'New rows.' })
  inserted!: number;

  @Field(() => Int, { description: 'Changed rows.' })
  updated!: number;

  @Field(() => Int, { description: 'Rows already up to date.' })
  unchanged!: number;

  @Field(() => Int, { description: 'Rows removed (techniques revoked, groups retired).' })
  deleted!: number;
}

@ObjectType({ description: 'Per-table counts of a taxonomy import.' })
export class TaxonomyImportTables {
  @Field(() => TaxonomyTableCounts, { description: 'mitre_techniques.' })
  mitreTechniques!: TaxonomyTableCounts;

  @Field(() => TaxonomyTableCounts, { description: 'mitre_groups (ATT&CK only).' })
  mitreGroups!: TaxonomyTableCounts;

  @Field(() => TaxonomyTableCounts, { description: 'taxonomy_ids, the deny-by-default allowlist.' })
  taxonomyIds!: TaxonomyTableCounts;

  @Field(() => TaxonomyTableCounts, { description: 'taxonomy_metadata (versions).' })
  taxonomyMetadata!: TaxonomyTableCounts;
}

@ObjectType({ description: 'Result of importing a MITRE knowledge base (one transaction; nothing is written on error).' })
export class TaxonomyImportSummary {
  @Field(() => String, { nullable: true, description: 'File name given with the upload.' })
  source!: string | null;

  @Field(() => TaxonomyImportFormat, { description: 'Detected format.' })
  format!: string;

  @Field(() => Framework, { description: 'Knowledge base imported.' })
  framework!: string;

  @Field(() => String, { nullable: true, description: 'Version of the imported knowledge base.' })
  version!: string | null;

  @Field(() => TaxonomyImportTables, { description: 'Rows written per table.' })
  tables!: TaxonomyImportTables;

  @Field(() => JSONObjectScalar, { description: 'Parser statistics (object counts, revocations, anomalies).' })
  stats!: unknown;

  @Field(() => DateTimeScalar, { description: 'Sync time recorded in taxonomy_metadata.last_sync.' })
  lastSync!: Date;

  @Field(() => Int, { description: 'Duration of the import in milliseconds.' })
  durationMs!: number;
}
