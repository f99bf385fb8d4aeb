import { Field, InputType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

/** `from`/`to` on the event time, shared by every telemetry filter. */
@InputType({ description: 'Time range on the event timestamp.' })
export abstract class TelemetryTimeFilter {
  @Field(() => DateTimeScalar, { nullable: true, description: 'Only events at or after this time.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only events before this time.' })
  to?: Date | null;
}

@InputType({ description: 'Filters for orbitalInferenceLogs.' })
export class OrbitalInferenceLogFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this edge node.' })
  edgeNodeId?: string | null;
}

@InputType({ description: 'Filters for orbitalPhysicsOracles.' })
export class OrbitalPhysicsOracleFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this edge node.' })
  edgeNodeId?: string | null;
}

@InputType({ description: 'Filters for orbitalNlQueryLogs.' })
export class OrbitalNlQueryLogFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this user.' })
  userId?: string | null;
}

@InputType({ description: 'Filters for orbitalApiLogs.' })
export class OrbitalApiLogFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this caller identity.' })
  callerIdentity?: string | null;
}

@InputType({ description: 'Filters for edgeNodeTelemetry.' })
export class EdgeNodeTelemetryFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this edge node.' })
  edgeNodeId?: string | null;
}

@InputType({ description: 'Filters for databricksAudits.' })
export class DatabricksAuditFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this user.' })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this action.' })
  action?: string | null;
}

@InputType({ description: 'Filters for modelRegistryEvents.' })
export class ModelRegistryEventFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this model name.' })
  modelName?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this user.' })
  userId?: string | null;
}

@InputType({ description: 'Filters for cicdAudits.' })
export class CicdAuditFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this pipeline.' })
  pipelineId?: string | null;
}

@InputType({ description: 'Filters for partnerApiLogs.' })
export class PartnerApiLogFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this partner.' })
  partnerId?: string | null;
}

@InputType({ description: 'Filters for opcuaTelemetry.' })
export class OpcuaTelemetryFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only this edge node.' })
  edgeNodeId?: string | null;
}

@InputType({ description: 'Filters for inferenceLogs (the LLM cost ledger).' })
export class InferenceLogFilter extends TelemetryTimeFilter {
  @Field(() => String, { nullable: true, description: 'Only calls made for this investigation.' })
  investigationId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this model tier (tier_0, tier_1, tier_1_plus, tier_2).' })
  modelTier?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this model id.' })
  modelId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this task type.' })
  taskType?: string | null;
}
