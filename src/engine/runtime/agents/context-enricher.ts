/**
 * context_enricher (spec §3.2) at runtime: UEBA risk signals of the investigation's entities
 * (user_entity_behavior → risk.ts: absent data is NO_BASELINE, never LOW) and similar past incidents
 * from incident_memory (spec §4.2).
 *
 * Similar incidents: PostgreSQL full-text search (pg_trgm is not installed; FTS works on PGlite too)
 * selects candidates of the tenant whose alert_name / investigation_summary match any significant
 * word of the alert's title, or that share a technique; up to 50 candidates by text rank, then
 * recency. The text similarity fed into the composite score is the Dice coefficient of the word
 * sets (title vs. incident name + summary): deterministic and explainable in the reasons.
 */
import type { SqlQuery } from '../../../db/sql-driver';
import { assertAgentMay } from '../../agents/permissions';
import { flattenAlertEntities } from '../../agents/entity-extraction';
import { aggregateRiskState, type AggregateRisk, RISK_STATES, type RiskSignal, type RiskState } from '../../agents/risk';
import { compositeScore, rankSimilar } from '../../agents/similarity';
import type { GraphState, SimilarIncidentContext } from '../../graph-state';
import type { AlertFacts } from '../alert-facts';

const UEBA_ENTITY_TYPES = new Set(['account', 'host', 'ip', 'mailbox']);
const SIGNAL_TYPES = new Set(['ueba', 'iam', 'endpoint', 'ctem']);
const MAX_WORDS = 24;
export const MAX_CANDIDATES = 50;
/** Most recent matching incidents the ranking looks at. */
export const RECENT_POOL = 200;
/** Most recent incidents the search walks before it turns to the indexes for older matches. */
export const HEAD_WINDOW = 1000;
const CANDIDATE_COLUMNS =
  'doc_id, incident_id, alert_name, investigation_summary, "timestamp", tenant_id, final_classification, initial_classification, mitre_techniques, rare_important';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface ContextEnricherResult {
  uebaContext: RiskSignal[];
  risk: AggregateRisk;
  similarIncidents: SimilarIncidentContext[];
  queries: number;
}

const STOP_WORDS = new Set(['the', 'and', 'for', 'from', 'with', 'via', 'was', 'has', 'are', 'not', 'this', 'that', 'alert', 'detected']);
const WORD = /[a-z0-9]{3,}/g;

/** Lower-cased significant words (≥ 3 letters/digits, no stop words), first-seen order. */
export function significantWords(text: string): string[] {
  // (runs for the alert and each of up to 50 candidates per search: one regex, a Set for the dedupe)
  const seen = new Set<string>();
  for (const m of text.toLowerCase().matchAll(WORD)) if (!STOP_WORDS.has(m[0])) seen.add(m[0]);
  return [...seen];
}

function dice(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const sb = new Set(b);
  const inter = a.filter((x) => sb.has(x)).length;
  return (2 * inter) / (a.length + sb.size);
}

/** UEBA rows of the entities: the newest row per (entity, signal type). */
export async function loadRiskSignals(sql: SqlQuery, tenantId: string, g: GraphState, now: Date): Promise<RiskSignal[]> {
  const ids = [...new Set(flattenAlertEntities(g.entities).filter((e) => UEBA_ENTITY_TYPES.has(e.entityType)).map((e) => e.primaryValue))].slice(0, 200);
  if (ids.length === 0) return [];
  const rows = await sql<{
    entity_id: string;
    signal_type: string;
    risk_state: string;
    risk_score: number | null;
    data_freshness_hours: number | null;
    source: string;
    observed_at: Date | string;
  }>(
    `SELECT entity_id, signal_type, risk_state, risk_score, data_freshness_hours, source, observed_at
       FROM user_entity_behavior
      WHERE tenant_id = $1 AND entity_id = ANY($2::text[])
      ORDER BY observed_at DESC, id DESC
      LIMIT 500`,
    [tenantId, ids],
    { name: 'aluskort_ueba_signals' },
  );
  const seen = new Set<string>();
  const out: RiskSignal[] = [];
  for (const r of rows) {
    const key = `${r.entity_id}\u0000${r.signal_type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // freshness as of now: the row's own age of data plus the time since it was observed
    const freshness = r.data_freshness_hours === null ? null : r.data_freshness_hours + Math.max(0, now.getTime() - new Date(r.observed_at).getTime()) / HOUR;
    out.push({
      entityId: r.entity_id,
      signalType: (SIGNAL_TYPES.has(r.signal_type) ? r.signal_type : 'ueba') as RiskSignal['signalType'],
      riskState: ((RISK_STATES as readonly string[]).includes(r.risk_state) ? r.risk_state : 'unknown') as RiskState,
      riskScore: r.risk_score,
      dataFreshnessHours: freshness === null ? null : Math.round(freshness * 10) / 10,
      source: r.source,
    });
  }
  return out;
}

export interface IncidentCandidate {
  doc_id: string;
  incident_id: string;
  alert_name: string;
  investigation_summary: string;
  timestamp: Date;
  tenant_id: string;
  final_classification: string | null;
  initial_classification: string | null;
  mitre_techniques: string[];
  rare_important: boolean;
}

/** Similar incidents of the tenant, top 5 by the spec §4.2 composite score. */
export async function findSimilarIncidents(sql: SqlQuery, tenantId: string, facts: AlertFacts, excludeIncidentId: string, now: Date): Promise<SimilarIncidentContext[]> {
  const words = significantWords(facts.alert.title).slice(0, MAX_WORDS);
  const techniques = facts.alert.techniques.slice(0, 50);
  if (words.length === 0 && techniques.length === 0) return [];
  const rows = await similarCandidates(sql, tenantId, excludeIncidentId, words, techniques);
  return rankCandidates(rows, words, techniques, tenantId, now);
}

/** The sizes of the similar-incident search (tests shrink or widen them). */
export interface SimilarSearchLimits {
  /** Most recent matches ranked (default RECENT_POOL). */
  pool: number;
  /** Best-ranked of those returned (default MAX_CANDIDATES). */
  candidates: number;
  /** Most recent incidents walked before the indexes are asked for older matches (default HEAD_WINDOW). */
  window: number;
}

/**
 * The tenant's incidents whose search document matches any of `words` (lower-case [a-z0-9]+) or that share a
 * technique: of the RECENT_POOL most recent such incidents, the MAX_CANDIDATES best by full-text rank.
 */
export async function similarCandidates(
  sql: SqlQuery,
  tenantId: string,
  excludeIncidentId: string,
  words: readonly string[],
  techniques: readonly string[],
  limits: SimilarSearchLimits = { pool: RECENT_POOL, candidates: MAX_CANDIDATES, window: HEAD_WINDOW },
): Promise<IncidentCandidate[]> {
  const pool = Math.max(1, Math.trunc(limits.pool));
  const candidates = Math.max(1, Math.trunc(limits.candidates));
  const window = Math.max(1, Math.trunc(limits.window));
  // words are [a-z0-9]+ only, so the tsquery text cannot carry operators
  const tsq = words.length ? words.join(' | ') : 'zzzznomatch';
  // Matching and ranking use the stored search_document and its GIN index (migration 0011). Only the
  // RECENT_POOL most recent matches are ranked: a tenant whose alerts repeat has thousands of matching
  // incidents, and ranking them all would cost O(matches) per alert; old incidents score low on recency.
  //
  // The plan is spelled out instead of left to table statistics (without them, e.g. on a young database,
  // PostgreSQL expected few matches and bitmap-scanned and sorted every match of the tenant: O(incidents)
  // per alert when most match). `head` walks the tenant's recency index through at most HEAD_WINDOW
  // incidents and stops at RECENT_POOL matches; only when that walk ends short of RECENT_POOL does `older`
  // look for the rest among the incidents past the window, through the GIN indexes (matches are then
  // sparse). Together: the RECENT_POOL most recent matches, whatever the statistics say.
  // The tsquery is parsed once (a materialised CTE): written inline, to_tsquery ran for every candidate row.
  // Not a prepared statement: PostgreSQL's generic plan for it doubled its PostgreSQL CPU per investigation
  // (measured: 3.4 → 6.4–6.9 ms), so each search is planned for its own parameters.
  return sql<IncidentCandidate>(
    `WITH q AS MATERIALIZED (SELECT to_tsquery('english', $3) AS q),
     head AS MATERIALIZED (
       SELECT h.* FROM (
         SELECT ${CANDIDATE_COLUMNS}, search_document FROM incident_memory
          WHERE tenant_id = $1
          ORDER BY "timestamp" DESC, doc_id ASC
          LIMIT ${window}
       ) h, q
        WHERE h.incident_id <> $2 AND (h.search_document @@ q.q OR h.mitre_techniques && $4::text[])
        ORDER BY h."timestamp" DESC, h.doc_id ASC
        LIMIT ${pool}
     ),
     cutoff AS MATERIALIZED (
       SELECT "timestamp", doc_id FROM incident_memory
        WHERE tenant_id = $1 AND (SELECT count(*) FROM head) < ${pool}
        ORDER BY "timestamp" DESC, doc_id ASC
        OFFSET ${window - 1} LIMIT 1
     ),
     older AS MATERIALIZED (
       SELECT ${CANDIDATE_COLUMNS}, search_document FROM incident_memory m, q
        WHERE EXISTS (SELECT FROM cutoff)
          AND m.tenant_id = $1 AND m.incident_id <> $2 AND (m.search_document @@ q.q OR m.mitre_techniques && $4::text[])
          AND (m."timestamp" < (SELECT "timestamp" FROM cutoff)
               OR (m."timestamp" = (SELECT "timestamp" FROM cutoff) AND m.doc_id > (SELECT doc_id FROM cutoff)))
        ORDER BY m."timestamp" DESC, m.doc_id ASC
        LIMIT ${pool} - (SELECT count(*) FROM head)
     ),
     recent AS (SELECT * FROM head UNION ALL SELECT * FROM older)
     SELECT ${CANDIDATE_COLUMNS}
       FROM recent, q
      ORDER BY ts_rank(search_document, q.q) DESC, "timestamp" DESC, doc_id ASC
      LIMIT ${candidates}`,
    [tenantId, excludeIncidentId, tsq, techniques],
  );
}

function rankCandidates(rows: IncidentCandidate[], words: string[], techniques: string[], tenantId: string, now: Date): SimilarIncidentContext[] {
  const scored = rows.map((r) => {
    const sim = dice(words, significantWords(`${r.alert_name} ${r.investigation_summary}`));
    const ageDays = Math.max(0, (now.getTime() - new Date(r.timestamp).getTime()) / DAY);
    const score = compositeScore({
      similarity: sim,
      ageDays,
      rareImportant: r.rare_important,
      sameTenant: r.tenant_id === tenantId,
      alertTechniques: techniques,
      incidentTechniques: r.mitre_techniques,
    });
    return { id: r.doc_id, row: r, ageDays, score };
  });
  return rankSimilar(scored, 5).map(({ row, ageDays, score }) => ({
    incidentId: row.incident_id,
    title: row.alert_name,
    score: Math.round(score.score * 1000) / 1000,
    components: score.components,
    reasons: score.reasons,
    priorVerdict: row.final_classification ?? row.initial_classification,
    ageDays: Math.round(ageDays * 10) / 10,
    techniques: row.mitre_techniques,
  }));
}

/** Runs the context_enricher (UEBA and similar incidents in parallel). */
export async function runContextEnricher(
  sql: SqlQuery,
  tenantId: string,
  facts: AlertFacts,
  g: GraphState,
  now: Date,
): Promise<ContextEnricherResult> {
  assertAgentMay('context_enricher', 'query_data');
  const [signals, similarIncidents] = await Promise.all([
    loadRiskSignals(sql, tenantId, g, now).then(
      (s) => ({ s, failed: false }),
      () => ({ s: [] as RiskSignal[], failed: true }),
    ),
    findSimilarIncidents(sql, tenantId, facts, g.investigationId, now),
  ]);
  return {
    uebaContext: signals.s,
    risk: aggregateRiskState(signals.s, { queryFailed: signals.failed }),
    similarIncidents,
    queries: 2,
  };
}
