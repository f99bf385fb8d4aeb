import { type IocCandidate, type ParsedFeed, type SkippedItem, clipContext, union } from './ioc-candidate';
import { type IocTypeValue, ipType, normaliseIocValue } from './ioc-values';

/**
 * STIX 2.0/2.1 indicator import (pure). Reads a bundle (`{type: 'bundle', objects: [...]}`) or a bare
 * array of STIX objects and turns `indicator` objects with STIX patterns into IOC candidates:
 *
 * - Supported patterns: one or more observation expressions `[...]` joined by OR, each holding
 *   comparisons joined by OR, each `<object-path> = '<value>'` or `<object-path> IN ('a', 'b')`.
 *   AND / FOLLOWEDBY (several conditions that must hold together), other operators (MATCHES, LIKE,
 *   !=, …) and qualifiers (WITHIN, REPEATS, START/STOP) cannot be expressed as exact-match indicators:
 *   such indicators are skipped with a reason. Patterns of other languages (`pattern_type` pcre,
 *   sigma, yara, snort, suricata) are skipped too.
 * - Object paths: ipv4-addr/ipv6-addr:value (a network becomes cidr), domain-name:value, url:value,
 *   email-addr:value, email-message:from_ref.value / sender_ref.value, file:hashes.<MD5|SHA-1|SHA-256|
 *   SHA-512|SSDEEP>, file:name, autonomous-system:number, x509-certificate:serial_number, mutex:name,
 *   process:name, windows-registry-key:key, user-account:account_login/user_id.
 * - confidence ← `confidence` (default 50); first_seen ← valid_from; expiry ← valid_until; tags ←
 *   labels + indicator_types + `phase:<kill-chain phase>`; sources ← `stix:<created_by_ref or bundle id>`;
 *   context ← name and description.
 * - `indicates` relationships from the indicator: attack-pattern with a MITRE external id →
 *   techniques; intrusion-set / threat-actor → groups; campaign, malware and tool names → campaigns.
 *   Technique ids inside kill-chain phase names are taken as techniques too.
 * - Revoked indicators are skipped (the producer withdrew them).
 */

export const DEFAULT_STIX_CONFIDENCE = 50;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && !!x.trim()) : []);

export class StixPatternError extends Error {}

// ---------------------------------------------------------------------------------------------------------
// Pattern parsing

type Token =
  | { kind: 'punct'; value: '[' | ']' | '(' | ')' | ',' }
  | { kind: 'string'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'path'; value: string }
  | { kind: 'word'; value: string };

function tokenize(pattern: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i];
    if (/\s/.test(c)) {
      i++;
    } else if ('[](),'.includes(c)) {
      out.push({ kind: 'punct', value: c as '[' });
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= n) throw new StixPatternError('unterminated string literal');
        const d = pattern[i];
        if (d === '\\' && i + 1 < n) {
          s += pattern[i + 1];
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          s += d;
          i++;
        }
      }
      out.push({ kind: 'string', value: s });
    } else if ('=!<>'.includes(c)) {
      const two = pattern.slice(i, i + 2);
      const op = ['!=', '<=', '>='].includes(two) ? two : c;
      out.push({ kind: 'op', value: op });
      i += op.length;
    } else {
      const path = /^[a-z0-9-]+:(?:[A-Za-z0-9_-]+|'(?:[^'\\]|\\.)*'|\.|\[(?:\d+|\*)\])+/i.exec(pattern.slice(i));
      if (path) {
        out.push({ kind: 'path', value: path[0] });
        i += path[0].length;
        continue;
      }
      const word = /^[A-Za-z0-9_.:+-]+/.exec(pattern.slice(i));
      if (!word) throw new StixPatternError(`unexpected character '${c}'`);
      out.push({ kind: 'word', value: word[0] });
      i += word[0].length;
    }
  }
  return out;
}

/** One `path = value` comparison of a supported pattern. */
export interface StixComparison {
  path: string;
  value: string;
}

class PatternParser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): StixComparison[] {
    const out = this.observations();
    if (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos];
      throw new StixPatternError(this.unsupportedWord(t) ?? `unexpected '${t.value}'`);
    }
    return out;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isWord(t: Token | undefined, w: string): boolean {
    return t?.kind === 'word' && t.value.toUpperCase() === w;
  }

  private unsupportedWord(t: Token | undefined): string | undefined {
    if (!t || t.kind !== 'word') return undefined;
    const w = t.value.toUpperCase();
    if (w === 'AND') return 'AND (all conditions together) cannot be an exact-match indicator';
    if (w === 'FOLLOWEDBY') return 'FOLLOWEDBY (event sequence) cannot be an exact-match indicator';
    if (['WITHIN', 'REPEATS', 'START', 'STOP'].includes(w)) return `qualifier ${w} is not supported`;
    return undefined;
  }

  private expect(value: string): void {
    const t = this.tokens[this.pos];
    if (!t || t.value !== value || t.kind === 'string') throw new StixPatternError(`expected '${value}'`);
    this.pos++;
  }

  private observations(): StixComparison[] {
    const out = this.observation();
    while (this.isWord(this.peek(), 'OR')) {
      this.pos++;
      out.push(...this.observation());
    }
    return out;
  }

  private observation(): StixComparison[] {
    const t = this.peek();
    if (t?.kind === 'punct' && t.value === '(') {
      this.pos++;
      const inner = this.observations();
      this.expect(')');
      return inner;
    }
    this.expect('[');
    const inner = this.comparisons();
    this.expect(']');
    return inner;
  }

  private comparisons(): StixComparison[] {
    const out = this.comparison();
    while (this.isWord(this.peek(), 'OR')) {
      this.pos++;
      out.push(...this.comparison());
    }
    const next = this.peek();
    const why = this.unsupportedWord(next);
    if (why) throw new StixPatternError(why);
    return out;
  }

  private comparison(): StixComparison[] {
    const t = this.peek();
    if (t?.kind === 'punct' && t.value === '(') {
      this.pos++;
      const inner = this.comparisons();
      this.expect(')');
      return inner;
    }
    if (t?.kind !== 'path') throw new StixPatternError('expected an object path such as ipv4-addr:value');
    this.pos++;
    let op = this.peek();
    if (this.isWord(op, 'NOT')) throw new StixPatternError('NOT comparisons are not supported');
    if (op?.kind === 'op' && op.value === '=') {
      this.pos++;
      return [{ path: t.value, value: this.literal() }];
    }
    if (this.isWord(op, 'IN')) {
      this.pos++;
      this.expect('(');
      const values = [this.literal()];
      for (op = this.peek(); op?.kind === 'punct' && op.value === ','; op = this.peek()) {
        this.pos++;
        values.push(this.literal());
      }
      this.expect(')');
      return values.map((value) => ({ path: t.value, value }));
    }
    throw new StixPatternError(`operator ${op?.value ?? '(none)'} is not supported (only = and IN)`);
  }

  private literal(): string {
    const t = this.peek();
    if (t?.kind === 'string') {
      this.pos++;
      return t.value;
    }
    if (t?.kind === 'word' && /^-?\d+$/.test(t.value)) {
      this.pos++;
      return t.value;
    }
    throw new StixPatternError('expected a string literal');
  }
}

/** Parses a supported STIX pattern into its OR'ed equality comparisons; throws StixPatternError otherwise. */
export function parseStixPattern(pattern: string): StixComparison[] {
  return new PatternParser(tokenize(pattern)).parse();
}

const HASH_TYPES: Record<string, IocTypeValue> = { md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha512: 'sha512', ssdeep: 'ssdeep' };

/** The indicator type an object path denotes (the value decides ipv4 vs cidr), or undefined. */
export function iocTypeForPath(path: string, value: string): IocTypeValue | undefined {
  const [objectType, ...rest] = path.split(':');
  const prop = rest.join(':').replace(/'/g, '');
  switch (`${objectType.toLowerCase()}:${prop.toLowerCase()}`) {
    case 'ipv4-addr:value':
    case 'ipv6-addr:value':
      return ipType(value) ?? (objectType.toLowerCase() === 'ipv4-addr' ? 'ipv4' : 'ipv6');
    case 'domain-name:value':
      return 'domain';
    case 'url:value':
      return 'url';
    case 'email-addr:value':
    case 'email-message:from_ref.value':
    case 'email-message:sender_ref.value':
      return 'email';
    case 'file:name':
      return 'file_name';
    case 'autonomous-system:number':
      return 'asn';
    case 'x509-certificate:serial_number':
      return 'certificate_serial';
    case 'mutex:name':
      return 'mutex';
    case 'process:name':
      return 'process_name';
    case 'windows-registry-key:key':
      return 'registry_key';
    case 'user-account:account_login':
    case 'user-account:user_id':
      return 'account';
  }
  const hash = /^file:hashes\.(.+)$/i.exec(`${objectType}:${prop}`);
  if (hash) return HASH_TYPES[hash[1].toLowerCase().replace(/[^a-z0-9]/g, '')];
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Bundle walking

const MITRE_SOURCES = new Set(['mitre-attack', 'mitre-mobile-attack', 'mitre-ics-attack', 'mitre-atlas']);
const TECHNIQUE_ID = /^(?:T\d{4}(?:\.\d{3})?|AML\.T\d{4}(?:\.\d{3})?)$/i;

function mitreId(o: Obj): string | undefined {
  for (const ref of Array.isArray(o.external_references) ? o.external_references : []) {
    if (!isObj(ref)) continue;
    const id = str(ref.external_id);
    if (id && TECHNIQUE_ID.test(id) && (MITRE_SOURCES.has(String(ref.source_name)) || !ref.source_name)) return id.toUpperCase();
  }
  return undefined;
}

function date(v: unknown): Date | null {
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

interface Links {
  techniques: string[];
  groups: string[];
  campaigns: string[];
}

function relationsOf(indicatorId: string, byId: Map<string, Obj>, indicates: Map<string, string[]>): Links {
  const links: Links = { techniques: [], groups: [], campaigns: [] };
  for (const target of indicates.get(indicatorId) ?? []) {
    const o = byId.get(target);
    if (!o) continue;
    const name = str(o.name);
    switch (o.type) {
      case 'attack-pattern': {
        const id = mitreId(o);
        if (id) links.techniques.push(id);
        break;
      }
      case 'intrusion-set':
      case 'threat-actor':
        if (name) links.groups.push(name);
        break;
      case 'campaign':
      case 'malware':
      case 'tool':
        if (name) links.campaigns.push(name);
        break;
    }
  }
  return links;
}

/**
 * Extracts IOC candidates from a STIX bundle or array of STIX objects. Throws StixPatternError only when
 * the document itself is not STIX (not an object/array, no `objects`); bad indicators are skipped.
 */
export function parseStixIndicators(doc: unknown): ParsedFeed {
  let objects: unknown[];
  let bundleId: string | undefined;
  if (Array.isArray(doc)) {
    objects = doc;
  } else if (isObj(doc) && Array.isArray(doc.objects)) {
    objects = doc.objects;
    bundleId = str(doc.id);
  } else if (isObj(doc) && doc.type === 'indicator') {
    objects = [doc];
  } else {
    throw new StixPatternError('expected a STIX bundle ({"type":"bundle","objects":[...]}) or an array of STIX objects');
  }
  const byId = new Map<string, Obj>();
  const indicates = new Map<string, string[]>();
  for (const o of objects) {
    if (!isObj(o)) continue;
    const id = str(o.id);
    if (id) byId.set(id, o);
    if (o.type === 'relationship' && o.relationship_type === 'indicates') {
      const src = str(o.source_ref);
      const dst = str(o.target_ref);
      if (src && dst) indicates.set(src, [...(indicates.get(src) ?? []), dst]);
    }
  }

  const candidates: IocCandidate[] = [];
  const skipped: SkippedItem[] = [];
  let examined = 0;
  objects.forEach((o, index) => {
    if (!isObj(o) || o.type !== 'indicator') return;
    examined++;
    const ref = str(o.id) ?? `objects[${index}]`;
    const skip = (reason: string) => skipped.push({ ref, reason });
    if (o.revoked === true) return skip('revoked by its producer');
    const patternType = str(o.pattern_type)?.toLowerCase() ?? 'stix';
    if (patternType !== 'stix') return skip(`pattern_type ${patternType} is not supported`);
    const pattern = str(o.pattern);
    if (!pattern) return skip('no pattern');
    let comparisons: StixComparison[];
    try {
      comparisons = parseStixPattern(pattern);
    } catch (err) {
      if (err instanceof StixPatternError) return skip(`unsupported pattern: ${err.message}`);
      throw err;
    }
    const firstSeen = date(o.valid_from);
    const expiry = date(o.valid_until);
    if (firstSeen && expiry && expiry.getTime() <= firstSeen.getTime()) return skip('valid_until is not after valid_from');
    const conf = typeof o.confidence === 'number' && Number.isInteger(o.confidence) && o.confidence >= 0 && o.confidence <= 100
      ? o.confidence
      : DEFAULT_STIX_CONFIDENCE;
    const links = relationsOf(ref, byId, indicates);
    const phases = (Array.isArray(o.kill_chain_phases) ? o.kill_chain_phases : [])
      .filter(isObj)
      .map((p) => str(p.phase_name))
      .filter((p): p is string => !!p);
    const phaseTechniques = phases.filter((p) => TECHNIQUE_ID.test(p)).map((p) => p.toUpperCase());
    const source = `stix:${str(o.created_by_ref) ?? bundleId ?? 'unknown'}`;
    const context = clipContext([str(o.name), str(o.description)].filter(Boolean).join(': '));
    for (const c of comparisons) {
      const type = iocTypeForPath(c.path, c.value);
      if (!type) {
        skip(`object path ${c.path} is not supported`);
        continue;
      }
      const checked = normaliseIocValue(type, c.value);
      if (!checked.ok) {
        skip(`${type} value '${c.value.slice(0, 200)}' ${checked.message}`);
        continue;
      }
      candidates.push({
        type,
        value: checked.value,
        confidence: conf,
        severity: null,
        campaigns: union(links.campaigns, []),
        groups: union(links.groups, []),
        techniques: union(links.techniques, phaseTechniques),
        tags: union(union(strings(o.labels), strings(o.indicator_types)), phases.filter((p) => !TECHNIQUE_ID.test(p)).map((p) => `phase:${p}`)),
        sources: [source],
        context,
        firstSeen,
        lastSeen: null,
        expiry,
      });
    }
  });
  return { examined, candidates, skipped };
}
