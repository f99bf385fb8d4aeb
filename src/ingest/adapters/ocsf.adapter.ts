import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { guardDutyTypeMapping, MitreCollector, tacticsFromFindingTypes } from '../normalise/mitre.normaliser';
import { severityFromLabel, severityFromOcsfId } from '../normalise/severity.normaliser';
import {
  asArray,
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
  vendorProduct,
  type VendorAdapter,
} from './adapter.kit';

/**
 * OCSF findings (1.0-rc.2 … 1.3).
 *
 * Alerts: Detection Finding (2004) and the legacy Security Finding (2001).
 * Not alerts: Vulnerability Finding (2002) and Compliance Finding (2003) describe exposure and
 * posture, which ALUSKORT ingests through its CTEM normalisers, not as investigations; they, and any
 * other class, are rejected with an error at `class_uid`. (The same Inspector/control content
 * delivered as Security Hub ASFF is mapped, because Security Hub mixes every kind on one stream.)
 *
 * Id `finding_info.uid` (1.1+) / `finding.uid` (1.0) / `metadata.uid`. Time `time_dt`, else `time`
 * (epoch; the Okta sample carries seconds where OCSF specifies ms, so the unit is inferred).
 * Severity `severity_id` 1–6, else the `severity` caption, else medium (0 Unknown, 99 Other).
 * Tactics/techniques: `attacks[]` / `finding_info.attacks[]`, `TTPs/<Tactic>/` finding types, and
 * the GuardDuty type table for findings whose product is GuardDuty.
 * Entities: `observables[]` by `type_id`, `resources[]`/`resource`, `evidences[]` endpoints,
 * actors, processes and files, top-level `process`, `actor`, `device`, `malware[]`.
 */

const ALERT_CLASSES = new Set([2001, 2004]);
const CLASS_NAMES: Record<number, string> = {
  2002: 'Vulnerability Finding',
  2003: 'Compliance Finding',
  2005: 'Incident Finding',
  2006: 'Data Security Finding',
  2007: 'Application Security Posture Finding',
};

function addObservable(e: EntityCollector, o: Json, resourceUids: Set<string>): void {
  const value = o.value;
  const name = (str(o.name) ?? '').toLowerCase();
  switch (Number(o.type_id)) {
    case 1:
      e.add('host', value, { observable: o.name });
      break;
    case 2:
      e.add('ip', value, { observable: o.name });
      break;
    case 4:
    case 21:
      e.add('account', value, { observable: o.name });
      break;
    case 5:
      e.add('mailbox', value, { observable: o.name });
      break;
    case 6:
    case 23:
      e.add('url', value, { observable: o.name });
      break;
    case 7:
    case 24:
      e.add('file', value, { observable: o.name });
      break;
    case 8:
    case 30:
      e.hash(value, { observable: o.name });
      break;
    case 9:
    case 25:
      e.add('process', value, { observable: o.name });
      break;
    case 10:
      // Resource UIDs of resources[] are already entities of their proper type.
      if (!resourceUids.has(str(value) ?? '')) e.add('cloud-application', value, { observable: o.name });
      break;
    case 13:
      e.add('process', value, { observable: o.name }, { commandLine: true });
      break;
    case 28:
      e.add('registry-key', value, { observable: o.name });
      break;
    case 29:
      e.add('registry-value', value, { observable: o.name });
      break;
    default:
      // Unknown/Other: only the unambiguous names (Falco maps `hostname` as type 0).
      if (name === 'hostname' || name.endsWith('.hostname')) e.add('host', value, { observable: o.name });
      else if (name === 'ip' || name.endsWith('.ip')) e.add('ip', value, { observable: o.name });
  }
}

function addEndpoint(e: EntityCollector, ep: unknown, role: string): void {
  if (!isJson(ep)) return;
  e.add('ip', ep.ip, { role, country: get(ep, 'location.country'), asn: get(ep, 'autonomous_system.number') });
  e.add('host', str(ep.hostname) ?? str(ep.name), { role, os: get(ep, 'os.name') });
}

function addProcess(e: EntityCollector, p: unknown, role: string): void {
  if (!isJson(p)) return;
  const file = isJson(p.file) ? p.file : {};
  const name = str(p.name) ?? str(file.path);
  const props = { role, pid: p.pid, commandLine: p.cmd_line, path: file.path, parentPid: get(p, 'parent_process.pid') };
  if (name) e.add('process', name, props);
  else e.add('process', p.cmd_line, props, { commandLine: true });
  for (const h of asJsonArray(file.hashes)) e.hash(h.value, { file: file.path });
}

function addResource(e: EntityCollector, r: Json): void {
  const type = str(r.type) ?? '';
  const uid = str(r.uid) ?? str(r.name);
  const props = { resourceType: type || undefined, region: r.region, name: r.name };
  if (/SecurityGroup/i.test(type)) e.add('security-group', uid, props);
  else if (/Ec2Instance|Instance$/i.test(type)) e.add('host', uid, props);
  else if (/IamAccessKey|IamUser|IamRole/i.test(type)) {
    const data = parseJsonString(r.data) ?? r.data;
    const principal = isJson(data) ? firstStr(data, ['AwsIamAccessKey.PrincipalName', 'AwsIamUser.UserName', 'AwsIamRole.RoleName']) : undefined;
    e.add('account', principal ?? uid, { ...props, accessKey: uid });
  } else e.add('cloud-application', uid, props);
}

function entitiesOf(f: Json): EntityCollector {
  const e = new EntityCollector();
  const resources = [...asJsonArray(f.resources), ...asJsonArray(f.resource)];
  const resourceUids = new Set(resources.map((r) => str(r.uid)).filter((u): u is string => u !== undefined));
  for (const o of asJsonArray(f.observables)) addObservable(e, o, resourceUids);
  for (const r of resources) addResource(e, r);
  for (const ev of asJsonArray(f.evidences)) {
    addEndpoint(e, ev.src_endpoint, 'source');
    addEndpoint(e, ev.dst_endpoint, 'destination');
    addProcess(e, ev.process, 'evidence');
    e.add('account', get(ev, 'actor.user.name'), { role: 'actor' });
    e.add('file', get(ev, 'file.path') ?? get(ev, 'file.name'));
    e.add('url', get(ev, 'url.url_string'));
    e.add('dns', get(ev, 'query.hostname'));
  }
  addProcess(e, f.process, 'process');
  addProcess(e, get(f, 'actor.process'), 'actor');
  e.add('account', get(f, 'actor.user.name'), { role: 'actor', uid: get(f, 'actor.user.uid') });
  addEndpoint(e, f.device, 'device');
  addEndpoint(e, f.src_endpoint, 'source');
  addEndpoint(e, f.dst_endpoint, 'destination');
  for (const m of asJsonArray(f.malware)) e.add('malware', m.name, { classifications: m.classifications, path: m.path });
  return e;
}

function mitreOf(f: Json, info: Json): MitreCollector {
  const mitre = new MitreCollector();
  for (const a of [...asJsonArray(f.attacks), ...asJsonArray(info.attacks)]) {
    const tactics = [a.tactic, ...asArray(a.tactics)].filter(isJson);
    for (const t of tactics) mitre.tactic(str(t.name) ?? str(t.uid));
    mitre.technique(get(a, 'technique.uid')).technique(get(a, 'sub_technique.uid'));
  }
  const types = asArray(info.types);
  mitre.tactic(tacticsFromFindingTypes(types)).technique(types);
  if (/guardduty/i.test(str(get(f, 'metadata.product.name')) ?? '')) {
    for (const t of types) {
      if (typeof t !== 'string') continue;
      const mapped = guardDutyTypeMapping(t.split('/').slice(2).join('/'));
      mitre.tactic(mapped.tactics).technique(mapped.techniques);
    }
  }
  return mitre;
}

function mapFinding(f: Json, path: string): CanonicalAlert {
  const classUid = Number(f.class_uid);
  if (!ALERT_CLASSES.has(classUid)) {
    const name = CLASS_NAMES[classUid] ?? str(f.class_name) ?? (f.class_uid === undefined ? 'no class_uid' : `class ${String(f.class_uid)}`);
    throw new MappingError(
      joinPath(path, 'class_uid'),
      `OCSF ${name} is not an alert: only Detection Finding (2004) and Security Finding (2001) are ingested as alerts` +
        (classUid === 2002 || classUid === 2003 ? '; submit exposure and posture findings to CTEM ingestion' : ''),
    );
  }
  const infoKey = isJson(f.finding_info) ? 'finding_info' : 'finding';
  const info = isJson(f[infoKey]) ? (f[infoKey] as Json) : {};
  const alertId = requireId(f, path, ['finding_info.uid', 'finding.uid', 'metadata.uid']);
  const timestamp = requireTimestamp(f, path, ['time_dt', 'time', `${infoKey}.created_time_dt`, `${infoKey}.created_time`]);
  const title = requireTitle(f, path, [`${infoKey}.title`, 'message']);
  const mitre = mitreOf(f, info);
  return buildAlert({
    alertId,
    source: 'ocsf',
    timestamp,
    title,
    description: optionalText(info, ['desc'], optionalText(f, ['message'])),
    severity: pickSeverity(severityFromOcsfId(f.severity_id), severityFromLabel(f.severity)),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entitiesOf(f).list(),
    product: vendorProduct(get(f, 'metadata.product.vendor_name'), get(f, 'metadata.product.name'), 'OCSF'),
    vendorTenantId: firstStr(f, ['cloud.account.uid', 'cloud.account_uid']),
    rawPayload: f,
  });
}

export const ocsfAdapter: VendorAdapter = {
  source: 'ocsf',

  detect(o) {
    return typeof o.class_uid === 'number' && (o.category_uid === 2 || Math.floor(o.class_uid / 1000) === 2);
  },

  unwrap(o, path) {
    return [{ path, value: o }];
  },

  map({ value, path }: EnvelopeItem & { value: Json }) {
    return mapFinding(value, path);
  },
};
