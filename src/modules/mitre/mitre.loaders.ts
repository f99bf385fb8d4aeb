import DataLoader from 'dataloader';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';

type TechniqueRow = Prisma.MitreTechniqueGetPayload<object>;
type GroupRow = Prisma.MitreGroupGetPayload<object>;

/** Batch loaders for MITRE relations (global data, so no tenant filter is needed or possible). */
export function createMitreLoaders(prisma: PrismaClient) {
  return {
    techniqueById: new DataLoader<string, TechniqueRow | null>(async (ids) => {
      const rows = await prisma.mitreTechnique.findMany({ where: { techniqueId: { in: [...ids] } } });
      const by = new Map(rows.map((r) => [r.techniqueId, r]));
      return ids.map((id) => by.get(id) ?? null);
    }),
    subTechniquesByParent: new DataLoader<string, TechniqueRow[]>(async (parents) => {
      const rows = await prisma.mitreTechnique.findMany({
        where: { parentTechnique: { in: [...parents] }, deprecated: false },
        orderBy: { techniqueId: 'asc' },
      });
      return parents.map((p) => rows.filter((r) => r.parentTechnique === p));
    }),
    groupById: new DataLoader<string, GroupRow | null>(async (ids) => {
      const rows = await prisma.mitreGroup.findMany({ where: { groupId: { in: [...ids] } } });
      const by = new Map(rows.map((r) => [r.groupId, r]));
      return ids.map((id) => by.get(id) ?? null);
    }),
    techniquesByGroup: new DataLoader<string, TechniqueRow[]>(async (groupIds) => {
      const rows = await prisma.mitreTechnique.findMany({
        where: { groupsUsing: { hasSome: [...groupIds] }, deprecated: false },
        orderBy: { techniqueId: 'asc' },
      });
      return groupIds.map((g) => rows.filter((r) => r.groupsUsing.includes(g)));
    }),
  };
}
export type MitreLoaders = ReturnType<typeof createMitreLoaders>;
