/**
 * The canonical alert: the one shape every vendor adapter produces (spec §1.5) and the ingest
 * service stores. Pure types and vocabularies only; no I/O.
 */

/** Where an alert came from. `canonical` = a caller submitted a CanonicalAlert-like object. */
export const ALERT_SOURCES = [
  'canonical',
  'sentinel',
  'defender',
  'elastic',
  'splunk',
  'wazuh',
  'crowdstrike',
  'google_secops',
  'guardduty',
  'security_hub',
  'gcp_scc',
  'ocsf',
] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** Alert `SeverityLevel` (spec §3.6; case-sensitive, lower case). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severity used when the vendor gives none or one we cannot map (spec §1.5: default `medium`). */
export const DEFAULT_SEVERITY: Severity = 'medium';

/** The 15 entity types of spec §3.3. */
export const ENTITY_TYPES = [
  'account',
  'host',
  'ip',
  'file',
  'process',
  'url',
  'dns',
  'filehash',
  'mailbox',
  'mailmessage',
  'registry-key',
  'registry-value',
  'security-group',
  'cloud-application',
  'malware',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** A structured entity the vendor gave us, sanitised per spec §4.5 (confidence 1.0 implied). */
export interface VendorEntity {
  type: EntityType;
  value: string;
  properties: Record<string, unknown>;
  /** The vendor's own reference for the entity (Sentinel `$id`, Graph evidence index, ...). */
  sourceId?: string;
}

/** A vendor alert mapped to ALUSKORT's vocabulary. */
export interface CanonicalAlert {
  /** The vendor's alert id (unique per source); the idempotency key together with tenant and source. */
  alertId: string;
  source: AlertSource;
  /** ISO 8601 UTC with milliseconds (`YYYY-MM-DDTHH:MM:SS.mmmZ`). */
  timestamp: string;
  title: string;
  description: string;
  severity: Severity;
  /** Tactic names, normalised to ATT&CK shortnames where possible (`initial-access`). */
  tactics: string[];
  /** ATT&CK / ATLAS technique ids only, upper-cased and deduplicated (`T1059.001`, `AML.T0051`). */
  techniques: string[];
  entities: VendorEntity[];
  /** Human-readable product, e.g. `Microsoft Defender for Endpoint`. */
  product: string;
  /** The vendor's tenant/account/workspace: informational only, never the ALUSKORT tenant. */
  vendorTenantId?: string;
  /** Heartbeat/test/health-check alert: ingest drops it (spec §1.5). */
  isHeartbeat?: boolean;
  /** The single alert's own vendor object (not the envelope it arrived in). */
  rawPayload: Record<string, unknown>;
}

export interface AdapterError {
  code: 'BAD_USER_INPUT';
  message: string;
  /** Where in the submitted payload the problem is, e.g. `value[3].createdDateTime`. */
  path: string;
}

export type AdapterOutcome = { ok: true; alert: CanonicalAlert } | { ok: false; error: AdapterError };

export function isAlertSource(v: unknown): v is AlertSource {
  return typeof v === 'string' && (ALERT_SOURCES as readonly string[]).includes(v);
}

export function isSeverity(v: unknown): v is Severity {
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
}

export function isEntityType(v: unknown): v is EntityType {
  return typeof v === 'string' && (ENTITY_TYPES as readonly string[]).includes(v);
}
