import type { PrismaClient } from '../../generated/prisma/client';
import { mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { badInput, notFound } from '../../errors/domain-error';

export interface TenantNode {
  tenantId: string;
  name: string;
  tier: string;
  legalHold: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface CallerIdentityNode {
  tenantId: string;
  actor: string;
  roles: string[];
  keyId: string | null;
}

const TENANT_SELECT = { tenantId: true, name: true, tier: true, legalHold: true, createdAt: true, updatedAt: true } as const;

/** The caller's own tenant and identity. There is no way to name another tenant here. */
export class TenancyService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /** The caller's tenant (settings are not exposed). */
  async tenant(scope: Scope): Promise<TenantNode> {
    const row = await this.prisma.tenant.findUnique({ where: { tenantId: scope.tenantId }, select: TENANT_SELECT });
    if (!row) throw notFound('Tenant', scope.tenantId);
    return row;
  }

  /** The identity behind the caller's key (no database access). */
  me(scope: Scope): CallerIdentityNode {
    return { tenantId: scope.tenantId, actor: scope.actor, roles: [...scope.roles], keyId: scope.keyId ?? null };
  }

  /** Renames the caller's tenant. */
  async update(scope: Scope, input: { name: string }): Promise<TenantNode> {
    const name = input.name.trim();
    if (!name || name.length > 200) throw badInput([{ path: 'input.name', message: 'must be 1–200 characters' }]);
    return this.audit.run(scope, async (tx) => {
      const { count } = await tx.tenant.updateMany({ where: { tenantId: scope.tenantId }, data: { name, updatedAt: new Date() } });
      if (count === 0) throw notFound('Tenant', scope.tenantId);
      const row = await tx.tenant.findUniqueOrThrow({ where: { tenantId: scope.tenantId }, select: TENANT_SELECT });
      return { result: row, events: [mutationEvent('config.changed', { entity: 'tenant', entityId: scope.tenantId, action: 'updated', fields: ['name'] })] };
    });
  }
}
