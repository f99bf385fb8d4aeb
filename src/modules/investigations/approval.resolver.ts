import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { ApprovalFilter } from './investigation.inputs';
import { Approval, Investigation } from './investigation.type';

export const ApprovalConnection = Connection(Approval, 'Approval', 'A page of approval requests.');

@Resolver(() => Approval)
export class ApprovalResolver {
  @Authorized('viewer')
  @Query(() => Approval, { description: 'One approval request of your tenant.' })
  approval(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Approval id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.approvals.approval(scope, id);
  }

  @Authorized('viewer')
  @Query(() => ApprovalConnection, { description: 'Approval requests of your tenant, newest request first.' })
  approvals(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => ApprovalFilter, { nullable: true, description: 'Conditions that must all hold.' }) filter: ApprovalFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.approvals.approvals(scope, filter, page);
  }

  @FieldResolver(() => Investigation, { nullable: true, description: 'The investigation that proposed the action.' })
  investigation(@Root() a: Approval, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cases.investigations.investigationById.load(a.investigationId);
  }
}
