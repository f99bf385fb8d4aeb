import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { type FieldError, badInput, conflict, notFound } from '../../errors/domain-error';
import { translateDbError } from '../../errors/prisma-errors';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';

type KillSwitchRow = Prisma.KillSwitchGetPayload<object>;
export type KillSwitchNode = Omit<KillSwitchRow, 'tenantId'> & { active: boolean };

export interface KillSwitchFilterArgs {
  dimension?: string | null;
  value?: string | null;
  activeOnly?: boolean | null;
}

const ORDER: SortKey<KillSwitchRow>[] = [
  { field: 'activatedAt', direction: 'desc', value: (r) => r.activatedAt },
  { field: 'id', direction: 'asc', value: (r) => r.id },
];
const DIMENSIONS = ['tenant', 'pattern', 'technique', 'datasource'];
const TECHNIQUE_ID = /^(AML\.)?T\d{4}(\.\d{3})?$/;
const ACTIVE_UNIQUE = 'kill_switches_tenant_id_dimension_value_key';

function toNode(row: KillSwitchRow): KillSwitchNode {
  const { tenantId: _t, ...rest } = row;
  return { ...rest, active: row.deactivatedAt === null };
}

function validateActivation(scope: Scope, input: { dimension: string; value: string; reason: string }): FieldError[] {
  const errors: FieldError[] = [];
  const value = input.value.trim();
  if (!DIMENSIONS.includes(input.dimension)) errors.push({ path: 'input.dimension', message: 'unknown dimension' });
  if (!value || value.length > 200) errors.push({ path: 'input.value', message: 'must be 1–200 characters' });
  else if (input.dimension === 'tenant' && value !== scope.tenantId) errors.push({ path: 'input.value', message: 'must be your own tenant id' });
  else if (input.dimension === 'technique' && !TECHNIQUE_ID.test(value)) errors.push({ path: 'input.value', message: 'must be a technique id' });
  if (!input.reason.trim() || input.reason.length > 2000) errors.push({ path: 'input.reason', message: 'must be 1–2000 characters' });
  return errors;
}

/** `kill_switch.activated` / `.deactivated` (severity warning): the switch and the reason given. */
function switchEvent(type: 'kill_switch.activated' | 'kill_switch.deactivated', row: KillSwitchRow, action: string, reason: string) {
  return mutationEvent(type, {
    entity: 'kill_switch',
    entityId: row.id,
    action,
    severity: 'warning',
    context: { dimension: row.dimension, value: row.value },
    decision: { decision_type: `kill_switch_${action}`, reasoning_summary: reason },
  });
}

/** Kill switches of the caller's tenant: reads for viewers, activation and deactivation for admins. */
export class KillSwitchService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /** Switches of the caller's tenant, newest activation first. */
  list(scope: Scope, filter: KillSwitchFilterArgs | null | undefined, page: PageArgs): Promise<ConnectionShape<KillSwitchNode>> {
    const f = filter ?? {};
    const where: Prisma.KillSwitchWhereInput = {
      tenantId: scope.tenantId,
      ...(f.dimension ? { dimension: f.dimension } : {}),
      ...(f.value ? { value: f.value } : {}),
      ...(f.activeOnly ? { deactivatedAt: null } : {}),
    };
    return paginate(this.prisma.killSwitch, where, ORDER, page, toNode);
  }

  /** One switch of the caller's tenant; another tenant's is NOT_FOUND. */
  async get(scope: Scope, id: string): Promise<KillSwitchNode> {
    const row = await this.prisma.killSwitch.findFirst({ where: { id, tenantId: scope.tenantId } });
    if (!row) throw notFound('KillSwitch', id);
    return toNode(row);
  }

  /**
   * Activates a switch for the caller's tenant. CONFLICT when the same (dimension, value) is already
   * active (the partial unique index settles races between concurrent activations).
   */
  async activate(scope: Scope, input: { dimension: string; value: string; reason: string }): Promise<KillSwitchNode> {
    const errors = validateActivation(scope, input);
    if (errors.length) throw badInput(errors);
    const data = { tenantId: scope.tenantId, dimension: input.dimension, value: input.value.trim(), reason: input.reason.trim() };
    try {
      const row = await this.audit.run(scope, async (tx) => {
        const active = await tx.killSwitch.findFirst({
          where: { tenantId: data.tenantId, dimension: data.dimension, value: data.value, deactivatedAt: null },
          select: { id: true },
        });
        if (active) throw conflict(`Kill switch ${data.dimension}:${data.value} is already active`, { id: active.id, constraint: ACTIVE_UNIQUE });
        const created = await tx.killSwitch.create({ data: { ...data, activatedBy: scope.actor } });
        return { result: created, events: [switchEvent('kill_switch.activated', created, 'activated', data.reason)] };
      });
      return toNode(row);
    } catch (err) {
      throw translateDbError(err) ?? err;
    }
  }

  /**
   * Deactivates an active switch of the caller's tenant: NOT_FOUND for another tenant's or an unknown id,
   * CONFLICT when it is already inactive. `reason` (trimmed) is stored with the switch (deactivation_reason)
   * and goes into the audit record (decision.reasoning_summary).
   */
  async deactivate(scope: Scope, id: string, reason: string): Promise<KillSwitchNode> {
    if (!reason.trim() || reason.length > 2000) throw badInput([{ path: 'reason', message: 'must be 1–2000 characters' }]);
    const deactivationReason = reason.trim();
    const row = await this.audit.run(scope, async (tx) => {
      const { count } = await tx.killSwitch.updateMany({
        where: { id, tenantId: scope.tenantId, deactivatedAt: null },
        data: { deactivatedAt: new Date(), deactivatedBy: scope.actor, deactivationReason },
      });
      const current = await tx.killSwitch.findFirst({ where: { id, tenantId: scope.tenantId } });
      if (!current) throw notFound('KillSwitch', id);
      if (count === 0) throw conflict(`Kill switch ${id} is not active`);
      return { result: current, events: [switchEvent('kill_switch.deactivated', current, 'deactivated', deactivationReason)] };
    });
    return toNode(row);
  }
}
