import { Field, ObjectType } from 'type-graphql';
import { Investigation } from '../investigations/investigation.type';

@ObjectType({ description: 'Why one alert of an ingest call was not accepted.' })
export class IngestError {
  @Field({ description: 'Stable error code (BAD_USER_INPUT).' })
  code!: string;

  @Field({ description: 'What is wrong, for humans.' })
  message!: string;

  @Field({
    description:
      'Where the problem is: `input.<field>` for ingestAlert, `payloads[i].<path inside the payload>` for ingestAlerts, the path inside the body for the webhook.',
  })
  path!: string;
}

@ObjectType({ description: 'Outcome of one alert of an ingest call (one per alert, in payload order; an envelope may hold several).' })
export class IngestResult {
  @Field(() => Investigation, {
    nullable: true,
    description:
      'The investigation of the alert (the existing one when deduplicated); null when the alert was dropped or rejected. An ingest-only key may read its id, state, severity, title and timestamps, not its GraphState or relations.',
  })
  investigation!: unknown;

  @Field({ description: 'True when this tenant already had this (source, vendor alert id): nothing new was stored.' })
  deduplicated!: boolean;

  @Field({ description: 'True when the alert was recognised but deliberately not stored (heartbeat/test alerts, spec §1.5).' })
  dropped!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it was dropped (`heartbeat`); null otherwise.' })
  reason!: string | null;

  @Field(() => IngestError, { nullable: true, description: 'Why the alert could not be mapped; nothing was stored for it. Null on success.' })
  error!: IngestError | null;
}
