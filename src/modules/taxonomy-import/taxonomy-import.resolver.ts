import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { TaxonomyImportSummary } from './taxonomy-import.type';

@Resolver(() => TaxonomyImportSummary)
export class TaxonomyImportResolver {
  @Authorized('admin')
  @Mutation(() => TaxonomyImportSummary, {
    description:
      'Imports a MITRE ATT&CK STIX 2.1 bundle or an ATLAS.yaml (detected from the content) into the global taxonomy (admin). Request bodies are capped at 1 MB; upload full bundles with POST /admin/taxonomy.',
  })
  importTaxonomy(
    @CurrentScope() scope: Scope,
    @Arg('content', () => String, { description: 'The file content (JSON or YAML text).' }) content: string,
    @Arg('filename', () => String, { nullable: true, description: 'Original file name; supplies the version when the content has none.' })
    filename: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.taxonomyImport.import(scope, content, filename);
  }
}
