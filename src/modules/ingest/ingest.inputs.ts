import { Field, InputType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars';
import { AlertSeverity, AlertSource } from '../investigations/investigation.type';

@InputType({
  description:
    'A canonical alert (spec §1.5) submitted directly. The tenant is always the caller’s; it is never read from the input.',
})
export class CanonicalAlertInput {
  @Field({ description: 'The alert’s id at its source; (tenant, source, alertId) is the idempotency key.' })
  alertId!: string;

  @Field(() => AlertSource, { nullable: true, description: 'Source format the caller mapped from; default CANONICAL.' })
  source?: AlertSource | null;

  @Field({ description: 'When the alert was raised: ISO 8601 (any zone; none = UTC) or epoch seconds/milliseconds as a string.' })
  timestamp!: string;

  @Field({ description: 'Alert title (non-empty).' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Alert description; default empty.' })
  description?: string | null;

  @Field(() => AlertSeverity, { nullable: true, description: 'Severity; default MEDIUM.' })
  severity?: AlertSeverity | null;

  @Field(() => [String], { nullable: true, description: 'ATT&CK tactics (names or TA ids; normalised to shortnames).' })
  tactics?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'ATT&CK / ATLAS technique ids (T1059.001, AML.T0051); anything else is rejected.' })
  techniques?: string[] | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Structured entities: [{type (one of the 15 entity types, e.g. "ip", "host", "account"), value, properties?, sourceId?}].',
  })
  entities?: unknown;

  @Field(() => String, { nullable: true, description: 'Human-readable product; default "Custom".' })
  product?: string | null;

  @Field(() => String, { nullable: true, description: 'The vendor’s tenant/workspace id (informational only, never the ALUSKORT tenant).' })
  vendorTenantId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Marks a heartbeat/test alert: it is reported as dropped and not stored.' })
  isHeartbeat?: boolean | null;

  @Field(() => JSONScalar, { nullable: true, description: 'The original vendor object (a JSON object); default: this input itself.' })
  rawPayload?: unknown;
}
