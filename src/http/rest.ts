import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type Role, type Scope, hasRole } from '../auth/scope';
import { isDomainError } from '../errors/domain-error';
import { bearerToken } from '../graphql/context';
import type { RateLimiter } from '../graphql/rate-limit';
import type { Logger } from '../observability/logger';
import type { ApiKeyService } from '../modules/api-keys/api-key.service';

/** HTTP status of each stable error code on the REST routes (GraphQL carries them in extensions). */
const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
};

/** Answers `{code, message, ...extra}` with the code's status (500 for anything unknown). */
export function restError(res: Response, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(STATUS[code] ?? 500).json({ code, message, ...extra });
}

export interface RestAuthDeps {
  apiKeys: Pick<ApiKeyService, 'authenticate'>;
  /** Spend one token of the caller's per-key budget (the GraphQL endpoint's limiter). */
  rateLimiter?: RateLimiter;
}

/**
 * Express middleware for the REST routes: the same `Authorization: Bearer <key>` check as GraphQL, the
 * required role, optionally the per-key rate limit — all before any body is read. Puts the Scope in
 * `res.locals.scope`.
 */
export function restAuth(deps: RestAuthDeps, role: Role): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
    res.setHeader('x-request-id', requestId);
    const token = bearerToken(req.headers.authorization);
    if (!token) return restError(res, 'UNAUTHENTICATED', 'A valid API key is required');
    let scope: Scope | null;
    try {
      scope = await deps.apiKeys.authenticate(token, requestId);
    } catch (err) {
      return next(err);
    }
    if (!scope) return restError(res, 'UNAUTHENTICATED', 'Invalid or revoked API key');
    if (!hasRole(scope, role)) return restError(res, 'FORBIDDEN', `Requires role ${role}`);
    if (deps.rateLimiter) {
      try {
        const d = await deps.rateLimiter.take(scope.keyId ?? scope.actor);
        if (!d.allowed) {
          res.setHeader('retry-after', String(Math.max(1, Math.ceil(d.resetMs / 1000))));
          return restError(res, 'RATE_LIMITED', 'Rate limit exceeded');
        }
      } catch (err) {
        return next(err);
      }
    }
    res.locals.scope = scope;
    next();
  };
}

/** A DomainError keeps its code (and field paths); anything else is logged and masked with a correlation id. */
export function restFailure(res: Response, err: unknown, log: Logger, what: string): void {
  if (isDomainError(err)) {
    return restError(res, err.code, err.message, err.details.fieldErrors ? { fieldErrors: err.details.fieldErrors } : {});
  }
  const correlationId = randomUUID();
  log.error({ err, correlationId }, `${what} failed`);
  restError(res, 'INTERNAL_SERVER_ERROR', 'Internal server error', { correlationId });
}

/** Body-parser errors of a REST route: too large → 413, unreadable → 400. */
export function restBodyErrors(limit: number, unreadable: string) {
  return (err: { type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (err?.type === 'entity.too.large') return restError(res, 'PAYLOAD_TOO_LARGE', `Body larger than ${limit} bytes`);
    if (err?.type) return restError(res, 'BAD_USER_INPUT', unreadable);
    next(err);
  };
}
