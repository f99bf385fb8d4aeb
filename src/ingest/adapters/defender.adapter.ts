import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { MitreCollector } from '../normalise/mitre.normaliser';
import { severityFromLabel } from '../normalise/severity.normaliser';
import {
  asArray,
  asJsonArray,
  buildAlert,
  type EnvelopeItem,
  get,
  isJson,
  type Json,
  joinPath,
  MappingError,
  optionalText,
  pickSeverity,
  requireId,
  requireTimestamp,
  requireTitle,
  str,
  type UnwrapResult,
  type VendorAdapter,
} from './adapter.kit';

/**
 * Microsoft Defender XDR through Microsoft Graph security:
 * - `alerts_v2` (`/security/alerts_v2`): `evidence[]` discriminated by `@odata.type`;
 * - the legacy v1 `alert` (`/security/alerts`, deprecated): `vendorInformation`, `hostStates[]`, ...
 * Envelope: `{"value": [...]}` (one outcome per element).
 *
 * Incidents (`/security/incidents`): an incident is a container of alerts. With `$expand=alerts`
 * every contained alert is mapped as an alert of its own (path `value[i].alerts[j]`); an incident
 * without expanded alerts (the documented list response) yields one error at `value[i].alerts`,
 * because mapping the incident itself would duplicate the alerts ingested on their own.
 */

const SERVICE_SOURCES: Record<string, string> = {
  microsoftdefenderforendpoint: 'Microsoft Defender for Endpoint',
  microsoftdefenderforidentity: 'Microsoft Defender for Identity',
  microsoftdefenderforoffice365: 'Microsoft Defender for Office 365',
  microsoftdefenderforcloudapps: 'Microsoft Defender for Cloud Apps',
  microsoftdefenderforcloud: 'Microsoft Defender for Cloud',
  microsoft365defender: 'Microsoft Defender XDR',
  microsoftsentinel: 'Microsoft Sentinel',
  azureadidentityprotection: 'Microsoft Entra ID Protection',
  microsoftappgovernance: 'Microsoft App Governance',
  datalossprevention: 'Microsoft Purview Data Loss Prevention',
  microsoftdefenderforiot: 'Microsoft Defender for IoT',
};

function odataType(o: Json): string {
  return (str(o['@odata.type']) ?? '').toLowerCase();
}

function isIncident(o: Json): boolean {
  if (odataType(o).endsWith('.incident')) return true;
  return o.displayName !== undefined && o.title === undefined && (o.incidentWebUrl !== undefined || Array.isArray(o.alerts));
}

function isV2(o: Json): boolean {
  return Array.isArray(o.evidence) || o.serviceSource !== undefined || o.providerAlertId !== undefined || odataType(o).endsWith('security.alert');
}

function isV1(o: Json): boolean {
  return isJson(o.vendorInformation) || Array.isArray(o.hostStates) || o.azureTenantId !== undefined;
}

function addUserAccount(entities: EntityCollector, u: unknown, sourceId?: string): void {
  if (!isJson(u)) return;
  const upn = str(u.userPrincipalName);
  const name = str(u.accountName);
  entities.add('account', name ?? upn ?? str(u.azureAdUserId) ?? str(u.userSid), {
    domain: u.domainName,
    upn,
    sid: u.userSid,
    aadUserId: u.azureAdUserId,
    displayName: u.displayName,
  }, { sourceId });
}

function addFileDetails(entities: EntityCollector, f: unknown, sourceId?: string): void {
  if (!isJson(f)) return;
  const path = str(f.filePath);
  const name = str(f.fileName);
  entities.add('file', name ?? path, { directory: path, size: f.fileSize, publisher: f.filePublisher, signer: f.signer }, { sourceId });
  for (const alg of ['sha256', 'sha1', 'md5']) entities.hash(f[alg], { fileName: name });
}

/** Graph alerts_v2 `evidence[]`. */
function addEvidence(entities: EntityCollector, ev: Json, index: number): void {
  const sourceId = `evidence#${index}`; // brackets are §4.5-dangerous characters
  const kind = odataType(ev).replace(/^#?microsoft\.graph\.security\./, '');
  const verdict = { verdict: ev.verdict, roles: ev.roles };
  switch (kind) {
    case 'deviceevidence':
      entities.add('host', str(ev.deviceDnsName) ?? str(ev.hostName) ?? str(ev.mdeDeviceId), {
        ...verdict,
        mdeDeviceId: ev.mdeDeviceId,
        azureAdDeviceId: ev.azureAdDeviceId,
        osPlatform: ev.osPlatform,
        osBuild: ev.osBuild,
        riskScore: ev.riskScore,
        azureResourceId: get(ev, 'vmMetadata.resourceId'),
      }, { sourceId });
      for (const ip of asArray(ev.ipInterfaces)) entities.add('ip', ip, { interfaceOf: ev.deviceDnsName });
      for (const u of asJsonArray(ev.loggedOnUsers)) entities.add('account', u.accountName, { domain: u.domainName });
      break;
    case 'userevidence':
      addUserAccount(entities, ev.userAccount, sourceId);
      break;
    case 'fileevidence':
      addFileDetails(entities, ev.fileDetails, sourceId);
      break;
    case 'processevidence': {
      const image = isJson(ev.imageFile) ? ev.imageFile : {};
      const cmd = str(ev.processCommandLine);
      const name = str(image.fileName);
      const props = { ...verdict, processId: ev.processId, parentProcessId: ev.parentProcessId, commandLine: cmd, imagePath: image.filePath, parentImage: get(ev, 'parentProcessImageFile.fileName') };
      if (name) entities.add('process', name, props, { sourceId });
      else entities.add('process', cmd ?? str(ev.processId), props, { sourceId, commandLine: true });
      addFileDetails(entities, ev.imageFile);
      addUserAccount(entities, ev.userAccount);
      break;
    }
    case 'ipevidence':
      entities.add('ip', ev.ipAddress, { ...verdict, countryLetterCode: ev.countryLetterCode }, { sourceId });
      break;
    case 'urlevidence':
      entities.add('url', ev.url, verdict, { sourceId });
      break;
    case 'registrykeyevidence':
      entities.add('registry-key', [str(ev.registryHive), str(ev.registryKey)].filter(Boolean).join('\\'), verdict, { sourceId });
      break;
    case 'registryvalueevidence':
      entities.add('registry-value', ev.registryValueName, { key: ev.registryKey, hive: ev.registryHive, data: ev.registryValue, valueType: ev.registryValueType }, { sourceId });
      break;
    case 'mailboxevidence':
      entities.add('mailbox', ev.primaryAddress, { displayName: ev.displayName }, { sourceId });
      break;
    case 'analyzedmessageevidence':
      entities.add('mailmessage', str(ev.networkMessageId) ?? str(ev.internetMessageId), { subject: ev.subject, sender: get(ev, 'senderIp') }, { sourceId });
      entities.add('mailbox', get(ev, 'p1Sender.emailAddress'));
      entities.add('mailbox', get(ev, 'p2Sender.emailAddress'));
      entities.add('ip', ev.senderIp);
      break;
    case 'cloudapplicationevidence':
      entities.add('cloud-application', str(ev.displayName) ?? str(ev.appId), { appId: ev.appId, instanceName: ev.instanceName }, { sourceId });
      break;
    case 'securitygroupevidence':
      entities.add('security-group', str(ev.displayName) ?? str(ev.securityGroupId), { securityGroupId: ev.securityGroupId }, { sourceId });
      break;
    case 'malwareevidence':
      entities.add('malware', ev.name, { category: ev.category }, { sourceId });
      break;
    case 'azureresourceevidence':
      entities.add('cloud-application', str(ev.resourceName) ?? str(ev.resourceId), { resourceId: ev.resourceId, resourceType: ev.resourceType }, { sourceId });
      break;
    default:
      break;
  }
}

function mapV2(o: Json, base: string): CanonicalAlert {
  const alertId = requireId(o, base, ['id', 'providerAlertId']);
  const timestamp = requireTimestamp(o, base, ['createdDateTime', 'firstActivityDateTime', 'lastUpdateDateTime']);
  const title = requireTitle(o, base, ['title', 'threatDisplayName']);
  // `category` is a tactic for most MDE alerts (DefenseEvasion) but also takes non-tactic values
  // (SuspiciousActivity, Malware, None): only ATT&CK tactics are kept.
  const mitre = new MitreCollector().knownTactic(o.category).technique(o.mitreTechniques);
  const entities = new EntityCollector();
  asArray(o.evidence).forEach((ev, i) => {
    if (isJson(ev)) addEvidence(entities, ev, i);
  });
  const service = str(o.serviceSource);
  return buildAlert({
    alertId,
    source: 'defender',
    timestamp,
    title,
    description: optionalText(o, ['description']),
    severity: pickSeverity(severityFromLabel(o.severity)),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entities.list(),
    product: (service && SERVICE_SOURCES[service.toLowerCase()]) ?? service ?? 'Microsoft Defender XDR',
    vendorTenantId: str(o.tenantId),
    rawPayload: o,
  });
}

function mapV1(o: Json, base: string): CanonicalAlert {
  const alertId = requireId(o, base, ['id']);
  const timestamp = requireTimestamp(o, base, ['createdDateTime', 'eventDateTime', 'lastModifiedDateTime']);
  const title = requireTitle(o, base, ['title']);
  const mitre = new MitreCollector().knownTactic(o.category);
  const entities = new EntityCollector();
  for (const h of asJsonArray(o.hostStates)) {
    entities.add('host', str(h.fqdn) ?? str(h.netBiosName), { netBiosName: h.netBiosName, os: h.os, riskScore: h.riskScore });
    entities.add('ip', h.privateIpAddress, { scope: 'private', host: h.fqdn });
    entities.add('ip', h.publicIpAddress, { scope: 'public', host: h.fqdn });
  }
  for (const u of asJsonArray(o.userStates)) {
    entities.add('account', str(u.accountName) ?? str(u.userPrincipalName) ?? str(u.aadUserId), { domain: u.domainName, upn: u.userPrincipalName, aadUserId: u.aadUserId, emailRole: u.emailRole });
    entities.add('ip', u.logonIp);
  }
  for (const f of asJsonArray(o.fileStates)) {
    entities.add('file', str(f.name) ?? str(f.path), { directory: f.path });
    entities.hash(get(f, 'fileHash.hashValue'), { fileName: f.name });
  }
  for (const p of asJsonArray(o.processes)) {
    const name = str(p.name) ?? str(p.path);
    const props = { processId: p.processId, parentProcessId: p.parentProcessId, commandLine: p.commandLine, accountName: p.accountName };
    if (name) entities.add('process', name, props);
    else entities.add('process', p.commandLine, props, { commandLine: true });
    entities.hash(get(p, 'fileHash.hashValue'));
  }
  for (const n of asJsonArray(o.networkConnections)) {
    entities.add('ip', n.sourceAddress, { direction: 'source' });
    entities.add('ip', n.destinationAddress, { direction: 'destination' });
    entities.add('dns', n.destinationDomain);
    entities.add('url', n.destinationUrl);
  }
  for (const r of asJsonArray(o.registryKeyStates)) {
    entities.add('registry-key', [str(r.hive), str(r.key)].filter(Boolean).join('\\'), { valueName: r.valueName });
  }
  for (const m of asJsonArray(o.malwareStates)) entities.add('malware', m.name, { category: m.category, family: m.family });
  for (const c of asJsonArray(o.cloudAppStates)) entities.add('cloud-application', c.destinationServiceName, { destinationServiceIp: c.destinationServiceIp });
  const vendor = isJson(o.vendorInformation) ? o.vendorInformation : {};
  return buildAlert({
    alertId,
    source: 'defender',
    timestamp,
    title,
    description: optionalText(o, ['description']),
    severity: pickSeverity(severityFromLabel(o.severity)),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entities.list(),
    product: str(vendor.provider) ?? 'Microsoft Graph Security',
    vendorTenantId: str(o.azureTenantId),
    rawPayload: o,
  });
}

function unwrapOne(v: unknown, path: string): UnwrapResult[] {
  if (isJson(v) && isIncident(v)) {
    const alerts = asArray(v.alerts);
    if (alerts.length === 0) {
      return [{
        path: joinPath(path, 'alerts'),
        error: 'a Defender incident is not an alert and carries no alerts here: list it with $expand=alerts, or ingest /security/alerts_v2',
      }];
    }
    return alerts.map((a, i) => ({ path: joinPath(path, `alerts[${i}]`), value: a }));
  }
  return [{ path, value: v }];
}

export const defenderAdapter: VendorAdapter = {
  source: 'defender',

  detect(o) {
    if (Array.isArray(o.value)) return asJsonArray(o.value).some((v) => isV2(v) || isV1(v) || isIncident(v));
    return isV2(o) || isV1(o) || odataType(o).endsWith('.incident');
  },

  unwrap(o, path) {
    if (Array.isArray(o.value)) return o.value.flatMap((v, i) => unwrapOne(v, joinPath(path, `value[${i}]`)));
    return unwrapOne(o, path);
  },

  map({ value: o, path }: EnvelopeItem & { value: Json }) {
    if (isV2(o)) return mapV2(o, path);
    if (isV1(o)) return mapV1(o, path);
    // Neither shape's markers: treat it as alerts_v2 (the current API), which reports missing fields.
    if (o.id === undefined && o.title === undefined) {
      throw new MappingError(path, 'not a Microsoft Graph security alert (alerts_v2 or legacy v1)');
    }
    return mapV2(o, path);
  },
};
