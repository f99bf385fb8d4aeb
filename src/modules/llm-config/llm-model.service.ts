import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { givenFields, mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { badInput, conflict, notFound } from '../../errors/domain-error';
import { translateDbError } from '../../errors/prisma-errors';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import type { LlmModelRow } from './llm-provider.mapper';
import { FieldErrors, isDisplayName, isLatencySlo, isModelId } from './llm-validation';

type Tx = Prisma.TransactionClient;

const MODEL_ORDER: SortKey<LlmModelRow>[] = [{ field: 'modelId', direction: 'asc', value: (r) => r.modelId }];
const TIERS = ['tier_0', 'tier_1', 'tier_1_plus', 'tier_2'] as const;
const MAX_CONTEXT = 10_000_000;
/** A fallback chain longer than this is certainly a mistake (there are four tiers). */
const MAX_FALLBACK_DEPTH = 16;

export interface LlmModelFilterArgs {
  providerId?: string | null;
  tier?: string | null;
  enabled?: boolean | null;
  search?: string | null;
}

export interface UpsertLlmModelArgs {
  modelId: string;
  providerId?: string | null;
  displayName?: string | null;
  modelName?: string | null;
  tier?: string | null;
  maxContext?: number | null;
  maxTokens?: number | null;
  temperature?: number | null;
  costInput?: number | null;
  costOutput?: number | null;
  latencySlo?: string | null;
  tasks?: string[] | null;
  fallbackModel?: string | null;
  enabled?: boolean | null;
  extendedThinking?: boolean | null;
}

/** Field checks that need no database. */
function validateShape(input: UpsertLlmModelArgs): FieldErrors {
  const e = new FieldErrors('input');
  e.check(isModelId(input.modelId), 'modelId', 'must be 1–128 of A-Z, a-z, 0-9, dot, dash, underscore, colon');
  if (input.displayName != null) e.check(input.displayName.length <= 200, 'displayName', 'at most 200 characters');
  if (input.modelName != null) e.check(isDisplayName(input.modelName), 'modelName', 'must be 1–200 characters');
  if (input.tier != null) e.check((TIERS as readonly string[]).includes(input.tier), 'tier', 'unknown tier');
  if (input.maxContext != null) e.check(input.maxContext >= 1 && input.maxContext <= MAX_CONTEXT, 'maxContext', `must be 1–${MAX_CONTEXT}`);
  if (input.maxTokens != null) e.check(input.maxTokens >= 1, 'maxTokens', 'must be at least 1');
  if (input.temperature != null) e.check(input.temperature >= 0 && input.temperature <= 2, 'temperature', 'must be 0–2');
  for (const k of ['costInput', 'costOutput'] as const) {
    const v = input[k];
    if (v != null) e.check(Number.isFinite(v) && v >= 0 && v <= 1_000_000, k, 'must be 0–1,000,000 dollars per 1M tokens');
  }
  if (input.latencySlo != null) e.check(isLatencySlo(input.latencySlo), 'latencySlo', 'must look like 500ms, 3s, 5m or 24h');
  if (input.tasks != null) {
    e.check(input.tasks.length <= 100, 'tasks', 'at most 100 tasks');
    input.tasks.forEach((t, i) => e.check(t.trim().length > 0 && t.length <= 100, `tasks[${i}]`, 'must be 1–100 characters'));
  }
  if (input.fallbackModel) e.check(input.fallbackModel !== input.modelId, 'fallbackModel', 'must differ from modelId');
  return e;
}

/** LLM model configuration of the caller's tenant (spec 013). Reads: viewer; writes: admin. */
export class LlmModelService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /** One model of the caller's tenant; another tenant's is NOT_FOUND. */
  async get(scope: Scope, modelId: string): Promise<LlmModelRow> {
    const row = await this.prisma.llmModel.findUnique({ where: { tenantId_modelId: { tenantId: scope.tenantId, modelId } } });
    if (!row) throw notFound('LlmModel', modelId);
    return row;
  }

  /** Models of the caller's tenant ordered by id, filtered by provider, tier, enabled and text. */
  list(scope: Scope, filter: LlmModelFilterArgs | null | undefined, page: PageArgs): Promise<ConnectionShape<LlmModelRow>> {
    const f = filter ?? {};
    const where: Prisma.LlmModelWhereInput = {
      tenantId: scope.tenantId,
      ...(f.providerId ? { providerId: f.providerId } : {}),
      ...(f.tier ? { tier: f.tier } : {}),
      ...(f.enabled != null ? { enabled: f.enabled } : {}),
      ...(f.search
        ? {
            OR: [
              { modelId: { contains: f.search, mode: 'insensitive' } },
              { displayName: { contains: f.search, mode: 'insensitive' } },
              { modelName: { contains: f.search, mode: 'insensitive' } },
            ],
          }
        : {}),
    };
    return paginate(this.prisma.llmModel, where, MODEL_ORDER, page);
  }

  /**
   * Creates or updates a model of the caller's tenant. The provider and the fallback model must belong
   * to the same tenant, and the fallback chain must not loop. Model ids are unique per tenant: another
   * tenant's model of the same id is a different row, never read or touched here. A concurrent create of
   * the same id is a CONFLICT.
   */
  async upsert(scope: Scope, input: UpsertLlmModelArgs): Promise<LlmModelRow> {
    const shape = validateShape(input);
    if (shape.list.length) throw badInput(shape.list);
    const key = { tenantId_modelId: { tenantId: scope.tenantId, modelId: input.modelId } };
    return this.audit
      .run(scope, async (tx) => {
        const existing = await tx.llmModel.findUnique({ where: key });
        await this.checkReferences(tx, scope, input, existing);
        const data = {
          ...(input.providerId != null ? { providerId: input.providerId } : {}),
          ...(input.displayName != null ? { displayName: input.displayName.trim() } : {}),
          ...(input.modelName != null ? { modelName: input.modelName.trim() } : {}),
          ...(input.tier != null ? { tier: input.tier } : {}),
          ...(input.maxContext != null ? { maxContext: input.maxContext } : {}),
          ...(input.maxTokens != null ? { maxTokens: input.maxTokens } : {}),
          ...(input.temperature != null ? { temperature: input.temperature } : {}),
          ...(input.costInput != null ? { costInput: input.costInput } : {}),
          ...(input.costOutput != null ? { costOutput: input.costOutput } : {}),
          ...(input.latencySlo != null ? { latencySlo: input.latencySlo } : {}),
          ...(input.tasks != null ? { tasks: [...new Set(input.tasks.map((t) => t.trim()))] } : {}),
          ...(input.fallbackModel != null ? { fallbackModel: input.fallbackModel === '' ? null : input.fallbackModel } : {}),
          ...(input.enabled != null ? { enabled: input.enabled } : {}),
          ...(input.extendedThinking != null ? { extendedThinking: input.extendedThinking } : {}),
        };
        const row = existing
          ? await tx.llmModel.update({ where: key, data: { ...data, updatedAt: new Date() } })
          : await tx.llmModel.create({
              data: { ...data, modelId: input.modelId, tenantId: scope.tenantId, providerId: input.providerId!, modelName: data.modelName! },
            });
        const event = mutationEvent('config.changed', {
          entity: 'llm_model',
          entityId: row.modelId,
          action: existing ? 'updated' : 'created',
          fields: givenFields(input, ['modelId']),
          context: { provider_id: row.providerId, tier: row.tier },
        });
        return { result: row, events: [event] };
      })
      .catch((err: unknown) => {
        throw translateDbError(err) ?? err;
      });
  }

  /** Required fields on create, same-tenant provider and fallback, maxTokens ≤ maxContext, no fallback loop. */
  private async checkReferences(tx: Tx, scope: Scope, input: UpsertLlmModelArgs, existing: LlmModelRow | null): Promise<void> {
    const e = new FieldErrors('input');
    if (!existing) {
      e.check(input.providerId != null, 'providerId', 'is required when creating a model');
      e.check(input.modelName != null, 'modelName', 'is required when creating a model');
    }
    const maxContext = input.maxContext ?? existing?.maxContext ?? 200_000;
    const maxTokens = input.maxTokens ?? existing?.maxTokens ?? 8192;
    if (input.maxContext != null || input.maxTokens != null) {
      e.check(maxTokens <= maxContext, 'maxTokens', 'must not exceed maxContext');
    }
    if (input.providerId != null) {
      const provider = await tx.llmProvider.findUnique({
        where: { tenantId_providerId: { tenantId: scope.tenantId, providerId: input.providerId } },
        select: { providerId: true },
      });
      e.check(provider !== null, 'providerId', 'no such provider in your tenant');
    }
    if (input.fallbackModel) {
      const problem = await this.fallbackProblem(tx, scope, input.modelId, input.fallbackModel);
      if (problem) e.add('fallbackModel', problem);
    }
    if (e.list.length) throw badInput(e.list);
  }

  /** Why `fallback` cannot be the fallback of `modelId` (unknown in the tenant, or a loop), or null. */
  private async fallbackProblem(tx: Tx, scope: Scope, modelId: string, fallback: string): Promise<string | null> {
    const chain = await tx.llmModel.findMany({ where: { tenantId: scope.tenantId }, select: { modelId: true, fallbackModel: true } });
    const next = new Map(chain.map((m) => [m.modelId, m.fallbackModel]));
    if (!next.has(fallback)) return 'no such model in your tenant';
    let cur: string | null | undefined = fallback;
    for (let depth = 0; cur; depth++) {
      if (cur === modelId) return 'would make the fallback chain loop';
      if (depth >= MAX_FALLBACK_DEPTH) return `fallback chain longer than ${MAX_FALLBACK_DEPTH}`;
      cur = next.get(cur);
    }
    return null;
  }

  /**
   * Deletes a model of the caller's tenant (another tenant's is NOT_FOUND). A model that is still the
   * fallback of another model is a CONFLICT (field error at `id` naming those models).
   */
  async delete(scope: Scope, modelId: string): Promise<string> {
    return this.audit.run(scope, async (tx) => {
      const key = { tenantId_modelId: { tenantId: scope.tenantId, modelId } };
      const row = await tx.llmModel.findUnique({ where: key, select: { modelId: true } });
      if (!row) throw notFound('LlmModel', modelId);
      const users = await tx.llmModel.findMany({
        where: { tenantId: scope.tenantId, fallbackModel: modelId },
        select: { modelId: true },
        orderBy: { modelId: 'asc' },
      });
      if (users.length) {
        const names = users.map((u) => u.modelId).join(', ');
        throw conflict(`Model ${modelId} is the fallback of ${names}`, { fieldErrors: [{ path: 'id', message: `is the fallback of ${names}` }] });
      }
      await tx.llmModel.delete({ where: key });
      return { result: modelId, events: [mutationEvent('config.changed', { entity: 'llm_model', entityId: modelId, action: 'deleted' })] };
    });
  }
}
