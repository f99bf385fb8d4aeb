import type { PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import type { Logger } from '../../observability/logger';

/** Resolver classes of this module group (added to the schema by src/graphql/schema.ts). */
export const casesResolvers: Function[] = [];

/** Services of this module group (merged into the process's Services by src/services.ts). */
export function createCasesServices(prisma: PrismaClient, logger: Logger) {
  void prisma;
  void logger;
  return {};
}

/** DataLoaders of this module group, built per operation (src/loaders/index.ts). */
export function createCasesLoaders(scope: Scope | null, prisma: PrismaClient) {
  void scope;
  void prisma;
  return {};
}
