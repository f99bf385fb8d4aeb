import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { LlmModelTier } from './llm-config.type';

@InputType({ description: 'Filters for llmProviders.' })
export class LlmProviderFilter {
  @Field(() => Boolean, { nullable: true, description: 'Only enabled (true) or disabled (false) providers.' })
  enabled?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive match on id and display name.' })
  search?: string | null;
}

@InputType({ description: 'Filters for llmModels.' })
export class LlmModelFilter {
  @Field(() => ID, { nullable: true, description: 'Only models of this provider.' })
  providerId?: string | null;

  @Field(() => LlmModelTier, { nullable: true, description: 'Only models of this tier.' })
  tier?: LlmModelTier | null;

  @Field(() => Boolean, { nullable: true, description: 'Only enabled (true) or disabled (false) models.' })
  enabled?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive match on id, display name and model name.' })
  search?: string | null;
}

@InputType({ description: 'Creates or updates an LLM provider of your tenant (omitted fields keep their value).' })
export class UpsertLlmProviderInput {
  @Field(() => ID, { description: 'Provider id: 1–64 of a-z, 0-9, dot, dash, underscore.' })
  providerId!: string;

  @Field(() => String, { nullable: true, description: 'Name shown in the UI (required when creating).' })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: 'API base URL (http or https); empty for the provider default.' })
  apiBaseUrl?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'API key (16–512 characters, no whitespace). Only a masked form and a sha256 fingerprint are stored for now; an empty string removes the key; omit to keep it.',
  })
  apiKey?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Enabled (default true when creating).' })
  enabled?: boolean | null;
}

@InputType({ description: 'Creates or updates an LLM model of your tenant (omitted fields keep their value or default).' })
export class UpsertLlmModelInput {
  @Field(() => ID, { description: 'Model id: 1–128 of a-z, A-Z, 0-9, dot, dash, underscore, colon.' })
  modelId!: string;

  @Field(() => ID, { nullable: true, description: 'Provider of your tenant (required when creating).' })
  providerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Name shown in the UI.' })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: 'The provider API’s model identifier (required when creating).' })
  modelName?: string | null;

  @Field(() => LlmModelTier, { nullable: true, description: 'Routing tier (default TIER_1).' })
  tier?: LlmModelTier | null;

  @Field(() => Int, { nullable: true, description: 'Context window in tokens (1–10,000,000; default 200,000).' })
  maxContext?: number | null;

  @Field(() => Int, { nullable: true, description: 'Maximum output tokens (1–maxContext; default 8,192).' })
  maxTokens?: number | null;

  @Field(() => Float, { nullable: true, description: 'Sampling temperature (0–2; default 0.2).' })
  temperature?: number | null;

  @Field(() => Float, { nullable: true, description: 'US dollars per 1M input tokens (≥ 0).' })
  costInput?: number | null;

  @Field(() => Float, { nullable: true, description: 'US dollars per 1M output tokens (≥ 0).' })
  costOutput?: number | null;

  @Field(() => String, { nullable: true, description: 'Latency objective such as 500ms, 3s, 5m or 24h (default 30s).' })
  latencySlo?: string | null;

  @Field(() => [String], { nullable: true, description: 'Task types the model serves (at most 100, each 1–100 characters).' })
  tasks?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'Fallback model id of your tenant; empty string removes it.' })
  fallbackModel?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Enabled (default true).' })
  enabled?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Use extended thinking (default false).' })
  extendedThinking?: boolean | null;
}
