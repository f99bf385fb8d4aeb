import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { MitreTechnique } from '../mitre/mitre.type';
import { PlaybookFilter } from './playbook.inputs';
import { Playbook, PlaybookStep } from './playbook.type';

export const PlaybookConnection = Connection(Playbook, 'Playbook', 'A page of response playbooks.');

@Resolver(() => Playbook)
export class PlaybookResolver {
  @Authorized('viewer')
  @Query(() => Playbook, { description: 'One response playbook of your tenant by id.' })
  playbook(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Playbook id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.playbooks.playbook(scope, id);
  }

  @Authorized('viewer')
  @Query(() => PlaybookConnection, { description: 'Response playbooks of your tenant, newest first.' })
  playbooks(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => PlaybookFilter, { nullable: true, description: 'Conditions the playbooks must meet.' }) filter: PlaybookFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.playbooks.playbooks(scope, filter, page);
  }

  @FieldResolver(() => [PlaybookStep], { description: 'The steps, ordered by step number.' })
  steps(@Root() p: Playbook, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.playbooks.stepsByPlaybook.load(p.docId);
  }

  @FieldResolver(() => [MitreTechnique], { description: 'The MITRE techniques the playbook covers (ids without an imported technique record are left out).' })
  async techniques(@Root() p: Playbook, @Ctx() ctx: GraphQLContext) {
    const rows = await ctx.loaders.mitre.techniqueById.loadMany(p.mitreTechniques);
    return rows.filter((r): r is NonNullable<typeof r> => r !== null && !(r instanceof Error));
  }
}
