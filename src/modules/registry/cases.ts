import type { AuditRecorder } from '../../audit/audit.recorder';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { unauthenticated } from '../../errors/domain-error';
import type { Logger } from '../../observability/logger';
import { CtemActivityService } from '../ctem/ctem-activity.service';
import { CtemRemediationResolver, CtemValidationResolver } from '../ctem/ctem-activity.resolver';
import { CtemExposureService } from '../ctem/ctem-exposure.service';
import { CtemExposureResolver } from '../ctem/ctem-exposure.resolver';
import { type CtemLoaders, createCtemLoaders } from '../ctem/ctem.loaders';
import { IncidentMemoryResolver } from '../incident-memory/incident-memory.resolver';
import { IncidentMemoryService } from '../incident-memory/incident-memory.service';
import { AlertResolver } from '../investigations/alert.resolver';
import { AlertService } from '../investigations/alert.service';
import { ApprovalResolver } from '../investigations/approval.resolver';
import { ApprovalService } from '../investigations/approval.service';
import { type InvestigationLoaders, createInvestigationLoaders } from '../investigations/investigation.loaders';
import { InvestigationResolver } from '../investigations/investigation.resolver';
import { InvestigationService } from '../investigations/investigation.service';

/** Resolver classes of this module group (added to the schema by src/graphql/schema.ts). */
export const casesResolvers: Function[] = [
  CtemExposureResolver,
  CtemValidationResolver,
  CtemRemediationResolver,
  InvestigationResolver,
  AlertResolver,
  ApprovalResolver,
  IncidentMemoryResolver,
];

/** Services of this module group (merged into the process's Services by src/services.ts). */
export function createCasesServices(prisma: PrismaClient, logger: Logger, audit: AuditRecorder) {
  void logger;
  return {
    ctemExposures: new CtemExposureService(prisma, audit),
    ctemActivity: new CtemActivityService(prisma),
    investigations: new InvestigationService(prisma),
    alerts: new AlertService(prisma),
    approvals: new ApprovalService(prisma),
    incidentMemory: new IncidentMemoryService(prisma),
  };
}

/**
 * DataLoaders of this module group, built per operation (src/loaders/index.ts). All data here is
 * tenant-owned: each loader set captures the caller's tenant and is only built for an authenticated scope.
 */
export function createCasesLoaders(scope: Scope | null, prisma: PrismaClient) {
  let ctem: CtemLoaders | undefined;
  let investigations: InvestigationLoaders | undefined;
  const tenant = (): string => {
    if (!scope) throw unauthenticated();
    return scope.tenantId;
  };
  return {
    get ctem(): CtemLoaders {
      ctem ??= createCtemLoaders(tenant(), prisma);
      return ctem;
    },
    get investigations(): InvestigationLoaders {
      investigations ??= createInvestigationLoaders(tenant(), prisma);
      return investigations;
    },
  };
}
