import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import type { ConfidenceMerge, IocCandidate } from './ioc-candidate';

/** Prisma's interactive-transaction client (what `$transaction(async (tx) => …)` passes). */
export type Tx = Prisma.TransactionClient;

export interface UpsertedRow {
  doc_id: string;
  indicator_type: string;
  indicator_value: string;
  inserted: boolean;
}

/** `existing ∪ incoming`, order-preserving (existing first), without duplicates. */
function arrayUnion(column: string): Prisma.Sql {
  const col = Prisma.raw(column);
  return Prisma.sql`ARRAY(SELECT u.v FROM unnest(t.${col} || EXCLUDED.${col}) WITH ORDINALITY AS u(v, o) GROUP BY u.v ORDER BY min(u.o))`;
}

/**
 * Inserts or merges indicators of one tenant in ONE statement (`INSERT … SELECT FROM
 * jsonb_to_recordset … ON CONFLICT (tenant_id, indicator_type, indicator_value) DO UPDATE`), so a batch
 * of 5,000 costs one round trip and concurrent imports of the same indicator cannot race into a unique
 * violation. Candidates must already be deduplicated on (type, value) (Postgres refuses to update one
 * row twice in a statement). Merge rules are those of {@link mergeCandidate}. Prisma has no upsert-many
 * with array-union semantics, hence raw SQL.
 */
export async function upsertIocRows(tx: Tx, tenantId: string, rows: IocCandidate[], mode: ConfidenceMerge): Promise<UpsertedRow[]> {
  if (rows.length === 0) return [];
  const payload = JSON.stringify(
    rows.map((r) => ({
      doc_id: `ioc-${randomUUID()}`,
      type: r.type,
      value: r.value,
      confidence: r.confidence,
      severity: r.severity,
      campaigns: r.campaigns,
      groups: r.groups,
      techniques: r.techniques,
      tags: r.tags,
      sources: r.sources,
      context: r.context,
      first_seen: r.firstSeen?.toISOString() ?? null,
      last_seen: r.lastSeen?.toISOString() ?? null,
      expiry: r.expiry?.toISOString() ?? null,
    })),
  );
  const confidence =
    mode === 'max' ? Prisma.sql`GREATEST(t.confidence, EXCLUDED.confidence)` : Prisma.sql`EXCLUDED.confidence`;
  // Millisecond precision on purpose: created_at is a keyset pagination key and cursors carry JS Dates
  // (ms); a microsecond now() would make rows of one batch unreachable across page boundaries.
  const now = new Date();
  const expiry = mode === 'max' ? Prisma.sql`GREATEST(t.expiry, EXCLUDED.expiry)` : Prisma.sql`COALESCE(EXCLUDED.expiry, t.expiry)`;
  return tx.$queryRaw<UpsertedRow[]>`
    INSERT INTO threat_intel_iocs AS t (
      doc_id, tenant_id, indicator_type, indicator_value, confidence, severity, associated_campaigns,
      associated_groups, mitre_techniques, tags, sources, context, first_seen, last_seen, expiry, created_at, updated_at)
    SELECT x.doc_id, ${tenantId}, x.type, x.value, x.confidence, x.severity, x.campaigns,
      x.groups, x.techniques, x.tags, x.sources, x.context, x.first_seen, x.last_seen, x.expiry, ${now}, ${now}
    FROM jsonb_to_recordset(${payload}::jsonb) AS x(
      doc_id text, type text, value text, confidence int, severity text, campaigns text[], groups text[],
      techniques text[], tags text[], sources text[], context text, first_seen timestamptz, last_seen timestamptz,
      expiry timestamptz)
    ON CONFLICT (tenant_id, indicator_type, indicator_value) DO UPDATE SET
      confidence = ${confidence},
      severity = COALESCE(EXCLUDED.severity, t.severity),
      associated_campaigns = ${arrayUnion('associated_campaigns')},
      associated_groups = ${arrayUnion('associated_groups')},
      mitre_techniques = ${arrayUnion('mitre_techniques')},
      tags = ${arrayUnion('tags')},
      sources = ${arrayUnion('sources')},
      context = COALESCE(EXCLUDED.context, t.context),
      first_seen = LEAST(t.first_seen, EXCLUDED.first_seen),
      last_seen = GREATEST(t.last_seen, EXCLUDED.last_seen),
      expiry = ${expiry},
      updated_at = ${now}
    RETURNING doc_id, indicator_type, indicator_value, (xmax = 0) AS inserted`;
}
