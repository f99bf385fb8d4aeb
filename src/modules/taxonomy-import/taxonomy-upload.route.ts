import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { type Scope, hasRole } from '../../auth/scope';
import { isDomainError } from '../../errors/domain-error';
import { bearerToken } from '../../graphql/context';
import type { Logger } from '../../observability/logger';
import type { ApiKeyService } from '../api-keys/api-key.service';
import { MAX_TAXONOMY_BYTES, type TaxonomyImportService } from './taxonomy-import.service';

export interface TaxonomyUploadDeps {
  services: { apiKeys: Pick<ApiKeyService, 'authenticate'>; taxonomyImport: Pick<TaxonomyImportService, 'import'> };
  logger: Logger;
  /** Body limit in bytes (default 64 MB). */
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

/**
 * `POST /admin/taxonomy`: uploads a full MITRE bundle (raw body, any content type, up to 64 MB; the GraphQL
 * endpoint caps bodies at 1 MB). `Authorization: Bearer <admin key>`; the file name may be passed as
 * `?filename=` or `X-Filename` (it supplies the version when the content has none). Answers the import
 * summary as JSON, or `{code, message[, fieldErrors | correlationId]}` with 400/401/403/413/500.
 */
export function mountTaxonomyUpload(app: Express, deps: TaxonomyUploadDeps): void {
  const limit = deps.maxBytes ?? MAX_TAXONOMY_BYTES;
  app.post(
    '/admin/taxonomy',
    // Authenticate before reading a body of up to 64 MB.
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
      if (!hasRole(scope, 'admin')) return fail(res, 'FORBIDDEN', 'Requires role admin');
      res.locals.scope = scope;
      next();
    },
    express.raw({ type: () => true, limit }),
    async (req: Request, res: Response) => {
      const scope = res.locals.scope as Scope;
      const log = deps.logger.child({ requestId: scope.requestId, tenantId: scope.tenantId, operation: 'taxonomyUpload' });
      const q = req.query.filename;
      const filename = (typeof q === 'string' ? q : undefined) ?? (req.headers['x-filename'] as string | undefined) ?? null;
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        const summary = await deps.services.taxonomyImport.import(scope, body, filename);
        log.info({ framework: summary.framework, version: summary.version, durationMs: summary.durationMs }, 'taxonomy imported');
        res.status(200).json(summary);
      } catch (err) {
        if (isDomainError(err)) return fail(res, err.code, err.message, err.details.fieldErrors ? { fieldErrors: err.details.fieldErrors } : {});
        const correlationId = randomUUID();
        log.error({ err, correlationId }, 'taxonomy upload failed');
        fail(res, 'INTERNAL_SERVER_ERROR', 'Internal server error', { correlationId });
      }
    },
    (err: { type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large') return fail(res, 'PAYLOAD_TOO_LARGE', `Upload larger than ${limit} bytes`);
      if (err?.type) return fail(res, 'BAD_USER_INPUT', 'Unreadable request body');
      next(err);
    },
  );
}
