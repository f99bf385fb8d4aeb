import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { CtemExposureFilter, UpsertCtemExposureInput } from './ctem.inputs';
import { CtemExposure, CtemExposureStatus, CtemRemediation, CtemValidation, UpsertCtemExposurePayload } from './ctem.type';

export const CtemExposureConnection = Connection(CtemExposure, 'CtemExposure', 'A page of CTEM exposures.');

@Resolver(() => CtemExposure)
export class CtemExposureResolver {
  @Authorized('viewer')
  @Query(() => CtemExposure, {
    description: 'One exposure of your tenant, by numeric id or by its 16-hex exposureKey (an exact key match wins).',
  })
  ctemExposure(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Numeric id or exposureKey.' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ctemExposures.exposure(scope, id);
  }

  @Authorized('viewer')
  @Query(() => CtemExposureConnection, { description: 'Exposures of your tenant, highest ctemScore first (then id).' })
  ctemExposures(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => CtemExposureFilter, { nullable: true, description: 'Conditions that must all hold.' })
    filter: CtemExposureFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ctemExposures.exposures(scope, filter, page);
  }

  @Authorized('analyst')
  @Mutation(() => UpsertCtemExposurePayload, {
    description:
      'Creates or refreshes an exposure from a tool finding, scored per spec §4.1 (severity matrix, ctemScore, SLA deadline, exposureKey). Never reopens a VERIFIED or CLOSED exposure (analyst).',
  })
  upsertCtemExposure(
    @CurrentScope() scope: Scope,
    @Arg('input', () => UpsertCtemExposureInput, { description: 'The finding.' }) input: UpsertCtemExposureInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ctemExposures.upsert(scope, input);
  }

  @Authorized('analyst')
  @Mutation(() => CtemExposure, {
    description:
      'Moves an exposure along OPEN → IN_PROGRESS → FIX_DEPLOYED → VERIFIED → CLOSED (FIX_DEPLOYED → IN_PROGRESS when verification fails); anything else is CONFLICT (analyst).',
  })
  updateCtemExposureStatus(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Numeric id or exposureKey.' }) id: string,
    @Arg('status', () => CtemExposureStatus, { description: 'The new status.' }) status: CtemExposureStatus,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ctemExposures.updateStatus(scope, id, status);
  }

  @FieldResolver(() => [CtemValidation], { description: 'Validations of this exposure, newest first.' })
  validations(@Root() e: CtemExposure, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cases.ctem.validationsByExposureKey.load(e.exposureKey);
  }

  @FieldResolver(() => [CtemRemediation], { description: 'Remediations of this exposure, newest first.' })
  remediations(@Root() e: CtemExposure, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cases.ctem.remediationsByExposureKey.load(e.exposureKey);
  }
}
