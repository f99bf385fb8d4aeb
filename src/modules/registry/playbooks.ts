import type { AuditRecorder } from '../../audit/audit.recorder';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import type { Logger } from '../../observability/logger';
import { FpPatternGovernanceService } from '../fp-patterns/fp-pattern-governance.service';
import { FpPatternResolver } from '../fp-patterns/fp-pattern.resolver';
import { FpPatternService } from '../fp-patterns/fp-pattern.service';
import { PlaybookMutationResolver } from '../playbooks/playbook-mutation.resolver';
import { PlaybookStepService } from '../playbooks/playbook-step.service';
import { createPlaybookLoaders } from '../playbooks/playbook.loaders';
import { PlaybookResolver } from '../playbooks/playbook.resolver';
import { PlaybookService } from '../playbooks/playbook.service';
import { TaxonomyImportResolver } from '../taxonomy-import/taxonomy-import.resolver';
import { TaxonomyImportService } from '../taxonomy-import/taxonomy-import.service';

/** Resolver classes of this module group (added to the schema by src/graphql/schema.ts). */
export const playbooksResolvers: Function[] = [PlaybookResolver, PlaybookMutationResolver, FpPatternResolver, TaxonomyImportResolver];

/** Services of this module group (merged into the process's Services by src/services.ts). */
export function createPlaybooksServices(prisma: PrismaClient, logger: Logger, audit: AuditRecorder) {
  void logger;
  return {
    playbooks: new PlaybookService(prisma, audit),
    playbookSteps: new PlaybookStepService(prisma, audit),
    fpPatterns: new FpPatternService(prisma, audit),
    fpPatternGovernance: new FpPatternGovernanceService(prisma, audit),
    taxonomyImport: new TaxonomyImportService(prisma, audit),
  };
}

/** DataLoaders of this module group, built per operation (src/loaders/index.ts). */
export function createPlaybooksLoaders(scope: Scope | null, prisma: PrismaClient) {
  return createPlaybookLoaders(scope, prisma);
}
