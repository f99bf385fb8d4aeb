import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { ApprovalTimeoutPolicy, ApprovalTimeoutsInput } from './approval-policy.type';

@Resolver(() => ApprovalTimeoutPolicy)
export class ApprovalPolicyResolver {
  @Authorized('viewer')
  @Query(() => [ApprovalTimeoutPolicy], { description: 'Your tenant’s approval timeouts by severity (defaults and overrides), most severe first.' })
  approvalTimeoutPolicies(@CurrentScope() scope: Scope, @Ctx() ctx: GraphQLContext) {
    return ctx.services.approvalPolicy.policies(scope);
  }

  @Authorized('admin')
  @Mutation(() => [ApprovalTimeoutPolicy], {
    description:
      'Sets your tenant’s approval timeout overrides (admin). Below 1 h is BAD_USER_INPUT on the severity’s field. Replaces every override; approvals already requested keep their expiry.',
  })
  setApprovalTimeouts(
    @CurrentScope() scope: Scope,
    @Arg('input', () => ApprovalTimeoutsInput, { description: 'Overrides in milliseconds; omitted or null = default.' }) input: ApprovalTimeoutsInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.approvalPolicy.setTimeouts(scope, input);
  }
}
