import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Scope } from '../../auth/scope';
import { Connection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { CurrentScope } from '../../graphql/decorators';
import { PageArgsInput } from '../../graphql/page-args';
import { ConnectorFilter, CreateConnectorInput, UpdateConnectorInput } from './connector.inputs';
import { Connector } from './connector.type';

export const ConnectorConnection = Connection(Connector, 'Connector', 'A page of connectors.');

/** Connector configuration may hold credentials: every operation is admin-only. */
@Resolver(() => Connector)
export class ConnectorResolver {
  @Authorized('admin')
  @Query(() => Connector, { description: 'One connector of your tenant by id, secrets masked (admin).' })
  connector(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Connector id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.connectors.get(scope, id);
  }

  @Authorized('admin')
  @Query(() => ConnectorConnection, { description: 'Connectors of your tenant ordered by name, secrets masked (admin).' })
  connectors(
    @CurrentScope() scope: Scope,
    @Args(() => PageArgsInput) page: PageArgsInput,
    @Arg('filter', () => ConnectorFilter, { nullable: true, description: 'Conditions on the connectors.' }) filter: ConnectorFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.connectors.list(scope, filter, page);
  }

  @Authorized('admin')
  @Mutation(() => Connector, { description: 'Creates a connector; the name must be unique in your tenant (admin).' })
  createConnector(
    @CurrentScope() scope: Scope,
    @Arg('input', () => CreateConnectorInput, { description: 'The connector.' }) input: CreateConnectorInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.connectors.create(scope, input);
  }

  @Authorized('admin')
  @Mutation(() => Connector, { description: 'Changes a connector of your tenant (admin).' })
  updateConnector(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Connector id.' }) id: string,
    @Arg('input', () => UpdateConnectorInput, { description: 'The changes.' }) input: UpdateConnectorInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.connectors.update(scope, id, input);
  }

  @Authorized('admin')
  @Mutation(() => Connector, { description: 'Enables or disables a connector of your tenant (admin).' })
  setConnectorEnabled(
    @CurrentScope() scope: Scope,
    @Arg('id', () => ID, { description: 'Connector id.' }) id: string,
    @Arg('enabled', () => Boolean, { description: 'The new state.' }) enabled: boolean,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.connectors.setEnabled(scope, id, enabled);
  }

  @Authorized('admin')
  @Mutation(() => Connector, { description: 'Deletes a connector of your tenant and returns it as it was (admin).' })
  deleteConnector(@CurrentScope() scope: Scope, @Arg('id', () => ID, { description: 'Connector id.' }) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.connectors.remove(scope, id);
  }
}
