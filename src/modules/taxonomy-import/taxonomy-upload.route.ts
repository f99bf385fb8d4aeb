import express, { type Express, type Request, type Response } from 'express';
import type { Scope } from '../../auth/scope';
import { restAuth, restBodyErrors, restFailure } from '../../http/rest';
import type { Logger } from '../../observability/logger';
import type { ApiKeyService } from '../api-keys/api-key.service';
import { MAX_TAXONOMY_BYTES, type TaxonomyImportService } from './taxonomy-import.service';

export interface TaxonomyUploadDeps {
  services: { apiKeys: Pick<ApiKeyService, 'authenticate'>; taxonomyImport: Pick<TaxonomyImportService, 'import'> };
  logger: Logger;
  /** Body limit in bytes (default 64 MB). */
  maxBytes?: number;
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
    restAuth({ apiKeys: deps.services.apiKeys }, 'admin'),
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
        restFailure(res, err, log, 'taxonomy upload');
      }
    },
    restBodyErrors(limit, 'Unreadable request body'),
  );
}
