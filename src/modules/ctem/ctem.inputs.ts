import { Field, Float, InputType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import {
  CtemExploitability,
  CtemExposureStatus,
  CtemPhysicalConsequence,
  CtemRemediationStatus,
  CtemSeverity,
  CtemValidationType,
} from './ctem.type';

@InputType({ description: 'Filters for ctemExposures; all given conditions must hold.' })
export class CtemExposureFilter {
  @Field(() => [CtemSeverity], { nullable: true, description: 'Only these severities.' })
  severities?: CtemSeverity[] | null;

  @Field(() => [CtemExposureStatus], { nullable: true, description: 'Only these statuses.' })
  statuses?: CtemExposureStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Only exposures reported by this tool (exact, e.g. wiz).' })
  sourceTool?: string | null;

  @Field(() => String, { nullable: true, description: 'Only exposures of this asset id (exact).' })
  assetId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only exposures in this asset zone (exact, e.g. Zone1_EdgeInference).' })
  assetZone?: string | null;

  @Field(() => [CtemPhysicalConsequence], { nullable: true, description: 'Only these physical consequences.' })
  physicalConsequences?: CtemPhysicalConsequence[] | null;

  @Field(() => Float, { nullable: true, description: 'Only exposures with ctemScore ≥ this (0–10).' })
  minCtemScore?: number | null;

  @Field(() => String, { nullable: true, description: 'Only exposures whose ATLAS or ATT&CK technique is this id.' })
  techniqueId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only exposures with this ATLAS technique id.' })
  atlasTechnique?: string | null;

  @Field(() => String, { nullable: true, description: 'Only exposures with this ATT&CK technique id.' })
  attackTechnique?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only OPEN/IN_PROGRESS exposures past their SLA deadline; false: only those that are not.',
  })
  slaBreached?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on the title.' })
  search?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only exposures reported at or after this time (ts).' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only exposures reported before this time (ts).' })
  to?: Date | null;
}

@InputType({ description: 'Filters for ctemValidations; all given conditions must hold.' })
export class CtemValidationFilter {
  @Field(() => String, { nullable: true, description: 'Only validations of this exposure (its exposureKey or numeric id).' })
  exposure?: string | null;

  @Field(() => String, { nullable: true, description: 'Only validations of this red-team campaign.' })
  campaignId?: string | null;

  @Field(() => [CtemValidationType], { nullable: true, description: 'Only these validation types.' })
  validationTypes?: CtemValidationType[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Only exploitable (true) or non-exploitable (false) results.' })
  exploitable?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Only results that evaded (true) or did not evade (false) detection.' })
  detectionEvaded?: boolean | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only validations at or after this time (ts).' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only validations before this time (ts).' })
  to?: Date | null;
}

@InputType({ description: 'Filters for ctemRemediations; all given conditions must hold.' })
export class CtemRemediationFilter {
  @Field(() => String, { nullable: true, description: 'Only remediations of this exposure (its exposureKey or numeric id).' })
  exposure?: string | null;

  @Field(() => [CtemRemediationStatus], { nullable: true, description: 'Only these statuses.' })
  statuses?: CtemRemediationStatus[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only breached remediations (flagged, or past the deadline while ASSIGNED/IN_PROGRESS); false: only the others.',
  })
  slaBreached?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Only remediations assigned to this owner (exact).' })
  assignedTo?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only remediations with ts at or after this time.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only remediations with ts before this time.' })
  to?: Date | null;
}

@InputType({
  description:
    'An exposure as a tool reports it. Severity, score, SLA deadline and exposureKey are computed (spec §4.1). Exploitability: `exploitability` if given, else derived from `exploitabilityScore` (≥0.7 high, ≥0.3 medium), else from `originalSeverity` (CRITICAL/HIGH → high 0.9, MEDIUM → medium 0.5, otherwise low 0.2).',
})
export class UpsertCtemExposureInput {
  @Field({ description: 'Reporting tool, e.g. wiz (1–100 characters); part of the exposureKey.' })
  sourceTool!: string;

  @Field({ description: 'Finding title (1–1000 characters); part of the exposureKey.' })
  title!: string;

  @Field({ description: 'Asset id (1–500 characters); part of the exposureKey.' })
  assetId!: string;

  @Field({ description: 'Asset type, e.g. vm, llm_model.' })
  assetType!: string;

  @Field({ description: 'Asset zone; gives the physical consequence when none is given (unknown zones → DATA_LOSS).' })
  assetZone!: string;

  @Field({ description: 'The tool’s own severity text, kept as originalSeverity.' })
  originalSeverity!: string;

  @Field(() => String, { nullable: true, description: 'Finding description.' })
  description?: string | null;

  @Field(() => CtemExploitability, { nullable: true, description: 'Exploitability level (row of the severity matrix).' })
  exploitability?: CtemExploitability | null;

  @Field(() => Float, { nullable: true, description: 'Exploitability score 0–1 (defaults to the level’s score: 0.9, 0.5, 0.2).' })
  exploitabilityScore?: number | null;

  @Field(() => CtemPhysicalConsequence, { nullable: true, description: 'Physical consequence; defaults from the zone table.' })
  physicalConsequence?: CtemPhysicalConsequence | null;

  @Field(() => String, { nullable: true, description: 'ATLAS technique id, e.g. AML.T0051.' })
  atlasTechnique?: string | null;

  @Field(() => String, { nullable: true, description: 'ATT&CK technique id or CVE.' })
  attackTechnique?: string | null;

  @Field(() => String, { nullable: true, description: 'Threat-model reference.' })
  threatModelRef?: string | null;

  @Field(() => String, { nullable: true, description: 'Owner.' })
  assignedTo?: string | null;

  @Field(() => String, { nullable: true, description: 'How to fix it.' })
  remediationGuidance?: string | null;

  @Field(() => String, { nullable: true, description: 'Link to evidence.' })
  evidenceUrl?: string | null;

  @Field(() => CtemExposureStatus, {
    nullable: true,
    description: 'Status the tool reports. New exposures default to OPEN; an existing exposure keeps its status when omitted, and a VERIFIED or CLOSED one is never reopened.',
  })
  status?: CtemExposureStatus | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the tool saw it (default now; not in the future).' })
  ts?: Date | null;
}
