import { type AuditPublisher, AuditRecorder } from './audit/audit.recorder';
import type { AuditSigningKey } from './audit/audit.checkpoints';
import type { PrismaClient } from './generated/prisma/client';
import { AuditChainService } from './modules/audit-chain/audit-chain.service';
import { InvestigationEventService } from './modules/investigation-events/investigation-event.service';
import type { AppPubSub } from './pubsub/pubsub';
import type { SqlDriver, SqlTransactionRunner } from './db/sql-driver';
import type { WorkQueue } from './engine/queue';
import { createPipelineServices } from './modules/registry/pipeline';
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
  /** Receives every committed batch of audit records (pub/sub fan-out); none in CLI tools. */
  auditPublisher?: AuditPublisher;
  /** Signs audit checkpoints; its public half is served by auditPublicKey. */
  auditKey: AuditSigningKey;
  pubsub: AppPubSub;
  /** Where investigation work is queued (BullMQ on Redis, or in-process). */
  queue: WorkQueue;
  /** A dedicated raw connection on server PostgreSQL (audit verification reads the chain with binary COPY). */
  rawConnection?: () => Promise<SqlDriver>;
  /** Group commits outside Prisma (Database.sqlTransaction on server PostgreSQL). */
  sqlTransaction?: SqlTransactionRunner;
}

/** Every domain service, built once per process from its dependencies. */
export function createServices(deps: ServiceDeps) {
  const { prisma } = deps;
  const audit = new AuditRecorder(prisma, deps.auditPublisher, { sqlTransaction: deps.sqlTransaction });
  const auditChain = new AuditChainService(prisma, deps.auditKey, deps.pubsub, deps.rawConnection);
  return {
    prisma,
    audit,
    apiKeys: new ApiKeyService(prisma, audit),
    mitre: new MitreService(prisma),
    auditChain,
    investigationEvents: new InvestigationEventService(prisma, auditChain),
    ...createIntelServices(prisma, deps.logger, audit),
    ...createPlaybooksServices(prisma, deps.logger, audit),
    ...createCasesServices(prisma, deps.logger, audit),
    ...createPlatformServices(prisma, deps.logger, audit),
    ...createPipelineServices({ prisma, logger: deps.logger, audit, queue: deps.queue, pubsub: deps.pubsub }),
  };
}

export type Services = ReturnType<typeof createServices>;
