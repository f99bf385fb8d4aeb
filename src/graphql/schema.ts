import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiKeyResolver } from '../modules/api-keys/api-key.resolver';
import { AuditChainResolver } from '../modules/audit-chain/audit-chain.resolver';
import { InvestigationEventResolver } from '../modules/investigation-events/investigation-event.resolver';
import { MitreGroupResolver, MitreTechniqueResolver, TaxonomyResolver } from '../modules/mitre/mitre.resolver';
import { casesResolvers } from '../modules/registry/cases';
import { intelResolvers } from '../modules/registry/intel';
import { pipelineResolvers } from '../modules/registry/pipeline';
import { platformResolvers } from '../modules/registry/platform';
import { playbooksResolvers } from '../modules/registry/playbooks';
import { authChecker } from './auth-checker';

/** Every resolver class of the API. */
export const RESOLVERS = [
  ApiKeyResolver,
  AuditChainResolver,
  InvestigationEventResolver,
  MitreTechniqueResolver,
  MitreGroupResolver,
  TaxonomyResolver,
  ...intelResolvers,
  ...playbooksResolvers,
  ...casesResolvers,
  ...platformResolvers,
  ...pipelineResolvers,
];

let cached: GraphQLSchema | undefined;

const UNUSED_PUBSUB = {
  publish(): void {
    throw new Error('subscriptions publish through src/pubsub, not TypeGraphQL');
  },
  subscribe(): never {
    throw new Error('subscriptions must declare their own subscribe function');
  },
};

/** Builds the executable schema (once per process; it holds no per-request state). */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  cached ??= await buildSchema({
    resolvers: RESOLVERS as unknown as [Function, ...Function[]],
    authChecker,
    authMode: 'error',
    // Every subscription supplies its own `subscribe` (tenant-scoped, resumable streams from the services),
    // so TypeGraphQL's topic-based pub/sub is never used; it still insists on being given one.
    pubSub: UNUSED_PUBSUB,
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  });
  return cached;
}

/** The SDL committed as schema.graphql: sorted, with descriptions. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}
