/**
 * Loads the data in seeds/ (taxonomy allowlist seed, default playbooks, default FP patterns).
 *
 * Idempotent, one transaction:
 * - taxonomy_ids and taxonomy_metadata: insert-if-absent. A full MITRE import (src/taxonomy/import.ts) always
 *   wins: the seed never overwrites a name, a version or any other row that already exists.
 * - playbooks (+ steps): inserted when absent; a playbook still owned by ALUSKORT (source 'aluskort-default')
 *   is replaced only when the seed carries a higher version, so tenant edits are never clobbered by a re-seed.
 * - fp_patterns: insert-if-absent; an existing pattern keeps its governance state.
 *
 * The seed files are validated before anything is written (fail closed): a destructive playbook step without
 * requires_approval, an FP pattern shipped active, or a playbook technique missing from the taxonomy seed is
 * refused.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { isDestructiveAction } from '../domain/destructive-actions';
import { TAXONOMY_LOCK_KEY } from '../taxonomy/import';

/**
 * Seeds live at the repository root. The product runs from the repository (src/db → ../../seeds); a
 * tsc build (dist/src/db) is one level deeper.
 */
export const SEEDS_DIR =
  [path.resolve(__dirname, '../../seeds'), path.resolve(__dirname, '../../../seeds')].find((d) =>
    existsSync(path.join(d, 'taxonomy-seed.json')),
  ) ?? path.resolve(__dirname, '../../seeds');

/** Re-exported for callers that load seeds; the list lives in src/domain (pure, no seed loading). */
export { DESTRUCTIVE_ACTIONS } from '../domain/destructive-actions';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
const ATTACK_ID = /^T\d{4}(?:\.\d{3})?$/;
const ATLAS_ID = /^AML\.T\d{4}(?:\.\d{3})?$/;

const taxonomySeedSchema = z.object({
  metadata: z.object({ attack_version: z.string().min(1), atlas_version: z.string().min(1) }),
  techniques: z
    .array(
      z
        .object({
          techniqueId: z.string(),
          framework: z.enum(['attack', 'atlas']),
          name: z.string().min(1),
          isSubtechnique: z.boolean(),
          parentId: z.string().nullable(),
          deprecated: z.boolean().default(false),
          tactics: z.array(z.string()).default([]),
          relatedAttackIds: z.array(z.string().regex(ATTACK_ID)).default([]),
        })
        .refine((t) => (t.framework === 'attack' ? ATTACK_ID : ATLAS_ID).test(t.techniqueId), {
          message: 'technique id does not match its framework',
        })
        .refine((t) => t.isSubtechnique === (t.parentId !== null), { message: 'isSubtechnique and parentId disagree' })
        .refine((t) => !t.parentId || t.techniqueId.startsWith(`${t.parentId}.`), { message: 'parentId is not the id prefix' }),
    )
    .min(1),
});

const stepSchema = z
  .object({
    stepNumber: z.number().int().positive(),
    action: z.string().regex(/^[a-z][a-z0-9_]*$/, 'action must be snake_case'),
    description: z.string().min(1),
    automated: z.boolean(),
    requiresApproval: z.boolean(),
    approvalReason: z.string().nullable().optional(),
    assignedAgent: z.string().nullable().optional(),
    queries: z.record(z.string(), z.string()).optional(),
  })
  .refine((s) => !isDestructiveAction(s.action) || s.requiresApproval, {
    message: 'destructive action without requiresApproval',
  })
  .refine((s) => !s.requiresApproval || (s.approvalReason ?? '').trim() !== '', {
    message: 'requiresApproval without approvalReason',
  });

const playbooksSchema = z.object({
  playbooks: z
    .array(
      z
        .object({
          docId: z.string().regex(/^pb-[a-z0-9-]+$/),
          title: z.string().min(1),
          category: z.string().min(1),
          severity: z.enum(SEVERITIES),
          severityApplicable: z.array(z.enum(SEVERITIES)).min(1),
          tactics: z.array(z.string()),
          mitreTechniques: z.array(z.string().regex(/^(T\d{4}(\.\d{3})?|AML\.T\d{4}(\.\d{3})?)$/)).min(1),
          alertProducts: z.array(z.string()),
          triggerConditions: z.record(z.string(), z.unknown()),
          escalationCriteria: z.record(z.string(), z.unknown()),
          resolutionCriteria: z.record(z.string(), z.unknown()),
          source: z.literal('aluskort-default'),
          version: z.string().regex(/^\d+(\.\d+)*$/),
          reviewStatus: z.enum(['draft', 'approved']),
          approvedBy: z.string().nullable(),
          steps: z.array(stepSchema).min(1),
        })
        .refine((p) => p.steps.every((s, i) => s.stepNumber === i + 1), { message: 'steps must be numbered 1..n' }),
    )
    .min(1),
});

function isCidr(v: string): boolean {
  const [addr, bits, extra] = v.split('/');
  if (extra !== undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
  const kind = isIP(addr);
  return (kind === 4 && Number(bits) <= 32) || (kind === 6 && Number(bits) <= 128);
}

function compiles(re: string): boolean {
  try {
    new RegExp(re, 'i');
    return true;
  } catch {
    return false;
  }
}

const fpSchema = z.object({
  fpPatterns: z.array(
    z.object({
      patternId: z.string().regex(/^fp-[a-z0-9-]+$/),
      patternName: z.string().min(1),
      alertNames: z.array(z.string()).min(1),
      conditions: z.object({
        alert_name_regex: z.string().refine(compiles, 'alert_name_regex does not compile'),
        entity_patterns: z.array(
          z.union([
            z.object({ entity_type: z.string(), value_regex: z.string().refine(compiles, 'value_regex does not compile') }).strict(),
            z.object({ entity_type: z.string(), value_cidr: z.string().refine(isCidr, 'value_cidr is not a CIDR') }).strict(),
          ]),
        ),
      }),
      confidenceThreshold: z.number().min(0).max(1),
      autoClose: z.boolean(),
      // Default patterns never ship active: shadow (canary, never auto-closes) or pending_review (two-person rule).
      status: z.enum(['shadow', 'pending_review']),
      scopeRuleFamily: z.string().default(''),
      scopeAssetClass: z.string().default(''),
    }),
  ),
});

export type TaxonomySeed = z.infer<typeof taxonomySeedSchema>;
export type PlaybookSeed = z.infer<typeof playbooksSchema>['playbooks'][number];
export type FpPatternSeed = z.infer<typeof fpSchema>['fpPatterns'][number];

export interface SeedData {
  taxonomy: TaxonomySeed;
  playbooks: PlaybookSeed[];
  fpPatterns: FpPatternSeed[];
}

export class SeedValidationError extends Error {
  readonly code = 'SEED_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'SeedValidationError';
  }
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new SeedValidationError(`${file}: ${issues.join('; ')}`);
}

/** Reads and validates the three seed files. */
export async function loadSeedData(seedsDir: string = SEEDS_DIR): Promise<SeedData> {
  const read = async (name: string) => JSON.parse(await readFile(path.join(seedsDir, name), 'utf8')) as unknown;
  const taxonomy = parseOrThrow(taxonomySeedSchema, await read('taxonomy-seed.json'), 'taxonomy-seed.json');
  const { playbooks } = parseOrThrow(playbooksSchema, await read('playbooks.json'), 'playbooks.json');
  const { fpPatterns } = parseOrThrow(fpSchema, await read('fp-patterns.json'), 'fp-patterns.json');

  const ids = new Set<string>();
  for (const t of taxonomy.techniques) {
    if (ids.has(t.techniqueId)) throw new SeedValidationError(`taxonomy-seed.json: duplicate ${t.techniqueId}`);
    ids.add(t.techniqueId);
  }
  for (const t of taxonomy.techniques) {
    if (t.parentId && !ids.has(t.parentId)) throw new SeedValidationError(`taxonomy-seed.json: parent ${t.parentId} of ${t.techniqueId} not seeded`);
  }
  // Every technique a default playbook relies on must be on the allowlist, or deny-by-default would quarantine it.
  for (const p of playbooks) {
    const missing = p.mitreTechniques.filter((t) => !ids.has(t));
    if (missing.length) throw new SeedValidationError(`playbooks.json: ${p.docId} uses techniques not in the taxonomy seed: ${missing.join(', ')}`);
  }
  const pbIds = new Set<string>();
  for (const p of playbooks) {
    if (pbIds.has(p.docId)) throw new SeedValidationError(`playbooks.json: duplicate ${p.docId}`);
    pbIds.add(p.docId);
  }
  return { taxonomy, playbooks, fpPatterns };
}

export interface SeedOptions {
  tenantId?: string;
  seedsDir?: string;
  /** Pre-loaded seed data (tests). */
  data?: SeedData;
}

export interface SeedSummary {
  tenantId: string;
  taxonomyIds: { inserted: number; existing: number };
  mitreTechniques: { inserted: number; existing: number };
  taxonomyMetadata: { inserted: number; existing: number };
  playbooks: { inserted: number; updated: number; unchanged: number };
  playbookSteps: { inserted: number; deleted: number };
  fpPatterns: { inserted: number; existing: number };
}

/** Compares dotted numeric versions: '1.10' > '1.9'. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (Number.isNaN(d)) return a.localeCompare(b);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Playbook and FP-pattern ids are global primary keys; the default tenant keeps the plain ids of the seed
 * files ('pb-ransomware'), other tenants get them prefixed ('acme:pb-ransomware').
 */
export function tenantScopedId(tenantId: string, id: string): string {
  return tenantId === 'default' ? id : `${tenantId}:${id}`;
}

function playbookData(p: PlaybookSeed, tenantId: string, docId: string) {
  return {
    docId,
    tenantId,
    title: p.title,
    category: p.category,
    severity: p.severity,
    severityApplicable: p.severityApplicable,
    tactics: p.tactics,
    mitreTechniques: p.mitreTechniques,
    alertProducts: p.alertProducts,
    triggerConditions: p.triggerConditions as Prisma.InputJsonValue,
    escalationCriteria: p.escalationCriteria as Prisma.InputJsonValue,
    resolutionCriteria: p.resolutionCriteria as Prisma.InputJsonValue,
    source: p.source,
    version: p.version,
    reviewStatus: p.reviewStatus,
    approvedBy: p.approvedBy,
  };
}

function stepRows(p: PlaybookSeed, tenantId: string, playbookId: string) {
  return p.steps.map((s) => ({
    playbookId,
    tenantId,
    stepNumber: s.stepNumber,
    action: s.action,
    description: s.description,
    queries: (s.queries ?? undefined) as Prisma.InputJsonValue | undefined,
    automated: s.automated,
    requiresApproval: s.requiresApproval,
    approvalReason: s.approvalReason ?? null,
    assignedAgent: s.assignedAgent ?? null,
  }));
}

/** Loads the seeds idempotently for one tenant (taxonomy rows are global). Returns what was written. */
export async function seedDatabase(prisma: PrismaClient, options: SeedOptions = {}): Promise<SeedSummary> {
  const tenantId = options.tenantId ?? 'default';
  const data = options.data ?? (await loadSeedData(options.seedsDir));
  const now = new Date();

  return prisma.$transaction(
    async (tx) => {
      // Serialises with taxonomy imports, so a seed never interleaves with a running import.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${TAXONOMY_LOCK_KEY}::bigint)`;
      const tenant = await tx.tenant.findUnique({ where: { tenantId } });
      if (!tenant) throw new SeedValidationError(`tenant '${tenantId}' does not exist`);

      const summary: SeedSummary = {
        tenantId,
        taxonomyIds: { inserted: 0, existing: 0 },
        mitreTechniques: { inserted: 0, existing: 0 },
        taxonomyMetadata: { inserted: 0, existing: 0 },
        playbooks: { inserted: 0, updated: 0, unchanged: 0 },
        playbookSteps: { inserted: 0, deleted: 0 },
        fpPatterns: { inserted: 0, existing: 0 },
      };

      // taxonomy_ids: insert-if-absent
      const tax = data.taxonomy.techniques;
      const { count: taxInserted } = await tx.taxonomyId.createMany({
        data: tax.map((t) => ({
          techniqueId: t.techniqueId,
          framework: t.framework,
          name: t.name,
          isSubtechnique: t.isSubtechnique,
          parentId: t.parentId,
          deprecated: t.deprecated,
          revoked: false,
          relatedAttackIds: t.relatedAttackIds,
          tactics: t.tactics,
          lastUpdated: now,
        })),
        skipDuplicates: true,
      });
      summary.taxonomyIds = { inserted: taxInserted, existing: tax.length - taxInserted };

      // mitre_techniques: a minimal, insert-if-absent row per seeded id, so the API has techniques to show
      // before a full MITRE import (which fills in descriptions, platforms and groups).
      const { count: techInserted } = await tx.mitreTechnique.createMany({
        data: tax.map((t) => ({
          docId: `${t.framework}:${t.techniqueId}`,
          techniqueId: t.techniqueId,
          techniqueName: t.name,
          framework: t.framework,
          parentTechnique: t.parentId,
          isSubtechnique: t.isSubtechnique,
          deprecated: t.deprecated,
          tactic: t.tactics,
          description: '',
          lastUpdated: now,
        })),
        skipDuplicates: true,
      });
      summary.mitreTechniques = { inserted: techInserted, existing: tax.length - techInserted };

      // taxonomy_metadata: insert-if-absent (a full import's versions are never downgraded)
      const meta = [
        { key: 'attack_version', value: data.taxonomy.metadata.attack_version, updatedAt: now },
        { key: 'atlas_version', value: data.taxonomy.metadata.atlas_version, updatedAt: now },
        { key: 'last_sync', value: now.toISOString(), updatedAt: now },
      ];
      const { count: metaInserted } = await tx.taxonomyMetadata.createMany({ data: meta, skipDuplicates: true });
      summary.taxonomyMetadata = { inserted: metaInserted, existing: meta.length - metaInserted };

      // playbooks + steps
      const docIds = data.playbooks.map((p) => tenantScopedId(tenantId, p.docId));
      const existing = new Map(
        (await tx.playbook.findMany({ where: { docId: { in: docIds } }, select: { docId: true, tenantId: true, source: true, version: true } })).map(
          (p) => [p.docId, p],
        ),
      );
      for (const p of data.playbooks) {
        const docId = tenantScopedId(tenantId, p.docId);
        const cur = existing.get(docId);
        const steps = stepRows(p, tenantId, docId);
        if (!cur) {
          await tx.playbook.create({ data: { ...playbookData(p, tenantId, docId), lastUpdated: now } });
          const { count } = await tx.playbookStep.createMany({ data: steps });
          summary.playbooks.inserted++;
          summary.playbookSteps.inserted += count;
          continue;
        }
        const upgradable = cur.tenantId === tenantId && cur.source === 'aluskort-default' && compareVersions(p.version, cur.version) > 0;
        if (!upgradable) {
          summary.playbooks.unchanged++;
          continue;
        }
        const { tenantId: _t, docId: _d, ...fields } = playbookData(p, tenantId, docId);
        await tx.playbook.update({ where: { docId }, data: { ...fields, lastUpdated: now } });
        const { count: deleted } = await tx.playbookStep.deleteMany({ where: { playbookId: docId } });
        const { count: inserted } = await tx.playbookStep.createMany({ data: steps });
        summary.playbooks.updated++;
        summary.playbookSteps.deleted += deleted;
        summary.playbookSteps.inserted += inserted;
      }

      // fp_patterns: insert-if-absent
      const { count: fpInserted } = await tx.fpPattern.createMany({
        data: data.fpPatterns.map((f) => ({
          patternId: tenantScopedId(tenantId, f.patternId),
          tenantId,
          patternName: f.patternName,
          alertNames: f.alertNames,
          conditions: f.conditions as Prisma.InputJsonValue,
          confidenceThreshold: f.confidenceThreshold,
          autoClose: f.autoClose,
          status: f.status,
          createdBy: 'aluskort',
          scopeRuleFamily: f.scopeRuleFamily,
          scopeAssetClass: f.scopeAssetClass,
        })),
        skipDuplicates: true,
      });
      summary.fpPatterns = { inserted: fpInserted, existing: data.fpPatterns.length - fpInserted };
      return summary;
    },
    { timeout: 120_000, maxWait: 60_000 },
  );
}
