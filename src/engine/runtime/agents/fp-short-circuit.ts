/**
 * The FP short-circuit (spec §4.3) at runtime: the tenant's approved/active fp_patterns and active
 * kill_switches, matched by the pure core (fp-matcher.ts). Not an agent of the permission matrix: a
 * deterministic read-only check run in `parsing` before enrichment.
 */
import type { PrismaClient } from '../../../generated/prisma/client';
import { compileFpPatterns, type FpMatchResult, type FpPatternInput, type KillSwitch, matchFpPatterns } from '../../agents/fp-matcher';
import { flattenAlertEntities } from '../../agents/entity-extraction';
import type { GraphState } from '../../graph-state';
import type { AlertFacts } from '../alert-facts';

const DIMENSIONS = new Set(['tenant', 'pattern', 'technique', 'datasource']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** fp_patterns.conditions is stored snake_case (seeds, API); the matcher reads camelCase. */
function conditionsOf(v: unknown): FpPatternInput['conditions'] {
  const c = isRecord(v) ? v : {};
  const eps = Array.isArray(c.entity_patterns ?? c.entityPatterns) ? ((c.entity_patterns ?? c.entityPatterns) as unknown[]) : [];
  return {
    alertNameRegex: String(c.alert_name_regex ?? c.alertNameRegex ?? ''),
    entityPatterns: eps.filter(isRecord).map((e) => ({
      entityType: String(e.entity_type ?? e.entityType ?? ''),
      valueRegex: (e.value_regex ?? e.valueRegex ?? null) as string | null,
      valueCidr: (e.value_cidr ?? e.valueCidr ?? null) as string | null,
    })),
  };
}

/** Checks the tenant's FP patterns against the parsed alert. */
export async function checkFpShortCircuit(prisma: PrismaClient, tenantId: string, facts: AlertFacts, g: GraphState, now: Date): Promise<FpMatchResult> {
  if (facts.safetyRelevant) {
    return { matched: false, patternId: null, confidence: 0, threshold: null, reasons: ['safety-relevant alert: the FP short-circuit never applies'], evaluations: [] };
  }
  const [patterns, switches] = await Promise.all([
    prisma.fpPattern.findMany({ where: { tenantId, status: { in: ['approved', 'active'] }, autoClose: true }, orderBy: { patternId: 'asc' } }),
    prisma.killSwitch.findMany({ where: { tenantId, deactivatedAt: null } }),
  ]);
  const killSwitches: KillSwitch[] = switches
    .filter((k) => DIMENSIONS.has(k.dimension))
    .map((k) => ({ dimension: k.dimension as KillSwitch['dimension'], value: k.value }));
  const inputs: FpPatternInput[] = patterns.map((p) => ({
    patternId: p.patternId,
    status: p.status,
    confidenceThreshold: p.confidenceThreshold,
    autoClose: p.autoClose,
    expiryDate: p.expiryDate,
    conditions: conditionsOf(p.conditions),
    scopeRuleFamily: p.scopeRuleFamily,
    scopeTenantId: p.scopeTenantId,
    scopeAssetClass: p.scopeAssetClass,
  }));
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
    compileFpPatterns(inputs),
    killSwitches,
    { now },
  );
}
