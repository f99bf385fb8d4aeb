import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Resolver, Root, Subscription } from 'type-graphql';
import { unauthenticated } from '../../errors/domain-error';
import type { GraphQLContext } from '../../graphql/context';
import { Investigation } from '../investigations/investigation.type';
import type { InvestigationEventNode } from './investigation-event.service';
import { InvestigationEvent, InvestigationEventFilter } from './investigation-event.type';

interface EventsArgs {
  filter?: InvestigationEventFilter | null;
  afterSequence?: number | null;
  id?: string;
}

function scopeOf(context: unknown) {
  const ctx = context as GraphQLContext;
  if (!ctx.scope) throw unauthenticated();
  return { ctx, scope: ctx.scope };
}

@Resolver(() => InvestigationEvent)
export class InvestigationEventResolver {
  @Authorized('viewer')
  @Subscription(() => InvestigationEvent, {
    description:
      'Every state transition of your tenant’s investigations as it commits. With afterSequence (an auditSequence you saw), replays the transitions after it first, then continues live: in order, no gap, no duplicate.',
    subscribe: ({ args, context }) => {
      const { ctx, scope } = scopeOf(context);
      const a = args as EventsArgs;
      return ctx.services.investigationEvents.events(scope, a.filter, a.afterSequence);
    },
  })
  investigationEvents(
    @Root() event: InvestigationEventNode,
    @Arg('filter', () => InvestigationEventFilter, { nullable: true, description: 'States, severities, classifications.' }) _filter: InvestigationEventFilter | null,
    @Arg('afterSequence', () => Int, { nullable: true, description: 'Replay the transitions after this audit sequence first.' }) _after: number | null,
  ): InvestigationEventNode {
    return event;
  }

  @Authorized('viewer')
  @Subscription(() => InvestigationEvent, {
    description: 'The state transitions of one investigation of your tenant (NOT_FOUND for others), optionally replayed after an audit sequence.',
    subscribe: async ({ args, context }) => {
      const { ctx, scope } = scopeOf(context);
      const a = args as EventsArgs;
      await ctx.services.investigationEvents.assertVisible(scope, a.id!);
      return ctx.services.investigationEvents.events(scope, null, a.afterSequence, a.id);
    },
  })
  investigationUpdated(
    @Root() event: InvestigationEventNode,
    @Arg('id', () => ID, { description: 'The investigation.' }) _id: string,
    @Arg('afterSequence', () => Int, { nullable: true, description: 'Replay the transitions after this audit sequence first.' }) _after: number | null,
  ): InvestigationEventNode {
    return event;
  }

  @FieldResolver(() => Investigation, {
    description: 'The investigation as it is now (read when the event is delivered), so a dashboard gets what it renders in the same message.',
  })
  investigation(@Root() event: InvestigationEventNode, @Ctx() ctx: GraphQLContext) {
    if (!ctx.scope) throw unauthenticated();
    return ctx.services.investigations.investigation(ctx.scope, event.investigationId);
  }
}
