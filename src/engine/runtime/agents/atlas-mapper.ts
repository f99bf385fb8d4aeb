/**
 * atlas_mapper (spec §3.2) at runtime: ATT&CK → ATLAS cross-walk through taxonomy_ids.related_attack_ids
 * (confidence 1.0), plus the alert's own ATLAS ids (source `detection`). The semantic (vector) pass of
 * the spec needs an embedding store and is not built. Highest confidence per ATLAS id is kept.
 */
import { assertAgentMay } from '../../agents/permissions';
import type { AtlasTechniqueMatch, TelemetryTrust } from '../../graph-state';
import type { AlertFacts } from '../alert-facts';
import type { ReferenceReader } from '../reference-data';

/** Runs the atlas_mapper. */
export async function runAtlasMapper(reference: ReferenceReader, facts: AlertFacts): Promise<AtlasTechniqueMatch[]> {
  assertAgentMay('atlas_mapper', 'query_data');
  const trust: TelemetryTrust = facts.telemetryTrust ?? 'trusted';
  const attack = facts.alert.techniques.filter((t) => /^T\d{4}/.test(t));
  const atlas = facts.alert.techniques.filter((t) => t.startsWith('AML.'));
  const out = new Map<string, AtlasTechniqueMatch>();
  for (const id of atlas) out.set(id, { atlasId: id, attackId: null, confidence: 1, source: 'detection', telemetryTrust: trust });
  if (attack.length) {
    // the usable ATLAS entries, by technique id (the snapshot keeps the database order); first 50 that cross-walk
    const rows = (await reference.taxonomy()).atlas.filter((r) => r.relatedAttackIds.some((a) => attack.includes(a))).slice(0, 50);
    for (const r of rows) {
      if (out.has(r.techniqueId)) continue;
      const attackId = attack.find((a) => r.relatedAttackIds.includes(a)) ?? null;
      out.set(r.techniqueId, { atlasId: r.techniqueId, attackId, confidence: 1, source: 'taxonomy', telemetryTrust: trust });
    }
  }
  return [...out.values()];
}
