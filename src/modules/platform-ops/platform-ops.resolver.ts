import { Arg, Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { DashboardSession, DashboardSessionFilter, EmbeddingMigration, EmbeddingMigrationFilter } from './platform-ops.type';

export const EmbeddingMigrationConnection = Connection(EmbeddingMigration, 'EmbeddingMigration', 'A page of re-embedding runs, newest first.');
export const DashboardSessionConnection = Connection(DashboardSession, 'DashboardSession', 'A page of dashboard sessions, newest first.');

@Resolver()
export class PlatformOpsResolver {
  @Authorized('admin')
  @Query(() => EmbeddingMigrationConnection, { description: 'Re-embedding runs of your tenant, newest first (admin).' })
  embeddingMigrations(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => EmbeddingMigrationFilter, { nullable: true, description: 'Filters.' }) filter: EmbeddingMigrationFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.platformOps.embeddingMigrations(scope, filter, page);
  }

  @Authorized('admin')
  @Query(() => DashboardSessionConnection, { description: 'Dashboard sessions of your tenant, newest first (admin).' })
  dashboardSessions(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => DashboardSessionFilter, { nullable: true, description: 'Filters.' }) filter: DashboardSessionFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.platformOps.dashboardSessions(scope, filter, page);
  }
}
