import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { MitreCollector } from '../normalise/mitre.normaliser';
import { severityFromLabel, severityFromScore100 } from '../normalise/severity.normaliser';
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
  pickSeverity,
  requireId,
  requireTimestamp,
  str,
  type VendorAdapter,
} from './adapter.kit';

/**
 * Google SecOps (Chronicle) YARA-L rule detections. `detection` is an object in the older API and a
 * one-element array in the newer one; both are accepted (path `detection[0]...` for the latter).
 * UDM events come inlined as `event` (or legacy `collectionElements[].references[].event`).
 * Envelopes: `{"detections": [...]}` (ListDetections), `{"alerts": [...]}`, bare arrays.
 *
 * Severity: the rule label `severity`, else `detection.severity`, else `riskScore` (0–100, banded
 * like CrowdStrike), else the UDM `securityResult[].severity`, else medium.
 * Tactics/techniques: rule labels named *tactic* / *technique* and UDM
 * `securityResult[].attackDetails` (ids only for techniques).
 * Entities: the UDM nouns principal / src / target / intermediary / observer / about[] (hostname,
 * ip, user, email, process and its parent, file and hashes, url, registry, resource) plus
 * `network.dns` and `network.email`. The samples' deliberately malformed hashes fail the §4.5
 * format check and are dropped.
 */

const NOUNS = ['principal', 'src', 'target', 'intermediary', 'observer', 'about'] as const;

function labels(list: unknown): Array<[string, unknown]> {
  return asJsonArray(list).map((l) => [str(l.key)?.toLowerCase() ?? '', l.value] as [string, unknown]);
}

function addFile(e: EntityCollector, file: unknown, role: string): void {
  if (!isJson(file)) return;
  const path = str(file.fullPath);
  e.add('file', path ?? str(asArray(file.names)[0]), { role, names: file.names });
  for (const alg of ['sha256', 'sha1', 'md5']) e.hash(file[alg], { role, file: path });
}

function addProcess(e: EntityCollector, proc: unknown, role: string): void {
  if (!isJson(proc)) return;
  const file = isJson(proc.file) ? proc.file : {};
  const name = str(file.fullPath) ?? str(asArray(file.names)[0]);
  const cmd = str(proc.commandLine);
  const props = { role, pid: proc.pid, commandLine: cmd, productSpecificProcessId: proc.productSpecificProcessId };
  if (name) e.add('process', name, props);
  else e.add('process', cmd, props, { commandLine: true });
  addFile(e, proc.file, `${role} process image`);
}

function addNoun(e: EntityCollector, n: unknown, role: string): void {
  if (!isJson(n)) return;
  const asset = isJson(n.asset) ? n.asset : {};
  e.add('host', n.hostname, { role, assetId: n.assetId, platform: n.platform });
  e.add('host', asset.hostname, { role, assetId: asset.assetId });
  e.addAll('ip', n.ip, { role });
  e.addAll('ip', asset.ip, { role });
  const user = isJson(n.user) ? n.user : {};
  e.add('account', str(user.userid) ?? str(user.windowsSid) ?? str(user.productObjectId), {
    role,
    sid: user.windowsSid,
    displayName: user.userDisplayName,
    email: asArray(user.emailAddresses)[0],
  });
  e.addAll('mailbox', user.emailAddresses, { role });
  e.addAll('mailbox', n.email, { role });
  addProcess(e, n.process, role);
  if (isJson(n.process)) addProcess(e, n.process.parentProcess, `${role} parent`);
  addFile(e, n.file, role);
  e.add('url', n.url, { role });
  const reg = isJson(n.registry) ? n.registry : {};
  e.add('registry-key', reg.registryKey, { role });
  if (str(reg.registryValueName)) e.add('registry-value', reg.registryValueName, { role, key: reg.registryKey, data: reg.registryValueData });
  const resource = isJson(n.resource) ? n.resource : {};
  e.add('cloud-application', str(resource.name) ?? str(resource.productObjectId), { role, resourceType: resource.resourceType });
}

function entitiesOf(events: Json[]): EntityCollector {
  const e = new EntityCollector();
  for (const ev of events) {
    for (const noun of NOUNS) {
      for (const n of asArray(ev[noun])) addNoun(e, n, noun);
    }
    for (const q of asJsonArray(get(ev, 'network.dns.questions'))) e.add('dns', q.name);
    e.add('dns', get(ev, 'network.dnsDomain'));
    e.add('mailbox', get(ev, 'network.email.from'), { role: 'sender' });
    e.addAll('mailbox', get(ev, 'network.email.to'), { role: 'recipient' });
  }
  return e;
}

function eventsOf(o: Json, detection: Json): Json[] {
  const events: Json[] = [];
  if (isJson(o.event)) events.push(o.event);
  for (const src of [o.collectionElements, detection.collectionElements]) {
    for (const ce of asJsonArray(src)) for (const ref of asJsonArray(ce.references)) if (isJson(ref.event)) events.push(ref.event);
  }
  return events;
}

function mapDetection(o: Json, path: string): CanonicalAlert {
  const alertId = requireId(o, path, ['id']);
  const timestamp = requireTimestamp(o, path, ['detectionTime', 'createdTime', 'timeWindow.endTime', 'event.metadata.eventTimestamp']);
  const isArray = Array.isArray(o.detection);
  const detection = isArray ? (o.detection as unknown[])[0] : o.detection;
  const detPath = joinPath(path, isArray ? 'detection[0]' : 'detection');
  if (!isJson(detection)) throw new MappingError(detPath, 'missing detection object');
  const titleRaw = detection.ruleName;
  if (typeof titleRaw !== 'string' || !titleRaw.trim()) {
    throw new MappingError(joinPath(detPath, 'ruleName'), titleRaw === undefined ? 'missing title (detection.ruleName)' : 'title must be a non-empty string');
  }
  const ruleLabels = labels(detection.ruleLabels);
  const label = (k: string) => ruleLabels.find(([key]) => key === k)?.[1];
  const events = eventsOf(o, detection);
  const mitre = new MitreCollector();
  for (const [key, value] of ruleLabels) {
    if (key.includes('tactic')) mitre.tactic(value);
    if (key.includes('technique')) mitre.technique(value);
  }
  let resultSeverity: ReturnType<typeof severityFromLabel>;
  for (const ev of events) {
    for (const sr of asJsonArray(ev.securityResult)) {
      resultSeverity ??= severityFromLabel(sr.severity);
      const attack = isJson(sr.attackDetails) ? sr.attackDetails : {};
      for (const t of asJsonArray(attack.tactics)) mitre.tactic(str(t.name) ?? str(t.id));
      for (const t of asJsonArray(attack.techniques)) mitre.technique(t.id).technique(t.subtechniqueId);
    }
  }
  const description =
    (typeof detection.description === 'string' && detection.description.trim()) ||
    (typeof label('description') === 'string' && (label('description') as string).trim()) ||
    str(get(events[0], 'metadata.description')) ||
    '';
  return buildAlert({
    alertId,
    source: 'google_secops',
    timestamp,
    title: titleRaw.trim(),
    description,
    severity: pickSeverity(
      severityFromLabel(label('severity')),
      severityFromLabel(detection.severity),
      severityFromScore100(detection.riskScore),
      resultSeverity,
    ),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entitiesOf(events).list(),
    product: 'Google SecOps',
    rawPayload: o,
  });
}

export const googleSecopsAdapter: VendorAdapter = {
  source: 'google_secops',

  detect(o) {
    if (Array.isArray(o.detections)) return true;
    return o.type === 'RULE_DETECTION' || (o.detection !== undefined && o.detectionTime !== undefined);
  },

  unwrap(o, path) {
    for (const key of ['detections', 'alerts']) {
      const list = o[key];
      if (Array.isArray(list)) return list.map((d, i) => ({ path: joinPath(path, `${key}[${i}]`), value: d }));
    }
    return [{ path, value: o }];
  },

  map({ value, path }: EnvelopeItem & { value: Json }) {
    return mapDetection(value, path);
  },
};
