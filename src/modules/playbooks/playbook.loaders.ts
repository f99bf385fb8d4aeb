import DataLoader from 'dataloader';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import type { PlaybookStepRow } from './playbook.write';

/**
 * Per-operation loaders for playbook relations. Tenant-owned: every batch filters by the caller's tenant
 * captured here, so a step can never be loaded through another tenant's playbook id. Without a scope the
 * loaders return nothing (fail closed).
 */
export function createPlaybookLoaders(scope: Scope | null, prisma: PrismaClient) {
  return {
    /** Steps of each playbook, ordered by step number: one query per batch, whatever the page size. */
    stepsByPlaybook: new DataLoader<string, PlaybookStepRow[]>(async (ids) => {
      if (!scope) return ids.map(() => []);
      const rows = await prisma.playbookStep.findMany({
        where: { tenantId: scope.tenantId, playbookId: { in: [...ids] } },
        orderBy: [{ playbookId: 'asc' }, { stepNumber: 'asc' }],
      });
      const by = new Map<string, PlaybookStepRow[]>();
      for (const r of rows) {
        const list = by.get(r.playbookId);
        if (list) list.push(r);
        else by.set(r.playbookId, [r]);
      }
      return ids.map((id) => by.get(id) ?? []);
    }),
  };
}
export type PlaybookLoaders = ReturnType<typeof createPlaybookLoaders>;
