/**
 * CTEM scoring (spec §4.1): consequence-weighted severity matrix, ctem_score, SLA deadlines,
 * exposure keys, zone → consequence fallback, SLA status and the exposure status machine.
 * Pure: no I/O, no GraphQL. Values use the database vocabulary (CRITICAL…, safety_life…, Open…).
 */
import { createHash } from 'node:crypto';

export const CTEM_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type CtemSeverityValue = (typeof CTEM_SEVERITIES)[number];

export const EXPLOITABILITY_LEVELS = ['high', 'medium', 'low'] as const;
export type ExploitabilityLevel = (typeof EXPLOITABILITY_LEVELS)[number];

export const PHYSICAL_CONSEQUENCES = ['safety_life', 'equipment', 'downtime', 'data_loss'] as const;
export type PhysicalConsequenceValue = (typeof PHYSICAL_CONSEQUENCES)[number];

export const EXPOSURE_STATUSES = ['Open', 'InProgress', 'FixDeployed', 'Verified', 'Closed'] as const;
export type ExposureStatusValue = (typeof EXPOSURE_STATUSES)[number];

/** Statuses an exposure counts as unresolved in (SLA tracking, breach filter). */
export const OPEN_EXPOSURE_STATUSES: readonly ExposureStatusValue[] = ['Open', 'InProgress'];
/** Resolved statuses: an upsert never reopens these. */
export const RESOLVED_EXPOSURE_STATUSES: readonly ExposureStatusValue[] = ['Verified', 'Closed'];

const MATRIX: Record<ExploitabilityLevel, Record<PhysicalConsequenceValue, CtemSeverityValue>> = {
  high: { safety_life: 'CRITICAL', equipment: 'CRITICAL', downtime: 'HIGH', data_loss: 'MEDIUM' },
  medium: { safety_life: 'CRITICAL', equipment: 'HIGH', downtime: 'MEDIUM', data_loss: 'LOW' },
  low: { safety_life: 'HIGH', equipment: 'MEDIUM', downtime: 'LOW', data_loss: 'LOW' },
};

/** Consequence weights of the ctem_score; data_loss is also the default. */
export const CONSEQUENCE_WEIGHTS: Record<PhysicalConsequenceValue, number> = {
  safety_life: 1.0,
  equipment: 0.8,
  downtime: 0.5,
  data_loss: 0.3,
};

/** Hours until the SLA deadline by severity; unknown severities get 720. */
export const SLA_HOURS: Record<CtemSeverityValue, number> = { CRITICAL: 24, HIGH: 72, MEDIUM: 336, LOW: 720 };

/** Zone → consequence fallback table (spec §4.1); unknown zones → data_loss. */
export const ZONE_CONSEQUENCES: Record<PhysicalConsequenceValue, readonly string[]> = {
  safety_life: ['Zone0_PhysicalProcess', 'Zone0_Safety', 'Zone0_FieldDevices', 'OT_ProcessNetwork', 'OT_SafetyInstrumentedSystem'],
  equipment: [
    'Zone1_EdgeInference',
    'Zone1_BasicControl',
    'Zone1_SensorNetwork',
    'Zone1_PLCNetwork',
    'OT_FieldBus',
    'OT_ControlNetwork',
  ],
  downtime: [
    'Zone2_Operations',
    'Zone2_AreaSupervisory',
    'Zone2_SCADA',
    'Zone2_HMI',
    'Zone3_SiteOperations',
    'Zone3_Manufacturing',
    'Cloud_Production',
    'Cloud_Management',
    'IT_DataCenter',
    'IT_NetworkInfra',
  ],
  data_loss: [
    'Zone3_Enterprise',
    'Zone3_5_DMZ',
    'Zone4_External',
    'Zone4_Corporate',
    'Zone4_Cloud',
    'Zone5_Internet',
    'Cloud_Staging',
    'Cloud_Development',
    'IT_UserWorkstations',
  ],
};

const ZONE_INDEX = new Map<string, PhysicalConsequenceValue>(
  (Object.entries(ZONE_CONSEQUENCES) as [PhysicalConsequenceValue, readonly string[]][]).flatMap(([c, zones]) =>
    zones.map((z) => [z, c] as [string, PhysicalConsequenceValue]),
  ),
);

/** Severity from the (exploitability, consequence) matrix; a missing key gives MEDIUM. */
export function severityFor(level: string, consequence: string): CtemSeverityValue {
  return MATRIX[level as ExploitabilityLevel]?.[consequence as PhysicalConsequenceValue] ?? 'MEDIUM';
}

/** Physical consequence of an asset zone (fallback when no graph is available); unknown zones → data_loss. */
export function consequenceForZone(zone: string): PhysicalConsequenceValue {
  return ZONE_INDEX.get(zone) ?? 'data_loss';
}

/** round(exploitability_score × weight × 10, 2); unknown consequences weigh as data_loss. */
export function ctemScore(exploitabilityScore: number, consequence: string): number {
  const weight = CONSEQUENCE_WEIGHTS[consequence as PhysicalConsequenceValue] ?? CONSEQUENCE_WEIGHTS.data_loss;
  return Math.round(exploitabilityScore * weight * 10 * 100) / 100;
}

/** now + SLA hours of the severity (unknown severities: 720 h). */
export function slaDeadline(severity: string, now: Date): Date {
  const hours = SLA_HOURS[severity as CtemSeverityValue] ?? 720;
  return new Date(now.getTime() + hours * 3_600_000);
}

/** First 16 hex characters of sha256("{source_tool}:{title}:{asset_id}") (UTF-8). */
export function exposureKey(sourceTool: string, title: string, assetId: string): string {
  return createHash('sha256').update(`${sourceTool}:${title}:${assetId}`, 'utf8').digest('hex').slice(0, 16);
}

/** Vendor severity → exploitability as the Wiz normaliser maps it: CRITICAL/HIGH→high, MEDIUM→medium, else low. */
export function exploitabilityFromVendorSeverity(severity: string): ExploitabilityLevel {
  const s = severity.trim().toUpperCase();
  if (s === 'CRITICAL' || s === 'HIGH') return 'high';
  if (s === 'MEDIUM') return 'medium';
  return 'low';
}

/** Default exploitability score of a level (Wiz scores: high 0.9, medium 0.5, low 0.2). */
export const LEVEL_SCORES: Record<ExploitabilityLevel, number> = { high: 0.9, medium: 0.5, low: 0.2 };

/** Level of a 0..1 exploitability score with the success-rate thresholds (≥0.7 high, ≥0.3 medium). */
export function levelForScore(score: number): ExploitabilityLevel {
  if (score >= 0.7) return 'high';
  if (score >= 0.3) return 'medium';
  return 'low';
}

export interface ScoreInput {
  /** The tool's own severity (kept as original_severity; used when neither level nor score is given). */
  originalSeverity: string;
  assetZone: string;
  exploitabilityLevel?: ExploitabilityLevel | null;
  exploitabilityScore?: number | null;
  physicalConsequence?: PhysicalConsequenceValue | null;
}

export interface ScoredExposure {
  severity: CtemSeverityValue;
  exploitabilityLevel: ExploitabilityLevel;
  exploitabilityScore: number;
  physicalConsequence: PhysicalConsequenceValue;
  ctemScore: number;
}

/**
 * Scores an exposure. Exploitability: an explicit level wins; otherwise derived from an explicit score
 * (success-rate thresholds); otherwise from the vendor severity (Wiz mapping). The score defaults to the
 * level's Wiz score. Consequence: explicit, else from the zone table.
 */
export function scoreExposure(input: ScoreInput): ScoredExposure {
  const level =
    input.exploitabilityLevel ??
    (input.exploitabilityScore != null ? levelForScore(input.exploitabilityScore) : exploitabilityFromVendorSeverity(input.originalSeverity));
  const score = input.exploitabilityScore ?? LEVEL_SCORES[level];
  const consequence = input.physicalConsequence ?? consequenceForZone(input.assetZone);
  return {
    severity: severityFor(level, consequence),
    exploitabilityLevel: level,
    exploitabilityScore: score,
    physicalConsequence: consequence,
    ctemScore: ctemScore(score, consequence),
  };
}

export type SlaStatusValue = 'BREACHED' | 'AT_RISK' | 'ON_TRACK' | 'NONE';

/**
 * SLA status (spec §4.1): BREACHED past the deadline, AT_RISK under 24 h left, ON_TRACK otherwise.
 * NONE when there is no deadline or the exposure is no longer open (FixDeployed, Verified, Closed).
 */
export function slaStatus(deadline: Date | null, status: string, now: Date): SlaStatusValue {
  if (!deadline || !(OPEN_EXPOSURE_STATUSES as readonly string[]).includes(status)) return 'NONE';
  const left = deadline.getTime() - now.getTime();
  if (left < 0) return 'BREACHED';
  if (left < 24 * 3_600_000) return 'AT_RISK';
  return 'ON_TRACK';
}

/** Data older than 24 h is stale (the correlator flags it; the reasoning agent treats it as unknown). */
export function isStale(updatedAt: Date, now: Date): boolean {
  return now.getTime() - updatedAt.getTime() > 24 * 3_600_000;
}

/** adjusted_score = ctem_score × 1.5 when runtime alerts correlate (a ranking value; may exceed 10). */
export function adjustedScore(score: number, runtimeAlertCorrelated: boolean): number {
  return runtimeAlertCorrelated ? Math.round(score * 1.5 * 100) / 100 : score;
}

/** Weekly triage priority 1 (most urgent) … 7 (spec §4.1). */
export function triagePriority(e: { severity: string; breached: boolean; runtimeAlert?: boolean }): number {
  if (e.severity === 'CRITICAL') return e.breached ? 1 : 2;
  if (e.severity === 'HIGH') {
    if (e.breached) return 3;
    return e.runtimeAlert ? 4 : 5;
  }
  return e.severity === 'MEDIUM' ? 6 : 7;
}

/** Share of red-team tests that were detected, in percent with one decimal (2 of 3 → 66.7). */
export function detectionRate(tests: { detectionEvaded: boolean }[]): number {
  if (tests.length === 0) return 0;
  const detected = tests.filter((t) => !t.detectionEvaded).length;
  return Math.round((detected / tests.length) * 1000) / 10;
}

/**
 * Exposure status machine: Open → InProgress → FixDeployed → Verified → Closed, plus FixDeployed →
 * InProgress when verification finds the fix did not work. Verified and Closed are never reopened.
 */
export const EXPOSURE_TRANSITIONS: Record<ExposureStatusValue, readonly ExposureStatusValue[]> = {
  Open: ['InProgress'],
  InProgress: ['FixDeployed'],
  FixDeployed: ['Verified', 'InProgress'],
  Verified: ['Closed'],
  Closed: [],
};

export function canTransition(from: string, to: string): boolean {
  return (EXPOSURE_TRANSITIONS[from as ExposureStatusValue] ?? []).includes(to as ExposureStatusValue);
}

/**
 * The SLA deadline after an upsert re-sees an exposure: never extended; shortened when the new severity's
 * SLA ends earlier (an escalated finding gets the tighter deadline).
 */
export function mergedSlaDeadline(existing: Date | null, severity: string, now: Date): Date {
  const fresh = slaDeadline(severity, now);
  return existing && existing.getTime() <= fresh.getTime() ? existing : fresh;
}
