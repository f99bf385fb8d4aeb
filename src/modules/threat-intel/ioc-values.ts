import { isIPv4, isIPv6 } from 'node:net';

/**
 * Indicator vocabulary and value rules for threat_intel_iocs. Pure: no I/O.
 *
 * Values are normalised before deduplication on (tenant, type, value): trimmed everywhere; lower-cased
 * where the type is case-insensitive (domains, hostnames, e-mail addresses, hashes, IPv6, CIDR, JA3,
 * certificate serials); CVE ids and ASNs upper-cased (`CVE-2024-3094`, `AS13335`); URLs keep their path
 * and query as given but get a lower-case scheme and host. Then each type's format is checked.
 */

/** The DB vocabulary (CHECK threat_intel_iocs_indicator_type_check). */
export const IOC_TYPES = [
  'ipv4',
  'ipv6',
  'cidr',
  'asn',
  'domain',
  'hostname',
  'url',
  'email',
  'account',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'ssdeep',
  'file_name',
  'file_path',
  'process_name',
  'registry_key',
  'mutex',
  'user_agent',
  'cve',
  'ja3',
  'certificate_serial',
  'bitcoin_address',
] as const;
export type IocTypeValue = (typeof IOC_TYPES)[number];

export function isIocType(v: string): v is IocTypeValue {
  return (IOC_TYPES as readonly string[]).includes(v);
}

export const MAX_IOC_VALUE_LENGTH = 2048;

const HEX_LENGTH: Partial<Record<IocTypeValue, number>> = { md5: 32, sha1: 40, sha256: 64, sha512: 128, ja3: 32 };
const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const HOSTNAME_RE = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/;
const EMAIL_RE = /^[^\s@]{1,64}@(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const CVE_RE = /^CVE-\d{4}-\d{4,}$/;
const SSDEEP_RE = /^\d+:[A-Za-z0-9/+]+:[A-Za-z0-9/+]+$/;
const SERIAL_RE = /^(?:[0-9a-f]{2}(?::[0-9a-f]{2})*|[0-9a-f]{1,128})$/;
const BTC_RE = /^(?:[13][a-km-zA-HJ-NP-Z1-9]{25,34}|bc1[ac-hj-np-z02-9]{8,87})$/;
const URL_RE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is;
const URL_SCHEMES = new Set(['http', 'https', 'ftp', 'ftps', 'sftp', 'ws', 'wss', 'smb', 'file', 'hxxp', 'hxxps']);

export type ValueCheck = { ok: true; value: string } | { ok: false; message: string };

const ok = (value: string): ValueCheck => ({ ok: true, value });
const fail = (message: string): ValueCheck => ({ ok: false, message });

function checkCidr(v: string): ValueCheck {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  if (!m) return fail('must be an address/prefix, e.g. 10.0.0.0/8');
  const prefix = Number(m[2]);
  if (isIPv4(m[1])) return prefix <= 32 ? ok(v) : fail('IPv4 prefix must be 0–32');
  if (isIPv6(m[1])) return prefix <= 128 ? ok(v.toLowerCase()) : fail('IPv6 prefix must be 0–128');
  return fail('must be an IPv4 or IPv6 network');
}

function checkUrl(v: string): ValueCheck {
  const m = URL_RE.exec(v);
  if (!m || !URL_SCHEMES.has(m[1].toLowerCase())) return fail('must be an absolute URL such as https://host/path');
  const at = m[2].lastIndexOf('@');
  const host = at >= 0 ? `${m[2].slice(0, at + 1)}${m[2].slice(at + 1).toLowerCase()}` : m[2].toLowerCase();
  if (!host || /\s/.test(v)) return fail('must be an absolute URL with a host and no whitespace');
  return ok(`${m[1].toLowerCase()}://${host}${m[3]}`);
}

/**
 * Normalises and validates one indicator value. Returns the stored form or a message that names the
 * expected format.
 */
export function normaliseIocValue(type: IocTypeValue, raw: string): ValueCheck {
  const v = raw.replace(/\u0000/g, '').trim();
  if (!v) return fail('must not be empty');
  if (v.length > MAX_IOC_VALUE_LENGTH) return fail(`at most ${MAX_IOC_VALUE_LENGTH} characters`);
  const lower = v.toLowerCase();
  switch (type) {
    case 'ipv4':
      return isIPv4(v) ? ok(v) : fail('must be an IPv4 address (four octets 0–255)');
    case 'ipv6':
      return isIPv6(v) ? ok(lower) : fail('must be an IPv6 address');
    case 'cidr':
      return checkCidr(v);
    case 'asn': {
      const m = /^(?:AS)?(\d{1,10})$/i.exec(v);
      return m && Number(m[1]) <= 4_294_967_295 ? ok(`AS${Number(m[1])}`) : fail('must be an AS number, e.g. AS13335');
    }
    case 'domain': {
      const d = lower.replace(/\.$/, '');
      return DOMAIN_RE.test(d) ? ok(d) : fail('must be a domain name such as example.com');
    }
    case 'hostname': {
      const h = lower.replace(/\.$/, '');
      return HOSTNAME_RE.test(h) ? ok(h) : fail('must be a host name');
    }
    case 'url':
      return checkUrl(v);
    case 'email':
      return EMAIL_RE.test(lower) ? ok(lower) : fail('must be an e-mail address');
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
    case 'ja3': {
      const len = HEX_LENGTH[type]!;
      return new RegExp(`^[0-9a-f]{${len}}$`).test(lower) ? ok(lower) : fail(`must be ${len} hexadecimal characters`);
    }
    case 'ssdeep':
      return SSDEEP_RE.test(v) ? ok(v) : fail('must be an ssdeep hash blocksize:hash:hash');
    case 'cve': {
      const u = v.toUpperCase();
      return CVE_RE.test(u) ? ok(u) : fail('must look like CVE-2024-3094');
    }
    case 'certificate_serial':
      return SERIAL_RE.test(lower) ? ok(lower) : fail('must be hexadecimal, optionally colon-separated');
    case 'bitcoin_address':
      return BTC_RE.test(v) ? ok(v.startsWith('bc1') || v.startsWith('BC1') ? lower : v) : fail('must be a Bitcoin address');
    case 'file_name':
      return /[\\/]/.test(v) ? fail('must be a bare file name (use file_path for paths)') : ok(v);
    case 'file_path':
    case 'process_name':
    case 'registry_key':
    case 'mutex':
    case 'user_agent':
    case 'account':
      return ok(v);
  }
}

/** The indicator type of an IP address (or network) value, or undefined. */
export function ipType(v: string): 'ipv4' | 'ipv6' | 'cidr' | undefined {
  const s = v.trim();
  if (isIPv4(s)) return 'ipv4';
  if (isIPv6(s)) return 'ipv6';
  if (s.includes('/') && checkCidr(s).ok) return 'cidr';
  return undefined;
}
