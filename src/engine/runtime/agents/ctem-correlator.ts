/**
 * ctem_correlator (spec §3.2) at runtime: open exposures (status not Verified/Closed) of the alert's
 * hosts and IPs, by ctem_score desc; `stale` when updated more than 24 h ago (treated as unknown by
 * the reasoning rules), with the hours left until the SLA deadline.
 */
import type { PrismaClient } from '../../../generated/prisma/client';
import { assertAgentMay } from '../../agents/permissions';
import type { CtemExposureContext, GraphState } from '../../graph-state';

const HOUR = 3_600_000;
const STALE_HOURS = 24;

/** Runs the ctem_correlator. */
export async function runCtemCorrelator(prisma: PrismaClient, tenantId: string, g: GraphState, now: Date): Promise<CtemExposureContext[]> {
  assertAgentMay('ctem_correlator', 'query_data');
  const assets = [...new Set([...g.entities.hosts, ...g.entities.ips].map((e) => e.primaryValue))].slice(0, 200);
  if (assets.length === 0) return [];
  const rows = await prisma.ctemExposure.findMany({
    where: { tenantId, assetId: { in: assets }, status: { notIn: ['Verified', 'Closed'] } },
    orderBy: [{ ctemScore: 'desc' }, { id: 'asc' }],
    take: 20,
  });
  return rows.map((r) => ({
    exposureKey: r.exposureKey,
    assetId: r.assetId,
    title: r.title,
    severity: r.severity,
    ctemScore: r.ctemScore,
    physicalConsequence: r.physicalConsequence,
    status: r.status,
    stale: now.getTime() - r.updatedAt.getTime() > STALE_HOURS * HOUR,
    slaDeadlineHours: r.slaDeadline ? Math.round(((r.slaDeadline.getTime() - now.getTime()) / HOUR) * 10) / 10 : null,
  }));
}
