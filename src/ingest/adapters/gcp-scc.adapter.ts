import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { MitreCollector, SCC_TECHNIQUES } from '../normalise/mitre.normaliser';
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
  str,
  type UnwrapResult,
  type VendorAdapter,
} from './adapter.kit';

/**
 * Google Cloud Security Command Center findings.
 * Accepted shapes: a `ListFindingsResult` element / notification `{finding, resource?}`, or a bare
 * finding. Envelopes: `listFindings` responses `{"listFindingsResults": [...]}` / `{"findings": [...]}`,
 * Pub/Sub pull `{"receivedMessages": [{message: {data: <base64 JSON>}}]}`, Pub/Sub push
 * `{"message": {"data": ...}, "subscription": ...}`. A message whose data is not base64 JSON is an
 * error at `receivedMessages[i].message.data`; paths inside decoded data continue from there
 * (`receivedMessages[3].message.data.finding.createTime`).
 *
 * Alert id `finding.name` (the full resource name; unique). Time `eventTime`, else `createTime`;
 * the first present one must parse (the Pub/Sub sample's `createTime: "xyz"` is an error).
 * Title `category`; minimal notifications without a category get `SCC finding <finding id>` (from
 * the always-present name) so that they still ingest. Severity CRITICAL/HIGH/MEDIUM/LOW, else medium.
 * Tactics/techniques: `mitreAttack` enum names through Google's documented enum→id table.
 */

function decodeMessage(message: unknown, path: string): UnwrapResult {
  const dataPath = joinPath(path, 'data');
  const data = isJson(message) ? message.data : undefined;
  if (typeof data !== 'string' || !data.trim()) return { path: dataPath, error: 'Pub/Sub message has no data' };
  const text = Buffer.from(data.trim(), 'base64').toString('utf8');
  try {
    const decoded: unknown = JSON.parse(text);
    if (!isJson(decoded)) return { path: dataPath, error: 'Pub/Sub message data is not a JSON object' };
    return { path: dataPath, value: decoded };
  } catch {
    return { path: dataPath, error: 'Pub/Sub message data is not base64-encoded JSON' };
  }
}

function entitiesOf(finding: Json, resource: Json): EntityCollector {
  const e = new EntityCollector();
  const resName = str(finding.resourceName) ?? str(resource.name);
  e.add('cloud-application', resName, {
    resourceType: resource.type ?? get(resource, 'gcpMetadata.type'),
    displayName: resource.displayName ?? resource.resourceDisplayName,
    project: resource.projectDisplayName ?? resource.project,
  });
  const access = isJson(finding.access) ? finding.access : {};
  e.add('account', access.principalEmail, { role: 'caller', method: access.methodName, service: access.serviceName });
  e.add('ip', access.callerIp, { role: 'caller', userAgent: access.userAgent });
  for (const c of asJsonArray(finding.connections)) {
    e.add('ip', c.destinationIp, { role: 'destination', port: c.destinationPort, protocol: c.protocol });
    e.add('ip', c.sourceIp, { role: 'source', port: c.sourcePort, protocol: c.protocol });
  }
  for (const p of asJsonArray(finding.processes)) {
    const binary = isJson(p.binary) ? p.binary : {};
    const args = asArray(p.args).filter((a): a is string => typeof a === 'string');
    const path = str(binary.path) ?? str(p.name);
    const props = { pid: p.pid, commandLine: args.length ? args.join(' ') : undefined };
    if (path) e.add('process', path, props);
    e.hash(binary.sha256, { file: binary.path });
  }
  for (const f of asJsonArray(finding.files)) {
    e.add('file', f.path);
    e.hash(f.sha256, { file: f.path });
  }
  const indicator = isJson(finding.indicator) ? finding.indicator : {};
  e.addAll('ip', indicator.ipAddresses, { role: 'indicator' });
  e.addAll('dns', indicator.domains, { role: 'indicator' });
  e.addAll('url', indicator.uris, { role: 'indicator' });
  return e;
}

function mapFinding(o: Json, path: string): CanonicalAlert {
  const wrapped = isJson(o.finding);
  const finding = wrapped ? (o.finding as Json) : o;
  const base = wrapped ? joinPath(path, 'finding') : path;
  const resource = isJson(o.resource) ? o.resource : {};
  const alertId = requireId(finding, base, ['name', 'canonicalName']);
  const timestamp = requireTimestamp(finding, base, ['eventTime', 'createTime']);
  if (finding.category !== undefined && typeof finding.category !== 'string') {
    throw new MappingError(joinPath(base, 'category'), 'category must be a string');
  }
  const title = str(finding.category) ?? `SCC finding ${alertId.split('/').pop()}`;
  const ma = isJson(finding.mitreAttack) ? finding.mitreAttack : {};
  const mitre = new MitreCollector().tactic(ma.primaryTactic).tactic(ma.additionalTactics);
  for (const t of [...asArray(ma.primaryTechniques), ...asArray(ma.additionalTechniques)]) {
    if (typeof t === 'string') mitre.technique(SCC_TECHNIQUES[t] ?? t);
  }
  const name = alertId.split('/');
  return buildAlert({
    alertId,
    source: 'gcp_scc',
    timestamp,
    title,
    description: optionalText(finding, ['description', 'explanation']),
    severity: pickSeverity(severityFromLabel(finding.severity)),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entitiesOf(finding, resource).list(),
    product: 'Google Cloud Security Command Center',
    vendorTenantId: name.length >= 2 ? `${name[0]}/${name[1]}` : undefined,
    rawPayload: o,
  });
}

export const gcpSccAdapter: VendorAdapter = {
  source: 'gcp_scc',

  detect(o) {
    if (Array.isArray(o.receivedMessages) || Array.isArray(o.listFindingsResults)) return true;
    if (isJson(o.message) && typeof o.message.data === 'string' && o.subscription !== undefined) return true;
    const f = isJson(o.finding) ? o.finding : o;
    return typeof f.name === 'string' && /^(organizations|projects|folders)\/[^/]+\/sources\//.test(f.name);
  },

  unwrap(o, path) {
    if (Array.isArray(o.receivedMessages)) {
      return o.receivedMessages.map((m, i) => decodeMessage(isJson(m) ? m.message : undefined, joinPath(path, `receivedMessages[${i}].message`)));
    }
    if (isJson(o.message) && typeof o.message.data === 'string') return [decodeMessage(o.message, joinPath(path, 'message'))];
    for (const key of ['listFindingsResults', 'findings']) {
      if (Array.isArray(o[key])) return asArray(o[key]).map((f, i) => ({ path: joinPath(path, `${key}[${i}]`), value: f }));
    }
    return [{ path, value: o }];
  },

  map({ value, path }: EnvelopeItem & { value: Json }) {
    return mapFinding(value, path);
  },
};
