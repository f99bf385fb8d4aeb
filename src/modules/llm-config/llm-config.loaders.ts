import DataLoader from 'dataloader';
import type { PrismaClient } from '../../generated/prisma/client';
import { type LlmModelRow, type LlmProviderNode, toProviderNode } from './llm-provider.mapper';

/**
 * Batch loaders for LLM configuration relations, bound to one tenant: rows of other tenants are never
 * returned, whatever ids are asked for. A null tenant (unauthenticated) loads nothing.
 */
export function createLlmConfigLoaders(tenantId: string | null, prisma: PrismaClient) {
  return {
    llmProviderById: new DataLoader<string, LlmProviderNode | null>(async (ids) => {
      if (!tenantId) return ids.map(() => null);
      const rows = await prisma.llmProvider.findMany({ where: { tenantId, providerId: { in: [...ids] } } });
      const by = new Map(rows.map((r) => [r.providerId, toProviderNode(r)]));
      return ids.map((id) => by.get(id) ?? null);
    }),
    llmModelById: new DataLoader<string, LlmModelRow | null>(async (ids) => {
      if (!tenantId) return ids.map(() => null);
      const rows = await prisma.llmModel.findMany({ where: { tenantId, modelId: { in: [...ids] } } });
      const by = new Map(rows.map((r) => [r.modelId, r]));
      return ids.map((id) => by.get(id) ?? null);
    }),
    llmModelsByProvider: new DataLoader<string, LlmModelRow[]>(async (providerIds) => {
      if (!tenantId) return providerIds.map(() => []);
      const rows = await prisma.llmModel.findMany({
        where: { tenantId, providerId: { in: [...providerIds] } },
        orderBy: { modelId: 'asc' },
      });
      return providerIds.map((p) => rows.filter((r) => r.providerId === p));
    }),
  };
}
export type LlmConfigLoaders = ReturnType<typeof createLlmConfigLoaders>;
