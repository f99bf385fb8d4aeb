import type { PrismaClient } from '../../generated/prisma/client';
import { appendAudit } from '../../audit/audit.append';
import { mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { AuditRow } from '../../audit/record-hash';
import { type Scope, hasRole } from '../../auth/scope';
import { badInput, forbidden } from '../../errors/domain-error';
import { TaxonomyParseError } from '../../taxonomy/stix';
import { TaxonomyImportError, type TaxonomyImportSummary, importTaxonomy } from '../../taxonomy/import';

/** Largest upload accepted (a full ATT&CK enterprise bundle is about 10 MB). */
export const MAX_TAXONOMY_BYTES = 64 * 1024 * 1024;

/**
 * Imports MITRE ATT&CK STIX bundles and ATLAS.yaml into the global reference tables (admin only, whatever
 * the tenant: the data is shared by every tenant). Format is detected from the content.
 */
export class TaxonomyImportService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /**
   * Parses and imports `content` in one transaction. Unrecognised or malformed content is BAD_USER_INPUT
   * (path `content`) and writes nothing. Checks the admin role itself too, because the REST upload route
   * calls it without the GraphQL auth checker. The taxonomy is global, but the import is recorded
   * (`knowledge.indexed`, with per-table counts) in the importing admin's tenant chain, in the import's
   * own transaction.
   */
  async import(scope: Scope, content: string | Buffer, filename?: string | null): Promise<TaxonomyImportSummary> {
    if (!hasRole(scope, 'admin')) throw forbidden('Requires role admin');
    if (filename != null && filename.length > 255) throw badInput([{ path: 'filename', message: 'at most 255 characters' }]);
    if (content.length === 0) throw badInput([{ path: 'content', message: 'must not be empty' }]);
    if (content.length > MAX_TAXONOMY_BYTES) throw badInput([{ path: 'content', message: `at most ${MAX_TAXONOMY_BYTES} bytes` }]);
    try {
      let audited: AuditRow | undefined;
      const summary = await importTaxonomy(this.prisma, content, filename ?? null, {
        beforeCommit: async (tx, applied) => {
          const counts: Record<string, number> = {};
          for (const [table, c] of Object.entries(applied.tables)) {
            for (const [k, n] of Object.entries(c)) counts[`${table}_${k}`] = n;
          }
          audited = await appendAudit(
            tx,
            scope,
            mutationEvent('knowledge.indexed', {
              entity: 'taxonomy',
              entityId: applied.version === null ? applied.framework : `${applied.framework}:${applied.version}`,
              action: 'imported',
              counts,
              context: { framework: applied.framework, version: applied.version, format: applied.format, source: filename ?? null },
            }),
          );
        },
      });
      if (audited) this.audit.published(scope.tenantId, [audited]);
      return summary;
    } catch (err) {
      if (err instanceof TaxonomyImportError || err instanceof TaxonomyParseError) {
        throw badInput([{ path: 'content', message: err.message.slice(0, 500) }]);
      }
      throw err;
    }
  }
}
