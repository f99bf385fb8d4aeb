import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { LlmModelFilter, LlmProviderFilter, UpsertLlmModelInput, UpsertLlmProviderInput } from './llm-config.inputs';
import { LlmModel, LlmProvider } from './llm-config.type';

export const LlmProviderConnection = Connection(LlmProvider, 'LlmProvider', 'A page of LLM providers.');
export const LlmModelConnection = Connection(LlmModel, 'LlmModel', 'A page of LLM models.');

@Resolver(() => LlmProvider)
export class LlmProviderResolver {
  @Authorized('viewer')
  @Query(() => LlmProvider, { description: 'One LLM provider of your tenant.' })
  llmProvider(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Provider id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.llmProviders.get(scope, id);
  }

  @Authorized('viewer')
  @Query(() => LlmProviderConnection, { description: 'LLM providers of your tenant, ordered by id.' })
  llmProviders(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => LlmProviderFilter, { nullable: true, description: 'Filters.' }) filter: LlmProviderFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.llmProviders.list(scope, filter, page);
  }

  @Authorized('admin')
  @Mutation(() => LlmProvider, { description: 'Creates or updates an LLM provider of your tenant (admin).' })
  upsertLlmProvider(
    @CurrentScope() scope: Scope,
    @Arg('input', () => UpsertLlmProviderInput, { description: 'The provider.' }) input: UpsertLlmProviderInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.llmProviders.upsert(scope, input);
  }

  @Authorized('admin')
  @Mutation(() => LlmProvider, { description: 'Enables or disables an LLM provider of your tenant (admin).' })
  setLlmProviderEnabled(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Provider id.' }) id: string,
    @Arg('enabled', () => Boolean, { description: 'New state.' }) enabled: boolean,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.llmProviders.setEnabled(scope, id, enabled);
  }

  @FieldResolver(() => [LlmModel], { description: 'Models of this provider, ordered by id.' })
  models(@Root() p: LlmProvider, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.platform.llmModelsByProvider.load(p.providerId);
  }
}

@Resolver(() => LlmModel)
export class LlmModelResolver {
  @Authorized('viewer')
  @Query(() => LlmModel, { description: 'One LLM model of your tenant.' })
  llmModel(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Model id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.llmModels.get(scope, id);
  }

  @Authorized('viewer')
  @Query(() => LlmModelConnection, { description: 'LLM models of your tenant, ordered by id.' })
  llmModels(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => LlmModelFilter, { nullable: true, description: 'Filters.' }) filter: LlmModelFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.llmModels.list(scope, filter, page);
  }

  @Authorized('admin')
  @Mutation(() => LlmModel, { description: 'Creates or updates an LLM model of your tenant (admin).' })
  upsertLlmModel(
    @CurrentScope() scope: Scope,
    @Arg('input', () => UpsertLlmModelInput, { description: 'The model.' }) input: UpsertLlmModelInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.llmModels.upsert(scope, input);
  }

  @Authorized('admin')
  @Mutation(() => ID, { description: 'Deletes an LLM model of your tenant and returns its id (admin).' })
  deleteLlmModel(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Model id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.llmModels.delete(scope, id);
  }

  @FieldResolver(() => LlmProvider, { nullable: true, description: 'The provider of this model.' })
  provider(@Root() m: LlmModel, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.platform.llmProviderById.load(m.providerId);
  }

  @FieldResolver(() => LlmModel, { nullable: true, description: 'The fallback model, when configured and present.' })
  fallback(@Root() m: LlmModel, @Ctx() ctx: GraphQLContext) {
    return m.fallbackModel ? ctx.loaders.platform.llmModelById.load(m.fallbackModel) : null;
  }
}
