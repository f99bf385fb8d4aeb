import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { MitreCollector } from '../normalise/mitre.normaliser';
import { severityFromLabel, severityFromScore100 } from '../normalise/severity.normaliser';
import {
  asArray,
  asJsonArray,
  buildAlert,
  type EnvelopeItem,
  isJson,
  type Json,
  joinPath,
  optionalText,
  pickSeverity,
  requireId,
  requireTimestamp,
  requireTitle,
  str,
  type VendorAdapter,
} from './adapter.kit';

/**
 * CrowdStrike Falcon alerts (Alerts API v2; endpoint `epp`, identity `idp`, cloud `fcs`, ...).
 * Envelope: the API response `{meta, errors, resources: [...]}`, or a bare array / single alert.
 *
 * Alert id: `composite_id` (`<cid>:<type>:<id>`, unique across customers), else `id`/`indicator_id`.
 * Timestamp: `created_timestamp` (when Falcon raised the alert), else `timestamp`, ...; nanosecond
 * precision is truncated to milliseconds.
 * Severity: `severity_name` when it is a label, else `severity` (1–100) banded ≥90/≥70/≥40/≥20.
 * Tactics/techniques: `tactic`/`tactic_id`, `technique_id` and `mitre_attack[]`; CrowdStrike-private
 * ids (`CSTA0004`, `CST0000`) are not ATT&CK ids and never become techniques (the tactic name
 * `MachineLearning` is kept, slugged, as the vendor's stated tactic).
 */

const PRODUCTS: Record<string, string> = {
  epp: 'CrowdStrike Falcon Insight',
  idp: 'CrowdStrike Falcon Identity Protection',
  fcs: 'CrowdStrike Falcon Cloud Security',
  ngsiem: 'CrowdStrike Falcon Next-Gen SIEM',
  xdr: 'CrowdStrike Falcon Insight XDR',
  ods: 'CrowdStrike Falcon Prevent',
  mobile: 'CrowdStrike Falcon for Mobile',
  overwatch: 'CrowdStrike Falcon OverWatch',
  thirdparty: 'CrowdStrike Falcon (third-party)',
};

function addProcess(e: EntityCollector, p: Json, role: string, withUser = true): void {
  const name = str(p.filename) ?? str(p.image_file_name);
  const cmd = str(p.cmdline);
  const props = { role, processId: p.local_process_id ?? p.process_id, path: p.filepath, commandLine: cmd, user: p.user_name };
  if (name) e.add('process', name, props);
  else e.add('process', cmd, props, { commandLine: true });
  for (const alg of ['sha256', 'md5', 'sha1']) e.hash(p[alg], { of: role, fileName: name });
  if (withUser) e.add('account', p.user_name, { sid: p.user_id, role: `${role} process user` });
}

function entitiesOf(o: Json): EntityCollector {
  const e = new EntityCollector();
  const d = isJson(o.device) ? o.device : {};
  e.add('host', d.hostname, {
    deviceId: d.device_id,
    os: d.os_version,
    platform: d.platform_name,
    domain: d.machine_domain,
    mac: d.mac_address,
  });
  e.add('ip', d.local_ip, { role: 'local', host: d.hostname });
  e.add('ip', d.external_ip, { role: 'external', host: d.hostname });
  // endpoint detections: the triggering process, its file, its user, and the process tree
  addProcess(e, o, 'triggering', false);
  e.add('file', o.filename, { path: o.filepath });
  e.add('account', o.user_name, { role: 'user', sid: o.user_id, domain: o.logon_domain });
  if (isJson(o.parent_details)) addProcess(e, o.parent_details, 'parent');
  if (isJson(o.grandparent_details)) addProcess(e, o.grandparent_details, 'grandparent');
  for (const ioc of asJsonArray(o.ioc_context)) {
    const type = str(ioc.ioc_type) ?? '';
    if (type.startsWith('hash')) e.hash(ioc.ioc_value, { iocSource: ioc.ioc_source });
    else if (type === 'domain') e.add('dns', ioc.ioc_value, { iocSource: ioc.ioc_source });
    else if (type.startsWith('ipv')) e.add('ip', ioc.ioc_value, { iocSource: ioc.ioc_source });
    else if (type === 'url') e.add('url', ioc.ioc_value, { iocSource: ioc.ioc_source });
  }
  for (const q of asJsonArray(o.quarantined_files)) e.hash(q.sha256, { quarantined: q.state, fileName: q.filename });
  // identity detections
  e.add('account', str(o.source_account_upn) ?? str(o.source_account_name), {
    role: 'source',
    samAccountName: o.source_account_sam_account_name,
    domain: o.source_account_domain,
    sid: o.source_account_object_sid,
  });
  e.add('host', o.source_endpoint_host_name, { role: 'source' });
  e.add('ip', str(o.source_endpoint_ip_address) ?? str(o.source_endpoint_address_ip4), { role: 'source' });
  e.add('account', o.target_account_name, { role: 'target' });
  e.add('host', o.target_endpoint_host_name, { role: 'target' });
  e.add('host', o.target_domain_controller_host_name, { role: 'domain controller' });
  // cloud detections
  e.add('ip', o.source_ip_address, { role: 'source' });
  e.addAll('ip', o.source_ips, { role: 'source' });
  e.add('account', o.user_principal_id, { role: 'cloud principal', accessKeyId: o.aws_access_key_id });
  const resourceId = str(o.resource_id);
  if (resourceId) {
    const gcrn = str(o.resource_gcrn) ?? '';
    const props = { resourceType: gcrn.split('|')[4], account: o.cloud_account_id, region: o.cloud_region, provider: o.cloud_provider };
    if (/SecurityGroup/i.test(gcrn) || /^sg-/.test(resourceId)) e.add('security-group', resourceId, props);
    else e.add('cloud-application', resourceId, props);
  }
  return e;
}

function mapAlert(o: Json, path: string): CanonicalAlert {
  const alertId = requireId(o, path, ['composite_id', 'id', 'indicator_id']);
  const timestamp = requireTimestamp(o, path, ['created_timestamp', 'timestamp', 'context_timestamp', 'crawled_timestamp', 'updated_timestamp']);
  const title = requireTitle(o, path, ['display_name', 'name', 'scenario']);
  const mitre = new MitreCollector();
  mitre.tactic(str(o.tactic) ?? str(o.tactic_id)).technique(o.technique_id);
  for (const m of asJsonArray(o.mitre_attack)) mitre.tactic(str(m.tactic) ?? str(m.tactic_id)).technique(m.technique_id);
  const productCode = str(o.product)?.toLowerCase();
  const sourceProduct = str(asArray(o.source_products)[0]);
  return buildAlert({
    alertId,
    source: 'crowdstrike',
    timestamp,
    title,
    description: optionalText(o, ['description']),
    severity: pickSeverity(severityFromLabel(o.severity_name), severityFromScore100(o.severity)),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entitiesOf(o).list(),
    product: (productCode && PRODUCTS[productCode]) ?? (sourceProduct ? `CrowdStrike ${sourceProduct}` : 'CrowdStrike Falcon'),
    vendorTenantId: str(o.cid),
    rawPayload: o,
  });
}

export const crowdstrikeAdapter: VendorAdapter = {
  source: 'crowdstrike',

  detect(o) {
    if (Array.isArray(o.resources) && (isJson(o.meta) || Array.isArray(o.errors))) return true;
    return o.composite_id !== undefined || (o.cid !== undefined && (o.falcon_host_link !== undefined || o.pattern_id !== undefined));
  },

  unwrap(o, path) {
    if (Array.isArray(o.resources)) return o.resources.map((r, i) => ({ path: joinPath(path, `resources[${i}]`), value: r }));
    return [{ path, value: o }];
  },

  map({ value, path }: EnvelopeItem & { value: Json }) {
    return mapAlert(value, path);
  },
};
