import DataLoader from 'dataloader';
import type { PrismaClient } from '../../generated/prisma/client';
import { groupByKey } from '../../loaders/group-by';
import {
  type AlertNode,
  type ApprovalNode,
  type InvestigationNode,
  toAlertNode,
  toApprovalNode,
  toInvestigationNode,
} from './investigation.mappers';

/**
 * Batch loaders for alerts, investigations and approvals of one tenant, for one operation. Alert and
 * investigation ids are globally unique, so the captured tenant filter is what keeps another tenant's
 * rows out of every relation.
 */
export function createInvestigationLoaders(tenantId: string, prisma: PrismaClient) {
  return {
    alertById: new DataLoader<string, AlertNode | null>(async (ids) => {
      const rows = await prisma.alert.findMany({ where: { tenantId, alertPk: { in: [...ids] } } });
      const by = new Map(rows.map((r) => [r.alertPk, toAlertNode(r)]));
      return ids.map((id) => by.get(id) ?? null);
    }),
    investigationById: new DataLoader<string, InvestigationNode | null>(async (ids) => {
      const rows = await prisma.investigationState.findMany({ where: { tenantId, investigationId: { in: [...ids] } } });
      const by = new Map(rows.map((r) => [r.investigationId, toInvestigationNode(r)]));
      return ids.map((id) => by.get(id) ?? null);
    }),
    /** The newest investigation of each alert (ingest is idempotent, so normally the only one). */
    investigationByAlertId: new DataLoader<string, InvestigationNode | null>(async (alertIds) => {
      const rows = await prisma.investigationState.findMany({
        where: { tenantId, alertId: { in: [...alertIds] } },
        orderBy: [{ createdAt: 'desc' }, { investigationId: 'asc' }],
      });
      const by = new Map<string, InvestigationNode>();
      for (const r of rows) if (!by.has(r.alertId)) by.set(r.alertId, toInvestigationNode(r));
      return alertIds.map((id) => by.get(id) ?? null);
    }),
    approvalsByInvestigationId: new DataLoader<string, ApprovalNode[]>(async (ids) => {
      const rows = await prisma.approval.findMany({
        where: { tenantId, investigationId: { in: [...ids] } },
        orderBy: [{ requestedAt: 'asc' }, { approvalId: 'asc' }],
      });
      return groupByKey(ids, rows.map(toApprovalNode), (r) => r.investigationId);
    }),
  };
}
export type InvestigationLoaders = ReturnType<typeof createInvestigationLoaders>;
