import type { AuditRecorder } from '../../audit/audit.recorder';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import type { Logger } from '../../observability/logger';
import { AuditLogResolver } from '../audit-log/audit-log.resolver';
import { AuditLogService } from '../audit-log/audit-log.service';
import { KillSwitchResolver } from '../kill-switches/kill-switch.resolver';
import { KillSwitchService } from '../kill-switches/kill-switch.service';
import { createLlmConfigLoaders } from '../llm-config/llm-config.loaders';
import { LlmModelResolver, LlmProviderResolver } from '../llm-config/llm-config.resolver';
import { LlmModelService } from '../llm-config/llm-model.service';
import { LlmProviderService } from '../llm-config/llm-provider.service';
import { PlatformOpsResolver } from '../platform-ops/platform-ops.resolver';
import { PlatformOpsService } from '../platform-ops/platform-ops.service';
import { telemetryResolvers } from '../telemetry/telemetry.resolver';
import { TelemetryService } from '../telemetry/telemetry.service';
import { TenancyResolver } from '../tenancy/tenancy.resolver';
import { TenancyService } from '../tenancy/tenancy.service';
import { UebaResolver } from '../ueba/ueba.resolver';
import { UebaService } from '../ueba/ueba.service';

/** Resolver classes of this module group (added to the schema by src/graphql/schema.ts). */
export const platformResolvers: Function[] = [
  ...telemetryResolvers,
  LlmProviderResolver,
  LlmModelResolver,
  AuditLogResolver,
  TenancyResolver,
  UebaResolver,
  KillSwitchResolver,
  PlatformOpsResolver,
];

/** Services of this module group (merged into the process's Services by src/services.ts). */
export function createPlatformServices(prisma: PrismaClient, logger: Logger, audit: AuditRecorder) {
  void logger;
  return {
    telemetry: new TelemetryService(prisma),
    llmProviders: new LlmProviderService(prisma, audit),
    llmModels: new LlmModelService(prisma, audit),
    auditLog: new AuditLogService(prisma),
    tenancy: new TenancyService(prisma, audit),
    ueba: new UebaService(prisma),
    killSwitches: new KillSwitchService(prisma, audit),
    platformOps: new PlatformOpsService(prisma),
  };
}

/** DataLoaders of this module group, built per operation (src/loaders/index.ts). */
export function createPlatformLoaders(scope: Scope | null, prisma: PrismaClient) {
  return {
    ...createLlmConfigLoaders(scope?.tenantId ?? null, prisma),
  };
}
