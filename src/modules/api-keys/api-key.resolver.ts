import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { PageArgsInput } from '../../graphql/page-args';
import type { Scope } from '../../auth/scope';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { ApiKey, CreateApiKeyInput, CreatedApiKey } from './api-key.type';

export const ApiKeyConnection = Connection(ApiKey, 'ApiKey', 'A page of API keys.');

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Authorized('admin')
  @Query(() => ApiKeyConnection, { description: 'API keys of your tenant, newest first (admin).' })
  apiKeys(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('includeRevoked', () => Boolean, { defaultValue: false, description: 'Include revoked keys.' }) includeRevoked: boolean,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.apiKeys.list(scope, { includeRevoked }, page);
  }

  @Authorized('admin')
  @Mutation(() => CreatedApiKey, { description: 'Creates an API key for your tenant and returns its secret once (admin).' })
  createApiKey(@CurrentScope() scope: Scope, @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: GraphQLContext) {
    return ctx.services.apiKeys.create(scope, input);
  }

  @Authorized('admin')
  @Mutation(() => ApiKey, { description: 'Revokes an API key of your tenant; it stops authenticating at once (admin).' })
  revokeApiKey(@CurrentScope() scope: Scope, @Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.apiKeys.revoke(scope, id);
  }
}
