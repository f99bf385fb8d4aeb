import { isIP } from 'node:net';
import type { FieldError } from '../../errors/domain-error';

/** Longest regex accepted in a pattern condition (the matcher runs on every alert). */
export const MAX_REGEX_LENGTH = 500;
export const MAX_ENTITY_PATTERNS = 20;
export const FP_ENTITY_TYPES: readonly string[] = [
  'account', 'host', 'ip', 'file', 'process', 'url', 'dns', 'filehash', 'mailbox', 'mailmessage',
  'registry-key', 'registry-value', 'security-group', 'cloud-application', 'malware',
];

/** Whether `v` is an IPv4/IPv6 CIDR (address/prefix with a prefix in range). */
export function isCidr(v: string): boolean {
  const parts = v.split('/');
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1])) return false;
  const kind = isIP(parts[0]);
  const bits = Number(parts[1]);
  return (kind === 4 && bits <= 32) || (kind === 6 && bits <= 128);
}

/**
 * Heuristic ReDoS check: rejects a quantified group that itself contains a quantifier that can repeat
 * (`(a+)+`, `(\w*)*`, `(x{2,})+`, `((ab)*c)+`) and backreferences. These are the shapes behind catastrophic
 * backtracking in JavaScript's engine. Bounded outer quantifiers `?` and `{0,1}` are harmless.
 */
export function isCatastrophicRegex(src: string): boolean {
  const stack: { repeats: boolean }[] = [{ repeats: false }];
  const quantifierAt = (i: number): { len: number; repeats: boolean } | null => {
    const c = src[i];
    if (c === '*' || c === '+') return { len: 1, repeats: true };
    if (c === '?') return { len: 1, repeats: false };
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (!m) return null;
      const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
      return { len: m[0].length, repeats: max > 1 };
    }
    return null;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      if (/[1-9k]/.test(src[i + 1] ?? '')) return true;
      i++;
      continue;
    }
    if (c === '[') {
      for (i++; i < src.length && src[i] !== ']'; i++) if (src[i] === '\\') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ repeats: false });
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === ')') {
      const inner = stack.length > 1 ? stack.pop()! : top;
      const q = quantifierAt(i + 1);
      if (q?.repeats && inner.repeats) return true;
      if (inner.repeats || q?.repeats) stack[stack.length - 1].repeats = true;
      continue;
    }
    const q = quantifierAt(i);
    if (q) {
      if (q.repeats) top.repeats = true;
      i += q.len - 1;
      if (src[i + 1] === '?') i++;
    }
  }
  return false;
}

/** Validates a regex for a pattern condition: compiles (case-insensitive), short, no catastrophic shape. */
export function validateRegex(errors: FieldError[], path: string, re: string): void {
  if (re.trim() === '') {
    errors.push({ path, message: 'must not be empty' });
    return;
  }
  if (re.length > MAX_REGEX_LENGTH) {
    errors.push({ path, message: `at most ${MAX_REGEX_LENGTH} characters` });
    return;
  }
  try {
    new RegExp(re, 'i');
  } catch {
    errors.push({ path, message: 'does not compile' });
    return;
  }
  if (isCatastrophicRegex(re)) errors.push({ path, message: 'nested quantifiers or backreferences risk catastrophic backtracking' });
}

export interface EntityPatternFields {
  entityType: string;
  valueRegex?: string | null;
  valueCidr?: string | null;
}

/** Validates entity patterns: a known entity type and exactly one of valueRegex / valueCidr. */
export function validateEntityPatterns(errors: FieldError[], path: string, list: EntityPatternFields[]): void {
  if (list.length > MAX_ENTITY_PATTERNS) errors.push({ path, message: `at most ${MAX_ENTITY_PATTERNS} entity patterns` });
  list.forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (!FP_ENTITY_TYPES.includes(p.entityType)) errors.push({ path: `${at}.entityType`, message: 'unknown entity type' });
    const hasRe = p.valueRegex != null;
    const hasCidr = p.valueCidr != null;
    if (hasRe === hasCidr) {
      errors.push({ path: at, message: 'exactly one of valueRegex and valueCidr' });
      return;
    }
    if (hasRe) validateRegex(errors, `${at}.valueRegex`, p.valueRegex as string);
    if (hasCidr && !isCidr(p.valueCidr as string)) errors.push({ path: `${at}.valueCidr`, message: 'is not a valid CIDR' });
  });
}
