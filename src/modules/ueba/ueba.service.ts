import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { notFound } from '../../errors/domain-error';
import type { ConnectionShape, PageArgs } from '../../graphql/connection';
import { type SeriesShape, equalsWhere, parseBigIntId, tenantSeriesPage, withStringId } from '../telemetry/time-series.query';

type SignalRow = Prisma.UserEntityBehaviorGetPayload<object>;
export type UebaSignalNode = Omit<SignalRow, 'id'> & { id: string };

export interface UebaSignalFilterArgs {
  entityId?: string | null;
  entityType?: string | null;
  riskState?: string | null;
  signalType?: string | null;
  from?: Date | null;
  to?: Date | null;
}

const SIGNAL_SHAPE: SeriesShape<SignalRow> = { timeField: 'observedAt', idField: 'id', time: (r) => r.observedAt, id: (r) => r.id };
const SIGNAL_KEYS = ['entityId', 'entityType', 'riskState', 'signalType'] as const;

/** Entity risk signals of the caller's tenant (read-only; written by enrichment). */
export class UebaService {
  constructor(private readonly prisma: PrismaClient) {}

  /** Signals of the caller's tenant, newest first (observedAt desc, id desc). */
  signals(scope: Scope, filter: UebaSignalFilterArgs | null | undefined, page: PageArgs): Promise<ConnectionShape<UebaSignalNode>> {
    return tenantSeriesPage(this.prisma.userEntityBehavior, scope, SIGNAL_SHAPE, filter, equalsWhere(filter, SIGNAL_KEYS), page, withStringId);
  }

  /** One signal of the caller's tenant; another tenant's is NOT_FOUND. */
  async signal(scope: Scope, id: string): Promise<UebaSignalNode> {
    const row = await this.prisma.userEntityBehavior.findFirst({ where: { id: parseBigIntId(id), tenantId: scope.tenantId } });
    if (!row) throw notFound('UebaSignal', id);
    return withStringId(row);
  }
}
