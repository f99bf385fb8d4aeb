/**
 * reasoning_agent (spec §3.2) at runtime: a verdict from a `ReasoningProvider` (only the deterministic
 * rules provider exists; the Claude provider is a later issue), then every technique id of the verdict
 * (structured ids and ids in the reasoning text) validated deny-by-default against taxonomy_ids
 * (spec §4.6): unknown/deprecated ids are quarantined, revoked ids remapped. An empty taxonomy fails
 * closed (every id quarantined).
 */
import { assertAgentMay } from '../../agents/permissions';
import { flattenAlertEntities } from '../../agents/entity-extraction';
import { reasonDeterministically, type ReasoningInput, type ReasoningResult } from '../../agents/reasoning-rules';
import { extractTechniqueIds, type TaxonomyIdInfo, type TechniqueValidation, validateTechniques } from '../../agents/taxonomy-validation';
import type { GraphState } from '../../graph-state';
import type { AlertFacts } from '../alert-facts';
import type { ReferenceReader, TaxonomySnapshot } from '../reference-data';

/** Where verdicts come from. `decide` must not perform side effects. */
export interface ReasoningProvider {
  readonly name: string;
  decide(facts: ReasoningInput): Promise<ReasoningResult>;
}

/** The deterministic rules provider (reasoning-rules.ts): always available, no I/O. */
export const rulesProvider: ReasoningProvider = {
  name: 'deterministic',
  async decide(facts) {
    return reasonDeterministically(facts);
  },
};

export interface ReasoningAgentResult {
  verdict: ReasoningResult;
  validation: TechniqueValidation;
  taxonomyVersion: string | null;
}

/** The taxonomy entries of the given ids, plus the targets of revoked ones (up to 3 remap hops). */
export function knownIds(taxonomy: TaxonomySnapshot, ids: readonly string[]): Map<string, TaxonomyIdInfo> {
  const known = new Map<string, TaxonomyIdInfo>();
  let want = [...new Set(ids)];
  for (let hop = 0; hop < 3 && want.length; hop++) {
    const found = want.flatMap((id) => {
      const e = taxonomy.byId.get(id);
      return e ? [[id, e] as const] : [];
    });
    for (const [id, e] of found) known.set(id, { deprecated: e.deprecated, revoked: e.revoked, revokedBy: e.revokedBy });
    want = found.filter(([, e]) => e.revoked && e.revokedBy && !known.has(e.revokedBy)).map(([, e]) => e.revokedBy!);
  }
  return known;
}

/** Runs the reasoning_agent over the enriched GraphState. */
export async function runReasoningAgent(
  reference: ReferenceReader,
  provider: ReasoningProvider,
  facts: AlertFacts,
  g: GraphState,
): Promise<ReasoningAgentResult> {
  assertAgentMay('reasoning_agent', 'analyse');
  const stale = g.uebaContext.some((s) => s.dataFreshnessHours === null || s.dataFreshnessHours > 24);
  const verdict = await provider.decide({
    alert: facts.alert,
    entities: flattenAlertEntities(g.entities),
    iocMatches: g.iocMatches,
    riskState: g.riskState,
    riskStale: stale && g.riskState === 'unknown',
    ctemExposures: g.ctemExposures,
    similarIncidents: g.similarIncidents,
    atlasTechniques: g.atlasTechniques,
    telemetryTrust: facts.telemetryTrust,
    safetyRelevant: facts.safetyRelevant,
  });
  assertAgentMay('reasoning_agent', 'query_data');
  const mentioned = [...new Set([...verdict.techniques, ...extractTechniqueIds(verdict.reasoning)])];
  const taxonomy = await reference.taxonomy();
  const known = knownIds(taxonomy, mentioned);
  // an empty map means "nothing the verdict mentions is known": deny-by-default quarantines it all
  const validation = validateTechniques({ text: verdict.reasoning, ids: verdict.techniques }, known.size ? known : new Map([['\u0000', { deprecated: true }]]));
  return { verdict, validation, taxonomyVersion: taxonomy.version };
}
