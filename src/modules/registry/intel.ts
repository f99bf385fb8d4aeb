import type { AuditRecorder } from '../../audit/audit.recorder';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import type { Logger } from '../../observability/logger';
import { ConnectorResolver } from '../connectors/connector.resolver';
import { ConnectorService } from '../connectors/connector.service';
import { OrgContextResolver } from '../org-context/org-context.resolver';
import { OrgContextService } from '../org-context/org-context.service';
import { IocImportService } from '../threat-intel/ioc-import.service';
import { ThreatIntelIocResolver } from '../threat-intel/ioc.resolver';
import { IocService } from '../threat-intel/ioc.service';

/** Resolver classes of this module group (added to the schema by src/graphql/schema.ts). */
export const intelResolvers: Function[] = [ThreatIntelIocResolver, OrgContextResolver, ConnectorResolver];

/** Services of this module group (merged into the process's Services by src/services.ts). */
export function createIntelServices(prisma: PrismaClient, logger: Logger, audit: AuditRecorder) {
  void logger;
  return {
    threatIntelIocs: new IocService(prisma, audit),
    threatIntelImports: new IocImportService(prisma, audit),
    orgContexts: new OrgContextService(prisma, audit),
    connectors: new ConnectorService(prisma, audit),
  };
}

/**
 * DataLoaders of this module group, built per operation (src/loaders/index.ts). None yet: indicators link
 * to global MITRE data only (ctx.loaders.mitre), and org context / connectors have no relations.
 */
export function createIntelLoaders(scope: Scope | null, prisma: PrismaClient) {
  void scope;
  void prisma;
  return {};
}
