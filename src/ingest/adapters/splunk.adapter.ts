import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { MitreCollector } from '../normalise/mitre.normaliser';
import { severityFromLabel } from '../normalise/severity.normaliser';
import {
  asArray,
  buildAlert,
  canonicalJson,
  type EnvelopeItem,
  isJson,
  type Json,
  joinPath,
  MappingError,
  parseJsonString,
  pickSeverity,
  requireTimestamp,
  requireTitle,
  sha256Hex,
  str,
  type VendorAdapter,
} from './adapter.kit';

/**
 * Splunk Enterprise Security notables (`index=notable`, `sourcetype=stash`), as search results.
 * Envelopes: a bare array of results, `{"results": [...]}` (search REST API), and the alert-action
 * webhook `{"result": {...}, "sid", "search_name", ...}` (its `search_name`/`sid` are fallbacks).
 *
 * Fields that only exist inside `_raw` are recovered: `_raw` is parsed as JSON when it is a JSON
 * object, otherwise as the stash line of `key="value"` / `key='value'` / `key=value` pairs (repeated
 * keys become multi-values, malformed quoting is tolerated). Top-level fields win over `_raw`.
 *
 * Alert id: `event_id` (`<indexer_guid>@@notable@@<hash>`). Notables without one (ES results
 * delivered without the notable macro) get a deterministic id: `<_bkt>|<_cd>|<_time as ISO>` (the
 * event's bucket address plus its time, since the samples show identical `_bkt`/`_cd` for distinct
 * notables), or, lacking `_bkt`/`_cd`, `sha256:` of the notable's canonical JSON. Re-delivering the
 * same notable therefore yields the same id (idempotent ingest).
 *
 * Severity: `urgency` (ES' computed priority × severity), else `severity`, else medium (spec §1.5).
 * Product: "Splunk Enterprise Security" (the spec's `source` is the correlation search name, which
 * is used as the title fallback instead).
 */

const KV_RE = /([A-Za-z_][\w.:]*)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^,\s"']+))/g;

/** Parses a stash `_raw` line (or JSON `_raw`) into fields; repeated keys become arrays. */
export function parseSplunkRaw(raw: unknown): Json {
  if (typeof raw !== 'string') return {};
  const json = parseJsonString(raw);
  if (isJson(json)) return json;
  const out: Json = {};
  for (const m of raw.matchAll(KV_RE)) {
    const key = m[1];
    const value = (m[2] ?? m[3] ?? m[4] ?? '').replace(/\\(["\\])/g, '$1');
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

function fieldsOf(o: Json, context: Json | undefined): Json {
  const raw = parseSplunkRaw(o._raw);
  const merged: Json = { ...raw };
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') merged[k] = v;
  if (context) for (const [k, v] of Object.entries(context)) if (merged[k] === undefined) merged[k] = v;
  return merged;
}

/** Multi-value aware: a Splunk field may be a string or an array of strings. */
function values(v: unknown): string[] {
  return asArray(v).map((x) => str(x)).filter((x): x is string => x !== undefined);
}

function first(f: Json, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = values(f[k])[0];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Values redacted upstream (`xxx`, `xxx.xxx.x.x`) are not entities. */
const REDACTED = /^[x.]+$/i;

function entitiesOf(f: Json): EntityCollector {
  const e = new EntityCollector();
  const clean = (k: string) => values(f[k]).filter((v) => !REDACTED.test(v) && v.toLowerCase() !== 'unknown');
  for (const k of ['dest', 'src', 'dvc', 'orig_host']) for (const v of clean(k)) e.ipOrHost(v, { field: k });
  for (const k of ['dest_nt_host', 'dest_dns', 'src_nt_host', 'src_dns', 'dvc_host', 'host_name']) {
    for (const v of clean(k)) e.add('host', v, { field: k });
  }
  for (const k of ['dest_ip', 'src_ip', 'ip', 'dvc_ip']) for (const v of clean(k)) e.add('ip', v, { field: k });
  for (const k of ['user', 'src_user', 'target_user', 'dest_user', 'user_name']) {
    for (const v of clean(k)) e.add('account', v, { field: k });
  }
  for (const k of ['file_hash', 'file_md5', 'file_sha1', 'file_sha256', 'process_hash']) for (const v of clean(k)) e.hash(v, { field: k });
  for (const k of ['file_name', 'file_path']) for (const v of clean(k)) e.add('file', v, { field: k });
  for (const v of clean('url')) e.add('url', v);
  for (const k of ['query', 'dest_domain', 'domain']) for (const v of clean(k)) e.add('dns', v, { field: k });
  for (const k of ['sender', 'recipient', 'src_user_email', 'user_email']) for (const v of clean(k)) e.add('mailbox', v, { field: k });
  const proc = first(f, ['process_name', 'process']);
  const cmd = first(f, ['process_command_line', 'cmdline', 'command']);
  const pid = first(f, ['process_id', 'pid']);
  if (proc) e.add('process', proc, { processId: pid, commandLine: cmd });
  else if (cmd) e.add('process', cmd, { processId: pid }, { commandLine: true });
  for (const v of clean('registry_path')) e.add('registry-key', v);
  return e;
}

function mitreOf(f: Json): MitreCollector {
  const mitre = new MitreCollector();
  let annotations: unknown = f.annotations;
  annotations = parseJsonString(annotations) ?? annotations;
  if (isJson(annotations)) {
    mitre.technique(annotations.mitre_attack);
    if (isJson(annotations.mitre_attack)) {
      const ma = annotations.mitre_attack;
      mitre.technique(ma.mitre_technique_id).technique(ma.mitre_technique);
      mitre.knownTactic(ma.mitre_tactic);
      for (const id of values(ma.mitre_tactic_id)) if (/^TA\d{4}$/i.test(id)) mitre.tactic(id);
    }
  }
  mitre.technique(f['annotations.mitre_attack']);
  mitre.technique(f['annotations.mitre_attack.mitre_technique_id']);
  mitre.technique(f['annotations.mitre_attack.mitre_technique']);
  // ES enriches these names from ATT&CK itself, so anything else is a placeholder ("mite").
  mitre.knownTactic(f['annotations.mitre_attack.mitre_tactic']);
  // An *_id field that is not a TA id is a placeholder (the samples carry "mite").
  for (const id of values(f['annotations.mitre_attack.mitre_tactic_id'])) if (/^TA\d{4}$/i.test(id)) mitre.tactic(id);
  return mitre;
}

function alertIdOf(o: Json, f: Json, timestamp: string): string {
  const eventId = first(f, ['event_id']);
  if (eventId) return eventId;
  const bkt = str(o._bkt);
  const cd = str(o._cd);
  if (bkt && cd) return `${bkt}|${cd}|${timestamp}`;
  return `sha256:${sha256Hex(canonicalJson(o))}`;
}

function mapNotable(o: Json, path: string, context: Json | undefined): CanonicalAlert {
  const f = fieldsOf(o, context);
  if (f.event_id !== undefined && first(f, ['event_id']) === undefined) {
    throw new MappingError(joinPath(path, 'event_id'), 'event_id must be a string');
  }
  const timestamp = requireTimestamp(f, path, ['_time', '_indextime', 'info_search_time']);
  const title = requireTitle(
    Object.fromEntries(['rule_title', 'rule_name', 'search_name', 'source'].map((k) => [k, values(f[k])[0] ?? f[k]])),
    path,
    ['rule_title', 'rule_name', 'search_name', 'source'],
  );
  const mitre = mitreOf(f);
  const description = first(f, ['rule_description', 'savedsearch_description', 'description']) ?? '';
  return buildAlert({
    alertId: alertIdOf(o, f, timestamp),
    source: 'splunk',
    timestamp,
    title,
    description,
    severity: pickSeverity(severityFromLabel(first(f, ['urgency'])), severityFromLabel(first(f, ['severity']))),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entitiesOf(f).list(),
    product: 'Splunk Enterprise Security',
    vendorTenantId: first(f, ['tenant_id']),
    rawPayload: o,
  });
}

export const splunkAdapter: VendorAdapter = {
  source: 'splunk',

  detect(o) {
    if (Array.isArray(o.results) || (isJson(o.result) && (o.sid !== undefined || o.search_name !== undefined))) return true;
    if (typeof o._raw === 'string' && (o._bkt !== undefined || o.sourcetype === 'stash' || o.index === 'notable')) return true;
    return typeof o.event_id === 'string' && o.event_id.includes('@@notable@@');
  },

  unwrap(o, path) {
    if (Array.isArray(o.results)) return o.results.map((r, i) => ({ path: joinPath(path, `results[${i}]`), value: r }));
    if (isJson(o.result)) {
      const context: Json = {};
      for (const k of ['search_name', 'sid']) if (o[k] !== undefined) context[k] = o[k];
      return [{ path: joinPath(path, 'result'), value: o.result, context }];
    }
    return [{ path, value: o }];
  },

  map({ value, path, context }: EnvelopeItem & { value: Json }) {
    return mapNotable(value, path, context);
  },
};

