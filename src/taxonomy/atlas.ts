/**
 * Pure parser for MITRE ATLAS's distributed ATLAS.yaml (dist/ATLAS.yaml of mitre-atlas/atlas-data).
 *
 * Layout (since ATLAS data 4.0): top-level `id`, `name`, `version`, `matrices: [{ id, name, tactics,
 * techniques, mitigations }]`, `case-studies`. A technique has `id` (AML.T####[.###]), `name`,
 * `description`, `tactics` (tactic ids; absent on sub-techniques, which inherit their parent's),
 * `subtechnique-of`, an optional `ATT&CK-reference: { id, url }` cross-walk, `created_date`,
 * `modified_date` and `maturity`.
 *
 * Tactic vocabulary: techniques carry tactic *shortnames* derived from the ATLAS tactic name in the
 * ATT&CK style ('reconnaissance', 'ai-model-access', 'command-and-control'), so that the 14 tactics
 * ATLAS shares with ATT&CK use exactly ATT&CK's shortnames and one `tactic` column can be queried
 * across both frameworks. The stable ATLAS tactic ids (AML.TA####) are kept in `tacticIds`.
 */
import { parse as parseYaml } from 'yaml';
import { TaxonomyParseError, compareIds } from './stix';

export interface AtlasTactic {
  tacticId: string;
  name: string;
  shortname: string;
  description: string;
  /** ATT&CK tactic id this ATLAS tactic adapts (e.g. TA0043), if any. */
  attackReference: string | null;
}

export interface AtlasTechnique {
  techniqueId: string;
  name: string;
  description: string;
  /** Tactic shortnames (see the module comment); inherited from the parent for sub-techniques. */
  tactics: string[];
  tacticIds: string[];
  isSubtechnique: boolean;
  parentId: string | null;
  /** ATT&CK technique ids from `ATT&CK-reference` (the ATLAS → ATT&CK cross-walk). */
  relatedAttackIds: string[];
  /** Sub-technique ids for a parent; the parent id for a sub-technique. */
  relatedTechniques: string[];
  maturity: string | null;
  deprecated: boolean;
  created: string | null;
  modified: string | null;
}

export interface AtlasStats {
  matrices: number;
  tactics: number;
  techniques: number;
  subtechniques: number;
  withAttackReference: number;
  duplicateIdsDropped: number;
  /** Sub-techniques whose `subtechnique-of` disagrees with the parent implied by the id. */
  parentMismatches: Array<{ techniqueId: string; idParent: string; declaredParent: string }>;
}

export interface AtlasParseResult {
  framework: 'atlas';
  version: string | null;
  tactics: AtlasTactic[];
  techniques: AtlasTechnique[];
  stats: AtlasStats;
}

const ATLAS_TECHNIQUE_ID = /^AML\.T\d{4}(?:\.\d{3})?$/;
const ATLAS_TACTIC_ID = /^AML\.TA\d{4}$/;
const ATTACK_TECHNIQUE_ID = /^T\d{4}(?:\.\d{3})?$/;

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return null;
}

/** 'Command and Control' → 'command-and-control', 'AI Model Access' → 'ai-model-access'. */
export function tacticShortname(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function attackRefIds(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v ? [v] : [];
  const ids: string[] = [];
  for (const r of list) {
    const id = r && typeof r === 'object' ? str((r as Record<string, unknown>).id) : str(r);
    if (id && !ids.includes(id.trim())) ids.push(id.trim());
  }
  return ids;
}

export function parseAtlasYaml(text: string, options: { fallbackVersion?: string | null } = {}): AtlasParseResult {
  let doc: unknown;
  try {
    // ATLAS.yaml is ~450 KB with no anchors worth protecting against; the default limits are fine.
    doc = parseYaml(text);
  } catch (e) {
    throw new TaxonomyParseError(`invalid YAML: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as Record<string, unknown>).matrices)) {
    throw new TaxonomyParseError('not an ATLAS.yaml document: expected a top-level "matrices" list');
  }
  const root = doc as Record<string, unknown>;
  const matrices = (root.matrices as unknown[]).filter((m): m is Record<string, unknown> => !!m && typeof m === 'object');

  const tactics = new Map<string, AtlasTactic>();
  const raw = new Map<string, Record<string, unknown>>();
  let duplicateIdsDropped = 0;
  for (const m of matrices) {
    for (const t of Array.isArray(m.tactics) ? m.tactics : []) {
      if (!t || typeof t !== 'object') continue;
      const o = t as Record<string, unknown>;
      const id = str(o.id)?.trim();
      if (!id || !ATLAS_TACTIC_ID.test(id) || tactics.has(id)) continue;
      const name = str(o.name) ?? id;
      tactics.set(id, {
        tacticId: id,
        name,
        shortname: tacticShortname(name),
        description: str(o.description) ?? '',
        attackReference: attackRefIds(o['ATT&CK-reference'])[0] ?? null,
      });
    }
    for (const t of Array.isArray(m.techniques) ? m.techniques : []) {
      if (!t || typeof t !== 'object') continue;
      const o = t as Record<string, unknown>;
      const id = str(o.id)?.trim();
      if (!id || !ATLAS_TECHNIQUE_ID.test(id)) continue;
      if (raw.has(id)) {
        duplicateIdsDropped++;
        continue;
      }
      raw.set(id, o);
    }
  }

  const parentMismatches: AtlasStats['parentMismatches'] = [];
  const techniques: AtlasTechnique[] = [];
  for (const [id, o] of raw) {
    const declared = str(o['subtechnique-of'])?.trim() ?? null;
    const idParent = /\.\d{3}$/.test(id) ? id.slice(0, -4) : null;
    if (declared && idParent && declared !== idParent) parentMismatches.push({ techniqueId: id, idParent, declaredParent: declared });
    const parentId = declared ?? idParent;
    const tacticIds = (Array.isArray(o.tactics) ? o.tactics : [])
      .map((x) => str(x)?.trim())
      .filter((x): x is string => !!x);
    techniques.push({
      techniqueId: id,
      name: str(o.name) ?? id,
      description: str(o.description) ?? '',
      tactics: [],
      tacticIds,
      isSubtechnique: parentId !== null,
      parentId,
      relatedAttackIds: attackRefIds(o['ATT&CK-reference']).filter((x) => ATTACK_TECHNIQUE_ID.test(x)),
      relatedTechniques: [],
      maturity: str(o.maturity),
      deprecated: o.deprecated === true || str(o['object-type']) === 'deprecated',
      created: str(o.created_date),
      modified: str(o.modified_date),
    });
  }
  techniques.sort((a, b) => compareIds(a.techniqueId, b.techniqueId));

  const byId = new Map(techniques.map((t) => [t.techniqueId, t]));
  for (const t of techniques) {
    // Sub-techniques carry no tactics of their own in ATLAS.yaml: they inherit the parent's.
    if (t.tacticIds.length === 0 && t.parentId) t.tacticIds = [...(byId.get(t.parentId)?.tacticIds ?? [])];
    t.tactics = t.tacticIds.map((x) => tactics.get(x)?.shortname ?? x);
    t.relatedTechniques = t.parentId
      ? [t.parentId]
      : techniques.filter((s) => s.parentId === t.techniqueId).map((s) => s.techniqueId);
  }

  const version = str(root.version)?.trim() || null;
  return {
    framework: 'atlas',
    version: version ?? options.fallbackVersion ?? null,
    tactics: [...tactics.values()],
    techniques,
    stats: {
      matrices: matrices.length,
      tactics: tactics.size,
      techniques: techniques.length,
      subtechniques: techniques.filter((t) => t.isSubtechnique).length,
      withAttackReference: techniques.filter((t) => t.relatedAttackIds.length > 0).length,
      duplicateIdsDropped,
      parentMismatches,
    },
  };
}
