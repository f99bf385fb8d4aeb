import { Field, Float, InputType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { FpEntityType, FpPatternStatus } from './fp-pattern.type';

@InputType({ description: 'Filters for fpPatterns; all given conditions must hold.' })
export class FpPatternFilter {
  @Field(() => FpPatternStatus, { nullable: true, description: 'Only this status.' })
  status?: FpPatternStatus | null;

  @Field(() => String, { nullable: true, description: 'Only patterns with an alert name containing this text (case-insensitive).' })
  alertName?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on the pattern name.' })
  search?: string | null;

  @Field(() => String, { nullable: true, description: 'Only patterns scoped to this rule family (exact).' })
  scopeRuleFamily?: string | null;

  @Field(() => String, { nullable: true, description: 'Only patterns scoped to this asset class (exact).' })
  scopeAssetClass?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only patterns created at or after this time.' })
  createdFrom?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only patterns created before this time.' })
  createdTo?: Date | null;
}

@InputType({ description: 'An entity condition: exactly one of valueRegex and valueCidr.' })
export class FpEntityPatternInput {
  @Field(() => FpEntityType, { description: 'Entity type.' })
  entityType!: FpEntityType;

  @Field(() => String, { nullable: true, description: 'Regex on the entity value (at most 500 characters, no nested quantifiers).' })
  valueRegex?: string | null;

  @Field(() => String, { nullable: true, description: 'CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32.' })
  valueCidr?: string | null;
}

@InputType({ description: 'Matching conditions of a new FP pattern.' })
export class FpPatternConditionsInput {
  @Field({ description: 'Regex on the alert title (at most 500 characters, no nested quantifiers).' })
  alertNameRegex!: string;

  @Field(() => [FpEntityPatternInput], { nullable: true, description: 'Entity conditions (at most 20).' })
  entityPatterns?: FpEntityPatternInput[] | null;
}

@InputType({ description: 'A new FP pattern; it starts PENDING_REVIEW and needs two different approvers.' })
export class CreateFpPatternInput {
  @Field({ description: 'Human-readable name (1–200 characters).' })
  patternName!: string;

  @Field(() => [String], { description: 'Alert names the pattern is for (at least one).' })
  alertNames!: string[];

  @Field(() => FpPatternConditionsInput, { description: 'Matching conditions.' })
  conditions!: FpPatternConditionsInput;

  @Field(() => Float, { nullable: true, description: 'Confidence needed to auto-close, 0.5–1 (default 0.90).' })
  confidenceThreshold?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether a match auto-closes the alert (default true).' })
  autoClose?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Blast radius: restrict to one rule family.' })
  scopeRuleFamily?: string | null;

  @Field(() => String, { nullable: true, description: 'Blast radius: restrict to one asset class.' })
  scopeAssetClass?: string | null;
}
