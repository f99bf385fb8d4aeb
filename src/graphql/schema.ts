import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiKeyResolver } from '../modules/api-keys/api-key.resolver';
import { MitreGroupResolver, MitreTechniqueResolver, TaxonomyResolver } from '../modules/mitre/mitre.resolver';
import { casesResolvers } from '../modules/registry/cases';
import { intelResolvers } from '../modules/registry/intel';
import { platformResolvers } from '../modules/registry/platform';
import { playbooksResolvers } from '../modules/registry/playbooks';
import { authChecker } from './auth-checker';

/** Every resolver class of the API. */
export const RESOLVERS = [
  ApiKeyResolver,
  MitreTechniqueResolver,
  MitreGroupResolver,
  TaxonomyResolver,
  ...intelResolvers,
  ...playbooksResolvers,
  ...casesResolvers,
  ...platformResolvers,
];

let cached: GraphQLSchema | undefined;

/** Builds the executable schema (once per process; it holds no per-request state). */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  cached ??= await buildSchema({
    resolvers: RESOLVERS as unknown as [Function, ...Function[]],
    authChecker,
    authMode: 'error',
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  });
  return cached;
}

/** The SDL committed as schema.graphql: sorted, with descriptions. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}
