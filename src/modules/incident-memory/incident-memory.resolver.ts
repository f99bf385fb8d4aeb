import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { Investigation } from '../investigations/investigation.type';
import { IncidentMemoryFilter } from './incident-memory.inputs';
import { IncidentMemory } from './incident-memory.type';

export const IncidentMemoryConnection = Connection(IncidentMemory, 'IncidentMemory', 'A page of remembered incidents.');

@Resolver(() => IncidentMemory)
export class IncidentMemoryResolver {
  @Authorized('viewer')
  @Query(() => IncidentMemory, { description: 'One remembered incident of your tenant.' })
  incidentMemory(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Memory document id.' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.incidentMemory.memory(scope, id);
  }

  @Authorized('viewer')
  @Query(() => IncidentMemoryConnection, { description: 'Remembered incidents of your tenant, newest first.' })
  incidentMemories(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => IncidentMemoryFilter, { nullable: true, description: 'Conditions that must all hold.' })
    filter: IncidentMemoryFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.incidentMemory.memories(scope, filter, page);
  }

  @FieldResolver(() => Investigation, { nullable: true, description: 'The investigation it records, while it still exists.' })
  investigation(@Root() m: IncidentMemory, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cases.investigations.investigationById.load(m.incidentId);
  }
}
