import type { Scope } from '../auth/scope';
import type { PrismaClient } from '../generated/prisma/client';
import { createMitreLoaders, type MitreLoaders } from '../modules/mitre/mitre.loaders';

/**
 * Every DataLoader, created per operation (never shared across requests or tenants). Each module's
 * loaders are built on first use. Tenant-owned loaders capture `scope.tenantId` and filter by it.
 */
export function createLoaders(scope: Scope | null, prisma: PrismaClient) {
  let mitre: MitreLoaders | undefined;
  void scope;
  return {
    get mitre(): MitreLoaders {
      return (mitre ??= createMitreLoaders(prisma));
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
