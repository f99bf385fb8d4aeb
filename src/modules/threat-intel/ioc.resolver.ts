import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { JSONScalar } from '../../graphql/scalars';
import { MitreTechnique } from '../mitre/mitre.type';
import { ThreatIntelIocFilter, UpsertThreatIntelIocsInput } from './ioc.inputs';
import { ThreatIntelImportResult, ThreatIntelIoc, UpsertThreatIntelIocsResult } from './ioc.type';

export const ThreatIntelIocConnection = Connection(ThreatIntelIoc, 'ThreatIntelIoc', 'A page of threat-intel indicators.');

@Resolver(() => ThreatIntelIoc)
export class ThreatIntelIocResolver {
  @Authorized('viewer')
  @Query(() => ThreatIntelIoc, { description: 'One indicator of your tenant by id.' })
  threatIntelIoc(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Indicator id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.threatIntelIocs.ioc(scope, id);
  }

  @Authorized('viewer')
  @Query(() => ThreatIntelIocConnection, { description: 'Indicators of your tenant, newest first; expired ones only with includeExpired.' })
  threatIntelIocs(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => ThreatIntelIocFilter, { nullable: true, description: 'Conditions on the indicators.' })
    filter: ThreatIntelIocFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.threatIntelIocs.list(scope, filter, page);
  }

  @Authorized('analyst')
  @Mutation(() => UpsertThreatIntelIocsResult, {
    description: 'Inserts or merges up to 5,000 indicators (dedup by type and value) in one transaction (analyst).',
  })
  upsertThreatIntelIocs(
    @CurrentScope() scope: Scope,
    @Arg('input', () => UpsertThreatIntelIocsInput, { description: 'The indicators.' }) input: UpsertThreatIntelIocsInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.threatIntelImports.upsert(scope, input);
  }

  @Authorized('analyst')
  @Mutation(() => ThreatIntelImportResult, {
    description: 'Imports the indicators of a STIX 2.x bundle; unsupported patterns are skipped and reported (analyst).',
  })
  importStixIndicators(
    @CurrentScope() scope: Scope,
    @Arg('bundle', () => JSONScalar, { description: 'A STIX bundle object, or an array of STIX objects.' }) bundle: unknown,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.threatIntelImports.importStix(scope, bundle);
  }

  @Authorized('analyst')
  @Mutation(() => ThreatIntelImportResult, {
    description: 'Imports the attributes of a MISP event as indicators; non-indicator attributes are skipped and reported (analyst).',
  })
  importMispEvent(
    @CurrentScope() scope: Scope,
    @Arg('event', () => JSONScalar, { description: 'A MISP event, {"Event": {...}} or the bare event object.' }) event: unknown,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.threatIntelImports.importMisp(scope, event);
  }

  @Authorized('analyst')
  @Mutation(() => ThreatIntelIoc, { description: 'Deletes an indicator of your tenant and returns it as it was (analyst).' })
  deleteThreatIntelIoc(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Indicator id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.threatIntelIocs.remove(scope, id);
  }

  @FieldResolver(() => [MitreTechnique], { description: 'The linked techniques with their MITRE records (ids without a record are left out).' })
  async techniques(@Root() ioc: ThreatIntelIoc, @Ctx() ctx: GraphQLContext) {
    const rows = await ctx.loaders.mitre.techniqueById.loadMany(ioc.mitreTechniques);
    return rows.filter((r): r is NonNullable<typeof r> => r !== null && !(r instanceof Error));
  }
}
