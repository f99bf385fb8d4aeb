import { SafeIntResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

@ObjectType({ description: 'One LLM call in the cost ledger (inference_logs).' })
export class InferenceLog {
  @Field(() => ID, { description: 'Row id (a 64-bit serial, as a string).' })
  id!: string;

  @Field(() => DateTimeScalar, { description: 'When the call was made.' })
  ts!: Date;

  @Field(() => String, { nullable: true, description: 'Investigation the call was made for, if any.' })
  investigationId!: string | null;

  @Field({ description: 'Model tier the router chose: tier_0, tier_1, tier_1_plus or tier_2.' })
  modelTier!: string;

  @Field({ description: 'Model id that answered.' })
  modelId!: string;

  @Field(() => Int, { description: 'Input tokens billed.' })
  inputTokens!: number;

  @Field(() => Int, { description: 'Output tokens billed.' })
  outputTokens!: number;

  @Field(() => Int, { description: 'Input tokens served from the prompt cache.' })
  cachedTokens!: number;

  @Field(() => Float, { description: 'Cost of the call in US dollars.' })
  costUsd!: number;

  @Field(() => Int, { description: 'Call latency in milliseconds.' })
  latencyMs!: number;

  @Field({ description: 'Task the call served (e.g. alert_classification, investigation).' })
  taskType!: string;
}

@ObjectType({ description: 'LLM spend of one model tier in a time range.' })
export class InferenceTierCost {
  @Field({ description: 'Model tier: tier_0, tier_1, tier_1_plus or tier_2.' })
  modelTier!: string;

  @Field(() => SafeIntResolver, { description: 'Number of calls.' })
  calls!: number;

  @Field(() => Float, { description: 'Total cost in US dollars.' })
  costUsd!: number;

  @Field(() => SafeIntResolver, { description: 'Total input tokens.' })
  inputTokens!: number;

  @Field(() => SafeIntResolver, { description: 'Total output tokens.' })
  outputTokens!: number;

  @Field(() => SafeIntResolver, { description: 'Total cached input tokens.' })
  cachedTokens!: number;
}

@ObjectType({ description: 'LLM spend of the caller’s tenant in a time range, by model tier.' })
export class InferenceCostSummary {
  @Field(() => DateTimeScalar, { nullable: true, description: 'Start of the range (inclusive), if given.' })
  from!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'End of the range (exclusive), if given.' })
  to!: Date | null;

  @Field(() => [InferenceTierCost], { description: 'Spend per model tier, ordered by tier.' })
  byTier!: InferenceTierCost[];

  @Field(() => SafeIntResolver, { description: 'Number of calls across tiers.' })
  totalCalls!: number;

  @Field(() => Float, { description: 'Total cost in US dollars across tiers.' })
  totalCostUsd!: number;

  @Field(() => SafeIntResolver, { description: 'Total input tokens across tiers.' })
  totalInputTokens!: number;

  @Field(() => SafeIntResolver, { description: 'Total output tokens across tiers.' })
  totalOutputTokens!: number;
}
