import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { ApiKey, CreateApiKeyInput, CreatedApiKey } from './api-key.type';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Authorized('admin')
  @Query(() => [ApiKey], { description: 'API keys of your tenant, newest first (admin).' })
  apiKeys(
    @CurrentScope() scope: Scope,
    @Arg('includeRevoked', () => Boolean, { defaultValue: false, description: 'Include revoked keys.' }) includeRevoked: boolean,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.apiKeys.list(scope, { includeRevoked });
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
