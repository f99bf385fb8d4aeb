import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { ActivateKillSwitchInput, KillSwitch, KillSwitchFilter } from './kill-switch.type';

export const KillSwitchConnection = Connection(KillSwitch, 'KillSwitch', 'A page of kill switches, newest activation first.');

@Resolver(() => KillSwitch)
export class KillSwitchResolver {
  @Authorized('viewer')
  @Query(() => KillSwitchConnection, { description: 'Kill switches of your tenant (active and past), newest activation first.' })
  killSwitches(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => KillSwitchFilter, { nullable: true, description: 'Filters.' }) filter: KillSwitchFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.killSwitches.list(scope, filter, page);
  }

  @Authorized('viewer')
  @Query(() => KillSwitch, { description: 'One kill switch of your tenant.' })
  killSwitch(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Kill switch id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.killSwitches.get(scope, id);
  }

  @Authorized('admin')
  @Mutation(() => KillSwitch, { description: 'Activates a kill switch for your tenant; CONFLICT when already active (admin).' })
  activateKillSwitch(
    @CurrentScope() scope: Scope,
    @Arg('input', () => ActivateKillSwitchInput, { description: 'The switch.' }) input: ActivateKillSwitchInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.killSwitches.activate(scope, input);
  }

  @Authorized('admin')
  @Mutation(() => KillSwitch, { description: 'Deactivates an active kill switch of your tenant (admin).' })
  deactivateKillSwitch(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Kill switch id.' }) id: string,
    @Arg('reason', { description: 'Why (1–2,000 characters).' }) reason: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.killSwitches.deactivate(scope, id, reason);
  }
}
