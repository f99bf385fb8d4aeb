import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { givenFields } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { type FieldError, badInput, notFound } from '../../errors/domain-error';
import type { AddPlaybookStepInput, UpdatePlaybookStepInput } from './playbook.inputs';
import { validateStep } from './playbook.validation';
import { type PlaybookRow, beginPlaybookChange, playbookChangeEvent, rewriteSteps, stepData, stepFromInput } from './playbook.write';

/**
 * Step edits of a playbook of the caller's tenant. Each edit is one transaction that first bumps the playbook's
 * version (locking it, returning it to draft), then rewrites the steps so their numbers stay dense 1..n.
 * Every method returns the playbook after the change.
 */
export class PlaybookStepService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  private async steps(tx: Prisma.TransactionClient, scope: Scope, docId: string) {
    return tx.playbookStep.findMany({ where: { playbookId: docId, tenantId: scope.tenantId }, orderBy: { stepNumber: 'asc' } });
  }

  /** Inserts a step at `position` (1..n+1, default n+1); later steps move down by one. */
  async add(scope: Scope, docId: string, input: AddPlaybookStepInput): Promise<PlaybookRow> {
    const errors: FieldError[] = [];
    validateStep(errors, 'input', input);
    if (errors.length) throw badInput(errors);
    return this.audit.run(scope, async (tx) => {
      const row = await beginPlaybookChange(tx, scope, docId);
      const steps = (await this.steps(tx, scope, docId)).map(stepData);
      const position = input.position ?? steps.length + 1;
      if (!Number.isInteger(position) || position < 1 || position > steps.length + 1) {
        throw badInput([{ path: 'input.position', message: `must be between 1 and ${steps.length + 1}` }]);
      }
      if (steps.length >= 100) throw badInput([{ path: 'input', message: 'at most 100 steps' }]);
      steps.splice(position - 1, 0, stepFromInput(input));
      await rewriteSteps(tx, scope, docId, steps);
      const event = playbookChangeEvent(row, 'step_added', {
        fields: givenFields(input, ['position']),
        counts: { steps: steps.length },
        context: { step_number: position },
      });
      return { result: row, events: [event] };
    });
  }

  /** Changes one step in place; omitted fields keep their value. The merged step is validated as a whole. */
  async update(scope: Scope, docId: string, stepNumber: number, input: UpdatePlaybookStepInput): Promise<PlaybookRow> {
    return this.audit.run(scope, async (tx) => {
      const row = await beginPlaybookChange(tx, scope, docId);
      const cur = await tx.playbookStep.findFirst({ where: { playbookId: docId, stepNumber, tenantId: scope.tenantId } });
      if (!cur) throw notFound('PlaybookStep', `${docId}#${stepNumber}`);
      const merged = {
        action: input.action ?? cur.action,
        description: input.description ?? cur.description,
        queries: input.queries !== undefined && input.queries !== null ? input.queries : (cur.queries as Record<string, unknown> | null),
        automated: input.automated ?? cur.automated,
        requiresApproval: input.requiresApproval ?? cur.requiresApproval,
        approvalReason: input.approvalReason ?? cur.approvalReason,
        assignedAgent: input.assignedAgent ?? cur.assignedAgent,
      };
      const errors: FieldError[] = [];
      validateStep(errors, 'input', merged);
      if (errors.length) throw badInput(errors);
      const data = stepFromInput(merged);
      await tx.playbookStep.updateMany({
        where: { playbookId: docId, stepNumber, tenantId: scope.tenantId },
        data,
      });
      const event = playbookChangeEvent(row, 'step_updated', { fields: givenFields(input), context: { step_number: stepNumber } });
      return { result: row, events: [event] };
    });
  }

  /** Removes a step; later steps move up by one. A playbook keeps at least one step. */
  async remove(scope: Scope, docId: string, stepNumber: number): Promise<PlaybookRow> {
    return this.audit.run(scope, async (tx) => {
      const row = await beginPlaybookChange(tx, scope, docId);
      const steps = await this.steps(tx, scope, docId);
      const idx = steps.findIndex((s) => s.stepNumber === stepNumber);
      if (idx < 0) throw notFound('PlaybookStep', `${docId}#${stepNumber}`);
      if (steps.length === 1) throw badInput([{ path: 'stepNumber', message: 'a playbook keeps at least one step' }]);
      steps.splice(idx, 1);
      await rewriteSteps(tx, scope, docId, steps.map(stepData));
      const event = playbookChangeEvent(row, 'step_removed', { counts: { steps: steps.length }, context: { step_number: stepNumber } });
      return { result: row, events: [event] };
    });
  }

  /**
   * Reorders the steps: `order` lists every current step number exactly once, in the new order
   * (e.g. [3, 1, 2] moves step 3 first). The steps are renumbered 1..n.
   */
  async reorder(scope: Scope, docId: string, order: number[]): Promise<PlaybookRow> {
    return this.audit.run(scope, async (tx) => {
      const row = await beginPlaybookChange(tx, scope, docId);
      const steps = await this.steps(tx, scope, docId);
      const byNumber = new Map(steps.map((s) => [s.stepNumber, s]));
      const seen = new Set<number>();
      const errors: FieldError[] = [];
      order.forEach((n, i) => {
        if (!byNumber.has(n)) errors.push({ path: `order[${i}]`, message: `no step ${n}` });
        else if (seen.has(n)) errors.push({ path: `order[${i}]`, message: `step ${n} listed twice` });
        seen.add(n);
      });
      if (order.length !== steps.length) errors.push({ path: 'order', message: `must list all ${steps.length} steps` });
      if (errors.length) throw badInput(errors);
      await rewriteSteps(tx, scope, docId, order.map((n) => stepData(byNumber.get(n)!)));
      const event = playbookChangeEvent(row, 'steps_reordered', { counts: { steps: steps.length }, context: { order } });
      return { result: row, events: [event] };
    });
  }
}
