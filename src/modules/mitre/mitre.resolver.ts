import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { MitreGroupFilter, MitreTechniqueFilter, TaxonomyEntryFilter } from './mitre.inputs';
import { MitreGroup, MitreTechnique, TaxonomyEntry, TaxonomyVersion } from './mitre.type';

export const MitreTechniqueConnection = Connection(MitreTechnique, 'MitreTechnique', 'A page of MITRE techniques.');
export const MitreGroupConnection = Connection(MitreGroup, 'MitreGroup', 'A page of MITRE threat groups.');
export const TaxonomyEntryConnection = Connection(TaxonomyEntry, 'TaxonomyEntry', 'A page of taxonomy entries.');

@Resolver(() => MitreTechnique)
export class MitreTechniqueResolver {
  @Authorized()
  @Query(() => MitreTechnique, { description: 'One MITRE technique by id (T1059.001, AML.T0051).' })
  mitreTechnique(@CurrentScope() scope: Scope, @Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.mitre.technique(scope, id);
  }

  @Authorized()
  @Query(() => MitreTechniqueConnection, { description: 'MITRE techniques ordered by id.' })
  mitreTechniques(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => MitreTechniqueFilter, { nullable: true }) filter: MitreTechniqueFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.mitre.techniques(scope, filter, page);
  }

  @FieldResolver(() => MitreTechnique, { nullable: true, description: 'Parent technique of a sub-technique.' })
  parent(@Root() t: MitreTechnique, @Ctx() ctx: GraphQLContext) {
    return t.parentTechnique ? ctx.loaders.mitre.techniqueById.load(t.parentTechnique) : null;
  }

  @FieldResolver(() => [MitreTechnique], { description: 'Sub-techniques of this technique (not deprecated).' })
  subTechniques(@Root() t: MitreTechnique, @Ctx() ctx: GraphQLContext) {
    return t.isSubtechnique ? [] : ctx.loaders.mitre.subTechniquesByParent.load(t.techniqueId);
  }

  @FieldResolver(() => [MitreGroup], { description: 'Threat groups known to use this technique.' })
  async groups(@Root() t: MitreTechnique, @Ctx() ctx: GraphQLContext) {
    const rows = await ctx.loaders.mitre.groupById.loadMany(t.groupsUsing);
    return rows.filter((r): r is NonNullable<typeof r> => r !== null && !(r instanceof Error));
  }
}

@Resolver(() => MitreGroup)
export class MitreGroupResolver {
  @Authorized()
  @Query(() => MitreGroup, { description: 'One MITRE threat group by id (G0016).' })
  mitreGroup(@CurrentScope() scope: Scope, @Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.mitre.group(scope, id);
  }

  @Authorized()
  @Query(() => MitreGroupConnection, { description: 'MITRE threat groups ordered by id.' })
  mitreGroups(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => MitreGroupFilter, { nullable: true }) filter: MitreGroupFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.mitre.groups(scope, filter, page);
  }

  @FieldResolver(() => [MitreTechnique], { description: 'Techniques this group is known to use.' })
  techniques(@Root() g: MitreGroup, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.mitre.techniquesByGroup.load(g.groupId);
  }
}

@Resolver(() => TaxonomyEntry)
export class TaxonomyResolver {
  @Authorized()
  @Query(() => TaxonomyEntry, { description: 'One entry of the controlled technique vocabulary.' })
  taxonomyEntry(@CurrentScope() scope: Scope, @Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.mitre.taxonomyEntry(scope, id);
  }

  @Authorized()
  @Query(() => TaxonomyEntryConnection, { description: 'The controlled technique vocabulary, ordered by id.' })
  taxonomyEntries(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => TaxonomyEntryFilter, { nullable: true }) filter: TaxonomyEntryFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.mitre.taxonomyEntries(scope, filter, page);
  }

  @Authorized()
  @Query(() => TaxonomyVersion, { description: 'Versions of the loaded ATT&CK and ATLAS knowledge bases.' })
  taxonomyVersion(@CurrentScope() scope: Scope, @Ctx() ctx: GraphQLContext) {
    return ctx.services.mitre.version(scope);
  }

  @FieldResolver(() => MitreTechnique, { nullable: true, description: 'The full technique record, when imported.' })
  technique(@Root() e: TaxonomyEntry, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.mitre.techniqueById.load(e.techniqueId);
  }
}
