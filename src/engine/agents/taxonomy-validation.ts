/**
 * Taxonomy deny-by-default (spec §4.6): technique ids in reasoning output are validated against the
 * known-id map (taxonomy_ids); unknown and deprecated ids are quarantined and stripped from the text,
 * revoked ids are remapped to their replacement. Pure: no I/O.
 *
 * Fixes against the spec's code:
 * - the extraction regex accepts ATLAS sub-techniques: `AML.T0044.001` is extracted whole (the
 *   original `AML\.T\d{4}` truncated it to `AML.T0044`);
 * - stripping uses boundaries that treat `.` as part of an id, so removing `T1059` never mutilates
 *   `T1059.001` (a plain `\b` would cut it to `.001`);
 * - a missing or empty known-id map FAILS CLOSED: every id is quarantined (the original skipped
 *   validation when the set was None).
 */

/** Spec §4.6 extraction regex with the AML sub-technique group fixed. */
export const TECHNIQUE_ID_PATTERN = String.raw`\b(T\d{4}(?:\.\d{3})?|AML\.T\d{4}(?:\.\d{3})?)\b`;

/** One taxonomy_ids row as the validator needs it. */
export interface TaxonomyIdInfo {
  deprecated: boolean;
  revoked?: boolean;
  /** Replacement id of a revoked technique. */
  revokedBy?: string | null;
}

export type KnownTechniqueIds = ReadonlyMap<string, TaxonomyIdInfo> | Readonly<Record<string, TaxonomyIdInfo>>;

export type QuarantineReason = 'unknown' | 'deprecated' | 'revoked_without_valid_replacement' | 'no_taxonomy';

export interface TechniqueValidation {
  /** Known, current ids (including remap targets), first-seen order, deduplicated. */
  valid: string[];
  remapped: { from: string; to: string }[];
  quarantined: { id: string; reason: QuarantineReason }[];
  /** The text with quarantined ids removed and revoked ids replaced. */
  cleanedText: string;
}

/** Every technique id in `text`, first-seen order, deduplicated. */
export function extractTechniqueIds(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(new RegExp(TECHNIQUE_ID_PATTERN, 'g'))) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}

function lookup(known: KnownTechniqueIds | null | undefined): ((id: string) => TaxonomyIdInfo | undefined) | undefined {
  if (!known) return undefined;
  if (known instanceof Map) return known.size ? (id) => known.get(id) : undefined;
  const rec = known as Readonly<Record<string, TaxonomyIdInfo>>;
  if (Object.keys(rec).length === 0) return undefined;
  return (id) => (Object.prototype.hasOwnProperty.call(rec, id) ? rec[id] : undefined);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex matching `id` as a whole id: not inside a word, not followed by a sub-technique suffix. */
function wholeIdRe(id: string): RegExp {
  return new RegExp(`(?<![\\w.])${escapeRe(id)}(?![\\w]|\\.\\d)`, 'g');
}

const MAX_REMAP_HOPS = 5;

/**
 * Validates the ids in `input.text` plus `input.ids` (structured ids, e.g. the alert's techniques or
 * the provider's `attack_techniques`) against `known`, deny-by-default.
 */
export function validateTechniques(
  input: { text?: string | null; ids?: readonly string[] | null },
  known: KnownTechniqueIds | null | undefined,
): TechniqueValidation {
  const text = input.text ?? '';
  const ids: string[] = [];
  for (const id of [...extractTechniqueIds(text), ...(input.ids ?? [])]) {
    const t = id.trim();
    if (t && !ids.includes(t)) ids.push(t);
  }
  const get = lookup(known);
  const valid: string[] = [];
  const remapped: { from: string; to: string }[] = [];
  const quarantined: { id: string; reason: QuarantineReason }[] = [];
  const fullId = new RegExp(`^(?:${TECHNIQUE_ID_PATTERN.slice(2, -2)})$`);

  for (const id of ids) {
    if (!get) {
      quarantined.push({ id, reason: 'no_taxonomy' });
      continue;
    }
    if (!fullId.test(id)) {
      quarantined.push({ id, reason: 'unknown' });
      continue;
    }
    let current = id;
    let info = get(current);
    let hops = 0;
    while (info?.revoked && info.revokedBy && hops < MAX_REMAP_HOPS) {
      current = info.revokedBy;
      info = get(current);
      hops++;
    }
    if (!info) {
      quarantined.push({ id, reason: current === id ? 'unknown' : 'revoked_without_valid_replacement' });
    } else if (info.revoked) {
      quarantined.push({ id, reason: 'revoked_without_valid_replacement' });
    } else if (info.deprecated) {
      quarantined.push({ id, reason: current === id ? 'deprecated' : 'revoked_without_valid_replacement' });
    } else {
      if (current !== id) remapped.push({ from: id, to: current });
      if (!valid.includes(current)) valid.push(current);
    }
  }

  let cleanedText = text;
  for (const { id } of quarantined) cleanedText = cleanedText.replace(wholeIdRe(id), '');
  for (const { from, to } of remapped) cleanedText = cleanedText.replace(wholeIdRe(from), to);
  return { valid, remapped, quarantined, cleanedText };
}
