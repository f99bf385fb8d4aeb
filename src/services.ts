import type { PrismaClient } from './generated/prisma/client';
import { ApiKeyService } from './modules/api-keys/api-key.service';
import { MitreService } from './modules/mitre/mitre.service';
import { createCasesServices } from './modules/registry/cases';
import { createIntelServices } from './modules/registry/intel';
import { createPlatformServices } from './modules/registry/platform';
import { createPlaybooksServices } from './modules/registry/playbooks';
import type { Logger } from './observability/logger';

export interface ServiceDeps {
  prisma: PrismaClient;
  logger: Logger;
}

/** Every domain service, built once per process from its dependencies. */
export function createServices(deps: ServiceDeps) {
  const { prisma } = deps;
  return {
    prisma,
    apiKeys: new ApiKeyService(prisma),
    mitre: new MitreService(prisma),
    ...createIntelServices(prisma, deps.logger),
    ...createPlaybooksServices(prisma, deps.logger),
    ...createCasesServices(prisma, deps.logger),
    ...createPlatformServices(prisma, deps.logger),
  };
}

export type Services = ReturnType<typeof createServices>;
