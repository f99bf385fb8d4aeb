import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { CtemRemediationFilter, CtemValidationFilter } from './ctem.inputs';
import { CtemExposure, CtemRemediation, CtemValidation } from './ctem.type';

export const CtemValidationConnection = Connection(CtemValidation, 'CtemValidation', 'A page of CTEM validations.');
export const CtemRemediationConnection = Connection(CtemRemediation, 'CtemRemediation', 'A page of CTEM remediations.');

@Resolver(() => CtemValidation)
export class CtemValidationResolver {
  @Authorized('viewer')
  @Query(() => CtemValidation, { description: 'One validation of your tenant, by numeric id or validationId.' })
  ctemValidation(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Numeric id or validationId.' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ctemActivity.validation(scope, id);
  }

  @Authorized('viewer')
  @Query(() => CtemValidationConnection, { description: 'Validations of your tenant, newest first.' })
  ctemValidations(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => CtemValidationFilter, { nullable: true, description: 'Conditions that must all hold.' })
    filter: CtemValidationFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ctemActivity.validations(scope, filter, page);
  }

  @FieldResolver(() => CtemExposure, { nullable: true, description: 'The validated exposure.' })
  exposure(@Root() v: CtemValidation, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cases.ctem.exposureByKey.load(v.exposureKey);
  }
}

@Resolver(() => CtemRemediation)
export class CtemRemediationResolver {
  @Authorized('viewer')
  @Query(() => CtemRemediation, { description: 'One remediation of your tenant, by numeric id or remediationId.' })
  ctemRemediation(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Numeric id or remediationId.' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ctemActivity.remediation(scope, id);
  }

  @Authorized('viewer')
  @Query(() => CtemRemediationConnection, { description: 'Remediations of your tenant, newest first.' })
  ctemRemediations(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => CtemRemediationFilter, { nullable: true, description: 'Conditions that must all hold.' })
    filter: CtemRemediationFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ctemActivity.remediations(scope, filter, page);
  }

  @FieldResolver(() => CtemExposure, { nullable: true, description: 'The exposure being fixed.' })
  exposure(@Root() r: CtemRemediation, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cases.ctem.exposureByKey.load(r.exposureKey);
  }
}
