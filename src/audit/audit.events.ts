/**
 * Builders for the audit records that mutations append (mapping: src/audit/EVENTS.md).
 *
 * Every mutation record has the same shape, so an auditor can query them uniformly:
 * - context: `entity` (table-level name, e.g. `connector`), `entity_id` (null for bulk operations),
 *   `fields_changed` (input field NAMES only, never values: no secret can leak through them) and,
 *   for bulk operations, `counts`; plus a few non-secret identifying details per mutation;
 * - decision: only where a human or the system decided something (approvals, scores, reasons);
 * - outcome: `outcome_status: 'success'`, `action_taken` (`<entity>.<verb>`), `action_target`
 *   (`<entity>:<id>`, or the entity for bulk operations), optionally `state_before`/`state_after`.
 * Failed mutations append nothing: the record is written in the mutation's own transaction.
 */
import type { AuditEventInput } from './audit.append';
import type { AuditEventType, AuditSeverity } from './audit.taxonomy';
import type { JsonObject, JsonValue } from './canonical-json';

export interface MutationEventArgs {
  /** Table-level entity name, snake_case (`api_key`, `playbook`, `fp_pattern`, …). */
  entity: string;
  /** The changed row's id; null for bulk operations (see `counts`). */
  entityId: string | number | bigint | null;
  /** Verb of `action_taken` (`created`, `updated`, `deleted`, `approved`, …). */
  action: string;
  /** Input field names that were given (names only, never values). */
  fields?: readonly string[];
  /** Row counts of a bulk operation. */
  counts?: Record<string, number>;
  /** Further non-secret context (identifying details such as a name or dimension). */
  context?: JsonObject;
  decision?: JsonObject;
  /** Further outcome fields (`state_before`, `state_after`, …). */
  outcome?: JsonObject;
  severity?: AuditSeverity;
}

/** Drops undefined members so the record holds valid JSON only. */
function clean(o: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** The audit event for one mutation (see the module comment for the shape). */
export function mutationEvent(eventType: AuditEventType, a: MutationEventArgs): AuditEventInput {
  const id = a.entityId === null ? null : String(a.entityId);
  return {
    eventType,
    severity: a.severity ?? 'info',
    context: clean({
      entity: a.entity,
      entity_id: id,
      fields_changed: a.fields ? [...new Set(a.fields)].sort() : undefined,
      counts: a.counts,
      ...a.context,
    }),
    ...(a.decision ? { decision: a.decision } : {}),
    outcome: clean({
      outcome_status: 'success',
      action_taken: `${a.entity}.${a.action}`,
      action_target: id === null ? a.entity : `${a.entity}:${id}`,
      ...a.outcome,
    }),
  };
}

/**
 * Names of the keys of `input` whose value was given, minus `exclude`. A null counts as given only
 * with `nullIsGiven` (inputs where null means "clear the stored value").
 */
export function givenFields(input: object, exclude: readonly string[] = [], nullIsGiven = false): string[] {
  return Object.entries(input)
    .filter(([k, v]) => v !== undefined && (nullIsGiven || v !== null) && !exclude.includes(k))
    .map(([k]) => k);
}
