import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';

/** Columns every ATLAS telemetry table shares (spec §2.4). */
@ObjectType({ description: 'Columns shared by the ATLAS telemetry tables.' })
abstract class AtlasTelemetryRow {
  @Field(() => ID, { description: 'Row id (a 64-bit serial, as a string).' })
  id!: string;

  @Field(() => DateTimeScalar, { description: 'When the event happened at the source.' })
  ts!: Date;

  @Field(() => DateTimeScalar, { description: 'When ALUSKORT stored the row.' })
  ingestedAt!: Date;
}

@ObjectType({ description: 'Orbital model inference event (source OrbitalInferenceLog_CL; ATLAS rule 004).' })
export class OrbitalInferenceLog extends AtlasTelemetryRow {
  @Field({ description: 'Edge node that ran the inference.' })
  edgeNodeId!: string;

  @Field({ description: 'Version of the model that answered.' })
  modelVersion!: string;

  @Field({ description: 'Hash of the model input.' })
  inputHash!: string;

  @Field({ description: 'Hash of the model output.' })
  outputHash!: string;

  @Field({ description: 'Result of the physics plausibility check (e.g. pass, fail).' })
  physicsCheckResult!: string;

  @Field(() => Float, { description: 'Model confidence score.' })
  confidenceScore!: number;

  @Field(() => Int, { description: 'Inference latency in milliseconds.' })
  inferenceLatencyMs!: number;
}

@ObjectType({ description: 'Physics oracle constraint check (source OrbitalPhysicsOracle_CL; ATLAS rule 005).' })
export class OrbitalPhysicsOracle extends AtlasTelemetryRow {
  @Field({ description: 'Edge node whose output was checked.' })
  edgeNodeId!: string;

  @Field(() => String, { nullable: true, description: 'Physical constraint that was evaluated.' })
  constraintId!: string | null;

  @Field(() => String, { nullable: true, description: 'Outcome of the check.' })
  checkResult!: string | null;

  @Field(() => Float, { nullable: true, description: 'Check latency in milliseconds.' })
  latencyMs!: number | null;

  @Field(() => String, { nullable: true, description: 'Error state of the oracle, if any.' })
  errorState!: string | null;

  @Field(() => String, { nullable: true, description: 'Hash of the checked input.' })
  inputHash!: string | null;
}

@ObjectType({ description: 'Natural-language query to the orbital assistant (source OrbitalNLQueryLog_CL; ATLAS rules 002, 003).' })
export class OrbitalNlQueryLog extends AtlasTelemetryRow {
  @Field({ description: 'User who asked.' })
  userId!: string;

  @Field(() => String, { nullable: true, description: 'Assistant session id.' })
  sessionId!: string | null;

  @Field(() => String, { nullable: true, description: 'The query text.' })
  queryText!: string | null;

  @Field(() => String, { nullable: true, description: 'Summary of the response.' })
  responseSummary!: string | null;

  @Field(() => Int, { description: 'Number of tool calls the assistant made.' })
  toolCallsMade!: number;

  @Field({ description: 'Whether the safety filter triggered.' })
  safetyFilterTriggered!: boolean;

  @Field(() => Int, { description: 'Tokens used.' })
  tokenCount!: number;
}

@ObjectType({ description: 'Call to the orbital API (source OrbitalAPILog_CL; ATLAS rule 007).' })
export class OrbitalApiLog extends AtlasTelemetryRow {
  @Field(() => String, { nullable: true, description: 'Caller IP address.' })
  callerIp!: string | null;

  @Field({ description: 'Authenticated caller identity.' })
  callerIdentity!: string;

  @Field(() => String, { nullable: true, description: 'Endpoint called.' })
  endpoint!: string | null;

  @Field(() => String, { nullable: true, description: 'HTTP method.' })
  method!: string | null;

  @Field(() => Int, { nullable: true, description: 'HTTP response code.' })
  responseCode!: number | null;

  @Field(() => Int, { description: 'Request payload size in bytes.' })
  requestPayloadSize!: number;

  @Field(() => Int, { description: 'Response payload size in bytes.' })
  responsePayloadSize!: number;
}

@ObjectType({ description: 'Edge node health and integrity sample (source EdgeNodeTelemetry_CL; ATLAS rule 011).' })
export class EdgeNodeTelemetry extends AtlasTelemetryRow {
  @Field({ description: 'Edge node id.' })
  edgeNodeId!: string;

  @Field({ description: 'Hash of the model weights deployed on the node.' })
  modelWeightHash!: string;

  @Field(() => String, { nullable: true, description: 'Disk integrity status.' })
  diskIntegrity!: string | null;

  @Field(() => String, { nullable: true, description: 'Boot attestation status.' })
  bootAttestation!: string | null;

  @Field(() => Int, { description: 'Open network connections.' })
  activeConnections!: number;

  @Field(() => Float, { description: 'CPU utilisation.' })
  cpuUtilisation!: number;

  @Field(() => Float, { description: 'Memory utilisation.' })
  memoryUtilisation!: number;
}

@ObjectType({ description: 'Databricks workspace audit event (source DatabricksAudit_CL; ATLAS rule 001).' })
export class DatabricksAudit extends AtlasTelemetryRow {
  @Field({ description: 'User who acted.' })
  userId!: string;

  @Field({ description: 'Action performed.' })
  action!: string;

  @Field({ description: 'Resource acted on.' })
  targetResource!: string;

  @Field(() => String, { nullable: true, description: 'Source IP address (INET, as text).' })
  sourceIp!: string | null;

  @Field(() => String, { nullable: true, description: 'Databricks workspace id.' })
  workspaceId!: string | null;

  @Field(() => String, { nullable: true, description: 'Cluster name.' })
  clusterName!: string | null;
}

@ObjectType({ description: 'Model registry event (source ModelRegistry_CL; ATLAS rule 006).' })
export class ModelRegistryEvent extends AtlasTelemetryRow {
  @Field({ description: 'User who acted.' })
  userId!: string;

  @Field({ description: 'Registry action (register, promote, …).' })
  action!: string;

  @Field({ description: 'Registered model name.' })
  modelName!: string;

  @Field(() => String, { nullable: true, description: 'Model version.' })
  modelVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'Hash of the model artefact.' })
  modelHash!: string | null;

  @Field(() => String, { nullable: true, description: 'Lifecycle stage (staging, production, …).' })
  stage!: string | null;

  @Field(() => String, { nullable: true, description: 'Who approved the change.' })
  approvedBy!: string | null;
}

@ObjectType({ description: 'CI/CD pipeline run (source CICDAudit_CL; ATLAS rule 006).' })
export class CicdAudit extends AtlasTelemetryRow {
  @Field({ description: 'Pipeline id.' })
  pipelineId!: string;

  @Field(() => String, { nullable: true, description: 'What triggered the run.' })
  triggerType!: string | null;

  @Field(() => String, { nullable: true, description: 'Commit built.' })
  commitHash!: string | null;

  @Field(() => String, { nullable: true, description: 'Dependency changes in the run.' })
  dependencyChanges!: string | null;

  @Field(() => Int, { description: 'Tests passed.' })
  testsPassed!: number;

  @Field(() => Int, { description: 'Tests failed.' })
  testsFailed!: number;

  @Field(() => String, { nullable: true, description: 'Who deployed.' })
  deployer!: string | null;
}

@ObjectType({ description: 'Data exchange with a partner (source PartnerAPILog_CL; ATLAS rule 010).' })
export class PartnerApiLog extends AtlasTelemetryRow {
  @Field({ description: 'Partner id.' })
  partnerId!: string;

  @Field(() => String, { nullable: true, description: 'Partner name.' })
  partnerName!: string | null;

  @Field(() => String, { nullable: true, description: 'Direction of the exchange (inbound, outbound).' })
  direction!: string | null;

  @Field(() => String, { nullable: true, description: 'Kind of data exchanged.' })
  dataType!: string | null;

  @Field(() => Int, { description: 'Payload size in bytes.' })
  payloadSize!: number;

  @Field(() => Int, { nullable: true, description: 'Response code.' })
  responseCode!: number | null;

  @Field({ description: 'Whether mutual TLS was verified.' })
  mtlsVerified!: boolean;
}

@ObjectType({ description: 'OPC UA sensor gateway sample (source OPCUATelemetry_CL; ATLAS rule 009).' })
export class OpcuaTelemetry extends AtlasTelemetryRow {
  @Field({ description: 'Edge node id of the gateway.' })
  edgeNodeId!: string;

  @Field(() => Int, { description: 'Sensors connected.' })
  sensorCount!: number;

  @Field(() => Int, { description: 'Data points received.' })
  dataPointsReceived!: number;

  @Field(() => String, { nullable: true, description: 'Connection state.' })
  connectionState!: string | null;

  @Field(() => String, { nullable: true, description: 'Authentication method used.' })
  authMethod!: string | null;

  @Field(() => Int, { description: 'Protocol violations seen.' })
  protocolViolations!: number;
}
