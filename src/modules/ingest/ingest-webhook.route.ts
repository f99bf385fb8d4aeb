import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Scope } from '../../auth/scope';
import type { RateLimiter } from '../../graphql/rate-limit';
import { restAuth, restBodyErrors, restError, restFailure } from '../../http/rest';
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
    // Authenticate (and spend a rate-limit token) before reading up to 5 MB; then the source must be known.
    restAuth({ apiKeys: deps.services.apiKeys, rateLimiter: deps.rateLimiter }, 'ingest'),
    (req: Request, res: Response, next: NextFunction) => {
      if (!isAlertSource(req.params.source)) return restError(res, 'NOT_FOUND', `Unknown alert source ${JSON.stringify(req.params.source)}`);
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
        restFailure(res, err, log, 'webhook ingest');
      }
    },
    restBodyErrors(limit, 'Malformed JSON body'),
  );
}
