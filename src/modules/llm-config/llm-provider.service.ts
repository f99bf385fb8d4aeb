import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { givenFields, mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { badInput, notFound } from '../../errors/domain-error';
import { translateDbError } from '../../errors/prisma-errors';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { type LlmProviderNode, type LlmProviderRow, maskApiKey, toProviderNode } from './llm-provider.mapper';
import { FieldErrors, isApiKeyShape, isBaseUrl, isDisplayName, isProviderId } from './llm-validation';

const PROVIDER_ORDER: SortKey<LlmProviderRow>[] = [{ field: 'providerId', direction: 'asc', value: (r) => r.providerId }];

export interface LlmProviderFilterArgs {
  enabled?: boolean | null;
  search?: string | null;
}

export interface UpsertLlmProviderArgs {
  providerId: string;
  displayName?: string | null;
  apiBaseUrl?: string | null;
  apiKey?: string | null;
  enabled?: boolean | null;
}

/** LLM provider configuration of the caller's tenant (spec 013). Reads: viewer; writes: admin. */
export class LlmProviderService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /** One provider of the caller's tenant; another tenant's is NOT_FOUND. */
  async get(scope: Scope, providerId: string): Promise<LlmProviderNode> {
    const row = await this.prisma.llmProvider.findUnique({ where: { tenantId_providerId: { tenantId: scope.tenantId, providerId } } });
    if (!row) throw notFound('LlmProvider', providerId);
    return toProviderNode(row);
  }

  /** Providers of the caller's tenant ordered by id. */
  list(scope: Scope, filter: LlmProviderFilterArgs | null | undefined, page: PageArgs): Promise<ConnectionShape<LlmProviderNode>> {
    const f = filter ?? {};
    const where: Prisma.LlmProviderWhereInput = {
      tenantId: scope.tenantId,
      ...(f.enabled != null ? { enabled: f.enabled } : {}),
      ...(f.search
        ? {
            OR: [
              { providerId: { contains: f.search, mode: 'insensitive' } },
              { displayName: { contains: f.search, mode: 'insensitive' } },
            ],
          }
        : {}),
    };
    return paginate(this.prisma.llmProvider, where, PROVIDER_ORDER, page, toProviderNode);
  }

  /**
   * Creates or updates a provider of the caller's tenant. The API key is never stored in clear (see
   * maskApiKey). Provider ids are unique per tenant: another tenant's provider of the same id is a
   * different row, never read or touched here. A concurrent create of the same id is a CONFLICT.
   */
  async upsert(scope: Scope, input: UpsertLlmProviderArgs): Promise<LlmProviderNode> {
    const errors = new FieldErrors('input');
    errors.check(isProviderId(input.providerId), 'providerId', 'must be 1–64 of a-z, 0-9, dot, dash, underscore');
    if (input.displayName != null) errors.check(isDisplayName(input.displayName), 'displayName', 'must be 1–200 characters');
    if (input.apiBaseUrl != null) errors.check(isBaseUrl(input.apiBaseUrl), 'apiBaseUrl', 'must be an http(s) URL or empty');
    if (input.apiKey != null) errors.check(isApiKeyShape(input.apiKey), 'apiKey', 'must be 16–512 characters without whitespace, or empty');
    if (errors.list.length) throw badInput(errors.list);

    const data = {
      ...(input.displayName != null ? { displayName: input.displayName.trim() } : {}),
      ...(input.apiBaseUrl != null ? { apiBaseUrl: input.apiBaseUrl } : {}),
      ...(input.apiKey != null ? { apiKeyEnc: input.apiKey === '' ? '' : maskApiKey(input.apiKey) } : {}),
      ...(input.enabled != null ? { enabled: input.enabled } : {}),
    };
    // Field names only: the API key (and its stored mask) never reaches the audit record.
    const fields = givenFields(input, ['providerId']);
    const event = (action: string) => mutationEvent('config.changed', { entity: 'llm_provider', entityId: input.providerId, action, fields });
    const key = { tenantId_providerId: { tenantId: scope.tenantId, providerId: input.providerId } };
    const row = await this.audit
      .run(scope, async (tx) => {
        const existing = await tx.llmProvider.findUnique({ where: key });
        if (existing) {
          const updated = await tx.llmProvider.update({ where: key, data: { ...data, updatedAt: new Date() } });
          return { result: updated, events: [event('updated')] };
        }
        if (data.displayName === undefined) throw badInput([{ path: 'input.displayName', message: 'is required when creating a provider' }]);
        const created = await tx.llmProvider.create({
          data: { ...data, displayName: data.displayName, providerId: input.providerId, tenantId: scope.tenantId },
        });
        return { result: created, events: [event('created')] };
      })
      .catch((err: unknown) => {
        throw translateDbError(err) ?? err;
      });
    return toProviderNode(row);
  }

  /** Enables or disables a provider of the caller's tenant; another tenant's is NOT_FOUND. */
  async setEnabled(scope: Scope, providerId: string, enabled: boolean): Promise<LlmProviderNode> {
    const row = await this.audit.run(scope, async (tx) => {
      const { count } = await tx.llmProvider.updateMany({
        where: { providerId, tenantId: scope.tenantId },
        data: { enabled, updatedAt: new Date() },
      });
      if (count === 0) throw notFound('LlmProvider', providerId);
      const updated = await tx.llmProvider.findUniqueOrThrow({ where: { tenantId_providerId: { tenantId: scope.tenantId, providerId } } });
      const event = mutationEvent('config.changed', { entity: 'llm_provider', entityId: providerId, action: enabled ? 'enabled' : 'disabled', fields: ['enabled'] });
      return { result: updated, events: [event] };
    });
    return toProviderNode(row);
  }
}
