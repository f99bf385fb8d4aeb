import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { CallerIdentity, Tenant, UpdateTenantInput } from './tenancy.type';

@Resolver(() => Tenant)
export class TenancyResolver {
  @Authorized('viewer')
  @Query(() => Tenant, { description: 'Your tenant.' })
  tenant(@CurrentScope() scope: Scope, @Ctx() ctx: GraphQLContext) {
    return ctx.services.tenancy.tenant(scope);
  }

  /** Any valid key, ingest keys included: integrators use it to check their key. */
  @Authorized()
  @Query(() => CallerIdentity, { description: 'The identity behind your API key (any role, ingest included).' })
  me(@CurrentScope() scope: Scope, @Ctx() ctx: GraphQLContext) {
    return ctx.services.tenancy.me(scope);
  }

  @Authorized('admin')
  @Mutation(() => Tenant, { description: 'Renames your tenant (admin).' })
  updateTenant(
    @CurrentScope() scope: Scope,
    @Arg('input', () => UpdateTenantInput, { description: 'Changes.' }) input: UpdateTenantInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.tenancy.update(scope, input);
  }
}
