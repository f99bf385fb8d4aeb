import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { type Scope, hasRole } from '../../auth/scope';
import { isDomainError } from '../../errors/domain-error';
import { bearerToken } from '../../graphql/context';
import type { RateLimiter } from '../../graphql/rate-limit';
import { isAlertSource } from '../../ingest/canonical';
import type { Logger } from '../../observability/logger';
import type { ApiKeyService } from '../api-keys/api-key.service';
import type { IngestResult, IngestService } from './ingest.service';

/** Webhook bodies are capped at 5 MB (a vendor batch of alerts; the GraphQL endpoint caps at 1 MB). */
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export interface IngestWebhookDeps {
  services: { apiKeys: Pick<ApiKeyService, 'authenticate'>; ingest: Pick<IngestService, 'ingestBody'> };
  logger: Logger;
  /** The GraphQL endpoint's per-key limiter: webhook calls spend the same budget. None → unlimited. */
  rateLimiter?: RateLimiter;
  maxBytes?: number;
}

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
};

function fail(res: Response, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(STATUS[code] ?? 500).json({ code, message, ...extra });
}

/** The webhook's JSON view of a result: the investigation's own fields only. */
function toJson(r: IngestResult) {
  const i = r.investigation;
  return {
    investigation: i ? { id: i.id, state: i.state, severity: i.severity, title: i.title } : null,
    deduplicated: r.deduplicated,
    dropped: r.dropped,
    reason: r.reason,
    error: r.error,
  };
}

/**
 * `POST /ingest/:source`: SIEMs push their own webhook JSON (one alert, an array, or a vendor envelope),
 * `Authorization: Bearer <key>` with role ingest (or analyst and above). Same adapters and transaction as
 * `ingestAlerts`; answers `200 {results: [{investigation: {id, state, severity, title} | null, deduplicated,
 * dropped, reason, error}]}` with error paths relative to the body, or `{code, message}` with
 * 400 (unparseable JSON), 401, 403, 404 (unknown source), 413, 429, 500.
 */
export function mountIngestWebhook(app: Express, deps: IngestWebhookDeps): void {
  const limit = deps.maxBytes ?? MAX_WEBHOOK_BYTES;
  app.post(
    '/ingest/:source',
    // Authenticate (and spend a rate-limit token) before reading up to 5 MB.
    async (req: Request, res: Response, next: NextFunction) => {
      const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
      res.setHeader('x-request-id', requestId);
      const token = bearerToken(req.headers.authorization);
      if (!token) return fail(res, 'UNAUTHENTICATED', 'A valid API key is required');
      let scope: Scope | null;
      try {
        scope = await deps.services.apiKeys.authenticate(token, requestId);
      } catch (err) {
        return next(err);
      }
      if (!scope) return fail(res, 'UNAUTHENTICATED', 'Invalid or revoked API key');
      if (!hasRole(scope, 'ingest')) return fail(res, 'FORBIDDEN', 'Requires role ingest');
      if (!isAlertSource(req.params.source)) return fail(res, 'NOT_FOUND', `Unknown alert source ${JSON.stringify(req.params.source)}`);
      if (deps.rateLimiter) {
        try {
          const d = await deps.rateLimiter.take(scope.keyId ?? scope.actor);
          if (!d.allowed) {
            res.setHeader('retry-after', String(Math.max(1, Math.ceil(d.resetMs / 1000))));
            return fail(res, 'RATE_LIMITED', 'Rate limit exceeded');
          }
        } catch (err) {
          return next(err);
        }
      }
      res.locals.scope = scope;
      next();
    },
    // Any content type is read as JSON: not every SIEM's webhook action sets application/json.
    express.json({ type: () => true, limit, strict: true }),
    async (req: Request, res: Response) => {
      const scope = res.locals.scope as Scope;
      const source = req.params.source as string;
      const log = deps.logger.child({ requestId: scope.requestId, tenantId: scope.tenantId, operation: 'ingestWebhook' });
      try {
        const results = await deps.services.ingest.ingestBody(scope, source, req.body);
        log.info({ source, alerts: results.length }, 'webhook ingested');
        res.status(200).json({ results: results.map(toJson) });
      } catch (err) {
        if (isDomainError(err)) return fail(res, err.code, err.message, err.details.fieldErrors ? { fieldErrors: err.details.fieldErrors } : {});
        const correlationId = randomUUID();
        log.error({ err, correlationId }, 'webhook ingest failed');
        fail(res, 'INTERNAL_SERVER_ERROR', 'Internal server error', { correlationId });
      }
    },
    (err: { type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large') return fail(res, 'PAYLOAD_TOO_LARGE', `Body larger than ${limit} bytes`);
      if (err?.type) return fail(res, 'BAD_USER_INPUT', 'Malformed JSON body');
      next(err);
    },
  );
}
