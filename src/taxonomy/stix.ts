/**
 * Pure parser for MITRE ATT&CK STIX 2.1 bundles (the enterprise-attack.json format).
 *
 * No I/O: the caller hands over the already-decoded JSON. The result is plain data that the
 * importer (./import.ts) maps onto mitre_techniques, mitre_groups and taxonomy_ids.
 */

export class TaxonomyParseError extends Error {
  readonly code = 'TAXONOMY_PARSE_ERROR';
  constructor(message: string) {
    super(message);
    this.name = 'TaxonomyParseError';
  }
}

/** How a revoked technique's replacement was found. */
export type RevokedByMethod = 'relationship' | 'name-match';

export interface AttackTechnique {
  techniqueId: string;
  stixId: string;
  name: string;
  description: string;
  /** x_mitre_detection; null when absent or empty (ATT&CK v18 moved detection to detection strategies). */
  detection: string | null;
  /** Tactic shortnames ('execution', 'initial-access', ...) from kill_chain_phases, source order. */
  tactics: string[];
  platforms: string[];
  dataSources: string[];
  isSubtechnique: boolean;
  parentId: string | null;
  deprecated: boolean;
  revoked: boolean;
  /** Replacement technique id for revoked techniques (chains followed to the end), else null. */
  revokedBy: string | null;
  revokedByMethod: RevokedByMethod | null;
  /** ATT&CK ids of the non-revoked, non-deprecated groups that `use` this technique, sorted. */
  groupsUsing: string[];
  /** ATT&CK ids (S####) of malware/tools that `use` this technique, sorted. */
  softwareUsing: string[];
  /** Sub-technique ids for a parent; the parent id for a sub-technique. */
  relatedTechniques: string[];
  url: string | null;
  created: string | null;
  modified: string | null;
}

export interface AttackGroup {
  groupId: string;
  stixId: string;
  name: string;
  aliases: string[];
  description: string;
  references: string[];
  techniquesUsed: string[];
  softwareUsed: string[];
  deprecated: boolean;
  revoked: boolean;
  modified: string | null;
}

export interface AttackTactic {
  tacticId: string;
  stixId: string;
  shortname: string;
  name: string;
  description: string;
}

export interface AttackStats {
  attackPatterns: number;
  revoked: number;
  deprecated: number;
  active: number;
  activeSubtechniques: number;
  /** Distinct technique ids after de-duplication (what taxonomy_ids holds for ATT&CK). */
  distinctTechniqueIds: number;
  tactics: number;
  intrusionSets: number;
  /** Groups that are neither revoked nor deprecated (what mitre_groups receives). */
  activeGroups: number;
  software: number;
  relationships: { uses: number; subtechniqueOf: number; revokedBy: number; skipped: number };
  revokedResolution: { relationship: number; nameMatch: number; unresolved: number };
  /** Sub-techniques whose `subtechnique-of` relationship disagrees with the parent implied by the id. */
  parentMismatches: Array<{ techniqueId: string; idParent: string; relationshipParent: string }>;
  /** Objects dropped because another object carried the same ATT&CK id. */
  duplicateIdsDropped: number;
  /** attack-pattern objects without a usable mitre-attack external id. */
  withoutAttackId: number;
}

export interface AttackParseResult {
  framework: 'attack';
  version: string | null;
  techniques: AttackTechnique[];
  groups: AttackGroup[];
  tactics: AttackTactic[];
  stats: AttackStats;
}

export interface ParseAttackOptions {
  /** Used when the bundle carries no x-mitre-collection version (e.g. taken from the file name). */
  fallbackVersion?: string | null;
  /**
   * When the bundle has no `revoked-by` relationship for a revoked technique, map it to the one
   * active technique with the same name (tactics break ties). Default true.
   */
  inferRevokedByName?: boolean;
}

type StixObject = Record<string, unknown> & { type: string; id: string };

const TECHNIQUE_ID = /^T\d{4}(?:\.\d{3})?$/;
const GROUP_ID = /^G\d{4}$/;
const SOFTWARE_ID = /^S\d{4}$/;
const TACTIC_ID = /^TA\d{4}$/;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function strArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function attackRef(o: StixObject): { id: string; url: string | null } | null {
  const refs = o.external_references;
  if (!Array.isArray(refs)) return null;
  for (const r of refs) {
    if (r && typeof r === 'object' && (r as Record<string, unknown>).source_name === 'mitre-attack') {
      const id = str((r as Record<string, unknown>).external_id);
      if (id) return { id: id.trim(), url: str((r as Record<string, unknown>).url) };
    }
  }
  return null;
}

function isRevoked(o: StixObject): boolean {
  return o.revoked === true;
}

function isDeprecated(o: StixObject): boolean {
  return o.x_mitre_deprecated === true;
}

/** Prefer non-revoked, then non-deprecated, then the most recently modified object. */
function better(a: StixObject, b: StixObject): boolean {
  if (isRevoked(a) !== isRevoked(b)) return !isRevoked(a);
  if (isDeprecated(a) !== isDeprecated(b)) return !isDeprecated(a);
  return (str(a.modified) ?? '') > (str(b.modified) ?? '');
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareIds);
}

/** ATT&CK/ATLAS ids are fixed-width, so plain string order gives T1059 < T1059.001 < T1060. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function findVersion(objects: StixObject[], bundle: Record<string, unknown>): string | null {
  for (const o of objects) {
    if (o.type === 'x-mitre-collection') {
      const v = str(o.x_mitre_version);
      if (v) return v;
    }
  }
  return str(bundle.x_mitre_version) ?? str(bundle.version);
}

export function parseAttackBundle(bundle: unknown, options: ParseAttackOptions = {}): AttackParseResult {
  if (!bundle || typeof bundle !== 'object' || Array.isArray(bundle)) {
    throw new TaxonomyParseError('STIX bundle must be a JSON object');
  }
  const b = bundle as Record<string, unknown>;
  if (b.type !== 'bundle' || !Array.isArray(b.objects)) {
    throw new TaxonomyParseError('not a STIX bundle: expected {"type":"bundle","objects":[...]}');
  }
  const objects = (b.objects as unknown[]).filter(
    (o): o is StixObject =>
      !!o && typeof o === 'object' && typeof (o as StixObject).type === 'string' && typeof (o as StixObject).id === 'string',
  );
  const inferByName = options.inferRevokedByName ?? true;

  const byStix = new Map<string, StixObject>();
  for (const o of objects) byStix.set(o.id, o);

  // --- attack-patterns, de-duplicated by ATT&CK id --------------------------------------------
  const attackPatterns = objects.filter((o) => o.type === 'attack-pattern');
  const chosen = new Map<string, StixObject>(); // technique id → object
  const stixToTechniqueId = new Map<string, string>(); // every attack-pattern stix id → its ATT&CK id
  let withoutAttackId = 0;
  let duplicateIdsDropped = 0;
  for (const o of attackPatterns) {
    const ref = attackRef(o);
    if (!ref || !TECHNIQUE_ID.test(ref.id)) {
      withoutAttackId++;
      continue;
    }
    stixToTechniqueId.set(o.id, ref.id);
    const prev = chosen.get(ref.id);
    if (!prev) chosen.set(ref.id, o);
    else {
      duplicateIdsDropped++;
      if (better(o, prev)) chosen.set(ref.id, o);
    }
  }

  // --- tactics ---------------------------------------------------------------------------------
  const tactics: AttackTactic[] = [];
  for (const o of objects) {
    if (o.type !== 'x-mitre-tactic' || isRevoked(o) || isDeprecated(o)) continue;
    const ref = attackRef(o);
    const shortname = str(o.x_mitre_shortname);
    if (!ref || !TACTIC_ID.test(ref.id) || !shortname) continue;
    tactics.push({
      tacticId: ref.id,
      stixId: o.id,
      shortname,
      name: str(o.name) ?? shortname,
      description: str(o.description) ?? '',
    });
  }
  tactics.sort((x, y) => compareIds(x.tacticId, y.tacticId));

  // --- groups and software ---------------------------------------------------------------------
  const intrusionSets = objects.filter((o) => o.type === 'intrusion-set');
  const groupIdOf = new Map<string, string>(); // stix id → G####, usable groups only
  const groupObjects = new Map<string, StixObject>();
  for (const o of intrusionSets) {
    const ref = attackRef(o);
    if (!ref || !GROUP_ID.test(ref.id)) continue;
    const prev = groupObjects.get(ref.id);
    if (!prev || better(o, prev)) groupObjects.set(ref.id, o);
  }
  for (const [gid, o] of groupObjects) groupIdOf.set(o.id, gid);

  const softwareIdOf = new Map<string, string>();
  for (const o of objects) {
    if ((o.type === 'malware' || o.type === 'tool') && !isRevoked(o) && !isDeprecated(o)) {
      const ref = attackRef(o);
      if (ref && SOFTWARE_ID.test(ref.id)) softwareIdOf.set(o.id, ref.id);
    }
  }

  // --- relationships ---------------------------------------------------------------------------
  const groupsUsing = new Map<string, Set<string>>(); // technique id → group ids
  const softwareUsing = new Map<string, Set<string>>(); // technique id → software ids
  const techniquesUsed = new Map<string, Set<string>>(); // group id → technique ids
  const softwareUsed = new Map<string, Set<string>>(); // group id → software ids
  const relParent = new Map<string, string>(); // sub-technique id → parent id (relationship)
  const revokedByStix = new Map<string, string>(); // revoked stix id → replacement stix id
  const rel = { uses: 0, subtechniqueOf: 0, revokedBy: 0, skipped: 0 };
  const add = (m: Map<string, Set<string>>, k: string, v: string) => {
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(v);
  };

  for (const o of objects) {
    if (o.type !== 'relationship') continue;
    const kind = str(o.relationship_type);
    const src = str(o.source_ref);
    const tgt = str(o.target_ref);
    if (!kind || !src || !tgt) {
      rel.skipped++;
      continue;
    }
    if (kind === 'revoked-by') {
      // A revoked-by relationship is itself meaningful even when the relationship is old.
      revokedByStix.set(src, tgt);
      rel.revokedBy++;
      continue;
    }
    if (isRevoked(o) || isDeprecated(o)) {
      rel.skipped++;
      continue;
    }
    if (kind === 'subtechnique-of') {
      const s = stixToTechniqueId.get(src);
      const t = stixToTechniqueId.get(tgt);
      if (s && t && chosen.get(s)?.id === src) relParent.set(s, t);
      rel.subtechniqueOf++;
      continue;
    }
    if (kind !== 'uses') {
      rel.skipped++;
      continue;
    }
    const techniqueId = stixToTechniqueId.get(tgt);
    const srcObj = byStix.get(src);
    const tgtObj = byStix.get(tgt);
    const groupId = groupIdOf.get(src);
    const sourceGroupUsable = groupId && srcObj && !isRevoked(srcObj) && !isDeprecated(srcObj);
    if (techniqueId && tgtObj && !isRevoked(tgtObj)) {
      if (sourceGroupUsable) {
        add(groupsUsing, techniqueId, groupId);
        add(techniquesUsed, groupId, techniqueId);
        rel.uses++;
        continue;
      }
      const softwareId = softwareIdOf.get(src);
      if (softwareId) {
        add(softwareUsing, techniqueId, softwareId);
        rel.uses++;
        continue;
      }
    }
    const softwareTarget = softwareIdOf.get(tgt);
    if (sourceGroupUsable && softwareTarget) {
      add(softwareUsed, groupId, softwareTarget);
      rel.uses++;
      continue;
    }
    rel.skipped++;
  }

  // --- techniques ------------------------------------------------------------------------------
  const parentMismatches: AttackStats['parentMismatches'] = [];
  const subsOf = new Map<string, string[]>();
  const techniques: AttackTechnique[] = [];
  for (const [techniqueId, o] of chosen) {
    const dot = techniqueId.indexOf('.');
    const idParent = dot > 0 ? techniqueId.slice(0, dot) : null;
    const relationshipParent = relParent.get(techniqueId) ?? null;
    if (idParent && relationshipParent && idParent !== relationshipParent) {
      parentMismatches.push({ techniqueId, idParent, relationshipParent });
    }
    const parentId = idParent ?? relationshipParent;
    const isSub = o.x_mitre_is_subtechnique === true || parentId !== null;
    if (parentId && !isRevoked(o)) {
      const list = subsOf.get(parentId) ?? [];
      list.push(techniqueId);
      subsOf.set(parentId, list);
    }
    const phases = Array.isArray(o.kill_chain_phases) ? (o.kill_chain_phases as Array<Record<string, unknown>>) : [];
    const tacticNames: string[] = [];
    for (const p of phases) {
      if (p && p.kill_chain_name === 'mitre-attack' && typeof p.phase_name === 'string' && !tacticNames.includes(p.phase_name)) {
        tacticNames.push(p.phase_name);
      }
    }
    const detection = str(o.x_mitre_detection);
    techniques.push({
      techniqueId,
      stixId: o.id,
      name: str(o.name) ?? techniqueId,
      description: str(o.description) ?? '',
      detection: detection && detection.trim() !== '' ? detection : null,
      tactics: tacticNames,
      platforms: strArray(o.x_mitre_platforms),
      dataSources: strArray(o.x_mitre_data_sources),
      isSubtechnique: isSub,
      parentId: isSub ? parentId : null,
      deprecated: isDeprecated(o),
      revoked: isRevoked(o),
      revokedBy: null,
      revokedByMethod: null,
      groupsUsing: sortedUnique(groupsUsing.get(techniqueId) ?? []),
      softwareUsing: sortedUnique(softwareUsing.get(techniqueId) ?? []),
      relatedTechniques: [],
      url: attackRef(o)?.url ?? null,
      created: str(o.created),
      modified: str(o.modified),
    });
  }
  techniques.sort((x, y) => compareIds(x.techniqueId, y.techniqueId));
  for (const t of techniques) {
    t.relatedTechniques = t.isSubtechnique && t.parentId ? [t.parentId] : sortedUnique(subsOf.get(t.techniqueId) ?? []);
  }

  // --- revoked → replacement -------------------------------------------------------------------
  const byTechniqueId = new Map(techniques.map((t) => [t.techniqueId, t]));
  const activeByName = new Map<string, AttackTechnique[]>();
  for (const t of techniques) {
    if (t.revoked || t.deprecated) continue;
    const key = t.name.trim().toLowerCase();
    activeByName.set(key, [...(activeByName.get(key) ?? []), t]);
  }
  const revokedResolution = { relationship: 0, nameMatch: 0, unresolved: 0 };
  for (const t of techniques) {
    if (!t.revoked) continue;
    // Follow revoked-by chains (A → B → C) until a non-revoked technique; guard against cycles.
    let cursor: string | undefined = t.stixId;
    const seen = new Set<string>();
    let target: AttackTechnique | undefined;
    while (cursor && !seen.has(cursor)) {
      seen.add(cursor);
      const next = revokedByStix.get(cursor);
      if (!next) break;
      const nextId = stixToTechniqueId.get(next);
      const nextTech = nextId ? byTechniqueId.get(nextId) : undefined;
      if (nextTech && !nextTech.revoked) {
        target = nextTech;
        break;
      }
      cursor = next;
    }
    if (target && target.techniqueId !== t.techniqueId) {
      t.revokedBy = target.techniqueId;
      t.revokedByMethod = 'relationship';
      revokedResolution.relationship++;
      continue;
    }
    if (inferByName) {
      let candidates = activeByName.get(t.name.trim().toLowerCase()) ?? [];
      if (candidates.length > 1) candidates = candidates.filter((c) => c.tactics.some((x) => t.tactics.includes(x)));
      if (candidates.length === 1 && candidates[0].techniqueId !== t.techniqueId) {
        t.revokedBy = candidates[0].techniqueId;
        t.revokedByMethod = 'name-match';
        revokedResolution.nameMatch++;
        continue;
      }
    }
    revokedResolution.unresolved++;
  }

  // --- groups ----------------------------------------------------------------------------------
  const groups: AttackGroup[] = [];
  for (const [groupId, o] of groupObjects) {
    const refs = Array.isArray(o.external_references) ? (o.external_references as Array<Record<string, unknown>>) : [];
    const urls: string[] = [];
    for (const r of refs) {
      const u = r && str(r.url);
      if (u && !urls.includes(u)) urls.push(u);
    }
    const aliases = strArray(o.aliases);
    groups.push({
      groupId,
      stixId: o.id,
      name: str(o.name) ?? groupId,
      aliases,
      description: str(o.description) ?? '',
      references: urls,
      techniquesUsed: sortedUnique(techniquesUsed.get(groupId) ?? []),
      softwareUsed: sortedUnique(softwareUsed.get(groupId) ?? []),
      deprecated: isDeprecated(o),
      revoked: isRevoked(o),
      modified: str(o.modified),
    });
  }
  groups.sort((x, y) => compareIds(x.groupId, y.groupId));

  // --- stats (counted on the raw attack-pattern objects, as MITRE reports them) ---------------
  const revokedCount = attackPatterns.filter(isRevoked).length;
  const deprecatedCount = attackPatterns.filter((o) => !isRevoked(o) && isDeprecated(o)).length;
  const activeObjs = attackPatterns.filter((o) => !isRevoked(o) && !isDeprecated(o));
  const stats: AttackStats = {
    attackPatterns: attackPatterns.length,
    revoked: revokedCount,
    deprecated: deprecatedCount,
    active: activeObjs.length,
    activeSubtechniques: activeObjs.filter((o) => o.x_mitre_is_subtechnique === true).length,
    distinctTechniqueIds: chosen.size,
    tactics: tactics.length,
    intrusionSets: intrusionSets.length,
    activeGroups: groups.filter((g) => !g.revoked && !g.deprecated).length,
    software: softwareIdOf.size,
    relationships: rel,
    revokedResolution,
    parentMismatches,
    duplicateIdsDropped,
    withoutAttackId,
  };

  return {
    framework: 'attack',
    version: findVersion(objects, b) ?? options.fallbackVersion ?? null,
    techniques,
    groups,
    tactics,
    stats,
  };
}
