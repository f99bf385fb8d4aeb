import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { InvestigationFilter } from './investigation.inputs';
import { Alert, Approval, Investigation } from './investigation.type';

export const InvestigationConnection = Connection(Investigation, 'Investigation', 'A page of investigations.');

@Resolver(() => Investigation)
export class InvestigationResolver {
  @Authorized('viewer')
  @Query(() => Investigation, { description: 'One investigation of your tenant.' })
  investigation(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Investigation id.' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.investigations.investigation(scope, id);
  }

  @Authorized('viewer')
  @Query(() => InvestigationConnection, { description: 'Investigations of your tenant, newest first.' })
  investigations(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => InvestigationFilter, { nullable: true, description: 'Conditions that must all hold.' })
    filter: InvestigationFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.investigations.investigations(scope, filter, page);
  }

  // Relations need viewer: an ingest-only key reads only the investigation's own fields (ingest results).
  @Authorized('viewer')
  @FieldResolver(() => Alert, { nullable: true, description: 'The alert under investigation.' })
  alert(@Root() i: Investigation, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cases.investigations.alertById.load(i.alertId);
  }

  @Authorized('viewer')
  @FieldResolver(() => [Approval], { description: 'Approval requests of this investigation, oldest first.' })
  approvals(@Root() i: Investigation, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cases.investigations.approvalsByInvestigationId.load(i.id);
  }
}
