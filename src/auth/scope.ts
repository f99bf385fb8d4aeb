/** Roles an API key can hold. viewer < analyst < approver < admin; `ingest` is separate (ingest mutations only). */
export const ROLES = ['viewer', 'analyst', 'approver', 'admin', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Exclude<Role, 'ingest'>, number> = { viewer: 1, analyst: 2, approver: 3, admin: 4 };

/**
 * Who is calling, for which tenant. The first parameter of every service method; the tenant id never
 * comes from a GraphQL argument.
 */
export interface Scope {
  tenantId: string;
  /** Stable actor id for audit records, e.g. `api_key:<keyId>` or `system:<component>`. */
  actor: string;
  roles: readonly Role[];
  requestId: string;
  /** The API key behind the call, when there is one (rate limits are per key). */
  keyId?: string;
}

/**
 * Whether the scope satisfies a required role. Hierarchical roles include the ones below them; `ingest`
 * is satisfied by `ingest` itself or by analyst and above (an analyst may ingest by hand).
 */
export function hasRole(scope: Pick<Scope, 'roles'>, required: Role): boolean {
  if (required === 'ingest') return scope.roles.includes('ingest') || hasRole(scope, 'analyst');
  const need = RANK[required];
  return scope.roles.some((r) => r !== 'ingest' && RANK[r] >= need);
}

/** A system scope for background work (workers, maintenance, seeding). */
export function systemScope(tenantId: string, component: string, requestId = `system-${component}`): Scope {
  return { tenantId, actor: `system:${component}`, roles: ['admin'], requestId };
}

export function isRole(x: string): x is Role {
  return (ROLES as readonly string[]).includes(x);
}
