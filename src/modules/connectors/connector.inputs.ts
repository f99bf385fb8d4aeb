import { Field, InputType } from 'type-graphql';
import { JSONObjectScalar } from '../../graphql/scalars';
import { AlertSource } from '../investigations/investigation.type';
import { ConnectorMode } from './connector.type';

@InputType({ description: 'Filters for connectors; all given conditions must hold.' })
export class ConnectorFilter {
  @Field(() => AlertSource, { nullable: true, description: 'Only this adapter type.' })
  adapterType?: AlertSource | null;

  @Field(() => ConnectorMode, { nullable: true, description: 'Only this delivery mode.' })
  mode?: ConnectorMode | null;

  @Field(() => Boolean, { nullable: true, description: 'Only enabled (true) or disabled (false) connectors.' })
  enabled?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on the name.' })
  search?: string | null;
}

@InputType({ description: 'A new connector.' })
export class CreateConnectorInput {
  @Field({ description: 'Name, unique within the tenant (1–200 characters).' })
  name!: string;

  @Field(() => AlertSource, { description: 'Vendor format / ingest adapter.' })
  adapterType!: AlertSource;

  @Field(() => ConnectorMode, { nullable: true, description: 'Delivery mode (default POLLING).' })
  mode?: ConnectorMode | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'Adapter settings (JSON object, at most 64 KB; default {}).' })
  config?: Record<string, unknown> | null;

  @Field(() => Boolean, { nullable: true, description: 'Active at once (default true).' })
  enabled?: boolean | null;
}

@InputType({ description: 'Changes to a connector; omitted fields stay as they are.' })
export class UpdateConnectorInput {
  @Field(() => String, { nullable: true, description: 'New name, unique within the tenant.' })
  name?: string | null;

  @Field(() => AlertSource, { nullable: true, description: 'New adapter type.' })
  adapterType?: AlertSource | null;

  @Field(() => ConnectorMode, { nullable: true, description: 'New delivery mode.' })
  mode?: ConnectorMode | null;

  @Field(() => JSONObjectScalar, {
    nullable: true,
    description: 'Replacement settings. "********" under a secret key keeps the stored secret, so a read config can be sent back.',
  })
  config?: Record<string, unknown> | null;

  @Field(() => Boolean, { nullable: true, description: 'Enable or disable.' })
  enabled?: boolean | null;
}
