import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONObjectScalar } from '../../graphql/scalars';

/**
 * Adapter a connector feeds: the ingest sources of src/ingest/canonical.ts (ALERT_SOURCES; a unit test
 * keeps the two in step). The spec names only elastic, splunk and sentinel; the other adapters exist.
 */
export enum ConnectorAdapterType {
  CANONICAL = 'canonical',
  SENTINEL = 'sentinel',
  DEFENDER = 'defender',
  ELASTIC = 'elastic',
  SPLUNK = 'splunk',
  WAZUH = 'wazuh',
  CROWDSTRIKE = 'crowdstrike',
  GOOGLE_SECOPS = 'google_secops',
  GUARDDUTY = 'guardduty',
  SECURITY_HUB = 'security_hub',
  GCP_SCC = 'gcp_scc',
  OCSF = 'ocsf',
}
registerEnumType(ConnectorAdapterType, {
  name: 'ConnectorAdapterType',
  description: 'Vendor format a connector delivers, i.e. the ingest adapter that maps it (CANONICAL = already canonical alerts).',
});

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

  @Field(() => ConnectorAdapterType, { description: 'Vendor format / ingest adapter.' })
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
