import { createHash } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';

export type LlmProviderRow = Prisma.LlmProviderGetPayload<object>;
export type LlmModelRow = Prisma.LlmModelGetPayload<object>;

/** A provider as the API shows it: `apiKeyEnc` is dropped, only whether a key is set remains. */
export type LlmProviderNode = Omit<LlmProviderRow, 'apiKeyEnc' | 'tenantId'> & { hasApiKey: boolean };

export function toProviderNode(row: LlmProviderRow): LlmProviderNode {
  const { apiKeyEnc, tenantId: _tenant, ...rest } = row;
  return { ...rest, hasApiKey: apiKeyEnc !== '' };
}

/**
 * What `llm_providers.api_key_enc` holds for now: NOT the key. Real secret storage (envelope encryption or
 * a secret manager reference) comes with the LLM issue; until then only a masked form (last 4 characters)
 * and the sha256 fingerprint are kept, so the UI can show "…abcd" and an operator can check which key was
 * configured without the database ever holding a usable secret.
 * Format: `masked:v1:…<last4>:sha256:<64 hex>`.
 */
export function maskApiKey(key: string): string {
  const fingerprint = createHash('sha256').update(key, 'utf8').digest('hex');
  return `masked:v1:…${key.slice(-4)}:sha256:${fingerprint}`;
}
