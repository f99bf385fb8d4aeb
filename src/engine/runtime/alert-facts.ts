/**
 * The stored alert row as the agents read it: a CanonicalAlert plus the facts the spec keeps in the raw
 * payload of ATLAS detections (safety_relevant, telemetry trust). Pure.
 */
import type { Prisma } from '../../generated/prisma/client';
import { type AlertSource, type CanonicalAlert, isAlertSource, isEntityType, isSeverity, type VendorEntity } from '../../ingest/canonical';
import type { TelemetryTrust } from '../graph-state';

export type AlertRow = Prisma.AlertGetPayload<object>;

export interface AlertFacts {
  alert: CanonicalAlert;
  /** alerts.alert_pk. */
  alertPk: string;
  /** Spec §4.4: safety-relevant alerts never auto-close and always need a human. */
  safetyRelevant: boolean;
  /** Trust of the alert's own telemetry (`raw_payload.telemetry_trust`); undefined when not stated. */
  telemetryTrust?: TelemetryTrust;
  /** FP-pattern blast-radius scope values, when the payload names them. */
  ruleFamily: string | null;
  assetClass: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entitiesOf(v: unknown): VendorEntity[] {
  if (!Array.isArray(v)) return [];
  const out: VendorEntity[] = [];
  for (const e of v) {
    if (!isRecord(e) || !isEntityType(e.type) || typeof e.value !== 'string') continue;
    out.push({
      type: e.type,
      value: e.value,
      properties: isRecord(e.properties) ? e.properties : {},
      ...(typeof e.sourceId === 'string' ? { sourceId: e.sourceId } : {}),
    });
  }
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** Maps an alerts row to the agents' view of it. */
export function alertFacts(row: AlertRow): AlertFacts {
  const raw = isRecord(row.rawPayload) ? row.rawPayload : {};
  const alert: CanonicalAlert = {
    alertId: row.sourceAlertId,
    source: (isAlertSource(row.source) ? row.source : 'canonical') as AlertSource,
    timestamp: row.timestamp.toISOString(),
    title: row.title,
    description: row.description,
    severity: isSeverity(row.severity) ? row.severity : 'medium',
    tactics: row.tactics,
    techniques: row.techniques,
    entities: entitiesOf(row.entities),
    product: row.product,
    rawPayload: raw,
  };
  const trust = raw.telemetry_trust ?? raw.telemetryTrust;
  return {
    alert,
    alertPk: row.alertPk,
    safetyRelevant: raw.safety_relevant === true || raw.safetyRelevant === true,
    telemetryTrust: trust === 'untrusted' || trust === 'trusted' ? trust : undefined,
    ruleFamily: str(raw.rule_family) ?? str(raw.ruleFamily),
    assetClass: str(raw.asset_class) ?? str(raw.assetClass),
  };
}
