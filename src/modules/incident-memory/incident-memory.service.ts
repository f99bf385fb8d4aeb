import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { timeRangeErrors, timeRangeWhere } from '../../graphql/time-range';
import { badInput, notFound } from '../../errors/domain-error';
import { knownClassification } from '../investigations/investigation.mappers';
import type { IncidentMemoryFilter } from './incident-memory.inputs';

type MemoryRow = Prisma.IncidentMemoryGetPayload<object>;
export type IncidentMemoryNode = Omit<MemoryRow, 'docId' | 'tenantId'> & { id: string };

const MEMORY_ORDER: SortKey<MemoryRow>[] = [
  { field: 'timestamp', direction: 'desc', value: (r) => r.timestamp },
  { field: 'docId', direction: 'asc', value: (r) => r.docId },
];

function toNode(row: MemoryRow): IncidentMemoryNode {
  const { docId, tenantId: _t, ...rest } = row;
  return {
    ...rest,
    id: docId,
    initialClassification: knownClassification(row.initialClassification),
    finalClassification: knownClassification(row.finalClassification),
  };
}

/** Incident memory of the caller's tenant (read side; the pipeline writes it on close and feedback). */
export class IncidentMemoryService {
  constructor(private readonly prisma: PrismaClient) {}

  /** One remembered incident; NOT_FOUND for unknown ids and other tenants' rows. */
  async memory(scope: Scope, id: string): Promise<IncidentMemoryNode> {
    const row = await this.prisma.incidentMemory.findFirst({ where: { docId: id, tenantId: scope.tenantId } });
    if (!row) throw notFound('IncidentMemory', id);
    return toNode(row);
  }

  /** Remembered incidents, newest first (timestamp desc, then id). */
  async memories(scope: Scope, filter: IncidentMemoryFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<IncidentMemoryNode>> {
    const f = filter ?? {};
    const errors = timeRangeErrors(f);
    if (errors.length) throw badInput(errors);
    const and: Prisma.IncidentMemoryWhereInput[] = [{ tenantId: scope.tenantId }];
    if (f.outcome) and.push({ outcome: f.outcome });
    if (f.finalClassifications?.length) and.push({ finalClassification: { in: f.finalClassifications } });
    if (f.techniqueId) and.push({ mitreTechniques: { has: f.techniqueId } });
    if (f.search) and.push({ alertName: { contains: f.search, mode: 'insensitive' } });
    if (f.rareImportant != null) and.push({ rareImportant: f.rareImportant });
    const ts = timeRangeWhere(f);
    if (ts) and.push({ timestamp: ts });
    return paginate(this.prisma.incidentMemory, { AND: and }, MEMORY_ORDER, page, toNode);
  }
}
