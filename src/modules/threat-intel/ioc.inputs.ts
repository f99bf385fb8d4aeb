import { Field, InputType, Int } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { IocSeverity, IocType } from './ioc.type';

@InputType({ description: 'Filters for threatIntelIocs; all given conditions must hold.' })
export class ThreatIntelIocFilter {
  @Field(() => [IocType], { nullable: true, description: 'Only these indicator types.' })
  indicatorTypes?: IocType[] | null;

  @Field(() => String, { nullable: true, description: 'Exact indicator value (normalised like stored values when indicatorTypes has one type, else compared case-insensitively).' })
  value?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the indicator value.' })
  valueContains?: string | null;

  @Field(() => Int, { nullable: true, description: 'Minimum confidence (inclusive, 0–100).' })
  minConfidence?: number | null;

  @Field(() => Int, { nullable: true, description: 'Maximum confidence (inclusive, 0–100).' })
  maxConfidence?: number | null;

  @Field(() => [IocSeverity], { nullable: true, description: 'Only these severities.' })
  severities?: IocSeverity[] | null;

  @Field(() => String, { nullable: true, description: 'Only indicators linked to this technique id, e.g. T1071.001.' })
  techniqueId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only indicators associated with this campaign (exact name).' })
  campaign?: string | null;

  @Field(() => String, { nullable: true, description: 'Only indicators associated with this threat group (exact name).' })
  group?: string | null;

  @Field(() => String, { nullable: true, description: 'Only indicators carrying this tag.' })
  tag?: string | null;

  @Field(() => String, { nullable: true, description: 'Only indicators from this source, e.g. misp:<uuid>.' })
  source?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include indicators whose expiry has passed (default false).' })
  includeExpired?: boolean | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only indicators seen at or after this time (lastSeen, or firstSeen when lastSeen is unknown).' })
  seenFrom?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only indicators seen at or before this time (firstSeen, or lastSeen when firstSeen is unknown).' })
  seenTo?: Date | null;
}

@InputType({ description: 'One indicator to insert or merge into an existing one with the same type and value.' })
export class IocInput {
  @Field(() => IocType, { description: 'Kind of indicator.' })
  type!: IocType;

  @Field({ description: 'Value; normalised (trimmed, lower-cased where case-insensitive) and validated for its type.' })
  value!: string;

  @Field(() => Int, { nullable: true, description: 'Confidence 0–100 (default 50). Replaces the stored confidence.' })
  confidence?: number | null;

  @Field(() => IocSeverity, { nullable: true, description: 'Severity; kept when omitted.' })
  severity?: IocSeverity | null;

  @Field(() => [String], { nullable: true, description: 'Campaigns, added to the stored ones.' })
  campaigns?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Threat groups, added to the stored ones.' })
  groups?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Technique ids; must exist in the taxonomy (revoked ids are replaced by their successor).' })
  mitreTechniques?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Tags, added to the stored ones.' })
  tags?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Sources, added to the stored ones (default manual).' })
  sources?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Free-text context; kept when omitted.' })
  context?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'First sighting; the earliest known value is kept.' })
  firstSeen?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Last sighting (not before firstSeen); the latest known value is kept.' })
  lastSeen?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Expiry (after firstSeen); replaces the stored expiry when given.' })
  expiry?: Date | null;
}

@InputType({ description: 'A batch of indicators (at most 5,000), written in one transaction.' })
export class UpsertThreatIntelIocsInput {
  @Field(() => [IocInput], { description: 'Indicators; duplicates by (type, value) are merged.' })
  iocs!: IocInput[];
}
