import type { IocTypeValue } from './ioc-values';

/**
 * One indicator ready to be upserted (value already normalised). Parsers (STIX, MISP) and the
 * upsert mutation all produce this shape. Pure types and merge rules; no I/O.
 */
export interface IocCandidate {
  type: IocTypeValue;
  value: string;
  confidence: number;
  severity: string | null;
  campaigns: string[];
  groups: string[];
  techniques: string[];
  tags: string[];
  sources: string[];
  context: string | null;
  firstSeen: Date | null;
  lastSeen: Date | null;
  expiry: Date | null;
}

/**
 * How scalar fields of an existing row combine with an incoming assertion:
 * - `replace` (upsertThreatIntelIocs, an analyst speaking): confidence and expiry are the incoming
 *   values (so an analyst can lower confidence or shorten an expiry); severity/context when given.
 * - `max` (STIX/MISP feed imports): confidence is the higher of the two and expiry the later one, so a
 *   weaker or older feed never downgrades what a stronger one asserted.
 * In both modes arrays are unioned (existing order first), first_seen is the earliest and last_seen the
 * latest known value.
 */
export type ConfidenceMerge = 'replace' | 'max';

/** Order-preserving union without empty strings. */
export function union(a: readonly string[], b: readonly string[]): string[] {
  const out = new Set<string>();
  for (const x of [...a, ...b]) {
    const t = x.trim();
    if (t) out.add(t);
  }
  return [...out];
}

function minDate(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

function maxDate(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/** Combines an incoming candidate into an earlier one with the same (type, value) (same rules as the SQL). */
export function mergeCandidate(prev: IocCandidate, next: IocCandidate, mode: ConfidenceMerge): IocCandidate {
  return {
    type: prev.type,
    value: prev.value,
    confidence: mode === 'max' ? Math.max(prev.confidence, next.confidence) : next.confidence,
    severity: next.severity ?? prev.severity,
    campaigns: union(prev.campaigns, next.campaigns),
    groups: union(prev.groups, next.groups),
    techniques: union(prev.techniques, next.techniques),
    tags: union(prev.tags, next.tags),
    sources: union(prev.sources, next.sources),
    context: next.context ?? prev.context,
    firstSeen: minDate(prev.firstSeen, next.firstSeen),
    lastSeen: maxDate(prev.lastSeen, next.lastSeen),
    expiry: mode === 'max' ? maxDate(prev.expiry, next.expiry) : (next.expiry ?? prev.expiry),
  };
}

/** Deduplicates candidates on (type, value), keeping first-seen order. */
export function dedupeCandidates(list: readonly IocCandidate[], mode: ConfidenceMerge): IocCandidate[] {
  const by = new Map<string, IocCandidate>();
  for (const c of list) {
    const key = `${c.type}\u0000${c.value}`;
    const prev = by.get(key);
    by.set(key, prev ? mergeCandidate(prev, c, mode) : c);
  }
  return [...by.values()];
}

/** Why an input item did not become an indicator (imports report these instead of failing). */
export interface SkippedItem {
  /** STIX object id or MISP attribute uuid (or a JSON path when there is no id). */
  ref: string;
  reason: string;
}

/** What a feed parser extracted. */
export interface ParsedFeed {
  /** Indicator objects (STIX) or attributes (MISP) examined. */
  examined: number;
  candidates: IocCandidate[];
  skipped: SkippedItem[];
}

export const MAX_CONTEXT_LENGTH = 4000;

export function clipContext(s: string | null | undefined): string | null {
  const t = s?.trim();
  if (!t) return null;
  return t.length > MAX_CONTEXT_LENGTH ? t.slice(0, MAX_CONTEXT_LENGTH) : t;
}
