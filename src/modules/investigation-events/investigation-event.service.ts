import type { Scope } from '../../auth/scope';
import { notFound } from '../../errors/domain-error';
import type { PrismaClient } from '../../generated/prisma/client';
import type { AuditChainService } from '../audit-chain/audit-chain.service';
import type { AuditRecordNode } from '../audit-log/audit-log.service';

export interface InvestigationEventNode {
  investigationId: string;
  fromState: string | null;
  toState: string;
  agent: string | null;
  changedFields: string[];
  severity: string | null;
  classification: string | null;
  auditSequence: number;
  timestamp: Date;
}

export interface InvestigationEventFilterArgs {
  states?: string[] | null;
  severities?: string[] | null;
  classifications?: string[] | null;
}

const TRANSITION = 'investigation.state_changed';

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The transition an `investigation.state_changed` audit record describes. */
export function toInvestigationEvent(r: AuditRecordNode): InvestigationEventNode {
  const c = (r.context ?? {}) as Record<string, unknown>;
  const d = (r.decision ?? {}) as Record<string, unknown>;
  return {
    investigationId: r.investigationId,
    fromState: str(c.from_state),
    toState: String(c.to_state ?? ''),
    agent: str(c.agent) ?? (r.actorType === 'system' ? null : r.actorId),
    changedFields: Array.isArray(c.changed_fields) ? c.changed_fields.map(String) : [],
    severity: str(c.severity) ?? str(d.severity),
    classification: str(c.classification) ?? str(d.classification),
    auditSequence: r.sequenceNumber,
    timestamp: r.timestamp,
  };
}

/**
 * Live, resumable investigation transitions. They ARE audit records (`investigation.state_changed`), so the
 * stream inherits the audit stream's guarantees: replay after `afterSequence`, then live, in order, with no
 * gap and no duplicate, the subscriber's key and role (viewer) re-checked for every event.
 */
export class InvestigationEventService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auditChain: AuditChainService,
  ) {}

  /** Transitions of the caller's tenant's investigations matching the filter. */
  async *events(scope: Scope, filter: InvestigationEventFilterArgs | null | undefined, afterSequence?: number | null, investigationId?: string) {
    const f = filter ?? {};
    const records = this.auditChain.stream(scope, { eventTypes: [TRANSITION], investigationId }, afterSequence, { role: 'viewer' });
    for await (const r of records) {
      const ev = toInvestigationEvent(r);
      if (f.states?.length && !f.states.includes(ev.toState)) continue;
      if (f.severities?.length || f.classifications?.length) {
        // Older records may lack severity/classification in their context: read the investigation then.
        if ((f.severities?.length && !ev.severity) || (f.classifications?.length && !ev.classification)) {
          const row = await this.prisma.investigationState.findFirst({
            where: { investigationId: ev.investigationId, tenantId: scope.tenantId },
            select: { severity: true, classification: true },
          });
          ev.severity ??= row?.severity ?? null;
          ev.classification ??= row?.classification ?? null;
        }
        if (f.severities?.length && !(ev.severity && f.severities.includes(ev.severity))) continue;
        if (f.classifications?.length && !(ev.classification && f.classifications.includes(ev.classification))) continue;
      }
      yield ev;
    }
  }

  /** Transitions of one investigation; NOT_FOUND (before any event) when it is not the caller's. */
  async assertVisible(scope: Scope, investigationId: string): Promise<void> {
    const row = await this.prisma.investigationState.findFirst({
      where: { investigationId, tenantId: scope.tenantId },
      select: { investigationId: true },
    });
    if (!row) throw notFound('Investigation', investigationId);
  }
}
