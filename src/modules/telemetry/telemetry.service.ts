import type { PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { notFound } from '../../errors/domain-error';
import type { ConnectionShape, PageArgs } from '../../graphql/connection';
import {
  type SeriesDelegate,
  TS_ID_SHAPE,
  type TimeRange,
  equalsWhere,
  parseBigIntId,
  tenantSeriesPage,
  timeRangeWhere,
  withStringId,
} from './time-series.query';

type SeriesRow = { id: bigint; ts: Date };
type TelemetryNode = Omit<SeriesRow, 'id'> & { id: string } & Record<string, unknown>;

interface TableSpec {
  /** Entity name used in NOT_FOUND messages. */
  label: string;
  delegate: (prisma: PrismaClient) => SeriesDelegate<SeriesRow>;
  /** The natural lookup keys a filter may match exactly (each backed by a (tenant, key, ts) index). */
  keys: readonly string[];
}

/**
 * The eleven tenant-owned event tables read through one generic query: the ten ATLAS telemetry tables
 * (spec §2.4) and the LLM cost ledger. All have a BigInt `id` and a `ts`.
 */
export const TELEMETRY_TABLES = {
  orbitalInferenceLog: { label: 'OrbitalInferenceLog', delegate: (p) => p.orbitalInferenceLog, keys: ['edgeNodeId'] },
  orbitalPhysicsOracle: { label: 'OrbitalPhysicsOracle', delegate: (p) => p.orbitalPhysicsOracle, keys: ['edgeNodeId'] },
  orbitalNlQueryLog: { label: 'OrbitalNlQueryLog', delegate: (p) => p.orbitalNlQueryLog, keys: ['userId'] },
  orbitalApiLog: { label: 'OrbitalApiLog', delegate: (p) => p.orbitalApiLog, keys: ['callerIdentity'] },
  edgeNodeTelemetry: { label: 'EdgeNodeTelemetry', delegate: (p) => p.edgeNodeTelemetry, keys: ['edgeNodeId'] },
  databricksAudit: { label: 'DatabricksAudit', delegate: (p) => p.databricksAudit, keys: ['userId', 'action'] },
  modelRegistryEvent: { label: 'ModelRegistryEvent', delegate: (p) => p.modelRegistry, keys: ['modelName', 'userId'] },
  cicdAudit: { label: 'CicdAudit', delegate: (p) => p.cicdAudit, keys: ['pipelineId'] },
  partnerApiLog: { label: 'PartnerApiLog', delegate: (p) => p.partnerApiLog, keys: ['partnerId'] },
  opcuaTelemetry: { label: 'OpcuaTelemetry', delegate: (p) => p.opcuaTelemetry, keys: ['edgeNodeId'] },
  inferenceLog: {
    label: 'InferenceLog',
    delegate: (p) => p.inferenceLog,
    keys: ['investigationId', 'modelTier', 'modelId', 'taskType'],
  },
} satisfies Record<string, TableSpec>;

export type TelemetryTable = keyof typeof TELEMETRY_TABLES;

/** A telemetry filter: a time range plus some of the table's lookup keys. */
export type TelemetryFilterArgs = TimeRange & Record<string, unknown>;

export interface TierCost {
  modelTier: string;
  calls: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

export interface CostSummary {
  from: Date | null;
  to: Date | null;
  byTier: TierCost[];
  totalCalls: number;
  totalCostUsd: number;
  totalInputTokens: number;
  totalOutputTokens: number;
}

/** Read-only access to the ATLAS telemetry tables and the LLM cost ledger of the caller's tenant. */
export class TelemetryService {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * One page of `table` for the caller's tenant, newest first (ts desc, id desc), filtered by the time
   * range and the table's lookup keys.
   */
  list(scope: Scope, table: TelemetryTable, filter: TelemetryFilterArgs | null | undefined, page: PageArgs): Promise<ConnectionShape<TelemetryNode>> {
    const spec: TableSpec = TELEMETRY_TABLES[table];
    const where = equalsWhere(filter ?? {}, spec.keys);
    return tenantSeriesPage(spec.delegate(this.prisma), scope, TS_ID_SHAPE, filter, where, page, (r) => withStringId(r) as TelemetryNode);
  }

  /** One row of `table` by id; another tenant's row is NOT_FOUND. */
  async get(scope: Scope, table: TelemetryTable, id: string): Promise<TelemetryNode> {
    const spec: TableSpec = TELEMETRY_TABLES[table];
    const row = await spec.delegate(this.prisma).findFirst({ where: { id: parseBigIntId(id), tenantId: scope.tenantId } });
    if (!row) throw notFound(spec.label, id);
    return withStringId(row) as TelemetryNode;
  }

  /** LLM spend of the caller's tenant in [from, to), by model tier, from one GROUP BY query. */
  async costSummary(scope: Scope, range: TimeRange): Promise<CostSummary> {
    const groups = await this.prisma.inferenceLog.groupBy({
      by: ['modelTier'],
      where: { tenantId: scope.tenantId, ...timeRangeWhere('ts', range, '') },
      _count: { _all: true },
      _sum: { costUsd: true, inputTokens: true, outputTokens: true, cachedTokens: true },
      orderBy: { modelTier: 'asc' },
    });
    const byTier: TierCost[] = groups.map((g) => ({
      modelTier: g.modelTier,
      calls: g._count._all,
      costUsd: roundUsd(g._sum.costUsd ?? 0),
      inputTokens: Number(g._sum.inputTokens ?? 0),
      outputTokens: Number(g._sum.outputTokens ?? 0),
      cachedTokens: Number(g._sum.cachedTokens ?? 0),
    }));
    const sum = (f: (t: TierCost) => number) => byTier.reduce((acc, t) => acc + f(t), 0);
    return {
      from: range.from ?? null,
      to: range.to ?? null,
      byTier,
      totalCalls: sum((t) => t.calls),
      totalCostUsd: roundUsd(sum((t) => t.costUsd)),
      totalInputTokens: sum((t) => t.inputTokens),
      totalOutputTokens: sum((t) => t.outputTokens),
    };
  }
}

/** cost_usd is REAL (float4): round sums to the ledger's 6-decimal precision to hide float noise. */
function roundUsd(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
