/**
 * MITRE taxonomy importer: ATT&CK STIX 2.1 bundles and ATLAS.yaml into mitre_techniques, mitre_groups,
 * taxonomy_ids and taxonomy_metadata.
 *
 * - One transaction per file, under an advisory lock: bad input or a failing write leaves nothing behind,
 *   and two concurrent imports run one after the other.
 * - Idempotent: existing rows are read once, compared on the columns the importer owns, and only new or
 *   changed rows are written (createMany for new rows, one UPDATE per changed row). Re-importing the same
 *   file writes nothing but the taxonomy_metadata `last_sync` timestamp.
 * - Columns curated inside ALUSKORT (mitre_techniques.log_tables, severity_baseline; mitre_groups.
 *   target_sectors) are never written here, so re-imports do not clobber them.
 * - `last_updated` is MITRE's own modification time of the object (STIX `modified`, ATLAS
 *   `modified_date`), so it says when MITRE last changed the entry and stays stable across re-imports.
 * - mitre_techniques holds non-revoked techniques (active and deprecated); a technique revoked by a newer
 *   release is deleted from it. taxonomy_ids holds every id, revoked ones with `revoked_by` so the
 *   validator can remap them; rows only the seed knows (ids the detection rules emit) are left alone.
 * - mitre_techniques.attack_version holds the version of the framework the row came from (the ATLAS
 *   version for framework 'atlas'); mitre_groups receives only groups that are neither revoked nor deprecated.
 *
 * Prints nothing: callers get a summary object (the CLI renders it).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { type AtlasParseResult, type AtlasStats, parseAtlasYaml } from './atlas';
import { type CliOut, formatImportSummary, progressBar } from './import-report';
import { type AttackParseResult, type AttackStats, TaxonomyParseError, parseAttackBundle } from './stix';

export type TaxonomyFramework = 'attack' | 'atlas';
export type TaxonomyFormat = 'stix-bundle' | 'atlas-yaml';

export interface TableCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface TaxonomyImportProgress {
  phase: 'parse' | 'mitre_techniques' | 'mitre_groups' | 'taxonomy_ids' | 'taxonomy_metadata' | 'done';
  /** Rows handled so far across all tables, out of `total`. */
  done: number;
  total: number;
}

export interface TaxonomyImportOptions {
  onProgress?: (p: TaxonomyImportProgress) => void;
  /** Overrides the version found in the content (or derived from the file name). */
  version?: string;
  /** Interactive transaction timeout in ms (default 5 minutes). */
  timeoutMs?: number;
  /**
   * Called inside the import's transaction after every table was written (e.g. to append the audit
   * record of the import in the same transaction); a throw rolls the whole import back.
   */
  beforeCommit?: (tx: Prisma.TransactionClient, applied: AppliedTaxonomy) => Promise<void>;
}

/** What beforeCommit learns about the applied import. */
export interface AppliedTaxonomy {
  format: TaxonomyFormat;
  framework: TaxonomyFramework;
  version: string | null;
  tables: TaxonomyImportSummary['tables'];
}

export interface TaxonomyImportSummary {
  source: string | null;
  format: TaxonomyFormat;
  framework: TaxonomyFramework;
  version: string | null;
  stats: AttackStats | AtlasStats;
  tables: {
    mitreTechniques: TableCounts;
    mitreGroups: TableCounts;
    taxonomyIds: TableCounts;
    taxonomyMetadata: TableCounts;
  };
  lastSync: Date;
  durationMs: number;
}

type Db = PrismaClient | Prisma.TransactionClient;

/** Advisory-lock key that serialises taxonomy imports and seeding of taxonomy rows. */
export const TAXONOMY_LOCK_KEY = 72707370;
const CHUNK = 500;

export class TaxonomyImportError extends Error {
  readonly code = 'TAXONOMY_IMPORT_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'TaxonomyImportError';
  }
}

// ------------------------------------------------------------------------------------------------
// Rows the importer owns

interface TechniqueRow {
  docId: string;
  techniqueId: string;
  techniqueName: string;
  parentTechnique: string | null;
  tactic: string[];
  description: string;
  detection: string | null;
  platforms: string[];
  dataSources: string[];
  killChainPhase: string | null;
  groupsUsing: string[];
  softwareUsing: string[];
  relatedTechniques: string[];
  attackVersion: string | null;
  framework: TaxonomyFramework;
  stixId: string | null;
  isSubtechnique: boolean;
  deprecated: boolean;
  lastUpdated?: Date;
}

interface GroupRow {
  docId: string;
  groupId: string;
  groupName: string;
  aliases: string[];
  description: string;
  techniquesUsed: string[];
  softwareUsed: string[];
  references: string[];
  stixId: string | null;
  lastUpdated?: Date;
}

interface TaxonomyIdRow {
  techniqueId: string;
  framework: TaxonomyFramework;
  name: string;
  isSubtechnique: boolean;
  parentId: string | null;
  deprecated: boolean;
  revoked: boolean;
  revokedBy: string | null;
  relatedAttackIds: string[];
  tactics: string[];
  lastUpdated?: Date;
}

interface Plan {
  framework: TaxonomyFramework;
  version: string | null;
  stats: AttackStats | AtlasStats;
  techniques: TechniqueRow[];
  /** Technique ids to remove from mitre_techniques (revoked in this release). */
  revokedIds: string[];
  /** null: this format carries no groups (ATLAS), leave mitre_groups alone. */
  groups: GroupRow[] | null;
  inactiveGroupIds: string[];
  taxonomyIds: TaxonomyIdRow[];
}

function toDate(v: string | null): Date | undefined {
  if (!v) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00.000Z` : v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function planAttack(r: AttackParseResult): Plan {
  const version = r.version;
  const techniques: TechniqueRow[] = [];
  const revokedIds: string[] = [];
  const taxonomyIds: TaxonomyIdRow[] = [];
  for (const t of r.techniques) {
    const lastUpdated = toDate(t.modified);
    taxonomyIds.push({
      techniqueId: t.techniqueId,
      framework: 'attack',
      name: t.name,
      isSubtechnique: t.isSubtechnique,
      parentId: t.parentId,
      deprecated: t.deprecated,
      revoked: t.revoked,
      revokedBy: t.revokedBy,
      relatedAttackIds: [],
      tactics: t.tactics,
      lastUpdated,
    });
    if (t.revoked) {
      revokedIds.push(t.techniqueId);
      continue;
    }
    techniques.push({
      docId: `attack:${t.techniqueId}`,
      techniqueId: t.techniqueId,
      techniqueName: t.name,
      parentTechnique: t.parentId,
      tactic: t.tactics,
      description: t.description,
      detection: t.detection,
      platforms: t.platforms,
      dataSources: t.dataSources,
      killChainPhase: t.tactics[0] ?? null,
      groupsUsing: t.groupsUsing,
      softwareUsing: t.softwareUsing,
      relatedTechniques: t.relatedTechniques,
      attackVersion: version,
      framework: 'attack',
      stixId: t.stixId,
      isSubtechnique: t.isSubtechnique,
      deprecated: t.deprecated,
      lastUpdated,
    });
  }
  const groups: GroupRow[] = [];
  const inactiveGroupIds: string[] = [];
  for (const g of r.groups) {
    if (g.revoked || g.deprecated) {
      inactiveGroupIds.push(g.groupId);
      continue;
    }
    groups.push({
      docId: `attack:${g.groupId}`,
      groupId: g.groupId,
      groupName: g.name,
      aliases: g.aliases,
      description: g.description,
      techniquesUsed: g.techniquesUsed,
      softwareUsed: g.softwareUsed,
      references: g.references,
      stixId: g.stixId,
      lastUpdated: toDate(g.modified),
    });
  }
  return { framework: 'attack', version, stats: r.stats, techniques, revokedIds, groups, inactiveGroupIds, taxonomyIds };
}

function planAtlas(r: AtlasParseResult): Plan {
  const techniques: TechniqueRow[] = [];
  const taxonomyIds: TaxonomyIdRow[] = [];
  for (const t of r.techniques) {
    const lastUpdated = toDate(t.modified);
    taxonomyIds.push({
      techniqueId: t.techniqueId,
      framework: 'atlas',
      name: t.name,
      isSubtechnique: t.isSubtechnique,
      parentId: t.parentId,
      deprecated: t.deprecated,
      revoked: false,
      revokedBy: null,
      relatedAttackIds: t.relatedAttackIds,
      tactics: t.tactics,
      lastUpdated,
    });
    techniques.push({
      docId: `atlas:${t.techniqueId}`,
      techniqueId: t.techniqueId,
      techniqueName: t.name,
      parentTechnique: t.parentId,
      tactic: t.tactics,
      description: t.description,
      detection: null,
      platforms: [],
      dataSources: [],
      killChainPhase: t.tactics[0] ?? null,
      groupsUsing: [],
      softwareUsing: [],
      // ATLAS techniques relate to their parent/sub-techniques and to the ATT&CK techniques they adapt.
      relatedTechniques: [...t.relatedTechniques, ...t.relatedAttackIds],
      attackVersion: r.version,
      framework: 'atlas',
      stixId: null,
      isSubtechnique: t.isSubtechnique,
      deprecated: t.deprecated,
      lastUpdated,
    });
  }
  return {
    framework: 'atlas',
    version: r.version,
    stats: r.stats,
    techniques,
    revokedIds: [],
    groups: null,
    inactiveGroupIds: [],
    taxonomyIds,
  };
}

// ------------------------------------------------------------------------------------------------
// Format detection and parsing (pure)

/** '.../enterprise-attack-v18.1.json' → '18.1'; 'ATLAS-v5.6.1.yaml' → '5.6.1'. */
export function versionFromFilename(filename: string | undefined | null): string | null {
  if (!filename) return null;
  const m = /(?:^|[-_ ])v?(\d+\.\d+(?:\.\d+)?)(?=\.[a-z]+$|$)/i.exec(path.basename(filename));
  return m ? m[1] : null;
}

export function parseTaxonomyContent(
  content: string | Buffer,
  filename?: string | null,
): { format: TaxonomyFormat; parsed: AttackParseResult | AtlasParseResult } {
  let text = typeof content === 'string' ? content : content.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const fallbackVersion = versionFromFilename(filename);
  const head = text.trimStart();
  if (head.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new TaxonomyImportError(`${filename ?? 'content'}: invalid JSON: ${(e as Error).message}`);
    }
    const o = json as Record<string, unknown>;
    if (o && o.type === 'bundle') return { format: 'stix-bundle', parsed: parseAttackBundle(json, { fallbackVersion }) };
    if (o && Array.isArray(o.matrices)) return { format: 'atlas-yaml', parsed: parseAtlasYaml(text, { fallbackVersion }) };
    throw new TaxonomyImportError(
      `${filename ?? 'content'}: unrecognised JSON: expected a STIX 2.1 bundle ({"type":"bundle"}) or ATLAS data ({"matrices":[...]})`,
    );
  }
  if (head === '') throw new TaxonomyImportError(`${filename ?? 'content'}: empty file`);
  try {
    return { format: 'atlas-yaml', parsed: parseAtlasYaml(text, { fallbackVersion }) };
  } catch (e) {
    if (e instanceof TaxonomyParseError) {
      throw new TaxonomyImportError(
        `${filename ?? 'content'}: not a MITRE ATT&CK STIX bundle nor an ATLAS.yaml (${e.message})`,
      );
    }
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------
// Comparison

function canon(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = canon((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** True when every key of `wanted` (lastUpdated only when the source provides one) equals `existing`. */
function sameRow(wanted: object, existing: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(wanted)) {
    if (v === undefined) continue;
    if (JSON.stringify(canon(v)) !== JSON.stringify(canon(existing[k]))) return false;
  }
  return true;
}

function stripUndefined<T extends object>(row: T): T {
  const out = { ...row } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as T;
}

function emptyCounts(): TableCounts {
  return { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
}

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

// ------------------------------------------------------------------------------------------------
// Writing

async function applyPlan(
  tx: Prisma.TransactionClient,
  plan: Plan,
  progress: (phase: TaxonomyImportProgress['phase'], n: number) => void,
  now: Date,
): Promise<TaxonomyImportSummary['tables']> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${TAXONOMY_LOCK_KEY}::bigint)`;
  const tables = {
    mitreTechniques: emptyCounts(),
    mitreGroups: emptyCounts(),
    taxonomyIds: emptyCounts(),
    taxonomyMetadata: emptyCounts(),
  };

  // mitre_techniques
  {
    const existing = await tx.mitreTechnique.findMany({ where: { framework: plan.framework } });
    const byId = new Map(existing.map((r) => [r.techniqueId, r as unknown as Record<string, unknown>]));
    const inserts: TechniqueRow[] = [];
    for (const row of plan.techniques) {
      const cur = byId.get(row.techniqueId);
      if (!cur) {
        inserts.push(row);
        continue;
      }
      if (sameRow(row, cur)) {
        tables.mitreTechniques.unchanged++;
        progress('mitre_techniques', 1);
        continue;
      }
      await tx.mitreTechnique.update({
        where: { techniqueId: row.techniqueId },
        data: stripUndefined({ ...row, lastUpdated: row.lastUpdated ?? now }),
      });
      tables.mitreTechniques.updated++;
      progress('mitre_techniques', 1);
    }
    for (const part of chunks(inserts)) {
      const { count } = await tx.mitreTechnique.createMany({
        data: part.map((r) => stripUndefined({ ...r, lastUpdated: r.lastUpdated ?? now })),
      });
      tables.mitreTechniques.inserted += count;
      progress('mitre_techniques', part.length);
    }
    const gone = plan.revokedIds.filter((id) => byId.has(id));
    if (gone.length > 0) {
      const { count } = await tx.mitreTechnique.deleteMany({ where: { techniqueId: { in: gone } } });
      tables.mitreTechniques.deleted += count;
    }
  }

  // mitre_groups
  if (plan.groups) {
    const existing = await tx.mitreGroup.findMany();
    const byId = new Map(existing.map((r) => [r.groupId, r as unknown as Record<string, unknown>]));
    const inserts: GroupRow[] = [];
    for (const row of plan.groups) {
      const cur = byId.get(row.groupId);
      if (!cur) {
        inserts.push(row);
        continue;
      }
      if (sameRow(row, cur)) {
        tables.mitreGroups.unchanged++;
        progress('mitre_groups', 1);
        continue;
      }
      await tx.mitreGroup.update({
        where: { groupId: row.groupId },
        data: stripUndefined({ ...row, lastUpdated: row.lastUpdated ?? now }),
      });
      tables.mitreGroups.updated++;
      progress('mitre_groups', 1);
    }
    for (const part of chunks(inserts)) {
      const { count } = await tx.mitreGroup.createMany({
        data: part.map((r) => stripUndefined({ ...r, lastUpdated: r.lastUpdated ?? now })),
      });
      tables.mitreGroups.inserted += count;
      progress('mitre_groups', part.length);
    }
    const gone = plan.inactiveGroupIds.filter((id) => byId.has(id));
    if (gone.length > 0) {
      const { count } = await tx.mitreGroup.deleteMany({ where: { groupId: { in: gone } } });
      tables.mitreGroups.deleted += count;
    }
  }

  // taxonomy_ids
  {
    const existing = await tx.taxonomyId.findMany({ where: { techniqueId: { in: plan.taxonomyIds.map((r) => r.techniqueId) } } });
    const byId = new Map(existing.map((r) => [r.techniqueId, r as unknown as Record<string, unknown>]));
    const inserts: TaxonomyIdRow[] = [];
    for (const row of plan.taxonomyIds) {
      const cur = byId.get(row.techniqueId);
      if (!cur) {
        inserts.push(row);
        continue;
      }
      if (sameRow(row, cur)) {
        tables.taxonomyIds.unchanged++;
        progress('taxonomy_ids', 1);
        continue;
      }
      await tx.taxonomyId.update({
        where: { techniqueId: row.techniqueId },
        data: stripUndefined({ ...row, lastUpdated: row.lastUpdated ?? now }),
      });
      tables.taxonomyIds.updated++;
      progress('taxonomy_ids', 1);
    }
    for (const part of chunks(inserts)) {
      const { count } = await tx.taxonomyId.createMany({
        data: part.map((r) => stripUndefined({ ...r, lastUpdated: r.lastUpdated ?? now })),
      });
      tables.taxonomyIds.inserted += count;
      progress('taxonomy_ids', part.length);
    }
  }

  // taxonomy_metadata: the framework version (when known) and last_sync (always: it records the sync itself).
  if (plan.version) {
    const key = `${plan.framework}_version`;
    const cur = await tx.taxonomyMetadata.findUnique({ where: { key } });
    if (!cur) {
      await tx.taxonomyMetadata.create({ data: { key, value: plan.version, updatedAt: now } });
      tables.taxonomyMetadata.inserted++;
    } else if (cur.value !== plan.version) {
      await tx.taxonomyMetadata.update({ where: { key }, data: { value: plan.version, updatedAt: now } });
      tables.taxonomyMetadata.updated++;
    } else {
      tables.taxonomyMetadata.unchanged++;
    }
  }
  await tx.taxonomyMetadata.upsert({
    where: { key: 'last_sync' },
    create: { key: 'last_sync', value: now.toISOString(), updatedAt: now },
    update: { value: now.toISOString(), updatedAt: now },
  });
  progress('taxonomy_metadata', 1);
  return tables;
}

/**
 * Imports uploaded taxonomy content: a MITRE ATT&CK STIX 2.1 bundle (JSON) or MITRE ATLAS's ATLAS.yaml.
 * The format is detected from the content; `filename` only supplies a version when the content has none
 * (the trimmed ATT&CK bundles carry no x-mitre-collection) and names the source in errors and the summary.
 */
export async function importTaxonomy(
  prisma: PrismaClient,
  content: string | Buffer,
  filename?: string | null,
  options: TaxonomyImportOptions = {},
): Promise<TaxonomyImportSummary> {
  const started = Date.now();
  const { onProgress } = options;
  onProgress?.({ phase: 'parse', done: 0, total: 0 });
  const { format, parsed } = parseTaxonomyContent(content, filename);
  const plan = parsed.framework === 'attack' ? planAttack(parsed) : planAtlas(parsed);
  if (options.version) {
    plan.version = options.version;
    for (const t of plan.techniques) t.attackVersion = options.version;
  }
  if (plan.taxonomyIds.length === 0) {
    throw new TaxonomyImportError(`${filename ?? 'content'}: no techniques found`);
  }

  const total = plan.techniques.length + (plan.groups?.length ?? 0) + plan.taxonomyIds.length + 1;
  let done = 0;
  const progress = (phase: TaxonomyImportProgress['phase'], n: number) => {
    done += n;
    onProgress?.({ phase, done, total });
  };
  const now = new Date();
  const tables = await prisma.$transaction(async (tx) => {
    const applied = await applyPlan(tx, plan, progress, now);
    await options.beforeCommit?.(tx, { format, framework: plan.framework, version: plan.version, tables: applied });
    return applied;
  }, {
    timeout: options.timeoutMs ?? 300_000,
    maxWait: 60_000,
  });
  onProgress?.({ phase: 'done', done: total, total });
  return {
    source: filename ?? null,
    format,
    framework: plan.framework,
    version: plan.version,
    stats: plan.stats,
    tables,
    lastSync: now,
    durationMs: Date.now() - started,
  };
}

/** Reads a file and imports it (see importTaxonomy). */
export async function importTaxonomyFile(
  prisma: PrismaClient,
  filePath: string,
  options: TaxonomyImportOptions = {},
): Promise<TaxonomyImportSummary> {
  const content = await readFile(filePath);
  const summary = await importTaxonomy(prisma, content, path.basename(filePath), options);
  return { ...summary, source: filePath };
}

/** Reads the current taxonomy version string ("ATT&CK 18.1 / ATLAS 5.6.0") for decisions and audit events. */
export async function readTaxonomyVersions(db: Db): Promise<{ attack: string | null; atlas: string | null; lastSync: string | null }> {
  const rows = await db.taxonomyMetadata.findMany({ where: { key: { in: ['attack_version', 'atlas_version', 'last_sync'] } } });
  const get = (k: string) => rows.find((r) => r.key === k)?.value ?? null;
  return { attack: get('attack_version'), atlas: get('atlas_version'), lastSync: get('last_sync') };
}

// ------------------------------------------------------------------------------------------------
// CLI glue

const USAGE = 'usage: npm run taxonomy:import -- <enterprise-attack.json | ATLAS.yaml> [more files]';

/**
 * `npm run taxonomy:import -- <file> [<file> ...]`: imports each file in order, printing a summary with
 * counts, and a progress bar only when `out` is a terminal. Stops at the first failure (each file is one
 * transaction, so a failed file leaves nothing behind). Returns the process exit code: 0 ok, 1 import
 * failed, 2 usage error.
 */
export async function runTaxonomyImportCli(prisma: PrismaClient, args: string[], out: CliOut): Promise<number> {
  const files = args.filter((a) => a !== '--');
  if (files.length === 0 || files.some((f) => f === '-h' || f === '--help')) {
    out.write(`${USAGE}\n`);
    return files.length === 0 ? 2 : 0;
  }
  for (const file of files) {
    const bar = out.isTTY ? progressBar(out, 'importing') : null;
    try {
      const summary = await importTaxonomyFile(prisma, file, { onProgress: bar ? (p) => bar.update(p) : undefined });
      bar?.clear();
      out.write(`${formatImportSummary(summary).join('\n')}\n`);
    } catch (err) {
      bar?.clear();
      const e = err as NodeJS.ErrnoException;
      const reason = e.code === 'ENOENT' ? `file not found: ${file}` : `${file}: ${e.message}`;
      out.write(`taxonomy import failed (nothing written for this file): ${reason}\n`);
      return 1;
    }
  }
  return 0;
}
