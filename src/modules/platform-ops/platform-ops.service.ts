import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import type { ConnectionShape, PageArgs } from '../../graphql/connection';
import { type SeriesShape, equalsWhere, tenantSeriesPage } from '../telemetry/time-series.query';

type MigrationRow = Prisma.EmbeddingMigrationGetPayload<object>;
type SessionRow = Prisma.DashboardSessionGetPayload<object>;

export type EmbeddingMigrationNode = Omit<MigrationRow, 'id' | 'pointsMigrated' | 'pointsTotal' | 'tenantId'> & {
  id: string;
  pointsMigrated: number;
  pointsTotal: number;
  progress: number;
};

export interface DashboardSessionNode {
  sessionFingerprint: string;
  userId: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
  active: boolean;
}

const MIGRATION_SHAPE: SeriesShape<MigrationRow> = { timeField: 'startedAt', idField: 'id', time: (r) => r.startedAt, id: (r) => r.id };
/**
 * Sessions page by createdAt desc with the session fingerprint (sha256 of the id, a generated column) as the
 * tiebreaker, so cursors carry only what the node already shows, never the session id (a credential).
 */
const SESSION_SHAPE: SeriesShape<SessionRow> = {
  timeField: 'createdAt',
  idField: 'sessionFingerprint',
  time: (r) => r.createdAt,
  id: (r) => r.sessionFingerprint,
};

function toMigrationNode(row: MigrationRow): EmbeddingMigrationNode {
  const { tenantId: _t, ...rest } = row;
  const migrated = Number(row.pointsMigrated);
  const total = Number(row.pointsTotal);
  return { ...rest, id: row.id.toString(), pointsMigrated: migrated, pointsTotal: total, progress: total > 0 ? Math.min(1, migrated / total) : 0 };
}

function toSessionNode(row: SessionRow): DashboardSessionNode {
  return {
    sessionFingerprint: row.sessionFingerprint,
    userId: row.userId,
    role: row.role,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    active: row.expiresAt.getTime() > Date.now(),
  };
}

/** Operational state an admin inspects: re-embedding runs and dashboard sessions (read-only). */
export class PlatformOpsService {
  constructor(private readonly prisma: PrismaClient) {}

  /** Re-embedding runs of the caller's tenant, newest first. */
  embeddingMigrations(
    scope: Scope,
    filter: { collection?: string | null; status?: string | null } | null | undefined,
    page: PageArgs,
  ): Promise<ConnectionShape<EmbeddingMigrationNode>> {
    const where = equalsWhere(filter, ['collection', 'status'] as const);
    return tenantSeriesPage(this.prisma.embeddingMigration, scope, MIGRATION_SHAPE, null, where, page, toMigrationNode);
  }

  /** Dashboard sessions of the caller's tenant, newest first. */
  dashboardSessions(
    scope: Scope,
    filter: { userId?: string | null; activeOnly?: boolean | null } | null | undefined,
    page: PageArgs,
  ): Promise<ConnectionShape<DashboardSessionNode>> {
    const where = {
      ...equalsWhere(filter, ['userId'] as const),
      ...(filter?.activeOnly ? { expiresAt: { gt: new Date() } } : {}),
    };
    return tenantSeriesPage(this.prisma.dashboardSession, scope, SESSION_SHAPE, null, where, page, toSessionNode);
  }
}
