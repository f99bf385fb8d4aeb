import { Arg, Args, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { UebaSignalFilter } from './ueba.inputs';
import { UebaSignal } from './ueba.type';

export const UebaSignalConnection = Connection(UebaSignal, 'UebaSignal', 'A page of entity risk signals, newest first.');

@Resolver(() => UebaSignal)
export class UebaResolver {
  @Authorized('viewer')
  @Query(() => UebaSignalConnection, { description: 'Entity risk signals of your tenant, newest first.' })
  uebaSignals(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => UebaSignalFilter, { nullable: true, description: 'Filters.' }) filter: UebaSignalFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ueba.signals(scope, filter, page);
  }

  @Authorized('viewer')
  @Query(() => UebaSignal, { description: 'One entity risk signal of your tenant.' })
  uebaSignal(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Signal id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.ueba.signal(scope, id);
  }
}
