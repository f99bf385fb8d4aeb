import { techniqueIdsIn } from '../../ingest/normalise/mitre.normaliser';
import { type IocCandidate, type ParsedFeed, type SkippedItem, clipContext, union } from './ioc-candidate';
import { type IocTypeValue, ipType, normaliseIocValue } from './ioc-values';

/**
 * MISP event import (pure). Accepts `{"Event": {...}}` or the bare event object and turns its
 * `Attribute[]` and `Object[].Attribute[]` into IOC candidates:
 *
 * - Attribute types: ip-src/ip-dst (ipv4, ipv6 or cidr), ip-src|port/ip-dst|port (the address),
 *   domain, hostname, domain|ip (both), url, md5/sha1/sha256/sha512/ssdeep, filename|<hash> (the hash),
 *   email/email-src/email-dst/whois-registrant-email, filename (file_name, or file_path when it holds a
 *   path), regkey and regkey|value (the key), mutex, user-agent, vulnerability (cve), AS (asn),
 *   btc (bitcoin_address), ja3-fingerprint-md5 (ja3), x509-fingerprint-* is not an indicator type here.
 *   Other types (link, comment, text, port, …) are skipped and reported; deleted attributes are skipped.
 * - confidence: MISP has no per-attribute confidence. Attributes flagged for detection (`to_ids: true`)
 *   get 75; attributes not flagged (`to_ids: false`, context the analyst did not want alerts on) get 40,
 *   below the spec's 50 threshold for a 7-day cache TTL.
 * - severity ← threat_level_id (1 high, 2 medium, 3 low, 4 undefined → none).
 * - campaigns ← event `info`, plus malware/tool galaxy names (`misp-galaxy:tool="Emotet"`, banker,
 *   ransomware, malpedia, mitre-malware, mitre-tool); groups ← threat-actor / mitre-intrusion-set
 *   galaxies; techniques ← ids in mitre-attack-pattern galaxy tags (`... - T1059`) and galaxy cluster
 *   `meta.external_id`; tags ← event and attribute tag names.
 * - first_seen ← attribute first_seen, else the event date; last_seen ← attribute last_seen, else its
 *   latest sighting; context ← attribute comment, else event info; sources ← `misp:<event uuid>`.
 */

export const MISP_CONFIDENCE_TO_IDS = 75;
export const MISP_CONFIDENCE_NOT_TO_IDS = 40;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export class MispEventError extends Error {}

const SEVERITY_BY_THREAT_LEVEL: Record<string, string> = { '1': 'high', '2': 'medium', '3': 'low' };
const MALWARE_GALAXIES = new Set(['tool', 'banker', 'ransomware', 'malpedia', 'mitre-malware', 'mitre-tool', 'rat', 'botnet', 'stealer', 'backdoor', 'exploit-kit']);
const ACTOR_GALAXIES = new Set(['threat-actor', 'mitre-intrusion-set', 'microsoft-activity-group']);
const ATTACK_GALAXIES = new Set(['mitre-attack-pattern', 'mitre-enterprise-attack-attack-pattern', 'mitre-mobile-attack-attack-pattern', 'mitre-ics-techniques']);

const SIMPLE_TYPES: Record<string, IocTypeValue> = {
  domain: 'domain',
  hostname: 'hostname',
  url: 'url',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha512: 'sha512',
  ssdeep: 'ssdeep',
  email: 'email',
  'email-src': 'email',
  'email-dst': 'email',
  'whois-registrant-email': 'email',
  mutex: 'mutex',
  'user-agent': 'user_agent',
  vulnerability: 'cve',
  AS: 'asn',
  btc: 'bitcoin_address',
  'ja3-fingerprint-md5': 'ja3',
  regkey: 'registry_key',
};

/** The (type, raw value) pairs one MISP attribute stands for; empty when its type is not an indicator. */
export function mispAttributeValues(type: string, value: string): { type: IocTypeValue; value: string }[] {
  const ip = (v: string): IocTypeValue => ipType(v) ?? (v.includes(':') ? 'ipv6' : 'ipv4');
  if (type === 'ip-src' || type === 'ip-dst') return [{ type: ip(value), value }];
  if (type === 'ip-src|port' || type === 'ip-dst|port') {
    // "1.2.3.4|443"; IPv6 addresses contain ':' so the port is split on '|' only.
    const addr = value.split('|')[0];
    return [{ type: ip(addr), value: addr }];
  }
  if (type === 'domain|ip') {
    const [d, a] = value.split('|');
    return [{ type: 'domain', value: d }, ...(a ? [{ type: ip(a), value: a }] : [])];
  }
  if (type === 'regkey|value') return [{ type: 'registry_key', value: value.split('|')[0] }];
  const fileHash = /^filename\|(md5|sha1|sha256|sha512|ssdeep)$/.exec(type);
  if (fileHash) return [{ type: fileHash[1] as IocTypeValue, value: value.split('|').slice(1).join('|') }];
  if (type === 'filename') return [{ type: /[\\/]/.test(value) ? 'file_path' : 'file_name', value }];
  const simple = SIMPLE_TYPES[type];
  return simple ? [{ type: simple, value }] : [];
}

function epoch(v: unknown): Date | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : null;
}

function isoDate(v: unknown): Date | null {
  if (typeof v !== 'string' || !v.trim()) return null;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function galaxyTag(name: string): { galaxy: string; value: string } | undefined {
  const m = /^misp-galaxy:([^=]+)="(.*)"$/.exec(name);
  return m ? { galaxy: m[1], value: m[2] } : undefined;
}

interface Labels {
  tags: string[];
  campaigns: string[];
  groups: string[];
  techniques: string[];
}

/** Tags and galaxy clusters of an event or attribute, turned into tags/campaigns/groups/techniques. */
function labelsOf(o: Obj): Labels {
  const out: Labels = { tags: [], campaigns: [], groups: [], techniques: [] };
  for (const t of objs(o.Tag)) {
    const name = str(t.name);
    if (!name) continue;
    out.tags.push(name);
    const g = galaxyTag(name);
    if (!g) continue;
    const clusterName = g.value.replace(/\s+-\s+(?:T\d{4}(?:\.\d{3})?|G\d{4}|S\d{4})$/, '');
    if (ATTACK_GALAXIES.has(g.galaxy)) out.techniques.push(...techniqueIdsIn(g.value));
    else if (ACTOR_GALAXIES.has(g.galaxy)) out.groups.push(clusterName);
    else if (MALWARE_GALAXIES.has(g.galaxy)) out.campaigns.push(clusterName);
  }
  for (const galaxy of objs(o.Galaxy)) {
    const type = str(galaxy.type) ?? '';
    for (const c of objs(galaxy.GalaxyCluster)) {
      const meta = isObj(c.meta) ? c.meta : {};
      if (ATTACK_GALAXIES.has(type)) out.techniques.push(...techniqueIdsIn(meta.external_id), ...techniqueIdsIn(c.value));
    }
  }
  return out;
}

/**
 * Extracts IOC candidates from a MISP event. Throws MispEventError only when the document is not a
 * MISP event at all; attributes that cannot become indicators are skipped with a reason.
 */
export function parseMispEvent(doc: unknown): ParsedFeed {
  const event = isObj(doc) && isObj(doc.Event) ? doc.Event : doc;
  if (!isObj(event) || !(Array.isArray(event.Attribute) || Array.isArray(event.Object) || str(event.info) || str(event.uuid))) {
    throw new MispEventError('expected a MISP event ({"Event": {...}} or the bare event with Attribute[]/Object[])');
  }
  const source = `misp:${str(event.uuid) ?? str(event.id) ?? 'unknown'}`;
  const info = str(event.info);
  const eventDate = isoDate(event.date);
  const severity = SEVERITY_BY_THREAT_LEVEL[String(event.threat_level_id ?? '')] ?? null;
  const eventLabels = labelsOf(event);
  const attributes: { attr: Obj; path: string }[] = [];
  objs(event.Attribute).forEach((attr, i) => attributes.push({ attr, path: `Attribute[${i}]` }));
  objs(event.Object).forEach((obj, i) => {
    if (obj.deleted === true) return;
    objs(obj.Attribute).forEach((attr, j) => attributes.push({ attr, path: `Object[${i}].Attribute[${j}]` }));
  });

  const candidates: IocCandidate[] = [];
  const skipped: SkippedItem[] = [];
  for (const { attr, path } of attributes) {
    const ref = str(attr.uuid) ?? path;
    const type = str(attr.type) ?? '';
    const raw = typeof attr.value === 'string' ? attr.value : typeof attr.value === 'number' ? String(attr.value) : '';
    if (attr.deleted === true) {
      skipped.push({ ref, reason: 'deleted attribute' });
      continue;
    }
    const pairs = mispAttributeValues(type, raw);
    if (pairs.length === 0) {
      skipped.push({ ref, reason: `attribute type ${type || '(none)'} is not an indicator type` });
      continue;
    }
    const labels = labelsOf(attr);
    const sightings = objs(attr.Sighting).map((s) => epoch(s.date_sighting)).filter((d): d is Date => d !== null);
    const latestSighting = sightings.length ? new Date(Math.max(...sightings.map((d) => d.getTime()))) : null;
    const toIds = attr.to_ids === true || attr.to_ids === '1' || attr.to_ids === 1;
    for (const p of pairs) {
      const checked = normaliseIocValue(p.type, p.value);
      if (!checked.ok) {
        skipped.push({ ref, reason: `${p.type} value '${p.value.slice(0, 200)}' ${checked.message}` });
        continue;
      }
      candidates.push({
        type: p.type,
        value: checked.value,
        confidence: toIds ? MISP_CONFIDENCE_TO_IDS : MISP_CONFIDENCE_NOT_TO_IDS,
        severity,
        campaigns: union(info ? [info] : [], union(eventLabels.campaigns, labels.campaigns)),
        groups: union(eventLabels.groups, labels.groups),
        techniques: union(eventLabels.techniques, labels.techniques),
        tags: union(eventLabels.tags, labels.tags),
        sources: [source],
        context: clipContext(str(attr.comment) ?? info),
        firstSeen: isoDate(attr.first_seen) ?? eventDate,
        lastSeen: isoDate(attr.last_seen) ?? latestSighting,
        expiry: null,
      });
    }
  }
  return { examined: attributes.length, candidates, skipped };
}
