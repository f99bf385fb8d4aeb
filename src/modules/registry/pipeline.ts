import type { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import type { WorkQueue } from '../../engine/queue';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Logger } from '../../observability/logger';
import type { AppPubSub } from '../../pubsub/pubsub';
import { IngestResolver } from '../ingest/ingest.resolver';
import { IngestService } from '../ingest/ingest.service';
import { ApprovalActionResolver } from '../approvals/approval-action.resolver';
import { ApprovalActionService } from '../approvals/approval-action.service';
import { FeedbackResolver } from '../approvals/feedback.resolver';
import { FeedbackService } from '../approvals/feedback.service';
import { ApprovalPolicyResolver } from '../approvals/approval-policy.resolver';
import { ApprovalPolicyService } from '../approvals/approval-policy.service';

/** What the investigation pipeline's modules (ingest, approvals, investigation events) are built from. */
export interface PipelineDeps {
  prisma: PrismaClient;
  logger: Logger;
  audit: AuditRecorder;
  queue: WorkQueue;
  pubsub: AppPubSub;
}

/** Resolver classes of the pipeline modules (added to the schema by src/graphql/schema.ts). */
export const pipelineResolvers: Function[] = [IngestResolver, ApprovalActionResolver, ApprovalPolicyResolver, FeedbackResolver];

/** Services of the pipeline modules (merged into the process's Services by src/services.ts). */
export function createPipelineServices(deps: PipelineDeps) {
  return {
    ingest: new IngestService(deps),
    approvalActions: new ApprovalActionService(deps),
    approvalPolicy: new ApprovalPolicyService(deps.prisma, deps.audit),
    feedback: new FeedbackService(deps.prisma, deps.audit),
  };
}

/** Per-operation DataLoaders of the pipeline modules. */
export function createPipelineLoaders(scope: Scope | null, prisma: PrismaClient) {
  void scope;
  void prisma;
  return {};
}
