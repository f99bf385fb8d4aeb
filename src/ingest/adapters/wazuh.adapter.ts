import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { MitreCollector } from '../normalise/mitre.normaliser';
import { severityFromWazuhLevel } from '../normalise/severity.normaliser';
import {
  buildAlert,
  type EnvelopeItem,
  get,
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
 * Wazuh alerts (one `alerts.json` line, an integration webhook body, or a Wazuh indexer hit
 * `{_source}`; envelope: indexer search `{hits: {hits: [...]}}`).
 *
 * Severity from `rule.level` (0–15; thresholds in severity.normaliser.ts). Title `rule.description`,
 * description `full_log`. Techniques `rule.mitre.id[]`, tactics `rule.mitre.tactic[]`.
 * Entities: the agent (host + ip), FIM `syscheck` path and hashes, the VirusTotal integration's file
 * and hashes, and decoded `data.srcip/dstip/srcuser/dstuser`.
 */

function mapAlert(o: Json, path: string): CanonicalAlert {
  const alertId = requireId(o, path, ['id', '_id']);
  const timestamp = requireTimestamp(o, path, ['timestamp', '@timestamp']);
  const title = requireTitle(o, path, ['rule.description']);
  const mitre = new MitreCollector().tactic(get(o, 'rule.mitre.tactic')).technique(get(o, 'rule.mitre.id'));
  const e = new EntityCollector();
  const agentName = str(get(o, 'agent.name'));
  e.add('host', agentName, { agentId: get(o, 'agent.id'), ip: get(o, 'agent.ip') });
  e.add('ip', get(o, 'agent.ip'), { role: 'agent', host: agentName });
  const sc = isJson(o.syscheck) ? o.syscheck : {};
  e.add('file', sc.path, { event: sc.event, owner: sc.uname_after, mode: sc.mode });
  for (const alg of ['md5', 'sha1', 'sha256']) e.hash(sc[`${alg}_after`], { file: sc.path });
  const vt = get(o, 'data.virustotal');
  if (isJson(vt)) {
    const src = isJson(vt.source) ? vt.source : {};
    e.add('file', src.file, { positives: vt.positives, total: vt.total, malicious: vt.malicious });
    for (const h of [src.md5, src.sha1, vt.sha1, src.sha256]) e.hash(h, { file: src.file });
  }
  for (const k of ['srcip', 'dstip']) e.add('ip', get(o, `data.${k}`), { role: k });
  for (const k of ['srcuser', 'dstuser']) e.add('account', get(o, `data.${k}`), { role: k });
  e.add('url', get(o, 'data.url'));
  return buildAlert({
    alertId,
    source: 'wazuh',
    timestamp,
    title,
    description: optionalText(o, ['full_log']),
    severity: pickSeverity(severityFromWazuhLevel(get(o, 'rule.level'))),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: e.list(),
    product: 'Wazuh',
    rawPayload: o,
  });
}

export const wazuhAdapter: VendorAdapter = {
  source: 'wazuh',

  detect(o) {
    const a = isJson(o._source) ? o._source : o;
    return isJson(a.rule) && a.rule.level !== undefined && (isJson(a.agent) || isJson(a.manager) || a.decoder !== undefined);
  },

  unwrap(o, path) {
    if (isJson(o.hits) && Array.isArray(o.hits.hits)) {
      return o.hits.hits.map((h, i) => {
        const p = joinPath(path, `hits.hits[${i}]`);
        return isJson(h) && isJson(h._source) ? { path: joinPath(p, '_source'), value: h._source } : { path: p, value: h };
      });
    }
    if (isJson(o._source)) return [{ path: joinPath(path, '_source'), value: o._source }];
    return [{ path, value: o }];
  },

  map({ value, path }: EnvelopeItem & { value: Json }) {
    return mapAlert(value, path);
  },
};
