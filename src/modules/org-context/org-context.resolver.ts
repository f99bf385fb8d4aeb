import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { OrgContextFilter, UpsertOrgContextInput } from './org-context.inputs';
import { OrgContext } from './org-context.type';

export const OrgContextConnection = Connection(OrgContext, 'OrgContext', 'A page of organisational context records.');

@Resolver(() => OrgContext)
export class OrgContextResolver {
  @Authorized('viewer')
  @Query(() => OrgContext, { description: 'One organisational context record of your tenant by id.' })
  orgContext(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Record id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.orgContexts.get(scope, id);
  }

  @Authorized('viewer')
  @Query(() => OrgContextConnection, { description: 'Organisational context records of your tenant, ordered by entity name.' })
  orgContexts(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => OrgContextFilter, { nullable: true, description: 'Conditions on the records.' }) filter: OrgContextFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.orgContexts.list(scope, filter, page);
  }

  @Authorized('analyst')
  @Mutation(() => OrgContext, { description: 'Creates or updates organisational context for an entity (analyst).' })
  upsertOrgContext(
    @CurrentScope() scope: Scope,
    @Arg('input', () => UpsertOrgContextInput, { description: 'The record.' }) input: UpsertOrgContextInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.orgContexts.upsert(scope, input);
  }

  @Authorized('analyst')
  @Mutation(() => OrgContext, { description: 'Deletes an organisational context record of your tenant and returns it as it was (analyst).' })
  deleteOrgContext(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Record id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.orgContexts.remove(scope, id);
  }
}
