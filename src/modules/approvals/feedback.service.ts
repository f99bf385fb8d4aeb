import type { AuditEventInput } from '../../audit/audit.append';
import { mutationEvent } from '../../audit/audit.events';
import type { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { alertFacts } from '../../engine/runtime/alert-facts';
import { incidentDocId, storeIncidentMemory } from '../../engine/runtime/agents/response-agent';
import { OPEN_APPROVAL_STATUSES } from '../../engine/runtime/approval-decisions';
import { applyTransition, loadGraphState, lockInvestigation } from '../../engine/runtime/transition';
import type { Verdict } from '../../engine/graph-state';
import { badInput, notFound } from '../../errors/domain-error';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { type InvestigationNode, toInvestigationNode } from '../investigations/investigation.mappers';

const VERDICTS: readonly string[] = ['true_positive', 'false_positive', 'suspicious', 'investigation_required'];
const MAX_NOTE = 4000;

/** Analyst feedback on investigations: the learning loop of incident memory (spec §4.2). */
export class FeedbackService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder,
  ) {}

  /**
   * Writes the analyst's verdict into incident_memory (final_classification, corrected_by,
   * correction_reason, analyst_feedback), creating the document when the investigation has none yet.
   * An investigation in awaiting_human with no open approval (e.g. low confidence on a high alert)
   * is closed with the verdict, in the same transaction.
   */
  async submit(scope: Scope, investigationId: string, verdict: string, note: string | null | undefined): Promise<InvestigationNode> {
    if (!VERDICTS.includes(verdict)) throw badInput([{ path: 'verdict', message: `must be one of ${VERDICTS.join(', ')}` }]);
    const text = note?.trim() || null;
    if (text && text.length > MAX_NOTE) throw badInput([{ path: 'note', message: `must be at most ${MAX_NOTE} characters` }]);
    return this.audit.run(scope, async (tx) => {
      let inv = await lockInvestigation(tx, scope.tenantId, investigationId);
      if (!inv) throw notFound('Investigation', investigationId);
      const alert = await tx.alert.findFirst({ where: { alertPk: inv.alertId, tenantId: scope.tenantId } });
      if (!alert) throw notFound('Investigation', investigationId);
      const events: AuditEventInput[] = [];
      const docId = incidentDocId(investigationId);
      const existing = await tx.incidentMemory.findFirst({ where: { docId, tenantId: scope.tenantId } });

      if (inv.state === 'awaiting_human') {
        const open = await tx.approval.count({ where: { tenantId: scope.tenantId, investigationId, status: { in: OPEN_APPROVAL_STATUSES } } });
        if (open === 0) {
          const t = await applyTransition(tx, {
            row: inv,
            before: loadGraphState(inv),
            to: 'closed',
            agent: 'human',
            patch: { classification: verdict as Verdict, requiresHumanApproval: false },
            decision: {
              step: 'analyst_verdict',
              agent: 'human',
              action: 'closed_by_analyst',
              reasoning: text ?? `analyst verdict ${verdict}`,
              confidence: null,
              attestationStatus: 'not_applicable',
              taxonomyVersion: null,
              details: { actor: scope.actor },
            },
          });
          events.push(t.event);
          inv = await tx.investigationState.findFirstOrThrow({ where: { investigationId, tenantId: scope.tenantId } });
        }
      }
      if (!existing) await storeIncidentMemory(tx, alertFacts(alert), loadGraphState(inv), inv.state === 'closed' ? (inv.classification ?? 'closed') : 'open', new Date());
      const feedback = { verdict, note: text, correct: inv.classification === verdict, by: scope.actor, at: new Date().toISOString() };
      await tx.incidentMemory.updateMany({
        where: { docId, tenantId: scope.tenantId },
        data: { finalClassification: verdict, correctedBy: scope.actor, correctionReason: text, analystFeedback: feedback as Prisma.InputJsonValue },
      });
      events.push({
        ...mutationEvent('knowledge.indexed', {
          entity: 'incident_memory',
          entityId: docId,
          action: 'feedback_submitted',
          fields: ['verdict', ...(text ? ['note'] : [])],
          context: { investigation_id: investigationId },
          decision: { decision_type: 'analyst_verdict', verdict, agrees_with_engine: feedback.correct },
        }),
        investigationId,
      });
      return { result: toInvestigationNode(inv), events };
    });
  }
}
