import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { givenFields, mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { type FieldError, badInput, conflict, notFound } from '../../errors/domain-error';
import type { CreatePlaybookInput, PlaybookFilter, UpdatePlaybookInput } from './playbook.inputs';
import { validateHeader, validateSteps, resolveTechniqueIds } from './playbook.validation';
import { type PlaybookRow, beginPlaybookChange, playbookChangeEvent, rewriteSteps, stepFromInput } from './playbook.write';

const ORDER: SortKey<PlaybookRow>[] = [
  { field: 'createdAt', direction: 'desc', value: (r) => r.createdAt },
  { field: 'docId', direction: 'asc', value: (r) => r.docId },
];

const json = (v: Record<string, unknown> | null | undefined) => (v ?? undefined) as Prisma.InputJsonValue | undefined;
const trimList = (v: string[] | null | undefined) => [...new Set((v ?? []).map((s) => s.trim()))];

/**
 * Response playbooks of the caller's tenant and their steps. Reads and writes filter by the caller's tenant;
 * another tenant's playbook is NOT_FOUND. Step edits live in PlaybookStepService.
 */
export class PlaybookService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /** One playbook of the caller's tenant. */
  async playbook(scope: Scope, docId: string): Promise<PlaybookRow> {
    const row = await this.prisma.playbook.findFirst({ where: { docId, tenantId: scope.tenantId } });
    if (!row) throw notFound('Playbook', docId);
    return row;
  }

  /** Playbooks of the caller's tenant, newest first, filtered. */
  async playbooks(scope: Scope, filter: PlaybookFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<PlaybookRow>> {
    const f = filter ?? {};
    const where: Prisma.PlaybookWhereInput = {
      tenantId: scope.tenantId,
      ...(f.techniqueId ? { mitreTechniques: { has: f.techniqueId } } : {}),
      ...(f.tactic ? { tactics: { has: f.tactic } } : {}),
      ...(f.severity ? { severity: f.severity } : {}),
      ...(f.severityApplicable ? { severityApplicable: { has: f.severityApplicable } } : {}),
      ...(f.category ? { category: f.category } : {}),
      ...(f.reviewStatus ? { reviewStatus: f.reviewStatus } : {}),
      ...(f.alertProduct ? { alertProducts: { has: f.alertProduct } } : {}),
      ...(f.search ? { title: { contains: f.search, mode: 'insensitive' } } : {}),
      ...(f.updatedFrom || f.updatedTo
        ? { lastUpdated: { ...(f.updatedFrom ? { gte: f.updatedFrom } : {}), ...(f.updatedTo ? { lt: f.updatedTo } : {}) } }
        : {}),
    };
    return paginate(this.prisma.playbook, where, ORDER, page);
  }

  /**
   * Creates a draft playbook with its steps in one transaction. Technique ids are checked against the
   * taxonomy (unknown or deprecated → BAD_USER_INPUT; revoked → remapped); destructive steps must require
   * approval. The id (`pb-<uuid>`) is generated here.
   */
  async create(scope: Scope, input: CreatePlaybookInput): Promise<PlaybookRow> {
    const errors: FieldError[] = [];
    validateHeader(errors, input, true);
    validateSteps(errors, 'input.steps', input.steps);
    const techniques = await resolveTechniqueIds(this.prisma, errors, 'input.mitreTechniques', input.mitreTechniques);
    if (errors.length) throw badInput(errors);
    const docId = `pb-${randomUUID()}`;
    return this.audit.run(scope, async (tx) => {
      const row = await tx.playbook.create({
        data: {
          docId,
          tenantId: scope.tenantId,
          title: input.title.trim(),
          category: input.category.trim(),
          severity: input.severity,
          severityApplicable: [...new Set(input.severityApplicable)],
          tactics: trimList(input.tactics),
          mitreTechniques: techniques,
          alertProducts: trimList(input.alertProducts),
          triggerConditions: json(input.triggerConditions),
          escalationCriteria: json(input.escalationCriteria),
          resolutionCriteria: json(input.resolutionCriteria),
          source: 'manual',
          version: '1.0',
          reviewStatus: 'draft',
        },
      });
      await rewriteSteps(tx, scope, docId, input.steps.map(stepFromInput));
      const event = mutationEvent('playbook.generated', {
        entity: 'playbook',
        entityId: docId,
        action: 'created',
        fields: givenFields(input),
        counts: { steps: input.steps.length },
        context: { title: row.title, version: row.version, source: row.source },
        decision: { decision_type: 'playbook_created', recommended_actions: input.steps.map((s) => s.action) },
        outcome: { state_after: row.reviewStatus },
      });
      return { result: row, events: [event] };
    });
  }

  /**
   * Partial update: omitted fields keep their value; the version goes up and the playbook returns to draft.
   * `expectedVersion`, when given, must match (CONFLICT otherwise).
   */
  async update(scope: Scope, docId: string, input: UpdatePlaybookInput): Promise<PlaybookRow> {
    const errors: FieldError[] = [];
    validateHeader(errors, input, false);
    const techniques =
      input.mitreTechniques != null
        ? await resolveTechniqueIds(this.prisma, errors, 'input.mitreTechniques', input.mitreTechniques)
        : undefined;
    if (errors.length) throw badInput(errors);
    const data: Prisma.PlaybookUpdateManyMutationInput = {
      ...(input.title != null ? { title: input.title.trim() } : {}),
      ...(input.category != null ? { category: input.category.trim() } : {}),
      ...(input.severity != null ? { severity: input.severity } : {}),
      ...(input.severityApplicable != null ? { severityApplicable: [...new Set(input.severityApplicable)] } : {}),
      ...(input.tactics != null ? { tactics: trimList(input.tactics) } : {}),
      ...(techniques ? { mitreTechniques: techniques } : {}),
      ...(input.alertProducts != null ? { alertProducts: trimList(input.alertProducts) } : {}),
      ...(input.triggerConditions != null ? { triggerConditions: json(input.triggerConditions) } : {}),
      ...(input.escalationCriteria != null ? { escalationCriteria: json(input.escalationCriteria) } : {}),
      ...(input.resolutionCriteria != null ? { resolutionCriteria: json(input.resolutionCriteria) } : {}),
    };
    if (Object.keys(data).length === 0) throw badInput([{ path: 'input', message: 'nothing to change' }]);
    return this.audit.run(scope, async (tx) => {
      const row = await beginPlaybookChange(tx, scope, docId, data, input.expectedVersion);
      return { result: row, events: [playbookChangeEvent(row, 'updated', { fields: givenFields(input, ['expectedVersion']) })] };
    });
  }

  /** Deletes a playbook of the caller's tenant and (by cascade, same statement) its steps. Returns its id. */
  async delete(scope: Scope, docId: string): Promise<string> {
    return this.audit.run(scope, async (tx) => {
      const { count } = await tx.playbook.deleteMany({ where: { docId, tenantId: scope.tenantId } });
      if (count === 0) throw notFound('Playbook', docId);
      return { result: docId, events: [mutationEvent('config.changed', { entity: 'playbook', entityId: docId, action: 'deleted' })] };
    });
  }

  /**
   * Approves the current version of a draft playbook (approver role): review_status → approved, approved_by →
   * caller. Guarded on draft status, so an already approved playbook (or a concurrent approval) is CONFLICT.
   * Playbooks have no created_by column, so the approver ≠ author rule cannot be enforced here (unlike FP
   * patterns); the audit trail records who changed and who approved.
   */
  async approve(scope: Scope, docId: string): Promise<PlaybookRow> {
    return this.audit.run(scope, async (tx) => {
      const cur = await tx.playbook.findFirst({ where: { docId, tenantId: scope.tenantId } });
      if (!cur) throw notFound('Playbook', docId);
      const { count } = await tx.playbook.updateMany({
        where: { docId, tenantId: scope.tenantId, reviewStatus: 'draft', version: cur.version },
        data: { reviewStatus: 'approved', approvedBy: scope.actor, lastUpdated: new Date() },
      });
      if (count === 0) throw conflict(`Playbook ${docId} is not a draft awaiting approval`, { reviewStatus: cur.reviewStatus });
      const row = (await tx.playbook.findFirst({ where: { docId, tenantId: scope.tenantId } })) ?? cur;
      const event = mutationEvent('approval.granted', {
        entity: 'playbook',
        entityId: docId,
        action: 'approved',
        context: { title: row.title, version: row.version },
        decision: { decision_type: 'playbook_approval' },
        outcome: { state_before: cur.reviewStatus, state_after: row.reviewStatus, approver: scope.actor },
      });
      return { result: row, events: [event] };
    });
  }
}
