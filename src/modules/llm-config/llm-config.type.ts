import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

export enum LlmModelTier {
  TIER_0 = 'tier_0',
  TIER_1 = 'tier_1',
  TIER_1_PLUS = 'tier_1_plus',
  TIER_2 = 'tier_2',
}
registerEnumType(LlmModelTier, {
  name: 'LlmModelTier',
  description:
    'Routing tier of a model: TIER_0 fast/cheap (classification, extraction), TIER_1 investigation reasoning, TIER_1_PLUS escalation with extended thinking, TIER_2 batch (24 h SLA, discounted).',
});

@ObjectType({ description: 'An LLM provider configured for your tenant. The API key itself is never returned.' })
export class LlmProvider {
  @Field(() => ID, { description: 'Provider id, e.g. anthropic.' })
  providerId!: string;

  @Field({ description: 'Name shown in the UI.' })
  displayName!: string;

  @Field({ description: 'API base URL; empty for the provider default.' })
  apiBaseUrl!: string;

  @Field({ description: 'Whether an API key has been configured (the key is never shown).' })
  hasApiKey!: boolean;

  @Field({ description: 'Disabled providers are skipped by the router.' })
  enabled!: boolean;

  @Field(() => DateTimeScalar, { description: 'Creation time.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'Last change.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'An LLM model configured for your tenant (spec 013 ModelConfig).' })
export class LlmModel {
  @Field(() => ID, { description: 'Model id used in routing and fallback chains.' })
  modelId!: string;

  @Field({ description: 'Provider id of the model.' })
  providerId!: string;

  @Field({ description: 'Name shown in the UI.' })
  displayName!: string;

  @Field({ description: 'The provider API’s model identifier, e.g. claude-sonnet-4-5-20250929.' })
  modelName!: string;

  @Field(() => LlmModelTier, { description: 'Routing tier.' })
  tier!: string;

  @Field(() => Int, { description: 'Context window in tokens.' })
  maxContext!: number;

  @Field(() => Int, { description: 'Default maximum output tokens.' })
  maxTokens!: number;

  @Field(() => Float, { description: 'Default sampling temperature.' })
  temperature!: number;

  @Field(() => Float, { description: 'US dollars per 1M input tokens.' })
  costInput!: number;

  @Field(() => Float, { description: 'US dollars per 1M output tokens.' })
  costOutput!: number;

  @Field({ description: 'Latency objective, e.g. 3s or 30s.' })
  latencySlo!: string;

  @Field(() => [String], { description: 'Task types the model serves.' })
  tasks!: string[];

  @Field(() => String, { nullable: true, description: 'Model id to fall back to when this one is unavailable.' })
  fallbackModel!: string | null;

  @Field({ description: 'Disabled models are skipped by the router.' })
  enabled!: boolean;

  @Field({ description: 'Whether extended thinking is used (tier_1_plus escalations).' })
  extendedThinking!: boolean;

  @Field(() => DateTimeScalar, { description: 'Creation time.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'Last change.' })
  updatedAt!: Date;
}
