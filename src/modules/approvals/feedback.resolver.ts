import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { Investigation, InvestigationClassification } from '../investigations/investigation.type';

@Resolver(() => Investigation)
export class FeedbackResolver {
  @Authorized('analyst')
  @Mutation(() => Investigation, {
    description:
      'Records the analyst’s verdict on an investigation in incident memory (used by future similarity search). An investigation AWAITING_HUMAN with no open approval request is closed with this verdict (analyst).',
  })
  submitFeedback(
    @CurrentScope() scope: Scope,
    @Arg('investigationId', () => ID, { description: 'Investigation id.' }) investigationId: string,
    @Arg('verdict', () => InvestigationClassification, {
      description: 'Your verdict: TRUE_POSITIVE, FALSE_POSITIVE, SUSPICIOUS or INVESTIGATION_REQUIRED.',
    })
    verdict: InvestigationClassification,
    @Arg('note', () => String, { nullable: true, description: 'Optional note (why the verdict, what was learned).' }) note: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.feedback.submit(scope, investigationId, verdict, note);
  }
}
