/**
 * ioc_extractor (spec §3.2) at runtime: entities of the stored alert (pure core: entity-extraction.ts)
 * and exact-match threat-intel hits on the IOC candidates against the tenant's non-expired
 * threat_intel_iocs. Reads only; the runner persists the result.
 */
import type { SqlQuery } from '../../../db/sql-driver';
import { assertAgentMay } from '../../agents/permissions';
import { type EntityExtraction, extractEntities, type IocCandidate } from '../../agents/entity-extraction';
import type { IocMatch } from '../../graph-state';
import type { AlertFacts } from '../alert-facts';

export interface IocExtractorResult {
  extraction: EntityExtraction;
  iocMatches: IocMatch[];
  queries: number;
}

/** Looks the candidates up (one query, exact type + value) and returns the hits, confidence scaled to 0–1. */
export async function matchThreatIntel(sql: SqlQuery, tenantId: string, candidates: readonly IocCandidate[], now: Date): Promise<IocMatch[]> {
  if (candidates.length === 0) return [];
  const wanted = candidates.slice(0, 500);
  const rows = await sql<{ doc_id: string; indicator_type: string; indicator_value: string; confidence: number; severity: string | null; sources: string[] }>(
    `SELECT doc_id, indicator_type, indicator_value, confidence, severity, sources
       FROM threat_intel_iocs
      WHERE tenant_id = $1 AND (expiry IS NULL OR expiry > $2::timestamptz)
        AND (indicator_type, indicator_value) IN (SELECT t, v FROM unnest($3::text[], $4::text[]) AS c(t, v))
      ORDER BY confidence DESC, doc_id ASC`,
    [tenantId, now.toISOString(), wanted.map((c) => c.type), wanted.map((c) => c.value)],
    { name: 'aluskort_threat_intel_match' },
  );
  return rows.map((r) => ({
    type: r.indicator_type,
    value: r.indicator_value,
    confidence: Math.max(0, Math.min(100, Number(r.confidence))) / 100,
    severity: r.severity,
    source: r.sources[0] ?? null,
    iocId: r.doc_id,
  }));
}

/** Runs the ioc_extractor over one alert. */
export async function runIocExtractor(sql: SqlQuery, tenantId: string, facts: AlertFacts, now: Date): Promise<IocExtractorResult> {
  assertAgentMay('ioc_extractor', 'query_data');
  const extraction = extractEntities(facts.alert);
  const iocMatches = await matchThreatIntel(sql, tenantId, extraction.iocCandidates, now);
  return { extraction, iocMatches, queries: extraction.iocCandidates.length ? 1 : 0 };
}
