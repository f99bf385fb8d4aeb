/**
 * ctem_correlator (spec §3.2) at runtime: open exposures (status not Verified/Closed) of the alert's
 * hosts and IPs, by ctem_score desc; `stale` when updated more than 24 h ago (treated as unknown by
 * the reasoning rules), with the hours left until the SLA deadline.
 */
import type { SqlQuery } from '../../../db/sql-driver';
import { assertAgentMay } from '../../agents/permissions';
import type { CtemExposureContext, GraphState } from '../../graph-state';

const HOUR = 3_600_000;
const STALE_HOURS = 24;

/** Runs the ctem_correlator. */
export async function runCtemCorrelator(sql: SqlQuery, tenantId: string, g: GraphState, now: Date): Promise<CtemExposureContext[]> {
  assertAgentMay('ctem_correlator', 'query_data');
  const assets = [...new Set([...g.entities.hosts, ...g.entities.ips].map((e) => e.primaryValue))].slice(0, 200);
  if (assets.length === 0) return [];
  const rows = await sql<{
    exposure_key: string;
    asset_id: string;
    title: string;
    severity: string;
    ctem_score: number;
    physical_consequence: string;
    status: string;
    updated_at: Date | string;
    sla_deadline: Date | string | null;
  }>(
    `SELECT exposure_key, asset_id, title, severity, ctem_score, physical_consequence, status, updated_at, sla_deadline
       FROM ctem_exposures
      WHERE tenant_id = $1 AND asset_id = ANY($2::text[]) AND status NOT IN ('Verified', 'Closed')
      ORDER BY ctem_score DESC, id ASC
      LIMIT 20`,
    [tenantId, assets],
    { name: 'aluskort_ctem_open_exposures' },
  );
  return rows.map((r) => {
    const sla = r.sla_deadline === null ? null : new Date(r.sla_deadline).getTime();
    return {
      exposureKey: r.exposure_key,
      assetId: r.asset_id,
      title: r.title,
      severity: r.severity,
      ctemScore: r.ctem_score,
      physicalConsequence: r.physical_consequence,
      status: r.status,
      stale: now.getTime() - new Date(r.updated_at).getTime() > STALE_HOURS * HOUR,
      slaDeadlineHours: sla === null ? null : Math.round(((sla - now.getTime()) / HOUR) * 10) / 10,
    };
  });
}
