import type { AuditPublisher } from '../audit/audit.recorder';
import type { AuditRow } from '../audit/record-hash';
import type { AppPubSub } from './pubsub';
import type { AuditRecordMessage } from './topics';

/** The JSON-safe message of one stored audit record. */
export function auditMessage(row: AuditRow): AuditRecordMessage {
  return {
    auditId: row.auditId,
    sequenceNumber: row.sequenceNumber,
    previousHash: row.previousHash,
    timestamp: row.timestamp.toISOString(),
    ingestedAt: row.ingestedAt.toISOString(),
    eventType: row.eventType,
    eventCategory: row.eventCategory,
    severity: row.severity,
    actorType: row.actorType,
    actorId: row.actorId,
    actorPermissions: [...row.actorPermissions],
    investigationId: row.investigationId,
    alertId: row.alertId,
    entityIds: [...row.entityIds],
    context: row.context as Record<string, unknown>,
    decision: row.decision as Record<string, unknown>,
    outcome: row.outcome as Record<string, unknown>,
    recordHash: row.recordHash,
    recordVersion: row.recordVersion,
  };
}

/** Publishes each committed batch of audit records on the tenant's `audit.records` topic. */
export function createAuditPublisher(pubsub: AppPubSub): AuditPublisher {
  return {
    publishAudit(tenantId, records) {
      pubsub.publish('audit.records', tenantId, { records: records.map(auditMessage) });
    },
  };
}
