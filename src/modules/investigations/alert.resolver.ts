import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { AlertFilter } from './investigation.inputs';
import { Alert, Investigation } from './investigation.type';

export const AlertConnection = Connection(Alert, 'Alert', 'A page of alerts.');

@Resolver(() => Alert)
export class AlertResolver {
  @Authorized('viewer')
  @Query(() => Alert, { description: 'One ingested alert of your tenant.' })
  alert(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Alert id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.alerts.alert(scope, id);
  }

  @Authorized('viewer')
  @Query(() => AlertConnection, { description: 'Ingested alerts of your tenant, newest first.' })
  alerts(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => AlertFilter, { nullable: true, description: 'Conditions that must all hold.' }) filter: AlertFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.alerts.alerts(scope, filter, page);
  }

  @FieldResolver(() => Investigation, { nullable: true, description: 'The investigation of this alert (the newest, if several).' })
  investigation(@Root() a: Alert, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cases.investigations.investigationByAlertId.load(a.id);
  }
}
