import type { Scope } from '../auth/scope';
import type { PrismaClient } from '../generated/prisma/client';
import { createMitreLoaders, type MitreLoaders } from '../modules/mitre/mitre.loaders';
import { createCasesLoaders } from '../modules/registry/cases';
import { createIntelLoaders } from '../modules/registry/intel';
import { createPipelineLoaders } from '../modules/registry/pipeline';
import { createPlatformLoaders } from '../modules/registry/platform';
import { createPlaybooksLoaders } from '../modules/registry/playbooks';

type Lazy<T> = { value?: T };
function lazy<T>(slot: Lazy<T>, make: () => T): T {
  slot.value ??= make();
  return slot.value;
}

/**
 * Every DataLoader, created per operation (never shared across requests or tenants). Each module's
 * loaders are built on first use. Tenant-owned loaders capture `scope.tenantId` and filter by it.
 */
export function createLoaders(scope: Scope | null, prisma: PrismaClient) {
  const mitre: Lazy<MitreLoaders> = {};
  const intel: Lazy<ReturnType<typeof createIntelLoaders>> = {};
  const playbooks: Lazy<ReturnType<typeof createPlaybooksLoaders>> = {};
  const cases: Lazy<ReturnType<typeof createCasesLoaders>> = {};
  const platform: Lazy<ReturnType<typeof createPlatformLoaders>> = {};
  const pipeline: Lazy<ReturnType<typeof createPipelineLoaders>> = {};
  return {
    get mitre() {
      return lazy(mitre, () => createMitreLoaders(prisma));
    },
    get intel() {
      return lazy(intel, () => createIntelLoaders(scope, prisma));
    },
    get playbooks() {
      return lazy(playbooks, () => createPlaybooksLoaders(scope, prisma));
    },
    get cases() {
      return lazy(cases, () => createCasesLoaders(scope, prisma));
    },
    get platform() {
      return lazy(platform, () => createPlatformLoaders(scope, prisma));
    },
    get pipeline() {
      return lazy(pipeline, () => createPipelineLoaders(scope, prisma));
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
