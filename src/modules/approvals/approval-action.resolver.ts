import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { Approval } from '../investigations/investigation.type';

@Resolver(() => Approval)
export class ApprovalActionResolver {
  @Authorized('approver')
  @Mutation(() => Approval, {
    description:
      'Approves a proposed response action (approver). The proposer cannot approve its own request; high-risk requests need two distinct approvers (the first approval is recorded, the status stays PENDING). A critical action (requiresAcknowledgement) needs acknowledgeCritical: true from each approver (else BAD_USER_INPUT on acknowledgeCritical).',
  })
  approveAction(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Approval id.' }) id: string,
    @Arg('reason', () => String, { description: 'Why you approve (recorded in the audit trail).' }) reason: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('acknowledgeCritical', () => Boolean, {
      nullable: true,
      description: 'Explicit acknowledgement that you approve a critical action (required when the approval requiresAcknowledgement; ignored otherwise).',
    })
    acknowledgeCritical?: boolean | null,
  ) {
    return ctx.services.approvalActions.approve(scope, id, reason, acknowledgeCritical === true);
  }

  @Authorized('approver')
  @Mutation(() => Approval, { description: 'Rejects a proposed response action (approver); the investigation closes as REJECTED once nothing else awaits a decision.' })
  rejectAction(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Approval id.' }) id: string,
    @Arg('reason', () => String, { description: 'Why you reject (recorded in the audit trail).' }) reason: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.approvalActions.reject(scope, id, reason);
  }
}
