import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Scope } from '../../auth/scope';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { notFound } from '../../errors/domain-error';
import type { MitreTechniqueFilter, MitreGroupFilter, TaxonomyEntryFilter } from './mitre.inputs';

type TechniqueRow = Prisma.MitreTechniqueGetPayload<object>;
type GroupRow = Prisma.MitreGroupGetPayload<object>;
type TaxonomyRow = Prisma.TaxonomyIdGetPayload<object>;

const TECHNIQUE_ORDER: SortKey<TechniqueRow>[] = [{ field: 'techniqueId', direction: 'asc', value: (r) => r.techniqueId }];
const GROUP_ORDER: SortKey<GroupRow>[] = [{ field: 'groupId', direction: 'asc', value: (r) => r.groupId }];
const TAXONOMY_ORDER: SortKey<TaxonomyRow>[] = [{ field: 'techniqueId', direction: 'asc', value: (r) => r.techniqueId }];

/**
 * MITRE ATT&CK/ATLAS reference data. Global (not tenant-owned): every authenticated caller reads the
 * same rows; only admins change them (through the taxonomy importer).
 */
export class MitreService {
  constructor(private readonly prisma: PrismaClient) {}

  async technique(_scope: Scope, techniqueId: string): Promise<TechniqueRow> {
    const row = await this.prisma.mitreTechnique.findUnique({ where: { techniqueId } });
    if (!row) throw notFound('MitreTechnique', techniqueId);
    return row;
  }

  async techniques(_scope: Scope, filter: MitreTechniqueFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<TechniqueRow>> {
    const f = filter ?? {};
    const where: Prisma.MitreTechniqueWhereInput = {
      ...(f.framework ? { framework: f.framework } : {}),
      ...(f.techniqueIds ? { techniqueId: { in: f.techniqueIds } } : {}),
      ...(f.tactic ? { tactic: { has: f.tactic } } : {}),
      ...(f.platform ? { platforms: { has: f.platform } } : {}),
      ...(f.isSubtechnique != null ? { isSubtechnique: f.isSubtechnique } : {}),
      ...(f.includeDeprecated ? {} : { deprecated: false }),
      ...(f.groupId ? { groupsUsing: { has: f.groupId } } : {}),
      ...(f.search
        ? {
            OR: [
              { techniqueId: { contains: f.search, mode: 'insensitive' } },
              { techniqueName: { contains: f.search, mode: 'insensitive' } },
            ],
          }
        : {}),
    };
    return paginate(this.prisma.mitreTechnique, where, TECHNIQUE_ORDER, page);
  }

  async group(_scope: Scope, groupId: string): Promise<GroupRow> {
    const row = await this.prisma.mitreGroup.findUnique({ where: { groupId } });
    if (!row) throw notFound('MitreGroup', groupId);
    return row;
  }

  async groups(_scope: Scope, filter: MitreGroupFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<GroupRow>> {
    const f = filter ?? {};
    const and: Prisma.MitreGroupWhereInput[] = [];
    if (f.search) {
      and.push({
        OR: [
          { groupId: { contains: f.search, mode: 'insensitive' } },
          { groupName: { contains: f.search, mode: 'insensitive' } },
          { aliases: { has: f.search } },
        ],
      });
    }
    if (f.techniqueId) {
      const t = await this.prisma.mitreTechnique.findUnique({
        where: { techniqueId: f.techniqueId },
        select: { groupsUsing: true },
      });
      and.push({ groupId: { in: t?.groupsUsing ?? [] } });
    }
    return paginate(this.prisma.mitreGroup, and.length ? { AND: and } : {}, GROUP_ORDER, page);
  }

  async taxonomyEntry(_scope: Scope, techniqueId: string): Promise<TaxonomyRow> {
    const row = await this.prisma.taxonomyId.findUnique({ where: { techniqueId } });
    if (!row) throw notFound('TaxonomyEntry', techniqueId);
    return row;
  }

  async taxonomyEntries(_scope: Scope, filter: TaxonomyEntryFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<TaxonomyRow>> {
    const f = filter ?? {};
    const where: Prisma.TaxonomyIdWhereInput = {
      ...(f.framework ? { framework: f.framework } : {}),
      ...(f.revoked != null ? { revoked: f.revoked } : {}),
      ...(f.deprecated != null ? { deprecated: f.deprecated } : {}),
      ...(f.relatedAttackId ? { relatedAttackIds: { has: f.relatedAttackId } } : {}),
      ...(f.search
        ? {
            OR: [
              { techniqueId: { contains: f.search, mode: 'insensitive' } },
              { name: { contains: f.search, mode: 'insensitive' } },
            ],
          }
        : {}),
    };
    return paginate(this.prisma.taxonomyId, where, TAXONOMY_ORDER, page);
  }

  async version(_scope: Scope): Promise<{ attackVersion: string | null; atlasVersion: string | null; lastSync: Date | null }> {
    const rows = await this.prisma.taxonomyMetadata.findMany({
      where: { key: { in: ['attack_version', 'atlas_version', 'last_sync'] } },
    });
    const get = (k: string) => rows.find((r) => r.key === k)?.value ?? null;
    const sync = get('last_sync');
    const syncDate = sync ? new Date(sync) : null;
    return {
      attackVersion: get('attack_version'),
      atlasVersion: get('atlas_version'),
      lastSync: syncDate && !Number.isNaN(syncDate.getTime()) ? syncDate : null,
    };
  }
}
