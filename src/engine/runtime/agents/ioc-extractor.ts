/**
 * ioc_extractor (spec §3.2) at runtime: entities of the stored alert (pure core: entity-extraction.ts)
 * and exact-match threat-intel hits on the IOC candidates against the tenant's non-expired
 * threat_intel_iocs. Reads only; the runner persists the result.
 */
import type { PrismaClient } from '../../../generated/prisma/client';
import { assertAgentMay } from '../../agents/permissions';
import { type EntityExtraction, extractEntities, type IocCandidate } from '../../agents/entity-extraction';
import type { IocMatch } from '../../graph-state';
import type { AlertFacts } from '../alert-facts';

export interface IocExtractorResult {
  extraction: EntityExtraction;
  iocMatches: IocMatch[];
  queries: number;
}

/** Looks the candidates up (one query) and returns the hits, confidence scaled to 0–1. */
export async function matchThreatIntel(prisma: PrismaClient, tenantId: string, candidates: readonly IocCandidate[], now: Date): Promise<IocMatch[]> {
  if (candidates.length === 0) return [];
  const rows = await prisma.threatIntelIoc.findMany({
    where: {
      tenantId,
      OR: [{ expiry: null }, { expiry: { gt: now } }],
      AND: [{ OR: candidates.slice(0, 500).map((c) => ({ indicatorType: c.type, indicatorValue: c.value })) }],
    },
    orderBy: [{ confidence: 'desc' }, { docId: 'asc' }],
  });
  return rows.map((r) => ({
    type: r.indicatorType,
    value: r.indicatorValue,
    confidence: Math.max(0, Math.min(100, r.confidence)) / 100,
    severity: r.severity,
    source: r.sources[0] ?? null,
    iocId: r.docId,
  }));
}

/** Runs the ioc_extractor over one alert. */
export async function runIocExtractor(prisma: PrismaClient, tenantId: string, facts: AlertFacts, now: Date): Promise<IocExtractorResult> {
  assertAgentMay('ioc_extractor', 'query_data');
  const extraction = extractEntities(facts.alert);
  const iocMatches = await matchThreatIntel(prisma, tenantId, extraction.iocCandidates, now);
  return { extraction, iocMatches, queries: extraction.iocCandidates.length ? 1 : 0 };
}
