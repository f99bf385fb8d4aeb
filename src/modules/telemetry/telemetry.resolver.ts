import { Arg, Args, Authorized, type ClassType, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { DateTimeScalar } from '../../graphql/scalars';
import * as T from './atlas-telemetry.type';
import { InferenceCostSummary, InferenceLog } from './inference-log.type';
import * as F from './telemetry.inputs';
import type { TelemetryFilterArgs, TelemetryTable } from './telemetry.service';

interface TelemetryQuerySpec {
  table: TelemetryTable;
  node: ClassType;
  filter: ClassType;
  /** Query field names: the connection and the single row. */
  list: string;
  one: string;
  /** What the rows are, for descriptions ("orbital inference events"). */
  noun: string;
}

/**
 * Builds the two read queries of one telemetry table (`<list>(filter, page)` and `<one>(id)`), viewer role.
 * Eleven tables share this one resolver shape; each keeps its own node and filter types.
 */
function telemetryResolver(spec: TelemetryQuerySpec): ClassType {
  const Conn = Connection(spec.node, spec.node.name, `A page of ${spec.noun}, newest first.`);

  @Resolver(() => spec.node)
  class TelemetryTableResolver {
    @Authorized('viewer')
    @Query(() => Conn, { name: spec.list, description: `${spec.noun[0].toUpperCase()}${spec.noun.slice(1)} of your tenant, newest first (ts desc, id desc).` })
    list(
      @CurrentScope() scope: Scope,
      @Args(() => PageArgsInput) page: PageArgsInput,
      @Arg('filter', () => spec.filter, { nullable: true, description: 'Time range and lookup keys.' }) filter: TelemetryFilterArgs | null,
      @Ctx() ctx: GraphQLContext,
    ) {
      return ctx.services.telemetry.list(scope, spec.table, filter, page);
    }

    @Authorized('viewer')
    @Query(() => spec.node, { name: spec.one, description: `One of the ${spec.noun} of your tenant, by id.` })
    one(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Row id.' }) id: string, @Ctx() ctx: GraphQLContext) {
      return ctx.services.telemetry.get(scope, spec.table, id);
    }
  }
  Object.defineProperty(TelemetryTableResolver, 'name', { value: `${spec.node.name}Resolver` });
  return TelemetryTableResolver;
}

const TABLE_QUERIES: TelemetryQuerySpec[] = [
  { table: 'orbitalInferenceLog', node: T.OrbitalInferenceLog, filter: F.OrbitalInferenceLogFilter, list: 'orbitalInferenceLogs', one: 'orbitalInferenceLog', noun: 'orbital inference events' },
  { table: 'orbitalPhysicsOracle', node: T.OrbitalPhysicsOracle, filter: F.OrbitalPhysicsOracleFilter, list: 'orbitalPhysicsOracles', one: 'orbitalPhysicsOracle', noun: 'physics oracle checks' },
  { table: 'orbitalNlQueryLog', node: T.OrbitalNlQueryLog, filter: F.OrbitalNlQueryLogFilter, list: 'orbitalNlQueryLogs', one: 'orbitalNlQueryLog', noun: 'orbital assistant queries' },
  { table: 'orbitalApiLog', node: T.OrbitalApiLog, filter: F.OrbitalApiLogFilter, list: 'orbitalApiLogs', one: 'orbitalApiLog', noun: 'orbital API calls' },
  { table: 'edgeNodeTelemetry', node: T.EdgeNodeTelemetry, filter: F.EdgeNodeTelemetryFilter, list: 'edgeNodeTelemetry', one: 'edgeNodeTelemetryRecord', noun: 'edge node telemetry samples' },
  { table: 'databricksAudit', node: T.DatabricksAudit, filter: F.DatabricksAuditFilter, list: 'databricksAudits', one: 'databricksAudit', noun: 'Databricks audit events' },
  { table: 'modelRegistryEvent', node: T.ModelRegistryEvent, filter: F.ModelRegistryEventFilter, list: 'modelRegistryEvents', one: 'modelRegistryEvent', noun: 'model registry events' },
  { table: 'cicdAudit', node: T.CicdAudit, filter: F.CicdAuditFilter, list: 'cicdAudits', one: 'cicdAudit', noun: 'CI/CD pipeline runs' },
  { table: 'partnerApiLog', node: T.PartnerApiLog, filter: F.PartnerApiLogFilter, list: 'partnerApiLogs', one: 'partnerApiLog', noun: 'partner data exchanges' },
  { table: 'opcuaTelemetry', node: T.OpcuaTelemetry, filter: F.OpcuaTelemetryFilter, list: 'opcuaTelemetry', one: 'opcuaTelemetryRecord', noun: 'OPC UA gateway samples' },
  { table: 'inferenceLog', node: InferenceLog, filter: F.InferenceLogFilter, list: 'inferenceLogs', one: 'inferenceLog', noun: 'LLM calls (cost ledger)' },
];

@Resolver(() => InferenceCostSummary)
export class InferenceCostResolver {
  @Authorized('viewer')
  @Query(() => InferenceCostSummary, { description: 'LLM spend of your tenant by model tier in [from, to).' })
  inferenceCostSummary(
    @CurrentScope() scope: Scope,
    @Arg('from', () => DateTimeScalar, { nullable: true, description: 'Start (inclusive); open when omitted.' }) from: Date | null,
    @Arg('to', () => DateTimeScalar, { nullable: true, description: 'End (exclusive); open when omitted.' }) to: Date | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.telemetry.costSummary(scope, { from, to });
  }
}

/** Every resolver of the telemetry module. */
export const telemetryResolvers: ClassType[] = [...TABLE_QUERIES.map(telemetryResolver), InferenceCostResolver];
