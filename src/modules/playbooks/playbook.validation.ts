import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { isDestructiveAction } from '../../domain/destructive-actions';
import type { FieldError } from '../../errors/domain-error';

/** Alert severities (spec §3.6), case-sensitive. */
export const SEVERITIES: readonly string[] = ['critical', 'high', 'medium', 'low', 'informational'];
const ACTION = /^[a-z][a-z0-9_]{0,99}$/;
const TACTIC = /^[a-z][a-z0-9-]{0,63}$/;
const TECHNIQUE_ID = /^(?:T\d{4}(?:\.\d{3})?|AML\.T\d{4}(?:\.\d{3})?)$/;
const MAX_JSON_CHARS = 64 * 1024;
const MAX_STEPS = 100;

/** Step fields as the validator sees them (create, add and the merged result of an update). */
export interface StepFields {
  action: string;
  description: string;
  queries?: Record<string, unknown> | null;
  automated?: boolean | null;
  requiresApproval?: boolean | null;
  approvalReason?: string | null;
  assignedAgent?: string | null;
}

export { isDestructiveAction };

function text(errors: FieldError[], path: string, v: string | null | undefined, max: number, required: boolean): void {
  if (v == null) {
    if (required) errors.push({ path, message: 'is required' });
    return;
  }
  if (required && v.trim() === '') errors.push({ path, message: 'must not be empty' });
  if (v.length > max) errors.push({ path, message: `at most ${max} characters` });
}

function json(errors: FieldError[], path: string, v: unknown): void {
  if (v != null && JSON.stringify(v).length > MAX_JSON_CHARS) errors.push({ path, message: `at most ${MAX_JSON_CHARS} characters of JSON` });
}

/**
 * Validates one step. Destructive actions (account disable, endpoint isolation, IOC/firewall block, session
 * revocation, MFA re-registration …) must require approval whatever the playbook says, and an approval gate
 * must say why.
 */
export function validateStep(errors: FieldError[], path: string, s: StepFields): void {
  if (!ACTION.test(s.action)) errors.push({ path: `${path}.action`, message: 'must be snake_case (a-z, 0-9, _), at most 100 characters' });
  text(errors, `${path}.description`, s.description, 4000, true);
  if (isDestructiveAction(s.action) && s.requiresApproval !== true) {
    errors.push({ path: `${path}.requiresApproval`, message: `destructive action ${s.action} must require approval` });
  }
  if (s.requiresApproval === true && (s.approvalReason ?? '').trim() === '') {
    errors.push({ path: `${path}.approvalReason`, message: 'is required when requiresApproval is true' });
  }
  text(errors, `${path}.approvalReason`, s.approvalReason, 1000, false);
  text(errors, `${path}.assignedAgent`, s.assignedAgent, 100, false);
  if (s.queries != null) {
    if (Object.values(s.queries).some((q) => typeof q !== 'string')) {
      errors.push({ path: `${path}.queries`, message: 'values must be query strings' });
    }
    json(errors, `${path}.queries`, s.queries);
  }
}

export function validateSteps(errors: FieldError[], path: string, steps: StepFields[]): void {
  if (steps.length === 0) errors.push({ path, message: 'at least one step' });
  if (steps.length > MAX_STEPS) errors.push({ path, message: `at most ${MAX_STEPS} steps` });
  steps.forEach((s, i) => validateStep(errors, `${path}[${i}]`, s));
}

/** Playbook header fields, each optional so the same check serves create and partial update. */
export interface HeaderFields {
  title?: string | null;
  category?: string | null;
  severity?: string | null;
  severityApplicable?: string[] | null;
  tactics?: string[] | null;
  alertProducts?: string[] | null;
  triggerConditions?: unknown;
  escalationCriteria?: unknown;
  resolutionCriteria?: unknown;
}

/** Validates the playbook fields that are present (`required` lists the ones that must be). */
export function validateHeader(errors: FieldError[], h: HeaderFields, required: boolean): void {
  const p = 'input';
  if (required || h.title != null) text(errors, `${p}.title`, h.title, 300, true);
  if (required || h.category != null) text(errors, `${p}.category`, h.category, 100, true);
  if (h.severity != null && !SEVERITIES.includes(h.severity)) errors.push({ path: `${p}.severity`, message: 'unknown severity' });
  if (required && h.severity == null) errors.push({ path: `${p}.severity`, message: 'is required' });
  if (required || h.severityApplicable != null) {
    const s = h.severityApplicable ?? [];
    if (s.length === 0) errors.push({ path: `${p}.severityApplicable`, message: 'at least one severity' });
    s.forEach((v, i) => {
      if (!SEVERITIES.includes(v)) errors.push({ path: `${p}.severityApplicable[${i}]`, message: 'unknown severity' });
    });
  }
  (h.tactics ?? []).forEach((t, i) => {
    if (!TACTIC.test(t)) errors.push({ path: `${p}.tactics[${i}]`, message: 'must be a tactic shortname, e.g. credential-access' });
  });
  if ((h.tactics ?? []).length > 20) errors.push({ path: `${p}.tactics`, message: 'at most 20 tactics' });
  (h.alertProducts ?? []).forEach((a, i) => text(errors, `${p}.alertProducts[${i}]`, a, 200, true));
  if ((h.alertProducts ?? []).length > 50) errors.push({ path: `${p}.alertProducts`, message: 'at most 50 products' });
  json(errors, `${p}.triggerConditions`, h.triggerConditions);
  json(errors, `${p}.escalationCriteria`, h.escalationCriteria);
  json(errors, `${p}.resolutionCriteria`, h.resolutionCriteria);
}

type TaxonomyReader = Pick<PrismaClient | Prisma.TransactionClient, 'taxonomyId'>;

/**
 * Deny-by-default technique validation (spec §4.6): every id must be in taxonomy_ids and not deprecated;
 * a revoked id is remapped to the id that replaces it (following up to 5 hops). Returns the resolved ids,
 * de-duplicated in input order; problems are appended to `errors` with paths `<path>[i]`.
 */
export async function resolveTechniqueIds(db: TaxonomyReader, errors: FieldError[], path: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) errors.push({ path, message: 'at least one technique id' });
  if (ids.length > 100) errors.push({ path, message: 'at most 100 technique ids' });
  const wellFormed = ids.map((id) => TECHNIQUE_ID.test(id));
  ids.forEach((id, i) => {
    if (!wellFormed[i]) errors.push({ path: `${path}[${i}]`, message: 'is not a technique id (T1234, T1234.001, AML.T0051)' });
  });
  const known = new Map<string, { deprecated: boolean; revoked: boolean; revokedBy: string | null }>();
  let want = [...new Set(ids.filter((_, i) => wellFormed[i]))];
  for (let hop = 0; hop < 6 && want.length > 0; hop++) {
    const rows = await db.taxonomyId.findMany({
      where: { techniqueId: { in: want } },
      select: { techniqueId: true, deprecated: true, revoked: true, revokedBy: true },
    });
    for (const r of rows) known.set(r.techniqueId, r);
    want = rows.filter((r) => r.revoked && r.revokedBy && !known.has(r.revokedBy)).map((r) => r.revokedBy as string);
  }
  const out: string[] = [];
  ids.forEach((id, i) => {
    if (!wellFormed[i]) return;
    let cur = id;
    for (let hop = 0; hop < 6; hop++) {
      const row = known.get(cur);
      if (!row) {
        errors.push({ path: `${path}[${i}]`, message: cur === id ? 'unknown technique id' : `revoked; its replacement ${cur} is unknown` });
        return;
      }
      if (row.revoked) {
        if (!row.revokedBy) {
          errors.push({ path: `${path}[${i}]`, message: 'revoked without a replacement' });
          return;
        }
        cur = row.revokedBy;
        continue;
      }
      if (row.deprecated) {
        errors.push({ path: `${path}[${i}]`, message: cur === id ? 'deprecated technique id' : `revoked; its replacement ${cur} is deprecated` });
        return;
      }
      if (!out.includes(cur)) out.push(cur);
      return;
    }
    errors.push({ path: `${path}[${i}]`, message: 'revocation chain too long' });
  });
  return out;
}

/** Next playbook version: the last numeric component goes up by one ('1.0' → '1.1', '2.9' → '2.10'). */
export function bumpVersion(version: string): string {
  const parts = version.split('.');
  const last = Number(parts[parts.length - 1]);
  if (parts.every((p) => /^\d+$/.test(p))) {
    parts[parts.length - 1] = String(last + 1);
    return parts.join('.');
  }
  return `${version}.1`;
}
