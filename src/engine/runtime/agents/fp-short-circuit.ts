/**
 * The FP short-circuit (spec §4.3) at runtime: the tenant's approved/active fp_patterns and active
 * kill_switches, matched by the pure core (fp-matcher.ts). Not an agent of the permission matrix: a
 * deterministic read-only check run in `parsing` before enrichment.
 */
import { type FpMatchResult, matchFpPatterns } from '../../agents/fp-matcher';
import { flattenAlertEntities } from '../../agents/entity-extraction';
import type { GraphState } from '../../graph-state';
import type { AlertFacts } from '../alert-facts';
import type { ReferenceReader } from '../reference-data';

/** Checks the tenant's FP patterns against the parsed alert. */
export async function checkFpShortCircuit(reference: ReferenceReader, tenantId: string, facts: AlertFacts, g: GraphState, now: Date): Promise<FpMatchResult> {
  if (facts.safetyRelevant) {
    return { matched: false, patternId: null, confidence: 0, threshold: null, reasons: ['safety-relevant alert: the FP short-circuit never applies'], evaluations: [] };
  }
  const { fpPatterns, killSwitches } = await reference.tenant();
  return matchFpPatterns(
    {
      tenantId,
      title: facts.alert.title,
      source: facts.alert.source,
      techniques: facts.alert.techniques,
      entities: flattenAlertEntities(g.entities).map((e) => ({ type: e.entityType, value: e.primaryValue })),
      ruleFamily: facts.ruleFamily,
      assetClass: facts.assetClass,
      safetyRelevant: facts.safetyRelevant,
    },
    fpPatterns,
    killSwitches,
    { now },
  );
}
