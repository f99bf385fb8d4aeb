import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AlertSeverity } from '../investigations/investigation.type';

/** What happens to a pending approval when it times out (spec §4.8). */
export enum ApprovalTimeoutAction {
  ESCALATE = 'escalate',
  CLOSE = 'close',
}
registerEnumType(ApprovalTimeoutAction, {
  name: 'ApprovalTimeoutAction',
  description:
    'On timeout: ESCALATE keeps the approval open for a human (status ESCALATED, investigation classification ESCALATED); CLOSE times it out and closes the investigation as REJECTED. Critical actions always escalate.',
});

@ObjectType({ description: 'Your tenant’s approval timeout for one severity (spec §4.8), with its override if any.' })
export class ApprovalTimeoutPolicy {
  @Field(() => AlertSeverity, { description: 'Severity of the investigation.' })
  severity!: string;

  @Field(() => Int, { description: 'Timeout in milliseconds that new approvals get (the override, or the default).' })
  timeoutMs!: number;

  @Field(() => Int, { description: 'Default timeout in milliseconds (critical 1 h, high 2 h, medium 4 h, low and informational 8 h).' })
  defaultTimeoutMs!: number;

  @Field(() => Int, { nullable: true, description: 'Your tenant’s override in milliseconds; null = the default applies.' })
  overrideMs!: number | null;

  @Field(() => Int, { description: 'When a secondary reviewer is notified of a still-pending approval, in milliseconds after the request (50 % of the timeout).' })
  secondaryReviewerAfterMs!: number;

  @Field(() => ApprovalTimeoutAction, { description: 'What the timeout does to an approval of a non-critical action.' })
  onTimeout!: string;

  @Field({ description: 'Whether every approval at this severity is a critical action (explicit acknowledgement; escalates on timeout). Risk tier 3 actions are critical at any severity.' })
  requiresAcknowledgement!: boolean;
}

@InputType({
  description:
    'Your tenant’s approval timeout overrides, in milliseconds, at least 3600000 (1 h). Replaces every override: an omitted or null severity goes back to its default. Applies to approvals requested from now on.',
})
export class ApprovalTimeoutsInput {
  @Field(() => Int, { nullable: true, description: 'Timeout of critical investigations (default 1 h).' })
  critical?: number | null;

  @Field(() => Int, { nullable: true, description: 'Timeout of high investigations (default 2 h).' })
  high?: number | null;

  @Field(() => Int, { nullable: true, description: 'Timeout of medium investigations (default 4 h).' })
  medium?: number | null;

  @Field(() => Int, { nullable: true, description: 'Timeout of low investigations (default 8 h).' })
  low?: number | null;

  @Field(() => Int, { nullable: true, description: 'Timeout of informational investigations (default 8 h).' })
  informational?: number | null;
}
