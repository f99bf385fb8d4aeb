import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';

export enum CtemSeverity {
  CRITICAL = 'CRITICAL',
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}
registerEnumType(CtemSeverity, {
  name: 'CtemSeverity',
  description: 'CTEM severity (uppercase vocabulary of spec §3.6), from the consequence-weighted matrix of spec §4.1.',
});

export enum CtemExposureStatus {
  OPEN = 'Open',
  IN_PROGRESS = 'InProgress',
  FIX_DEPLOYED = 'FixDeployed',
  VERIFIED = 'Verified',
  CLOSED = 'Closed',
}
registerEnumType(CtemExposureStatus, {
  name: 'CtemExposureStatus',
  description: 'Lifecycle of an exposure: OPEN → IN_PROGRESS → FIX_DEPLOYED → VERIFIED → CLOSED. Verified and closed exposures are never reopened.',
});

export enum CtemPhysicalConsequence {
  SAFETY_LIFE = 'safety_life',
  EQUIPMENT = 'equipment',
  DOWNTIME = 'downtime',
  DATA_LOSS = 'data_loss',
}
registerEnumType(CtemPhysicalConsequence, {
  name: 'CtemPhysicalConsequence',
  description: 'Worst physical consequence if the exposure is exploited; weighs the ctem score (1.0, 0.8, 0.5, 0.3).',
});

export enum CtemExploitability {
  HIGH = 'high',
  MEDIUM = 'medium',
  LOW = 'low',
}
registerEnumType(CtemExploitability, { name: 'CtemExploitability', description: 'Exploitability level, the row of the CTEM severity matrix.' });

export enum CtemSlaStatus {
  BREACHED = 'BREACHED',
  AT_RISK = 'AT_RISK',
  ON_TRACK = 'ON_TRACK',
  NONE = 'NONE',
}
registerEnumType(CtemSlaStatus, {
  name: 'CtemSlaStatus',
  description:
    'SLA state of an open exposure: BREACHED past the deadline, AT_RISK under 24 h left, ON_TRACK otherwise; NONE without a deadline or once no longer open/in progress.',
});

export enum CtemRemediationStatus {
  ASSIGNED = 'Assigned',
  IN_PROGRESS = 'InProgress',
  FIX_DEPLOYED = 'FixDeployed',
  VERIFIED = 'Verified',
  CLOSED = 'Closed',
}
registerEnumType(CtemRemediationStatus, { name: 'CtemRemediationStatus', description: 'Lifecycle of a remediation.' });

export enum CtemValidationType {
  AUTOMATED = 'automated',
  MANUAL_RED_TEAM = 'manual_red_team',
  ADVERSARIAL_ML = 'adversarial_ml',
  FULL_CAMPAIGN = 'full_campaign',
}
registerEnumType(CtemValidationType, { name: 'CtemValidationType', description: 'How an exposure was validated.' });

export enum CtemExploitComplexity {
  UNKNOWN = 'unknown',
  LOW = 'low',
  MEDIUM = 'medium',
  HIGH = 'high',
}
registerEnumType(CtemExploitComplexity, { name: 'CtemExploitComplexity', description: 'Effort an exploit took during validation.' });

@ObjectType({ description: 'A normalised CTEM exposure (vulnerability, misconfiguration or AI weakness) of one asset, scored per spec §4.1.' })
export class CtemExposure {
  @Field(() => ID, { description: 'Numeric row id (as a string).' })
  id!: string;

  @Field({ description: 'Deduplication key: first 16 hex characters of sha256("{sourceTool}:{title}:{assetId}"). Validations and remediations refer to it.' })
  exposureKey!: string;

  @Field(() => DateTimeScalar, { description: 'When the exposure was last reported by its tool.' })
  ts!: Date;

  @Field({ description: 'Tool that reported it, e.g. wiz, snyk, garak, art.' })
  sourceTool!: string;

  @Field({ description: 'Finding title.' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Finding description.' })
  description!: string | null;

  @Field(() => CtemSeverity, { description: 'Consequence-weighted severity.' })
  severity!: string;

  @Field({ description: 'Severity as the tool reported it.' })
  originalSeverity!: string;

  @Field({ description: 'Asset identifier (host, resource ARN, model name).' })
  assetId!: string;

  @Field({ description: 'Asset type, e.g. vm, s3_bucket, llm_model.' })
  assetType!: string;

  @Field({ description: 'Network/safety zone of the asset, e.g. Zone1_EdgeInference.' })
  assetZone!: string;

  @Field(() => Float, { description: 'Exploitability 0–1.' })
  exploitabilityScore!: number;

  @Field(() => CtemPhysicalConsequence, { description: 'Physical consequence used for severity and score.' })
  physicalConsequence!: string;

  @Field(() => Float, { description: 'round(exploitabilityScore × consequence weight × 10, 2), 0–10.' })
  ctemScore!: number;

  @Field({ description: 'MITRE ATLAS technique id, or empty.' })
  atlasTechnique!: string;

  @Field({ description: 'MITRE ATT&CK technique id (or CVE for dependency findings), or empty.' })
  attackTechnique!: string;

  @Field({ description: 'Threat-model reference, or empty.' })
  threatModelRef!: string;

  @Field(() => CtemExposureStatus, { description: 'Lifecycle status.' })
  status!: string;

  @Field({ description: 'Owner, or empty.' })
  assignedTo!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Remediation deadline by severity: CRITICAL 24 h, HIGH 72 h, MEDIUM 14 d, LOW 30 d.' })
  slaDeadline!: Date | null;

  @Field(() => CtemSlaStatus, { description: 'SLA state computed at read time.' })
  slaStatus!: string;

  @Field({ description: 'True when the record was not updated for more than 24 h: treat it as unknown, not safe.' })
  stale!: boolean;

  @Field({ description: 'How to fix it, or empty.' })
  remediationGuidance!: string;

  @Field({ description: 'Link to evidence, or empty.' })
  evidenceUrl!: string;

  @Field(() => DateTimeScalar, { description: 'First seen.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'Last change.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'A red-team or automated validation of an exposure.' })
export class CtemValidation {
  @Field(() => ID, { description: 'Numeric row id (as a string).' })
  id!: string;

  @Field({ description: 'Validation id from the testing tool or campaign.' })
  validationId!: string;

  @Field({ description: 'exposureKey of the validated exposure.' })
  exposureKey!: string;

  @Field({ description: 'Red-team campaign id.' })
  campaignId!: string;

  @Field(() => DateTimeScalar, { description: 'When the validation ran.' })
  ts!: Date;

  @Field(() => CtemValidationType, { description: 'How it was validated.' })
  validationType!: string;

  @Field({ description: 'Whether the exposure proved exploitable.' })
  exploitable!: boolean;

  @Field(() => CtemExploitComplexity, { description: 'Exploit effort.' })
  exploitComplexity!: string;

  @Field(() => String, { nullable: true, description: 'Attack path taken.' })
  attackPath!: string | null;

  @Field({ description: 'Whether a physical consequence was demonstrated.' })
  physicalConsequenceDemonstrated!: boolean;

  @Field({ description: 'Whether the attack evaded detection.' })
  detectionEvaded!: boolean;

  @Field(() => JSONScalar, { description: 'Detection rules exercised.' })
  detectionRulesTested!: unknown;

  @Field(() => JSONScalar, { description: 'Detection gaps found.' })
  detectionGaps!: unknown;

  @Field({ description: 'Who tested, or empty.' })
  tester!: string;

  @Field({ description: 'Link to evidence, or empty.' })
  evidenceUrl!: string;

  @Field(() => DateTimeScalar, { description: 'Record creation time.' })
  createdAt!: Date;
}

@ObjectType({ description: 'The remediation work item of an exposure.' })
export class CtemRemediation {
  @Field(() => ID, { description: 'Numeric row id (as a string).' })
  id!: string;

  @Field({ description: 'Remediation id (ticket or work item).' })
  remediationId!: string;

  @Field({ description: 'exposureKey of the exposure being fixed.' })
  exposureKey!: string;

  @Field(() => DateTimeScalar, { description: 'Last event time.' })
  ts!: Date;

  @Field(() => CtemRemediationStatus, { description: 'Lifecycle status.' })
  status!: string;

  @Field({ description: 'Owner.' })
  assignedTo!: string;

  @Field(() => DateTimeScalar, { description: 'When it was assigned.' })
  assignedDate!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Deadline.' })
  slaDeadline!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the fix was deployed.' })
  fixDeployedDate!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the fix was verified.' })
  verifiedDate!: Date | null;

  @Field({ description: 'Verifier, or empty.' })
  verifiedBy!: string;

  @Field({ description: 'Breached: flagged by the SLA job, or past the deadline while still ASSIGNED/IN_PROGRESS.' })
  slaBreached!: boolean;

  @Field({ description: 'Escalation target set by the SLA job, e.g. SECURITY_DIRECTOR, or empty.' })
  escalationLevel!: string;

  @Field({ description: 'What was fixed, or empty.' })
  fixDescription!: string;

  @Field({ description: 'Pull request of the fix, or empty.' })
  pullRequestUrl!: string;

  @Field(() => DateTimeScalar, { description: 'Record creation time.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'Last change.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'Result of upsertCtemExposure.' })
export class UpsertCtemExposurePayload {
  @Field(() => CtemExposure, { description: 'The stored exposure.' })
  exposure!: CtemExposure;

  @Field({ description: 'True when the exposure was new; false when an existing one (same exposureKey) was updated.' })
  created!: boolean;

  @Field({ description: 'True when a requested status was ignored because the exposure is already VERIFIED or CLOSED.' })
  statusPreserved!: boolean;
}
