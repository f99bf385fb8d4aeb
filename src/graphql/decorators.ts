import { createParameterDecorator } from 'type-graphql';
import type { Scope } from '../auth/scope';
import { unauthenticated } from '../errors/domain-error';
import type { GraphQLContext } from './context';

/** Injects the caller's Scope (the operation is @Authorized, so it is present). */
export function CurrentScope() {
  return createParameterDecorator<GraphQLContext>(({ context }): Scope => {
    if (!context.scope) throw unauthenticated();
    return context.scope;
  });
}
