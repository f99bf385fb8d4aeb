import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONObjectScalar } from '../../graphql/scalars';
import { AlertSource } from '../investigations/investigation.type';

export enum ConnectorMode {
  POLLING = 'polling',
  WEBHOOK = 'webhook',
  EVENTHUB = 'eventhub',
}
registerEnumType(ConnectorMode, {
  name: 'ConnectorMode',
  description: 'How alerts arrive: ALUSKORT polls the SIEM, the SIEM calls a webhook, or an event hub stream.',
});

@ObjectType({ description: 'A per-tenant SIEM/XDR connector configuration (admin only).' })
export class Connector {
  @Field(() => ID, { name: 'id', description: 'Connector id (UUID).' })
  connectorId!: string;

  @Field({ description: 'Name, unique within the tenant.' })
  name!: string;

  @Field(() => AlertSource, { description: 'Vendor format a connector delivers, i.e. the ingest adapter that maps it.' })
  adapterType!: string;

  @Field(() => ConnectorMode, { name: 'mode', description: 'Delivery mode.' })
  connectorMode!: string;

  @Field(() => JSONObjectScalar, {
    description:
      'Adapter settings. Values under keys naming a secret (secret, password, token, apiKey, credential, privateKey, connectionString…) are shown as "********".',
  })
  config!: unknown;

  @Field({ description: 'Whether the connector is active.' })
  enabled!: boolean;

  @Field(() => DateTimeScalar, { description: 'Creation time.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'Last change.' })
  updatedAt!: Date;
}
