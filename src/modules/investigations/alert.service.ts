import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { timeRangeErrors, timeRangeWhere } from '../../graphql/time-range';
import { badInput, notFound } from '../../errors/domain-error';
import type { AlertFilter } from './investigation.inputs';
import { type AlertNode, type AlertRow, toAlertNode } from './investigation.mappers';

const ALERT_ORDER: SortKey<AlertRow>[] = [
  { field: 'timestamp', direction: 'desc', value: (r) => r.timestamp },
  { field: 'alertPk', direction: 'asc', value: (r) => r.alertPk },
];

/** Ingested alerts of the caller's tenant: read side (ingest comes with the pipeline). */
export class AlertService {
  constructor(private readonly prisma: PrismaClient) {}

  /** One alert of the caller's tenant; NOT_FOUND for unknown ids and other tenants' rows. */
  async alert(scope: Scope, id: string): Promise<AlertNode> {
    const row = await this.prisma.alert.findFirst({ where: { alertPk: id, tenantId: scope.tenantId } });
    if (!row) throw notFound('Alert', id);
    return toAlertNode(row);
  }

  /** Alerts, newest first (timestamp desc, then id). */
  async alerts(scope: Scope, filter: AlertFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<AlertNode>> {
    const f = filter ?? {};
    const errors = timeRangeErrors(f);
    if (errors.length) throw badInput(errors);
    const and: Prisma.AlertWhereInput[] = [{ tenantId: scope.tenantId }];
    if (f.source) and.push({ source: f.source });
    if (f.severities?.length) and.push({ severity: { in: f.severities } });
    if (f.techniqueId) and.push({ techniques: { has: f.techniqueId } });
    if (f.search) and.push({ title: { contains: f.search, mode: 'insensitive' } });
    const ts = timeRangeWhere(f);
    if (ts) and.push({ timestamp: ts });
    return paginate(this.prisma.alert, { AND: and }, ALERT_ORDER, page, toAlertNode);
  }
}
