import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { JSONScalar } from '../../graphql/scalars';
import { AlertSource } from '../investigations/investigation.type';
import { CanonicalAlertInput } from './ingest.inputs';
import { IngestResult } from './ingest.type';

@Resolver()
export class IngestResolver {
  @Authorized('ingest')
  @Mutation(() => IngestResult, {
    description:
      'Ingests one canonical alert for your tenant (role ingest, or analyst and above): stores the alert and opens its investigation in RECEIVED, or returns the existing one (deduplicated) for a known (source, alertId).',
  })
  ingestAlert(
    @CurrentScope() scope: Scope,
    @Arg('input', () => CanonicalAlertInput, { description: 'The canonical alert.' }) input: CanonicalAlertInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ingest.ingestCanonical(scope, input);
  }

  @Authorized('ingest')
  @Mutation(() => [IngestResult], {
    description:
      'Ingests vendor payloads for your tenant (role ingest, or analyst and above): each payload is one alert, an array or a vendor envelope; one result per alert, in order. At most 500 payloads per call.',
  })
  ingestAlerts(
    @CurrentScope() scope: Scope,
    @Arg('source', () => AlertSource, { description: 'The vendor format of every payload.' }) source: AlertSource,
    @Arg('payloads', () => [JSONScalar], { description: 'The vendor’s own JSON, unchanged.' }) payloads: unknown[],
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.ingest.ingest(scope, source, payloads);
  }
}
