/**
 * Reference data the pipeline reads on every investigation (the taxonomy, and per tenant the FP
 * patterns, kill switches, approved playbooks and settings), kept in memory between jobs.
 *
 * Freshness: migration 0012 keeps change counters in `reference_versions` (bumped by triggers in the
 * transaction of every change, so a bump is visible exactly when the change is). A job's claim
 * statement reads the counters of its tenant (`REFERENCE_VERSION_COLUMNS`) and the job's steps ask the
 * cache for a snapshot at those versions: a snapshot loaded at other versions is never used, it is
 * reloaded. A snapshot is loaded after the counters were read, so it is never older than they say;
 * what a job acts on is therefore the reference data as of its claim (or newer), like the per-step
 * reads it replaces, which also ran before the step's commit.
 *
 * Order: lists keep the database's ORDER BY (collation order), exactly as the per-step queries did.
 */
import type { PrismaClient } from '../../generated/prisma/client';
import { compileFpPatterns, type CompiledFpPattern, type FpPatternInput, type KillSwitch } from '../agents/fp-matcher';
import type { TaxonomyIdInfo } from '../agents/taxonomy-validation';

/** The counters a job's claim reads, to be selected next to the claimed row (`$2` = the tenant). */
export const REFERENCE_VERSION_COLUMNS = `
  (SELECT coalesce(sum(version), 0) FROM reference_versions WHERE scope IN ('*', 'taxonomy'))::text AS ref_taxonomy,
  (SELECT coalesce(sum(version), 0) FROM reference_versions WHERE scope IN ('*', 'tenant:' || $2))::text AS ref_tenant`;

export interface ReferenceVersions {
  taxonomy: string;
  tenant: string;
}

export interface TaxonomyEntry extends TaxonomyIdInfo {
  framework: string;
  relatedAttackIds: string[];
}

export interface TaxonomySnapshot {
  byId: ReadonlyMap<string, TaxonomyEntry>;
  /** Usable ATLAS techniques (not deprecated, not revoked) with ATT&CK cross-walks, by technique id. */
  atlas: readonly { techniqueId: string; relatedAttackIds: readonly string[] }[];
  /** `attack:<v>/atlas:<v>`, or null when no taxonomy was imported. */
  version: string | null;
}

export interface PlaybookSnapshot {
  docId: string;
  mitreTechniques: string[];
  tactics: string[];
  severityApplicable: string[];
  steps: { stepNumber: number; action: string; requiresApproval: boolean; automated: boolean }[];
}

export interface TenantSnapshot {
  /** tenants.settings (an empty object when the tenant row is missing). */
  settings: Record<string, unknown>;
  /** Approved/active auto-close FP patterns, compiled, by pattern id. */
  fpPatterns: readonly CompiledFpPattern[];
  killSwitches: readonly KillSwitch[];
  /** Approved playbooks with their steps, by doc id. */
  playbooks: readonly PlaybookSnapshot[];
}

const KILL_SWITCH_DIMENSIONS = new Set(['tenant', 'pattern', 'technique', 'datasource']);
/** Tenants whose snapshots are kept (least recently used beyond that are dropped). */
const MAX_TENANTS = 1000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** fp_patterns.conditions is stored snake_case (seeds, API); the matcher reads camelCase. */
function fpConditionsOf(v: unknown): FpPatternInput['conditions'] {
  const c = isRecord(v) ? v : {};
  const eps = Array.isArray(c.entity_patterns ?? c.entityPatterns) ? ((c.entity_patterns ?? c.entityPatterns) as unknown[]) : [];
  return {
    alertNameRegex: String(c.alert_name_regex ?? c.alertNameRegex ?? ''),
    entityPatterns: eps.filter(isRecord).map((e) => ({
      entityType: String(e.entity_type ?? e.entityType ?? ''),
      valueRegex: (e.value_regex ?? e.valueRegex ?? null) as string | null,
      valueCidr: (e.value_cidr ?? e.valueCidr ?? null) as string | null,
    })),
  };
}

export async function loadTaxonomySnapshot(prisma: PrismaClient): Promise<TaxonomySnapshot> {
  const [rows, meta] = await Promise.all([
    prisma.taxonomyId.findMany({
      select: { techniqueId: true, framework: true, deprecated: true, revoked: true, revokedBy: true, relatedAttackIds: true },
      orderBy: { techniqueId: 'asc' },
    }),
    prisma.taxonomyMetadata.findMany({ where: { key: { in: ['attack_version', 'atlas_version'] } } }),
  ]);
  const byId = new Map<string, TaxonomyEntry>();
  for (const r of rows) byId.set(r.techniqueId, r);
  const get = (k: string) => meta.find((m) => m.key === k)?.value;
  const a = get('attack_version');
  const b = get('atlas_version');
  return {
    byId,
    atlas: rows.filter((r) => r.framework === 'atlas' && !r.deprecated && !r.revoked && r.relatedAttackIds.length > 0),
    version: a || b ? `attack:${a ?? '-'}/atlas:${b ?? '-'}` : null,
  };
}

export async function loadTenantSnapshot(prisma: PrismaClient, tenantId: string): Promise<TenantSnapshot> {
  const [tenant, patterns, switches, playbooks] = await Promise.all([
    prisma.tenant.findUnique({ where: { tenantId }, select: { settings: true } }),
    prisma.fpPattern.findMany({ where: { tenantId, status: { in: ['approved', 'active'] }, autoClose: true }, orderBy: { patternId: 'asc' } }),
    prisma.killSwitch.findMany({ where: { tenantId, deactivatedAt: null } }),
    prisma.playbook.findMany({
      where: { tenantId, reviewStatus: 'approved' },
      select: {
        docId: true,
        mitreTechniques: true,
        tactics: true,
        severityApplicable: true,
        steps: { orderBy: { stepNumber: 'asc' }, select: { stepNumber: true, action: true, requiresApproval: true, automated: true } },
      },
      orderBy: { docId: 'asc' },
    }),
  ]);
  return {
    settings: isRecord(tenant?.settings) ? tenant.settings : {},
    fpPatterns: compileFpPatterns(
      patterns.map((p) => ({
        patternId: p.patternId,
        status: p.status,
        confidenceThreshold: p.confidenceThreshold,
        autoClose: p.autoClose,
        expiryDate: p.expiryDate,
        conditions: fpConditionsOf(p.conditions),
        scopeRuleFamily: p.scopeRuleFamily,
        scopeTenantId: p.scopeTenantId,
        scopeAssetClass: p.scopeAssetClass,
      })),
    ),
    killSwitches: switches.filter((k) => KILL_SWITCH_DIMENSIONS.has(k.dimension)).map((k) => ({ dimension: k.dimension as KillSwitch['dimension'], value: k.value })),
    playbooks,
  };
}

interface Entry<T> {
  version: string;
  value: Promise<T>;
}

/** What one job reads its reference data through: the cache at the versions its claim saw. */
export interface ReferenceReader {
  taxonomy(): Promise<TaxonomySnapshot>;
  tenant(): Promise<TenantSnapshot>;
}

/**
 * Snapshots by version. Concurrent jobs that need the same snapshot share one load; a failed load is
 * forgotten (the next job retries it).
 */
export class ReferenceDataCache {
  private taxonomyEntry: Entry<TaxonomySnapshot> | null = null;
  private readonly tenants = new Map<string, Entry<TenantSnapshot>>();
  /** Loads performed (observability and tests). */
  loads = { taxonomy: 0, tenant: 0 };

  constructor(private readonly prisma: PrismaClient) {}

  reader(tenantId: string, versions: ReferenceVersions): ReferenceReader {
    return {
      taxonomy: () => this.taxonomy(versions.taxonomy),
      tenant: () => this.tenant(tenantId, versions.tenant),
    };
  }

  taxonomy(version: string): Promise<TaxonomySnapshot> {
    const e = this.taxonomyEntry;
    if (e && e.version === version) return e.value;
    this.loads.taxonomy++;
    const entry: Entry<TaxonomySnapshot> = { version, value: loadTaxonomySnapshot(this.prisma) };
    this.taxonomyEntry = entry;
    entry.value.catch(() => {
      if (this.taxonomyEntry === entry) this.taxonomyEntry = null;
    });
    return entry.value;
  }

  tenant(tenantId: string, version: string): Promise<TenantSnapshot> {
    const e = this.tenants.get(tenantId);
    if (e && e.version === version) {
      // most recently used last
      this.tenants.delete(tenantId);
      this.tenants.set(tenantId, e);
      return e.value;
    }
    this.loads.tenant++;
    const entry: Entry<TenantSnapshot> = { version, value: loadTenantSnapshot(this.prisma, tenantId) };
    this.tenants.delete(tenantId);
    this.tenants.set(tenantId, entry);
    if (this.tenants.size > MAX_TENANTS) this.tenants.delete(this.tenants.keys().next().value!);
    entry.value.catch(() => {
      if (this.tenants.get(tenantId) === entry) this.tenants.delete(tenantId);
    });
    return entry.value;
  }
}
