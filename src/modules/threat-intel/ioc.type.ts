import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

/** GraphQL names of the indicator types; values are the stored strings (see ioc-values.ts). */
export enum IocType {
  IPV4 = 'ipv4',
  IPV6 = 'ipv6',
  CIDR = 'cidr',
  ASN = 'asn',
  DOMAIN = 'domain',
  HOSTNAME = 'hostname',
  URL = 'url',
  EMAIL = 'email',
  ACCOUNT = 'account',
  MD5 = 'md5',
  SHA1 = 'sha1',
  SHA256 = 'sha256',
  SHA512 = 'sha512',
  SSDEEP = 'ssdeep',
  FILE_NAME = 'file_name',
  FILE_PATH = 'file_path',
  PROCESS_NAME = 'process_name',
  REGISTRY_KEY = 'registry_key',
  MUTEX = 'mutex',
  USER_AGENT = 'user_agent',
  CVE = 'cve',
  JA3 = 'ja3',
  CERTIFICATE_SERIAL = 'certificate_serial',
  BITCOIN_ADDRESS = 'bitcoin_address',
}
registerEnumType(IocType, {
  name: 'IocType',
  description: 'Kind of indicator of compromise; decides how its value is normalised and validated.',
});

/** Indicator severity, the alert severity vocabulary. */
export enum IocSeverity {
  CRITICAL = 'critical',
  HIGH = 'high',
  MEDIUM = 'medium',
  LOW = 'low',
  INFORMATIONAL = 'informational',
}
registerEnumType(IocSeverity, { name: 'IocSeverity', description: 'How severe a match on the indicator is.' });

@ObjectType({
  description:
    'A threat-intelligence indicator of compromise, unique per tenant by (indicatorType, indicatorValue). Used for exact-match enrichment of alerts.',
})
export class ThreatIntelIoc {
  @Field(() => ID, { name: 'id', description: 'Indicator id.' })
  docId!: string;

  @Field(() => IocType, { description: 'Kind of indicator.' })
  indicatorType!: string;

  @Field({ description: 'Normalised value (e.g. lower-case domain or hash).' })
  indicatorValue!: string;

  @Field(() => Int, { description: 'Confidence 0–100 that the indicator is malicious.' })
  confidence!: number;

  @Field(() => IocSeverity, { nullable: true, description: 'Severity of a match, when known.' })
  severity!: string | null;

  @Field(() => [String], { description: 'Campaigns (and malware families) the indicator is associated with.' })
  associatedCampaigns!: string[];

  @Field(() => [String], { description: 'Threat groups the indicator is associated with.' })
  associatedGroups!: string[];

  @Field(() => [String], { description: 'ATT&CK/ATLAS technique ids, validated against the taxonomy.' })
  mitreTechniques!: string[];

  @Field(() => DateTimeScalar, { nullable: true, description: 'Earliest known sighting or validity start.' })
  firstSeen!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Latest known sighting.' })
  lastSeen!: Date | null;

  @Field(() => [String], { description: 'Where the indicator came from, e.g. manual, stix:<identity>, misp:<event uuid>.' })
  sources!: string[];

  @Field(() => String, { nullable: true, description: 'Free-text context (description, report title).' })
  context!: string | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the indicator stops being valid; expired indicators are hidden from lists by default.',
  })
  expiry!: Date | null;

  @Field(() => [String], { description: 'Labels, e.g. tlp:white or malicious-activity.' })
  tags!: string[];

  @Field(() => DateTimeScalar, { description: 'When the indicator was first stored.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When the indicator was last changed.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'Outcome of a bulk indicator upsert.' })
export class UpsertThreatIntelIocsResult {
  @Field(() => Int, { description: 'Indicators that did not exist before.' })
  inserted!: number;

  @Field(() => Int, { description: 'Existing indicators merged with the input.' })
  updated!: number;

  @Field(() => [ThreatIntelIoc], { description: 'The stored indicators, one per distinct (type, value), in input order.' })
  iocs!: ThreatIntelIoc[];
}

@ObjectType({ description: 'An input item an import did not turn into an indicator, and why.' })
export class ThreatIntelImportSkip {
  @Field({ description: 'STIX object id or MISP attribute uuid (or its JSON path when it has no id).' })
  ref!: string;

  @Field({ description: 'Why it was skipped.' })
  reason!: string;
}

@ObjectType({ description: 'Outcome of a STIX bundle or MISP event import.' })
export class ThreatIntelImportResult {
  @Field(() => Int, { description: 'STIX indicator objects, or MISP attributes, examined.' })
  indicators!: number;

  @Field(() => Int, { description: 'Indicators that did not exist before.' })
  inserted!: number;

  @Field(() => Int, { description: 'Existing indicators merged with the import.' })
  updated!: number;

  @Field(() => [ThreatIntelImportSkip], { description: 'Items not imported, with reasons.' })
  skipped!: ThreatIntelImportSkip[];

  @Field(() => [String], {
    description: 'Technique ids referenced by the feed but unknown, deprecated or revoked without replacement in the taxonomy; dropped (deny-by-default).',
  })
  droppedTechniques!: string[];

  @Field(() => [ThreatIntelIoc], { description: 'The stored indicators, one per distinct (type, value).' })
  iocs!: ThreatIntelIoc[];
}
