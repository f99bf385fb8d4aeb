import type { AuthChecker } from 'type-graphql';
import { hasRole, isRole } from '../auth/scope';
import { forbidden, unauthenticated } from '../errors/domain-error';
import type { GraphQLContext } from './context';

/**
 * `@Authorized(...roles)`: no scope → UNAUTHENTICATED; a scope lacking every listed role → FORBIDDEN.
 * `@Authorized()` with no role means "any authenticated caller". Roles are hierarchical (see hasRole).
 */
export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  const scope = context.scope;
  if (!scope) throw unauthenticated();
  if (roles.length === 0) return true;
  if (roles.some((r) => isRole(r) && hasRole(scope, r))) return true;
  throw forbidden(`Requires role ${roles.join(' or ')}`);
};
