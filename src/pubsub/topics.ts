/**
 * The only place topic names and payload types live. Every topic is per tenant: a subscriber can only
 * ever listen on its own tenant's topic, and the subscriber's rights are re-checked per event.
 */

/** An audit record as published after commit (JSON-safe: dates as ISO strings). */
export interface AuditRecordMessage {
  auditId: string;
  sequenceNumber: number;
  previousHash: string;
  timestamp: string;
  ingestedAt: string;
  eventType: string;
  eventCategory: string;
  severity: string;
  actorType: string;
  actorId: string;
  actorPermissions: string[];
  investigationId: string;
  alertId: string;
  entityIds: string[];
  context: Record<string, unknown>;
  decision: Record<string, unknown>;
  outcome: Record<string, unknown>;
  recordHash: string;
  recordVersion: string;
}

/** Topic → [routing id (the tenant), payload]. */
export type TopicMap = {
  /** New audit records of a tenant, in sequence order, one message per committed transaction. */
  'audit.records': [tenantId: string, payload: { records: AuditRecordMessage[] }];
};

export type TopicName = keyof TopicMap;
