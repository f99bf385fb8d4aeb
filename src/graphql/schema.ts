import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiKeyResolver } from '../modules/api-keys/api-key.resolver';
import { MitreGroupResolver, MitreTechniqueResolver, TaxonomyResolver } from '../modules/mitre/mitre.resolver';
import { authChecker } from './auth-checker';

/** Every resolver class of the API. */
export const RESOLVERS = [ApiKeyResolver, MitreTechniqueResolver, MitreGroupResolver, TaxonomyResolver] as const;

let cached: GraphQLSchema | undefined;

/** Builds the executable schema (once per process; it holds no per-request state). */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  cached ??= await buildSchema({
    resolvers: [...RESOLVERS] as unknown as [Function, ...Function[]],
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
