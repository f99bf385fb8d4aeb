/**
 * reasoning_agent (spec §3.2) at runtime: a verdict from a `ReasoningProvider` (only the deterministic
 * rules provider exists; the Claude provider is a later issue), then every technique id of the verdict
 * (structured ids and ids in the reasoning text) validated deny-by-default against taxonomy_ids
 * (spec §4.6): unknown/deprecated ids are quarantined, revoked ids remapped. An empty taxonomy fails
 * closed (every id quarantined).
 */
import type { PrismaClient } from '../../../generated/prisma/client';
import { assertAgentMay } from '../../agents/permissions';
import { flattenAlertEntities } from '../../agents/entity-extraction';
import { reasonDeterministically, type ReasoningInput, type ReasoningResult } from '../../agents/reasoning-rules';
import { extractTechniqueIds, type TaxonomyIdInfo, type TechniqueValidation, validateTechniques } from '../../agents/taxonomy-validation';
import type { GraphState } from '../../graph-state';
import type { AlertFacts } from '../alert-facts';

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

/** `attack:<v>/atlas:<v>` from taxonomy_metadata, or null when no taxonomy was imported. */
export async function taxonomyVersion(prisma: PrismaClient): Promise<string | null> {
  const rows = await prisma.taxonomyMetadata.findMany({ where: { key: { in: ['attack_version', 'atlas_version'] } } });
  const get = (k: string) => rows.find((r) => r.key === k)?.value;
  const a = get('attack_version');
  const b = get('atlas_version');
  return a || b ? `attack:${a ?? '-'}/atlas:${b ?? '-'}` : null;
}

/** The taxonomy rows of the given ids, plus the targets of revoked ones (one remap hop per query, ≤ 3). */
export async function loadKnownIds(prisma: PrismaClient, ids: readonly string[]): Promise<Map<string, TaxonomyIdInfo>> {
  const known = new Map<string, TaxonomyIdInfo>();
  let want = [...new Set(ids)];
  for (let hop = 0; hop < 3 && want.length; hop++) {
    const rows = await prisma.taxonomyId.findMany({ where: { techniqueId: { in: want } } });
    for (const r of rows) known.set(r.techniqueId, { deprecated: r.deprecated, revoked: r.revoked, revokedBy: r.revokedBy });
    want = rows.filter((r) => r.revoked && r.revokedBy && !known.has(r.revokedBy)).map((r) => r.revokedBy!);
  }
  return known;
}

/** Runs the reasoning_agent over the enriched GraphState. */
export async function runReasoningAgent(
  prisma: PrismaClient,
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
  const [known, version] = await Promise.all([loadKnownIds(prisma, mentioned), taxonomyVersion(prisma)]);
  // an empty map means "nothing the verdict mentions is known": deny-by-default quarantines it all
  const validation = validateTechniques({ text: verdict.reasoning, ids: verdict.techniques }, known.size ? known : new Map([['\u0000', { deprecated: true }]]));
  return { verdict, validation, taxonomyVersion: version };
}
