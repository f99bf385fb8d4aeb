import type { Prisma } from '../../generated/prisma/client';
import { type MutationEventArgs, mutationEvent } from '../../audit/audit.events';
import type { Scope } from '../../auth/scope';
import { conflict, notFound } from '../../errors/domain-error';
import { bumpVersion } from './playbook.validation';

export type PlaybookRow = Prisma.PlaybookGetPayload<object>;

/** `source` of the playbooks shipped in seeds/playbooks.json (the seeder upgrades only these). */
export const DEFAULT_SOURCE = 'aluskort-default';
/** `source` of a shipped default after a tenant changed it. */
export const TENANT_MODIFIED_SOURCE = 'tenant-modified';
export type PlaybookStepRow = Prisma.PlaybookStepGetPayload<object>;

/**
 * First write of every playbook change, inside the caller's transaction: reads the caller's playbook
 * (another tenant's is NOT_FOUND), then bumps its version guarded on the version it read
 * (`updateMany where {docId, tenantId, version}`; count 0 → CONFLICT). The guarded UPDATE also row-locks the
 * playbook, so concurrent step edits of one playbook run one after the other and the loser gets CONFLICT
 * instead of a half-renumbered step list. Any change returns an approved playbook to draft: a change must be
 * reviewed again before the response agent relies on it. A changed default playbook gets source
 * 'tenant-modified', which the seeder never overwrites.
 */
export async function beginPlaybookChange(
  tx: Prisma.TransactionClient,
  scope: Scope,
  docId: string,
  data: Prisma.PlaybookUpdateManyMutationInput = {},
  expectedVersion?: string | null,
): Promise<PlaybookRow> {
  const cur = await tx.playbook.findFirst({ where: { docId, tenantId: scope.tenantId } });
  if (!cur) throw notFound('Playbook', docId);
  if (expectedVersion != null && expectedVersion !== cur.version) {
    throw conflict(`Playbook ${docId} is at version ${cur.version}, not ${expectedVersion}`, { currentVersion: cur.version });
  }
  const version = bumpVersion(cur.version);
  // A tenant's edit of a shipped default stops being 'aluskort-default', so a re-seed never overwrites it.
  const source = cur.source === DEFAULT_SOURCE ? TENANT_MODIFIED_SOURCE : cur.source;
  const { count } = await tx.playbook.updateMany({
    where: { docId, tenantId: scope.tenantId, version: cur.version },
    data: { ...data, version, source, reviewStatus: 'draft', approvedBy: null, lastUpdated: new Date() },
  });
  if (count === 0) throw conflict(`Playbook ${docId} was changed concurrently; retry`);
  const row = await tx.playbook.findFirst({ where: { docId, tenantId: scope.tenantId } });
  if (!row) throw notFound('Playbook', docId);
  return row;
}

/** Step fields as stored, without the key columns. */
export type StepData = Omit<PlaybookStepRow, 'playbookId' | 'stepNumber' | 'tenantId' | 'queries'> & {
  queries: Prisma.InputJsonValue | undefined;
};

/**
 * Replaces a playbook's steps with `steps`, numbered densely 1..n in the given order. Deleting and
 * re-inserting (inside the caller's transaction, after beginPlaybookChange locked the playbook) sidesteps
 * the non-deferrable primary key (playbook_id, step_number), which an in-place shift would trip over.
 */
export async function rewriteSteps(tx: Prisma.TransactionClient, scope: Scope, docId: string, steps: StepData[]): Promise<void> {
  await tx.playbookStep.deleteMany({ where: { playbookId: docId, tenantId: scope.tenantId } });
  if (steps.length === 0) return;
  await tx.playbookStep.createMany({
    data: steps.map((s, i) => ({ ...s, playbookId: docId, tenantId: scope.tenantId, stepNumber: i + 1 })),
  });
}

/** A stored step as rewriteSteps takes it. */
export function stepData(s: PlaybookStepRow): StepData {
  return {
    action: s.action,
    description: s.description,
    queries: (s.queries ?? undefined) as Prisma.InputJsonValue | undefined,
    automated: s.automated,
    requiresApproval: s.requiresApproval,
    approvalReason: s.approvalReason,
    assignedAgent: s.assignedAgent,
  };
}

/** A validated step input as stored (trimmed; defaults applied). */
export function stepFromInput(s: {
  action: string;
  description: string;
  queries?: Record<string, unknown> | null;
  automated?: boolean | null;
  requiresApproval?: boolean | null;
  approvalReason?: string | null;
  assignedAgent?: string | null;
}): StepData {
  return {
    action: s.action,
    description: s.description.trim(),
    queries: (s.queries ?? undefined) as Prisma.InputJsonValue | undefined,
    automated: s.automated ?? false,
    requiresApproval: s.requiresApproval ?? false,
    approvalReason: s.approvalReason?.trim() || null,
    assignedAgent: s.assignedAgent?.trim() || null,
  };
}

/**
 * The `config.changed` record of a change to a playbook (header or steps), naming the version it moved to.
 * `extra` adds fields/counts/context, e.g. the step number for step edits.
 */
export function playbookChangeEvent(row: PlaybookRow, action: string, extra: Partial<Pick<MutationEventArgs, 'fields' | 'counts' | 'context'>> = {}) {
  return mutationEvent('config.changed', {
    entity: 'playbook',
    entityId: row.docId,
    action,
    fields: extra.fields,
    counts: extra.counts,
    context: { version: row.version, ...extra.context },
    outcome: { state_after: row.reviewStatus },
  });
}
