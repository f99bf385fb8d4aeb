import DataLoader from 'dataloader';
import type { PrismaClient } from '../../generated/prisma/client';
import { groupByKey } from '../../loaders/group-by';
import {
  type ExposureNode,
  type RemediationNode,
  type ValidationNode,
  toExposureNode,
  toRemediationNode,
  toValidationNode,
} from './ctem.mappers';

/**
 * Batch loaders for CTEM relations, for one operation of one tenant. Keys are exposure keys; every
 * query filters by the captured tenant, so another tenant's rows can never be reached through a relation.
 */
export function createCtemLoaders(tenantId: string, prisma: PrismaClient) {
  return {
    exposureByKey: new DataLoader<string, ExposureNode | null>(async (keys) => {
      const now = new Date();
      const rows = await prisma.ctemExposure.findMany({ where: { tenantId, exposureKey: { in: [...keys] } } });
      const by = new Map(rows.map((r) => [r.exposureKey, toExposureNode(r, now)]));
      return keys.map((k) => by.get(k) ?? null);
    }),
    validationsByExposureKey: new DataLoader<string, ValidationNode[]>(async (keys) => {
      const rows = await prisma.ctemValidation.findMany({
        where: { tenantId, exposureId: { in: [...keys] } },
        orderBy: [{ ts: 'desc' }, { id: 'desc' }],
      });
      return groupByKey(keys, rows.map(toValidationNode), (r) => r.exposureKey);
    }),
    remediationsByExposureKey: new DataLoader<string, RemediationNode[]>(async (keys) => {
      const now = new Date();
      const rows = await prisma.ctemRemediation.findMany({
        where: { tenantId, exposureId: { in: [...keys] } },
        orderBy: [{ ts: 'desc' }, { id: 'desc' }],
      });
      return groupByKey(keys, rows.map((r) => toRemediationNode(r, now)), (r) => r.exposureKey);
    }),
  };
}
export type CtemLoaders = ReturnType<typeof createCtemLoaders>;
