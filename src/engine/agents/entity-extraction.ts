/**
 * The core of the ioc_extractor agent (spec §3.2, §3.3, §4.5): entities and IOC candidates from a
 * CanonicalAlert. Pure and synchronous (`node:net` is used for address syntax and ranges only).
 *
 * Sources, in order of trust:
 * 1. The alert's structured VendorEntities (already sanitised by the adapters): confidence 1.0.
 * 2. A regex fallback over the title, the description and the string fields of the raw payload
 *    (depth ≤ 8, ≤ 500 strings, ≤ 64 KiB scanned) with the spec's confidences.
 *
 * | what | entity type | confidence | IOC candidate type |
 * |---|---|---|---|
 * | IPv4 (each octet 0–255, else a parse error) | ip | 0.7 | ipv4 |
 * | IPv6 (validated by `net.isIPv6`) | ip | 0.7 | ipv6 |
 * | SHA-256 / SHA-1 / MD5 hex | filehash | 0.8 / 0.7 / 0.6 | sha256 / sha1 / md5 |
 * | domain (known TLDs, not a file extension) | dns | 0.6 | domain |
 * | URL (http, https, ftp; defanged `hxxp`/`[.]` refanged) | url | 0.8 | url |
 * | e-mail address | mailbox | 0.7 | email |
 * | CVE id | — (raw IOC only) | — | cve |
 * | registry key (`HKLM\…`, `HKEY_…\…`) | registry-key | 0.7 | registry_key |
 * | absolute file path (Windows drive or known Unix root) | file | 0.5 | file_path |
 * | executable/script file name | file | 0.4 | file_name |
 * | executable of a command-line field | process | 0.6 | process_name |
 *
 * Decisions:
 * - Hashes in the raw payload count only in fields whose key names a hash (md5, sha…, hash, digest,
 *   checksum, imphash): 32/40-hex ids (GuardDuty finding ids, GUIDs without dashes) are not hashes.
 *   In the title and description every hash-shaped token counts.
 * - Private, loopback, link-local, shared, documentation, multicast and reserved addresses are kept and
 *   flagged (`properties.ipScope`, `properties.nonRoutable`), never dropped; they stay IOC candidates
 *   with `nonRoutable: true` (tenant TI may list internal addresses) and never become block targets.
 * - Dedup key is (type, lower-cased value); the highest confidence wins, properties merge (the winner's
 *   first), so a structured entity (1.0) always wins over a regex hit of the same value. A regex dns hit
 *   equal to a structured host name, or a file name already covered by a path, is suppressed.
 * - Values are sanitised per §4.5 (2,048 characters, dangerous characters stripped except in command
 *   lines) with the adapters' helpers; CVEs are upper-cased, domains/hashes/e-mails lower-cased.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { type CanonicalAlert, type EntityType, ENTITY_TYPES } from '../../ingest/canonical';
import { hashAlgorithm, MAX_ENTITY_VALUE_LENGTH, sanitiseEntityValue } from '../../ingest/normalise/entity.collector';

/** Spec §3.3 NormalizedEntity. */
export interface NormalizedEntity {
  entityType: EntityType;
  primaryValue: string;
  properties: Record<string, unknown>;
  /** 1.0 for structured vendor entities; the regex fallback's confidence otherwise. */
  confidence: number;
  sourceId?: string;
  /** Where the entity came from. */
  origin: 'structured' | 'regex';
}

/** Spec §3.3 AlertEntities buckets. */
export interface AlertEntities {
  accounts: NormalizedEntity[];
  hosts: NormalizedEntity[];
  ips: NormalizedEntity[];
  files: NormalizedEntity[];
  processes: NormalizedEntity[];
  urls: NormalizedEntity[];
  dnsRecords: NormalizedEntity[];
  fileHashes: NormalizedEntity[];
  mailboxes: NormalizedEntity[];
  /** mailmessage, registry-key, registry-value, security-group, cloud-application, malware. */
  other: NormalizedEntity[];
  /** Every IOC-like string the regex fallback found, as found (refanged, before normalising; ≤ 512 chars each). */
  rawIocs: string[];
  /** Values that looked like an indicator but failed a format check, and why. */
  parseErrors: string[];
}

/** `threat_intel_iocs.indicator_type` vocabulary (migration 0001 CHECK). */
export const IOC_INDICATOR_TYPES = [
  'ipv4', 'ipv6', 'cidr', 'asn', 'domain', 'hostname', 'url', 'email', 'account',
  'md5', 'sha1', 'sha256', 'sha512', 'ssdeep', 'file_name', 'file_path', 'process_name',
  'registry_key', 'mutex', 'user_agent', 'cve', 'ja3', 'certificate_serial', 'bitcoin_address',
] as const;
export type IocIndicatorType = (typeof IOC_INDICATOR_TYPES)[number];

/** A value to look up in threat_intel_iocs (exact match on type + normalised value). */
export interface IocCandidate {
  type: IocIndicatorType;
  value: string;
  /** A private/reserved address: looked up, never a block target. */
  nonRoutable?: true;
}

export interface EntityExtraction {
  entities: NormalizedEntity[];
  buckets: AlertEntities;
  iocCandidates: IocCandidate[];
}

/** Regex fallback confidences (spec §3.3 for IPv4, SHA-256, SHA-1, domain; the rest are ours). */
export const REGEX_CONFIDENCE = {
  ipv4: 0.7,
  ipv6: 0.7,
  sha256: 0.8,
  sha1: 0.7,
  md5: 0.6,
  dns: 0.6,
  url: 0.8,
  email: 0.7,
  registryKey: 0.7,
  filePath: 0.5,
  fileName: 0.4,
  process: 0.6,
} as const;

const MAX_RAW_STRINGS = 500;
const MAX_RAW_DEPTH = 8;
const MAX_SCAN_CHARS = 64 * 1024;
const MAX_MATCHES_PER_KIND = 200;

// ---------------------------------------------------------------------------------------------
// address scope
// ---------------------------------------------------------------------------------------------

export type IpScope =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'shared'
  | 'documentation'
  | 'benchmarking'
  | 'multicast'
  | 'unspecified'
  | 'reserved';

const V4_RANGES: ReadonlyArray<readonly [string, number, IpScope]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const V6_RANGES: ReadonlyArray<readonly [string, number, IpScope]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
  ['2001:db8::', 32, 'documentation'],
  ['64:ff9b:1::', 48, 'reserved'],
  ['100::', 64, 'reserved'],
];

function buildLists(): Map<IpScope, BlockList> {
  const lists = new Map<IpScope, BlockList>();
  const get = (s: IpScope): BlockList => {
    let l = lists.get(s);
    if (!l) lists.set(s, (l = new BlockList()));
    return l;
  };
  for (const [net, prefix, scope] of V4_RANGES) get(scope).addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix, scope] of V6_RANGES) get(scope).addSubnet(net, prefix, 'ipv6');
  return lists;
}
const SCOPE_LISTS = buildLists();

/** Address scope of an IP (IPv4-mapped IPv6 is classified by its IPv4 part); undefined if not an IP. */
export function ipScope(ip: string): IpScope | undefined {
  let addr = ip.trim();
  let family: 'ipv4' | 'ipv6';
  if (isIPv4(addr)) family = 'ipv4';
  else if (isIPv6(addr)) {
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(addr);
    if (mapped && isIPv4(mapped[1])) {
      addr = mapped[1];
      family = 'ipv4';
    } else family = 'ipv6';
  } else return undefined;
  for (const [scope, list] of SCOPE_LISTS) if (list.check(addr, family)) return scope;
  return 'public';
}

/** Canonical text of an IP: IPv4 without leading zeros, IPv6 lower-case and RFC 5952-compressed. */
export function normaliseIp(ip: string): string | undefined {
  const s = ip.trim();
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    return octets.every((o) => o <= 255) ? octets.join('.') : undefined;
  }
  if (!isIPv6(s)) return undefined;
  let text = s.toLowerCase().replace(/%.*$/, '');
  // expand an embedded IPv4 tail into two hextets
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail) {
    const o = tail.slice(1).map(Number);
    text = text.slice(0, tail.index) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array(8 - h.length - r.length).fill('0'), ...r];
  const parts = groups.map((g) => parseInt(g || '0', 16).toString(16));
  // longest run of ≥ 2 zero groups, first on ties (RFC 5952 §4.2)
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

// ---------------------------------------------------------------------------------------------
// regexes (all linear: no nested quantifiers)
// ---------------------------------------------------------------------------------------------

const IPV4_RE = /(?<![\w.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\w]|\.\d)/g;
const IPV6_RE = /(?<![\w:.])((?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?)(?![\w:]|\.\w)/gi;
const SHA256_RE = /(?<![0-9a-z])([a-f0-9]{64})(?![0-9a-z])/gi;
const SHA1_RE = /(?<![0-9a-z])([a-f0-9]{40})(?![0-9a-z])/gi;
const MD5_RE = /(?<![0-9a-z])([a-f0-9]{32})(?![0-9a-z])/gi;
const URL_RE = /\b((?:https?|ftp):\/\/[^\s"'<>()[\]{}|\\^`]{1,2000})/gi;
const EMAIL_RE = /(?<![\w.+-])([a-z0-9][a-z0-9._%+-]{0,63}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,10}[a-z]{2,24})(?![\w-])/gi;
const DOMAIN_RE = /(?<![\w@.\-/\\%$])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,10}[a-z]{2,24})(?![\w-]|\.[a-z0-9]|\\?"\s*:)/gi;
const CVE_RE = /\b(CVE-\d{4}-\d{4,7})\b/gi;
const REGISTRY_RE = /\b((?:HKEY_(?:LOCAL_MACHINE|CURRENT_USER|CLASSES_ROOT|USERS|CURRENT_CONFIG)|HKLM|HKCU|HKCR|HKU|HKCC)\\[^\s"'<>|]{1,1000})/gi;
// directory segments may contain single spaces (`C:\\Program Files (x86)\\…`); the file name may not
const WIN_PATH_RE = /(?<![\w\\])([a-z]:\\(?:[^\\\s"'<>|:*?]{1,255}(?: [^\\\s"'<>|:*?]{1,255}){0,5}\\){0,30}[^\\\s"'<>|:*?]{1,255})/gi;
const UNIX_PATH_RE =
  /(?<![\w.:/~-])(\/(?:usr|bin|sbin|etc|tmp|var|home|opt|root|dev|media|mnt|srv|lib|lib64|proc|run|boot|Users|Library|Applications|private|System)(?:\/[\w.@+-]{1,255}){1,30})/g;
const FILE_NAME_RE =
  /(?<![\w.\\/-])([\w-]{1,200}(?:\.[\w-]{1,50}){0,3}\.(?:exe|dll|sys|scr|ps1|psm1|bat|cmd|vbs|vbe|jse|wsf|hta|msi|lnk|jar|elf|dylib|docm|xlsm|pptm|iso|img))(?![\w]|\.\w)/gi;

/** TLDs accepted by the domain fallback: every 2-letter ccTLD plus common gTLDs (keeps dotted field names out). */
const COMMON_GTLDS = new Set([
  'com', 'net', 'org', 'info', 'biz', 'edu', 'gov', 'mil', 'int', 'io', 'ai', 'app', 'dev', 'cloud', 'online', 'site',
  'xyz', 'top', 'club', 'shop', 'store', 'tech', 'live', 'link', 'click', 'icu', 'vip', 'work', 'win', 'bid', 'loan',
  'download', 'stream', 'space', 'website', 'host', 'fun', 'pro', 'mobi', 'asia', 'tel', 'onion', 'local',
  'internal', 'corp', 'lan', 'zip', 'mov', 'support', 'services', 'email', 'group', 'network', 'systems', 'security',
]);
/** 2-letter endings that are far more often file extensions than ccTLDs in alert text. */
const FILE_EXTENSION_TLDS = new Set(['sh', 'py', 'js', 'ps', 'gz', 'md', 'so', 'rb', 'pl', 'cs', 'go', 'rs', 'ts', 'db']);

/**
 * Links back to the vendor's own console and reference pages are not indicators: URL/domain hits in
 * fields named like links, and hits on the vendors' portal domains, are ignored.
 */
const LINK_KEY_RE = /web_?url|permalink|^links?$|_link$|references?|reference_?urls|source_?url|url_back_to_product|remediation|recommendation|^uri$/i;
const VENDOR_PORTAL_DOMAINS = [
  'security.microsoft.com', 'securitycenter.microsoft.com', 'securitycenter.windows.com', 'portal.azure.com',
  'crowdstrike.com', 'console.aws.amazon.com', 'docs.aws.amazon.com', 'alas.aws.amazon.com', 'virustotal.com',
  'nvd.nist.gov', 'cve.mitre.org', 'attack.mitre.org', 'atlas.mitre.org', 'chronicle.security',
];

function isVendorPortal(host: string): boolean {
  const h = host.toLowerCase();
  return VENDOR_PORTAL_DOMAINS.some((d) => h === d || h.endsWith(`.${d}`));
}

const HASH_KEY_RE = /md5|sha\d*|hash|digest|checksum|imphash/i;
const COMMAND_LINE_KEY_RE = /command_?line|cmd_?line|^cmd$|commandline|process_?args|^args$/i;

function refang(text: string): string {
  return text
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]/gi, '.')
    .replace(/\[:\]/g, ':')
    .replace(/\bhxxp(s?):\/\//gi, 'http$1://')
    .replace(/\[@\]|\[at\]/gi, '@');
}

function isAcceptedDomain(d: string): boolean {
  const tld = d.slice(d.lastIndexOf('.') + 1).toLowerCase();
  if (!/^[a-z]+$/.test(tld)) return false;
  if (FILE_EXTENSION_TLDS.has(tld)) return false;
  return tld.length === 2 || COMMON_GTLDS.has(tld);
}

// ---------------------------------------------------------------------------------------------
// collection
// ---------------------------------------------------------------------------------------------

class Accumulator {
  private readonly byKey = new Map<string, NormalizedEntity>();
  readonly rawIocs = new Set<string>();
  readonly parseErrors: string[] = [];
  readonly cves = new Set<string>();

  add(e: NormalizedEntity): void {
    const key = `${e.entityType}\u0000${e.primaryValue.toLowerCase()}`;
    const prev = this.byKey.get(key);
    if (!prev) {
      this.byKey.set(key, e);
      return;
    }
    const [win, lose] = e.confidence > prev.confidence ? [e, prev] : [prev, e];
    const merged: NormalizedEntity = { ...win, properties: { ...lose.properties, ...win.properties } };
    if (merged.sourceId === undefined && lose.sourceId !== undefined) merged.sourceId = lose.sourceId;
    this.byKey.set(key, merged);
  }

  has(type: EntityType, value: string): boolean {
    return this.byKey.has(`${type}\u0000${value.toLowerCase()}`);
  }

  error(msg: string): void {
    if (this.parseErrors.length < 100 && !this.parseErrors.includes(msg)) this.parseErrors.push(msg);
  }

  list(): NormalizedEntity[] {
    return [...this.byKey.values()];
  }
}

function ipEntity(value: string, confidence: number, origin: NormalizedEntity['origin'], props: Record<string, unknown> = {}): NormalizedEntity | undefined {
  const v = normaliseIp(value);
  if (!v) return undefined;
  const scope = ipScope(v) ?? 'reserved';
  return {
    entityType: 'ip',
    primaryValue: v,
    properties: { ...props, ipVersion: isIPv4(v) ? 4 : 6, ipScope: scope, nonRoutable: scope !== 'public' },
    confidence,
    origin,
  };
}

function structured(acc: Accumulator, alert: CanonicalAlert): void {
  alert.entities.forEach((ve, i) => {
    if (!(ENTITY_TYPES as readonly string[]).includes(ve.type)) {
      acc.error(`entities[${i}]: unknown entity type ${JSON.stringify(String(ve.type)).slice(0, 60)}`);
      return;
    }
    const raw = typeof ve.value === 'string' ? ve.value : '';
    const value = raw.length > MAX_ENTITY_VALUE_LENGTH ? raw.slice(0, MAX_ENTITY_VALUE_LENGTH) : raw;
    if (!value.trim()) {
      acc.error(`entities[${i}]: empty ${ve.type} value`);
      return;
    }
    const base = { properties: { ...(ve.properties ?? {}) }, confidence: 1, origin: 'structured' as const };
    const withSource = (e: NormalizedEntity): NormalizedEntity => (ve.sourceId ? { ...e, sourceId: ve.sourceId } : e);
    if (ve.type === 'ip') {
      const e = ipEntity(value, 1, 'structured', base.properties);
      if (!e) acc.error(`entities[${i}]: invalid ip ${JSON.stringify(value.slice(0, 60))}`);
      else acc.add(withSource(e));
      return;
    }
    if (ve.type === 'filehash') {
      const algorithm = hashAlgorithm(value);
      if (!algorithm) {
        acc.error(`entities[${i}]: invalid filehash ${JSON.stringify(value.slice(0, 80))}`);
        return;
      }
      acc.add(withSource({ ...base, entityType: 'filehash', primaryValue: value.toLowerCase(), properties: { algorithm, ...base.properties } }));
      return;
    }
    const lower = ve.type === 'dns' || ve.type === 'mailbox';
    acc.add(withSource({ ...base, entityType: ve.type, primaryValue: lower ? value.toLowerCase() : value }));
  });
}

interface ScanText {
  text: string;
  /** Key of the raw-payload field (undefined for title/description). */
  key?: string;
}

function collectRawStrings(payload: unknown): ScanText[] {
  const out: ScanText[] = [];
  let budget = MAX_SCAN_CHARS;
  const walk = (v: unknown, key: string | undefined, depth: number): void => {
    if (out.length >= MAX_RAW_STRINGS || budget <= 0 || depth > MAX_RAW_DEPTH) return;
    if (typeof v === 'string') {
      if (v.length === 0) return;
      const text = v.slice(0, Math.min(MAX_ENTITY_VALUE_LENGTH, budget));
      budget -= text.length;
      out.push({ text, key });
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, k, depth + 1);
    }
  };
  walk(payload, undefined, 0);
  return out;
}

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let n = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && n++ < MAX_MATCHES_PER_KIND) yield m;
}

function trimUrl(u: string): string {
  return u.replace(/[.,;:!?]+$/, '');
}

function normaliseUrl(u: string): string {
  const m = /^([a-z]+):\/\/([^/?#]+)(.*)$/i.exec(u);
  return m ? `${m[1].toLowerCase()}://${m[2].toLowerCase()}${m[3]}` : u;
}

/** The executable of a command line: first token (quoted or not), basename. */
export function executableOf(commandLine: string): string | undefined {
  const s = commandLine.trim();
  const m = /^"([^"]{1,1024})"|^'([^']{1,1024})'|^(\S{1,1024})/.exec(s);
  const exe = m?.[1] ?? m?.[2] ?? m?.[3];
  if (!exe) return undefined;
  const base = exe.split(/[\\/]/).pop() ?? '';
  if (!/^[\w.@+-]{1,255}$/.test(base) || !/[a-z]/i.test(base)) return undefined;
  return base;
}

function scan(acc: Accumulator, item: ScanText, freeText: boolean): void {
  const text = refang(item.text);
  const regex = (type: EntityType, value: string, confidence: number, props: Record<string, unknown> = {}, raw?: string): void => {
    const v = sanitiseEntityValue(value, { commandLine: type === 'process' && props.commandLine !== undefined });
    if (!v) return;
    acc.rawIocs.add((raw ?? value).slice(0, 512));
    acc.add({ entityType: type, primaryValue: v, properties: props, confidence, origin: 'regex' });
  };

  const linkField = item.key !== undefined && LINK_KEY_RE.test(item.key);
  for (const m of linkField ? [] : matches(URL_RE, text)) {
    const url = trimUrl(m[1]);
    const host = /^[a-z]+:\/\/(?:[^@/?#]*@)?([^/?#:]+)/i.exec(url)?.[1]?.toLowerCase();
    if (host && isVendorPortal(host)) continue;
    regex('url', normaliseUrl(url), REGEX_CONFIDENCE.url, {}, url);
    if (host && !isIPv4(host) && isAcceptedDomain(host) && /^[a-z0-9.-]+$/.test(host) && !acc.has('host', host)) {
      regex('dns', host, REGEX_CONFIDENCE.dns, { fromUrl: true }, host);
    }
  }
  for (const m of matches(EMAIL_RE, text)) regex('mailbox', m[1].toLowerCase(), REGEX_CONFIDENCE.email, {}, m[1]);
  for (const m of matches(IPV4_RE, text)) {
    const e = ipEntity(m[1], REGEX_CONFIDENCE.ipv4, 'regex');
    if (!e) {
      acc.error(`${item.key ?? 'text'}: ${m[1]} is not an IPv4 address (octet > 255)`);
      continue;
    }
    acc.rawIocs.add(m[1]);
    acc.add(e);
  }
  for (const m of matches(IPV6_RE, text)) {
    const cand = m[1];
    // at least two colons and four hex digits: keeps `a::b`-like tokens of prose out
    if ((cand.match(/:/g) ?? []).length < 2 || cand.replace(/[^0-9a-f]/gi, '').length < 4 || !isIPv6(cand)) continue;
    const e = ipEntity(cand, REGEX_CONFIDENCE.ipv6, 'regex');
    if (e) {
      acc.rawIocs.add(cand);
      acc.add(e);
    }
  }
  if (freeText || (item.key !== undefined && HASH_KEY_RE.test(item.key))) {
    const hashKinds: ReadonlyArray<readonly [RegExp, number]> = [
      [SHA256_RE, REGEX_CONFIDENCE.sha256],
      [SHA1_RE, REGEX_CONFIDENCE.sha1],
      [MD5_RE, REGEX_CONFIDENCE.md5],
    ];
    for (const [re, conf] of hashKinds) {
      for (const m of matches(re, text)) {
        const algorithm = hashAlgorithm(m[1]);
        if (algorithm) regex('filehash', m[1].toLowerCase(), conf, { algorithm }, m[1]);
      }
    }
  }
  for (const m of matches(CVE_RE, text)) {
    acc.rawIocs.add(m[1]);
    acc.cves.add(m[1].toUpperCase());
  }
  for (const m of matches(REGISTRY_RE, text)) regex('registry-key', m[1].replace(/[.,;]+$/, ''), REGEX_CONFIDENCE.registryKey, {}, m[1]);
  const paths: string[] = [];
  for (const re of [WIN_PATH_RE, UNIX_PATH_RE]) {
    for (const m of matches(re, text)) {
      const p = m[1].replace(/[.,;:]+$/, '');
      paths.push(p.toLowerCase());
      const name = p.split(/[\\/]/).pop() ?? '';
      regex('file', p, REGEX_CONFIDENCE.filePath, { path: p, name }, m[1]);
    }
  }
  for (const m of matches(FILE_NAME_RE, text)) {
    const name = m[1];
    if (paths.some((p) => p.endsWith(name.toLowerCase()))) continue;
    if (acc.has('file', name)) continue;
    regex('file', name, REGEX_CONFIDENCE.fileName, { name }, name);
  }
  // domains last, so that hosts of URLs and e-mail domains already seen are recognised
  for (const m of linkField ? [] : matches(DOMAIN_RE, text)) {
    const d = m[1].toLowerCase();
    if (!isAcceptedDomain(d) || isVendorPortal(d)) continue;
    if (acc.has('host', d) || acc.has('file', d) || acc.has('file', m[1])) continue;
    regex('dns', d, REGEX_CONFIDENCE.dns, {}, m[1]);
  }
  if (item.key !== undefined && COMMAND_LINE_KEY_RE.test(item.key)) {
    const exe = executableOf(item.text);
    if (exe) regex('process', exe, REGEX_CONFIDENCE.process, { commandLine: sanitiseEntityValue(item.text, { commandLine: true }) }, exe);
  }
}

// ---------------------------------------------------------------------------------------------
// buckets and IOC candidates
// ---------------------------------------------------------------------------------------------

const BUCKET_OF: Partial<Record<EntityType, keyof Omit<AlertEntities, 'other' | 'rawIocs' | 'parseErrors'>>> = {
  account: 'accounts',
  host: 'hosts',
  ip: 'ips',
  file: 'files',
  process: 'processes',
  url: 'urls',
  dns: 'dnsRecords',
  filehash: 'fileHashes',
  mailbox: 'mailboxes',
};

/** Empty buckets. */
export function emptyAlertEntities(): AlertEntities {
  return {
    accounts: [],
    hosts: [],
    ips: [],
    files: [],
    processes: [],
    urls: [],
    dnsRecords: [],
    fileHashes: [],
    mailboxes: [],
    other: [],
    rawIocs: [],
    parseErrors: [],
  };
}

/** Buckets entities by type (spec §3.3 AlertEntities). */
export function bucketEntities(entities: readonly NormalizedEntity[], rawIocs: string[] = [], parseErrors: string[] = []): AlertEntities {
  const b = emptyAlertEntities();
  for (const e of entities) b[BUCKET_OF[e.entityType] ?? 'other'].push(e);
  b.rawIocs = rawIocs;
  b.parseErrors = parseErrors;
  return b;
}

/** All entities of the buckets, flattened (bucket order). */
export function flattenAlertEntities(b: AlertEntities): NormalizedEntity[] {
  return [
    ...b.accounts, ...b.hosts, ...b.ips, ...b.files, ...b.processes, ...b.urls,
    ...b.dnsRecords, ...b.fileHashes, ...b.mailboxes, ...b.other,
  ];
}

/** The IOC candidate of one entity, or undefined when the type is never looked up. */
export function iocCandidateOf(e: NormalizedEntity): IocCandidate | undefined {
  const v = e.primaryValue;
  switch (e.entityType) {
    case 'ip': {
      const ip = normaliseIp(v);
      if (!ip) return undefined;
      const c: IocCandidate = { type: isIPv4(ip) ? 'ipv4' : 'ipv6', value: ip };
      if (e.properties.nonRoutable === true) c.nonRoutable = true;
      return c;
    }
    case 'dns':
      return { type: 'domain', value: v.toLowerCase().replace(/\.$/, '') };
    case 'host':
      // only fully qualified names can be TI indicators; bare NetBIOS names are not
      return /\./.test(v) && isAcceptedDomain(v) ? { type: 'hostname', value: v.toLowerCase() } : undefined;
    case 'url':
      return { type: 'url', value: normaliseUrl(v) };
    case 'filehash': {
      const alg = hashAlgorithm(v);
      return alg ? { type: alg as IocIndicatorType, value: v.toLowerCase() } : undefined;
    }
    case 'mailbox':
      return { type: 'email', value: v.toLowerCase() };
    case 'account':
      return { type: 'account', value: v };
    case 'registry-key':
      return { type: 'registry_key', value: v };
    case 'file':
      return /[\\/]/.test(v) ? { type: 'file_path', value: v } : { type: 'file_name', value: v };
    case 'process': {
      const exe = /[\\/\s]/.test(v) ? executableOf(v) : v;
      return exe ? { type: 'process_name', value: exe } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Entities (structured + regex fallback), their buckets and the IOC candidates of an alert.
 * Never throws on alert content: problems end up in `buckets.parseErrors`.
 */
export function extractEntities(alert: CanonicalAlert): EntityExtraction {
  const acc = new Accumulator();
  structured(acc, alert);
  const texts: ScanText[] = [];
  if (alert.title) texts.push({ text: alert.title.slice(0, MAX_ENTITY_VALUE_LENGTH) });
  if (alert.description) texts.push({ text: alert.description.slice(0, MAX_ENTITY_VALUE_LENGTH * 4) });
  for (const t of texts) scan(acc, t, true);
  for (const t of collectRawStrings(alert.rawPayload)) scan(acc, t, false);

  const order = new Map<EntityType, number>(ENTITY_TYPES.map((t, i) => [t, i]));
  const entities = acc.list().sort((a, b) => {
    const t = (order.get(a.entityType) ?? 99) - (order.get(b.entityType) ?? 99);
    if (t !== 0) return t;
    if (a.confidence !== b.confidence) return b.confidence - a.confidence;
    return a.primaryValue < b.primaryValue ? -1 : a.primaryValue > b.primaryValue ? 1 : 0;
  });
  const seen = new Set<string>();
  const iocCandidates: IocCandidate[] = [];
  const push = (c: IocCandidate | undefined): void => {
    if (!c || !c.value) return;
    const k = `${c.type}\u0000${c.value.toLowerCase()}`;
    if (seen.has(k)) return;
    seen.add(k);
    iocCandidates.push(c);
  };
  for (const e of entities) push(iocCandidateOf(e));
  for (const cve of [...acc.cves].sort()) push({ type: 'cve', value: cve });
  return { entities, buckets: bucketEntities(entities, [...acc.rawIocs], acc.parseErrors), iocCandidates };
}
