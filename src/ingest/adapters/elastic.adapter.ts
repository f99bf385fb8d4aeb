import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { MitreCollector } from '../normalise/mitre.normaliser';
import { severityFromElasticRiskScore, severityFromLabel } from '../normalise/severity.normaliser';
import {
  asArray,
  asJsonArray,
  buildAlert,
  type EnvelopeItem,
  firstStr,
  isJson,
  type Json,
  joinPath,
  type Lookup,
  MappingError,
  optionalText,
  pickSeverity,
  requireTimestamp,
  requireTitle,
  str,
  type VendorAdapter,
} from './adapter.kit';

/**
 * Elastic Security detection alerts:
 * - 8.x alerts-as-data (`kibana.alert.*`), whose keys arrive as flat dotted strings, nested
 *   objects, or a mix of both in one document: every lookup goes through a flattened view;
 * - 7.x SIEM signals (`signal.rule.*`).
 * Accepted wrappers (each is one alert): the bare `_source`, a search hit `{_id, _index, _source}`,
 * an es_archiver record `{type: "doc", value: {id, index, source}}`; envelope: a search response
 * `{hits: {hits: [...]}}`.
 *
 * Alert id: `kibana.alert.uuid`, else the document `_id` (7.x signals only have the latter).
 * Description follows spec §1.5 (the rule's description), falling back to the alert reason.
 * Severity: the alert/rule severity label, else the risk score with Elastic's own bands.
 */

/** Flattens nested objects into dotted keys (arrays are kept as values). Dotted keys win. */
function flatten(obj: Json): Json {
  const out: Json = {};
  const walk = (o: Json, prefix: string, depth: number): void => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (isJson(v) && depth < 12) walk(v, key, depth + 1);
      else if (!(key in out)) out[key] = v;
    }
  };
  // Flat dotted keys first, so that they win over a nested spelling of the same field.
  for (const [k, v] of Object.entries(obj)) if (!isJson(v)) out[k] = v;
  walk(obj, '', 0);
  return out;
}

const flat: Lookup = (o, p) => (isJson(o) ? o[p] : undefined);

interface Doc {
  source: Json;
  sourcePath: string;
  docId?: unknown;
  docIdPath?: string;
  index?: string;
}

function unpack(o: Json, path: string): Doc {
  if (o.type === 'doc' && isJson(o.value) && isJson(o.value.source)) {
    return { source: o.value.source, sourcePath: joinPath(path, 'value.source'), docId: o.value.id, docIdPath: joinPath(path, 'value.id'), index: str(o.value.index) };
  }
  if (isJson(o._source)) {
    return { source: o._source, sourcePath: joinPath(path, '_source'), docId: o._id, docIdPath: joinPath(path, '_id'), index: str(o._index) };
  }
  return { source: o, sourcePath: path, docId: o._id, docIdPath: joinPath(path, '_id'), index: str(o._index) };
}

function spaceFromIndex(index: string | undefined): string | undefined {
  if (!index) return undefined;
  return /^\.siem-signals-(.+?)-\d{6}/.exec(index)?.[1] ?? /alerts-security\.alerts-(.+?)(?:-\d{6})?$/.exec(index)?.[1];
}

function addMatched(entities: EntityCollector, field: string, atomic: unknown): void {
  const props = { matchedIndicatorField: field };
  if (/(^|\.)ip$/.test(field)) entities.add('ip', atomic, props);
  else if (field === 'host.name' || field === 'host.hostname') entities.add('host', atomic, props);
  else if (/(^|\.)domain$|^dns\.question\.name$/.test(field)) entities.add('dns', atomic, props);
  else if (/^url\./.test(field)) entities.add('url', atomic, props);
  else if (/\.hash\.(md5|sha1|sha256|sha512)$/.test(field)) entities.hash(atomic, props);
  else if (field === 'user.name') entities.add('account', atomic, props);
  else if (/^file\.(name|path)$/.test(field)) entities.add('file', atomic, props);
}

function entitiesOf(f: Json): EntityCollector {
  const e = new EntityCollector();
  const host = str(f['host.name']) ?? str(f['host.hostname']);
  e.add('host', host, { hostname: f['host.hostname'], id: f['host.id'], os: f['host.os.name'], platform: f['host.os.platform'] });
  e.addAll('ip', f['host.ip'], { role: 'host', host });
  e.add('account', f['user.name'], { domain: f['user.domain'], id: f['user.id'], email: f['user.email'] });
  for (const side of ['source', 'destination', 'client', 'server']) {
    e.addAll('ip', f[`${side}.ip`], { role: side, port: f[`${side}.port`] });
    e.add('dns', f[`${side}.domain`], { role: side });
    e.add('account', f[`${side}.user.name`], { role: side });
  }
  const procName = str(f['process.name']) ?? str(f['process.executable']);
  const cmd = str(f['process.command_line']);
  const procProps = { pid: f['process.pid'], executable: f['process.executable'], commandLine: cmd, parentName: f['process.parent.name'], parentPid: f['process.parent.pid'] };
  if (procName) e.add('process', procName, procProps);
  else e.add('process', cmd, procProps, { commandLine: true });
  for (const alg of ['md5', 'sha1', 'sha256', 'sha512']) e.hash(f[`process.hash.${alg}`], { of: 'process' });
  e.add('file', str(f['file.name']) ?? str(f['file.path']), { path: f['file.path'] });
  for (const alg of ['md5', 'sha1', 'sha256', 'sha512']) e.hash(f[`file.hash.${alg}`], { fileName: f['file.name'] });
  e.add('url', str(f['url.full']) ?? str(f['url.original']));
  e.add('dns', f['dns.question.name']);
  e.add('registry-key', str(f['registry.path']) ?? str(f['registry.key']), { hive: f['registry.hive'] });
  e.addAll('mailbox', f['email.from.address']);
  e.addAll('mailbox', f['email.to.address']);
  for (const enr of asJsonArray(f['threat.enrichments'])) {
    const m = isJson(enr.matched) ? enr.matched : {};
    const field = str(m.field);
    if (field) addMatched(e, field, m.atomic);
  }
  return e;
}

function mitreOf(f: Json): MitreCollector {
  const mitre = new MitreCollector();
  const threat = [f['kibana.alert.rule.threat'], f['signal.rule.threat'], f['kibana.alert.rule.parameters.threat']].find(
    (t) => Array.isArray(t) && t.length > 0,
  );
  for (const t of asJsonArray(threat)) {
    const tactic = isJson(t.tactic) ? t.tactic : {};
    mitre.tactic(str(tactic.name) ?? str(tactic.id));
    for (const tech of asJsonArray(t.technique)) {
      mitre.technique(tech.id);
      for (const sub of asJsonArray(tech.subtechnique)) mitre.technique(sub.id);
    }
  }
  // Some exports flatten the threat array into multi-valued dotted keys.
  mitre.tactic(f['kibana.alert.rule.threat.tactic.name']);
  mitre.technique(f['kibana.alert.rule.threat.technique.id']);
  mitre.technique(f['kibana.alert.rule.threat.technique.subtechnique.id']);
  return mitre;
}

function mapDoc(o: Json, path: string): CanonicalAlert {
  const doc = unpack(o, path);
  const f = flatten(doc.source);
  const base = doc.sourcePath;
  const uuid = str(f['kibana.alert.uuid']);
  const docId = str(doc.docId);
  const alertId = uuid ?? docId;
  if (!alertId) {
    const bad = f['kibana.alert.uuid'] ?? doc.docId;
    if (bad !== undefined && bad !== null) {
      throw new MappingError(f['kibana.alert.uuid'] !== undefined ? joinPath(base, 'kibana.alert.uuid') : doc.docIdPath ?? '_id', 'alert id must be a string');
    }
    throw new MappingError(joinPath(base, 'kibana.alert.uuid'), 'missing alert id (kibana.alert.uuid or the document _id)');
  }
  const timestamp = requireTimestamp(f, base, ['@timestamp', 'kibana.alert.start', 'kibana.alert.original_time', 'signal.original_time'], flat);
  const title = requireTitle(f, base, ['kibana.alert.rule.name', 'signal.rule.name', 'rule.name'], flat);
  const mitre = mitreOf(f);
  const spaces = asArray(f['kibana.space_ids']).map((s) => str(s)).filter(Boolean) as string[];
  return buildAlert({
    alertId,
    source: 'elastic',
    timestamp,
    title,
    description: optionalText(f, ['kibana.alert.rule.description', 'signal.rule.description', 'kibana.alert.reason', 'signal.reason'], '', flat),
    severity: pickSeverity(
      severityFromLabel(f['kibana.alert.severity']),
      severityFromLabel(f['kibana.alert.rule.severity']),
      severityFromLabel(f['signal.rule.severity']),
      severityFromElasticRiskScore(f['kibana.alert.risk_score'] ?? f['kibana.alert.rule.risk_score'] ?? f['signal.rule.risk_score']),
    ),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entitiesOf(f).list(),
    product: 'Elastic Security',
    vendorTenantId: spaces[0] ?? spaceFromIndex(doc.index) ?? firstStr(f, ['cloud.account.id'], flat),
    rawPayload: o,
  });
}

function looksLikeAlertSource(s: Json): boolean {
  if (isJson(s.signal) && isJson(s.signal.rule)) return true;
  if (isJson(s.kibana) && isJson((s.kibana as Json).alert)) return true;
  return Object.keys(s).some((k) => k.startsWith('kibana.alert.') || k.startsWith('signal.rule.'));
}

export const elasticAdapter: VendorAdapter = {
  source: 'elastic',

  detect(o) {
    if (isJson(o.hits) && Array.isArray(o.hits.hits)) return true;
    return looksLikeAlertSource(unpack(o, '').source);
  },

  unwrap(o, path) {
    if (isJson(o.hits) && Array.isArray(o.hits.hits)) {
      return o.hits.hits.map((h, i) => ({ path: joinPath(path, `hits.hits[${i}]`), value: h }));
    }
    return [{ path, value: o }];
  },

  map({ value, path }: EnvelopeItem & { value: Json }) {
    return mapDoc(value, path);
  },
};
