import { randomUUID } from 'node:crypto';
import type { Scope } from '../auth/scope';
import { createLoaders, type Loaders } from '../loaders';
import type { Logger } from '../observability/logger';
import type { Services } from '../services';

/** What every resolver receives. Built by ONE factory for HTTP requests and WebSocket subscriptions. */
export interface GraphQLContext {
  requestId: string;
  /** null when the caller did not authenticate (only public fields and introspection checks see this). */
  scope: Scope | null;
  services: Services;
  /** DataLoaders for this operation only; never shared across operations or tenants. */
  loaders: Loaders;
  logger: Logger;
  /** Remaining rate-limit budget of the caller, reported in `extensions.rateLimit`. */
  rateLimit?: { limit: number; remaining: number; resetMs: number };
}

export interface ContextFactoryDeps {
  services: Services;
  logger: Logger;
}

/** Extracts the key from `Bearer <key>` (HTTP header or graphql-ws connectionParams.authorization). */
export function bearerToken(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m?.[1];
}

export type AuthOutcome = { kind: 'anonymous' } | { kind: 'invalid' } | { kind: 'ok'; scope: Scope };

/**
 * The single context factory. `authorization` is the raw header value (HTTP) or
 * `connectionParams.authorization` (WebSocket); both go through the same key check.
 */
export function createContextFactory(deps: ContextFactoryDeps) {
  return {
    async authenticate(authorization: unknown, requestId: string): Promise<AuthOutcome> {
      if (authorization == null || authorization === '') return { kind: 'anonymous' };
      const token = bearerToken(authorization);
      if (!token) return { kind: 'invalid' };
      const scope = await deps.services.apiKeys.authenticate(token, requestId);
      return scope ? { kind: 'ok', scope } : { kind: 'invalid' };
    },
    build(scope: Scope | null, requestId: string = randomUUID()): GraphQLContext {
      return {
        requestId,
        scope,
        services: deps.services,
        loaders: createLoaders(scope, deps.services.prisma),
        logger: deps.logger.child({ requestId, tenantId: scope?.tenantId }),
      };
    },
  };
}

export type ContextFactory = ReturnType<typeof createContextFactory>;
