import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { CreateFpPatternInput, FpPatternFilter } from './fp-pattern.inputs';
import { FpPattern } from './fp-pattern.type';

export const FpPatternConnection = Connection(FpPattern, 'FpPattern', 'A page of false-positive patterns.');

const ID_ARG = { description: 'Pattern id.' };

@Resolver(() => FpPattern)
export class FpPatternResolver {
  @Authorized('viewer')
  @Query(() => FpPattern, { description: 'One false-positive pattern of your tenant by id.' })
  fpPattern(@CurrentScope() scope: Scope, @Arg('id', () => ID, ID_ARG) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.fpPatterns.pattern(scope, id);
  }

  @Authorized('viewer')
  @Query(() => FpPatternConnection, { description: 'False-positive patterns of your tenant, newest first.' })
  fpPatterns(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => FpPatternFilter, { nullable: true, description: 'Conditions the patterns must meet.' }) filter: FpPatternFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.fpPatterns.patterns(scope, filter, page);
  }

  @Authorized('analyst')
  @Mutation(() => FpPattern, { description: 'Proposes an FP pattern; it starts PENDING_REVIEW and needs two approvers other than you (analyst).' })
  createFpPattern(@CurrentScope() scope: Scope, @Arg('input', () => CreateFpPatternInput, { description: 'The pattern.' }) input: CreateFpPatternInput, @Ctx() ctx: GraphQLContext) {
    return ctx.services.fpPatterns.create(scope, input);
  }

  @Authorized('approver')
  @Mutation(() => FpPattern, { description: 'Approves an FP pattern; the second approval by a different approver makes it APPROVED for 90 days (approver; not the creator).' })
  approveFpPattern(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, ID_ARG) id: string,
    @Arg('reason', () => String, { description: 'Why the pattern is a safe false-positive rule (kept for the audit trail).' }) reason: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.fpPatternGovernance.approve(scope, id, reason);
  }

  @Authorized('approver')
  @Mutation(() => FpPattern, { description: 'Puts an APPROVED pattern into service (ACTIVE) (approver).' })
  activateFpPattern(@CurrentScope() scope: Scope, @Arg('id', () => ID, ID_ARG) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.fpPatternGovernance.activate(scope, id);
  }

  @Authorized('approver')
  @Mutation(() => FpPattern, { description: 'Extends an APPROVED or ACTIVE pattern by 90 days (approver).' })
  reaffirmFpPattern(@CurrentScope() scope: Scope, @Arg('id', () => ID, ID_ARG) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.fpPatternGovernance.reaffirm(scope, id);
  }

  @Authorized('approver')
  @Mutation(() => FpPattern, { description: 'Revokes a pattern so it never matches again (approver).' })
  revokeFpPattern(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, ID_ARG) id: string,
    @Arg('reason', () => String, { description: 'Why the pattern is revoked.' }) reason: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.fpPatternGovernance.revoke(scope, id, reason);
  }
}
