import { type CanonicalAlert, type EntityType } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { MitreCollector } from '../normalise/mitre.normaliser';
import { severityFromLabel } from '../normalise/severity.normaliser';
import {
  asJsonArray,
  buildAlert,
  type EnvelopeItem,
  firstStr,
  get,
  isJson,
  type Json,
  joinPath,
  MappingError,
  optionalText,
  parseJsonString,
  pickSeverity,
  requireId,
  requireTimestamp,
  requireTitle,
  str,
  type UnwrapResult,
  type VendorAdapter,
} from './adapter.kit';

/**
 * Microsoft Sentinel SecurityAlert, in its two delivered shapes:
 * - the Log Analytics `SecurityAlert` row (Event Hub export / LA query; PascalCase columns,
 *   `Entities` and `ExtendedProperties` as JSON-encoded strings);
 * - the REST/ARM entity (`kind: SecurityAlert`, fields under `properties`).
 * Envelopes: ARM lists `{"value": [...]}` and LA query responses `{"tables": [{columns, rows}]}`.
 *
 * Sentinel *incidents* (REST `Microsoft.SecurityInsights/incidents`) are rejected with an error:
 * an incident is a grouping of alerts that are ingested on their own (incidents/{id}/alerts), so
 * mapping it would create a duplicate investigation; the ARM incident carries no alerts inline.
 *
 * Heartbeats (spec §1.5): AlertName in {heartbeat, test alert, health check}, case-insensitive,
 * set `isHeartbeat` (the ingest service drops them).
 */

const HEARTBEAT_NAMES = new Set(['heartbeat', 'test alert', 'health check']);

/** Sentinel entity `Type` → ALUSKORT EntityType (Sentinel's own names, lower-cased). */
const ENTITY_TYPE_MAP: Record<string, EntityType> = {
  account: 'account',
  host: 'host',
  ip: 'ip',
  file: 'file',
  process: 'process',
  url: 'url',
  dns: 'dns',
  filehash: 'filehash',
  mailbox: 'mailbox',
  mailmessage: 'mailmessage',
  'registry-key': 'registry-key',
  'registry-value': 'registry-value',
  'security-group': 'security-group',
  'cloud-application': 'cloud-application',
  malware: 'malware',
  'azure-resource': 'cloud-application',
};

function isIncident(o: Json): boolean {
  const type = str(o.type)?.toLowerCase() ?? '';
  return type.endsWith('/incidents') || (isJson(o.properties) && o.properties.incidentNumber !== undefined);
}

function isArmAlert(o: Json): boolean {
  return o.kind === 'SecurityAlert' || (isJson(o.properties) && o.properties.systemAlertId !== undefined);
}

function isLogAnalyticsRow(o: Json): boolean {
  return o.SystemAlertId !== undefined || o.AlertName !== undefined || o.Type === 'SecurityAlert';
}

/** Log Analytics query API: `{tables: [{columns: [{name}], rows: [[...]]}]}` → row objects. */
function rowsOf(payload: Json, path: string): UnwrapResult[] {
  const out: UnwrapResult[] = [];
  asJsonArray(payload.tables).forEach((table, t) => {
    const columns = asJsonArray(table.columns).map((c) => str(c.name) ?? '');
    const rows = Array.isArray(table.rows) ? table.rows : [];
    rows.forEach((row, r) => {
      const rowPath = joinPath(path, `tables[${t}].rows[${r}]`);
      if (!Array.isArray(row)) {
        out.push({ path: rowPath, error: 'Log Analytics row must be an array' });
        return;
      }
      const obj: Json = {};
      columns.forEach((c, i) => {
        if (c) obj[c] = row[i];
      });
      out.push({ path: rowPath, value: obj });
    });
  });
  return out;
}

function addSentinelEntity(entities: EntityCollector, e: Json): void {
  const kind = str(e.Type)?.toLowerCase();
  const type = kind ? ENTITY_TYPE_MAP[kind] : undefined;
  if (!type) return;
  const sourceId = str(e.$id);
  const opts = { sourceId };
  switch (type) {
    case 'account': {
      const name = str(e.Name) ?? str(e.AccountName);
      const upn = str(e.UPNSuffix) && name ? `${name}@${str(e.UPNSuffix)}` : undefined;
      entities.add('account', name ?? str(e.AadUserId) ?? str(e.Sid), { ntDomain: e.NTDomain, upn, sid: e.Sid, aadUserId: e.AadUserId, displayName: e.DisplayName }, opts);
      break;
    }
    case 'host': {
      const host = str(e.HostName);
      const fqdn = host && str(e.DnsDomain) ? `${host}.${str(e.DnsDomain)}` : undefined;
      entities.add('host', fqdn ?? host ?? str(e.NetBiosName) ?? str(e.AzureID), { hostName: host, dnsDomain: e.DnsDomain, netBiosName: e.NetBiosName, osFamily: e.OSFamily, osVersion: e.OSVersion, azureId: e.AzureID }, opts);
      break;
    }
    case 'ip':
      entities.add('ip', e.Address, {}, opts);
      break;
    case 'file':
      entities.add('file', str(e.Name) ?? str(e.FullPath), { directory: e.Directory }, opts);
      break;
    case 'process': {
      const cmd = str(e.CommandLine);
      const name = str(get(e, 'ImageFile.Name'));
      if (name) entities.add('process', name, { processId: e.ProcessId, commandLine: cmd }, opts);
      else entities.add('process', cmd ?? str(e.ProcessId), { processId: e.ProcessId }, { ...opts, commandLine: true });
      break;
    }
    case 'url':
      entities.add('url', e.Url, {}, opts);
      break;
    case 'dns':
      entities.add('dns', e.DomainName, {}, opts);
      break;
    case 'filehash':
      entities.add('filehash', e.Value, { algorithm: str(e.Algorithm)?.toLowerCase() }, opts);
      break;
    case 'mailbox':
      entities.add('mailbox', e.MailboxPrimaryAddress ?? e.Upn, { displayName: e.DisplayName }, opts);
      break;
    case 'mailmessage':
      entities.add('mailmessage', str(e.NetworkMessageId) ?? str(e.InternetMessageId) ?? str(e.Subject), { subject: e.Subject, sender: e.Sender, recipient: e.Recipient }, opts);
      break;
    case 'registry-key':
      entities.add('registry-key', [str(e.Hive), str(e.Key)].filter(Boolean).join('\\'), {}, opts);
      break;
    case 'registry-value':
      entities.add('registry-value', e.Name, { valueType: e.ValueType, data: e.Value }, opts);
      break;
    case 'security-group':
      entities.add('security-group', str(e.DistinguishedName) ?? str(e.SID) ?? str(e.ObjectGuid), { sid: e.SID, objectGuid: e.ObjectGuid }, opts);
      break;
    case 'cloud-application':
      entities.add('cloud-application', str(e.Name) ?? str(e.AppId) ?? str(e.ResourceId), { appId: e.AppId, instanceName: e.InstanceName, resourceId: e.ResourceId }, opts);
      break;
    case 'malware':
      entities.add('malware', e.Name, { category: e.Category }, opts);
      break;
  }
}

function mapLogAnalyticsRow(o: Json, base: string): CanonicalAlert {
  const alertId = requireId(o, base, ['SystemAlertId', 'VendorOriginalId']);
  const timestamp = requireTimestamp(o, base, ['TimeGenerated', 'StartTime', 'EndTime', 'ProcessingEndTime']);
  const title = requireTitle(o, base, ['AlertName', 'DisplayName']);
  const mitre = new MitreCollector().tactic(o.Tactics);
  // Techniques: JSON-encoded array in current schemas, a CSV string in older exports (spec).
  const techniques = parseJsonString(o.Techniques) ?? o.Techniques;
  mitre.technique(typeof techniques === 'string' ? techniques.split(',') : techniques);
  mitre.technique(parseJsonString(o.SubTechniques) ?? o.SubTechniques);
  const extended = parseJsonString(o.ExtendedProperties) ?? o.ExtendedProperties;
  if (isJson(extended)) {
    for (const [k, v] of Object.entries(extended)) if (/technique/i.test(k)) mitre.technique(v);
  }
  const entities = new EntityCollector();
  const rawEntities = parseJsonString(o.Entities) ?? o.Entities;
  for (const e of asJsonArray(rawEntities)) addSentinelEntity(entities, e);
  return buildAlert({
    alertId,
    source: 'sentinel',
    timestamp,
    title,
    description: optionalText(o, ['Description']),
    severity: pickSeverity(severityFromLabel(o.AlertSeverity), severityFromLabel(o.Severity)),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entities.list(),
    product: firstStr(o, ['ProductName']) ?? 'Microsoft Sentinel',
    // In Log Analytics tables `TenantId` is the workspace id.
    vendorTenantId: str(o.TenantId),
    isHeartbeat: HEARTBEAT_NAMES.has(title.toLowerCase()),
    rawPayload: o,
  });
}

function mapArmAlert(o: Json, base: string): CanonicalAlert {
  const alertId = requireId(o, base, ['properties.systemAlertId', 'name']);
  const timestamp = requireTimestamp(o, base, ['properties.timeGenerated', 'properties.startTimeUtc', 'properties.endTimeUtc', 'properties.processingEndTime']);
  const title = requireTitle(o, base, ['properties.alertDisplayName', 'properties.friendlyName', 'properties.alertType']);
  const p = isJson(o.properties) ? o.properties : {};
  const mitre = new MitreCollector().tactic(p.tactics).technique(p.techniques).technique(p.subTechniques);
  const workspace = asJsonArray(p.resourceIdentifiers).find((r) => str(r.workspaceId));
  return buildAlert({
    alertId,
    source: 'sentinel',
    timestamp,
    title,
    description: optionalText(p, ['description']),
    severity: pickSeverity(severityFromLabel(p.severity)),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    // The ARM alert carries no entities: Sentinel serves them from a separate API.
    entities: [],
    product: firstStr(p, ['productName']) ?? 'Microsoft Sentinel',
    vendorTenantId: workspace ? str(workspace.workspaceId) : undefined,
    isHeartbeat: HEARTBEAT_NAMES.has(title.toLowerCase()),
    rawPayload: o,
  });
}

export const sentinelAdapter: VendorAdapter = {
  source: 'sentinel',

  detect(o) {
    if (Array.isArray(o.tables)) return true;
    if (Array.isArray(o.value)) return asJsonArray(o.value).some((v) => isArmAlert(v) || isIncident(v));
    return isLogAnalyticsRow(o) || isArmAlert(o) || (isIncident(o) && str(o.type)?.includes('SecurityInsights') === true);
  },

  unwrap(o, path) {
    if (Array.isArray(o.tables)) return rowsOf(o, path);
    if (Array.isArray(o.value)) return o.value.map((v, i) => ({ path: joinPath(path, `value[${i}]`), value: v }));
    return [{ path, value: o }];
  },

  map({ value: o, path }: EnvelopeItem & { value: Json }) {
    if (isIncident(o)) {
      throw new MappingError(
        path,
        'a Sentinel incident is not an alert: ingest the alerts of the incident (incidents/{id}/alerts) instead',
      );
    }
    if (isArmAlert(o)) return mapArmAlert(o, path);
    if (isLogAnalyticsRow(o)) return mapLogAnalyticsRow(o, path);
    throw new MappingError(path, 'not a Sentinel SecurityAlert (expected a Log Analytics row with SystemAlertId or an ARM entity of kind SecurityAlert)');
  },
};

