import { Authorized, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';

/** The 8 investigation states of spec §3.1 (values are the stored strings). */
export enum InvestigationStateEnum {
  RECEIVED = 'received',
  PARSING = 'parsing',
  ENRICHING = 'enriching',
  REASONING = 'reasoning',
  AWAITING_HUMAN = 'awaiting_human',
  RESPONDING = 'responding',
  CLOSED = 'closed',
  FAILED = 'failed',
}
registerEnumType(InvestigationStateEnum, {
  name: 'InvestigationState',
  description:
    'State of an investigation (spec §3.1): RECEIVED → PARSING → ENRICHING → REASONING → (AWAITING_HUMAN →) RESPONDING → CLOSED; PARSING → CLOSED on a false-positive short-circuit; any → FAILED.',
});

/** Verdicts (spec §3.1): the four the reasoning agent returns plus the outcomes of human gates. */
export enum InvestigationClassification {
  TRUE_POSITIVE = 'true_positive',
  FALSE_POSITIVE = 'false_positive',
  SUSPICIOUS = 'suspicious',
  INVESTIGATION_REQUIRED = 'investigation_required',
  ESCALATED = 'escalated',
  REJECTED = 'rejected',
  TIMED_OUT = 'timed_out',
}
registerEnumType(InvestigationClassification, {
  name: 'InvestigationClassification',
  description:
    'Verdict of an investigation: TRUE_POSITIVE, FALSE_POSITIVE, SUSPICIOUS, INVESTIGATION_REQUIRED (reasoning), ESCALATED, REJECTED, TIMED_OUT (approval outcomes).',
});

/** Alert SeverityLevel (spec §3.6, lower case in storage). */
export enum AlertSeverity {
  CRITICAL = 'critical',
  HIGH = 'high',
  MEDIUM = 'medium',
  LOW = 'low',
  INFORMATIONAL = 'informational',
}
registerEnumType(AlertSeverity, { name: 'AlertSeverity', description: 'Severity of an alert or investigation (spec §3.6).' });

/** Where an alert came from; the values of src/ingest/canonical.ts ALERT_SOURCES. */
export enum AlertSource {
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
registerEnumType(AlertSource, {
  name: 'AlertSource',
  description: 'Alert source format: CANONICAL (a canonical alert submitted directly) or the vendor whose adapter mapped it.',
});

/** Approval lifecycle (spec §4.8). */
export enum ApprovalStatus {
  PENDING = 'pending',
  APPROVED = 'approved',
  REJECTED = 'rejected',
  TIMED_OUT = 'timed_out',
  ESCALATED = 'escalated',
  CANCELLED = 'cancelled',
}
registerEnumType(ApprovalStatus, {
  name: 'ApprovalStatus',
  description: 'State of a human approval request: PENDING until decided, timed out, escalated or cancelled.',
});

@ObjectType({ description: 'A canonical alert (spec §1.5) as ingested, with the vendor payload it came from.' })
export class Alert {
  @Field(() => ID, { description: 'ALUSKORT alert id.' })
  id!: string;

  @Field(() => AlertSource, { nullable: true, description: 'Source format (null if stored with a source this API does not know).' })
  source!: string | null;

  @Field({ description: 'The vendor’s alert id (unique per tenant and source).' })
  sourceAlertId!: string;

  @Field(() => DateTimeScalar, { description: 'When the vendor raised the alert.' })
  timestamp!: Date;

  @Field({ description: 'Alert title.' })
  title!: string;

  @Field({ description: 'Alert description.' })
  description!: string;

  @Field(() => AlertSeverity, { description: 'Normalised severity.' })
  severity!: string;

  @Field(() => [String], { description: 'ATT&CK tactic shortnames.' })
  tactics!: string[];

  @Field(() => [String], { description: 'ATT&CK / ATLAS technique ids.' })
  techniques!: string[];

  @Field(() => JSONScalar, { description: 'Structured entities the vendor gave: [{type, value, properties, sourceId}].' })
  entities!: unknown;

  @Field({ description: 'Human-readable product name.' })
  product!: string;

  @Field(() => JSONScalar, { description: 'The vendor’s own alert object.' })
  rawPayload!: unknown;

  @Field(() => DateTimeScalar, { description: 'When ALUSKORT received it.' })
  receivedAt!: Date;
}

@ObjectType({ description: 'An investigation: the persisted GraphState of one alert’s journey through the state machine.' })
export class Investigation {
  @Field(() => ID, { description: 'Investigation id.' })
  id!: string;

  @Field(() => InvestigationStateEnum, { description: 'Current state.' })
  state!: string;

  @Field(() => ID, { description: 'Id of the alert under investigation.' })
  alertId!: string;

  @Field({ description: 'Title (from the alert).' })
  title!: string;

  @Field(() => AlertSource, { nullable: true, description: 'Source of the alert (null if unknown).' })
  source!: string | null;

  @Field(() => AlertSeverity, { description: 'Current severity assessment.' })
  severity!: string;

  @Field(() => InvestigationClassification, { nullable: true, description: 'Verdict, once reasoned (null before, or for a value outside the vocabulary).' })
  classification!: string | null;

  @Field(() => Float, { description: 'Confidence of the verdict, 0–1.' })
  confidence!: number;

  @Field(() => Int, { description: 'LLM calls made so far.' })
  llmCalls!: number;

  @Field(() => Float, { description: 'LLM cost so far, in USD.' })
  totalCostUsd!: number;

  @Field(() => Int, { description: 'Optimistic-lock version; increases with every transition.' })
  version!: number;

  @Field(() => DateTimeScalar, { description: 'When the investigation was opened.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'Last change.' })
  updatedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it reached CLOSED or FAILED.' })
  closedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it FAILED, if it did.' })
  unrecoverableError!: string | null;

  // An ingest-only key gets the Investigation back from ingestAlert(s), but not the alert's content.
  @Authorized('viewer')
  @Field(() => JSONScalar, {
    description: 'The full GraphState (spec §3.1): entities, ioc_matches, ueba_context, ctem_exposures, atlas_techniques, similar_incidents, …',
  })
  graphState!: unknown;

  @Authorized('viewer')
  @Field(() => JSONScalar, {
    description: 'GraphState.decision_chain: one entry per step {agent, action, timestamp, confidence?, details?}; [] when none.',
  })
  decisionChain!: unknown;
}

@ObjectType({ description: 'One decision on an approval request.' })
export class ApprovalDecision {
  @Field({ description: 'Who decided (actor id).' })
  actor!: string;

  @Field({ description: 'The decision, e.g. approved or rejected.' })
  decision!: string;

  @Field(() => String, { nullable: true, description: 'Reason given.' })
  reason!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was decided.' })
  at!: Date | null;

  @Field({ description: 'Whether the approver explicitly acknowledged a critical action.' })
  acknowledged!: boolean;
}

@ObjectType({ description: 'A human approval request for a tier ≥ 2 response action (spec §4.8).' })
export class Approval {
  @Field(() => ID, { description: 'Approval id.' })
  id!: string;

  @Field(() => ID, { description: 'Investigation that proposed the action.' })
  investigationId!: string;

  @Field({ description: 'Proposed action, e.g. isolate_endpoint or disable_account.' })
  action!: string;

  @Field({ description: 'What the action targets (host, account, IOC …).' })
  target!: string;

  @Field(() => Int, { description: 'Risk tier 0–3; tier ≥ 2 needs approval.' })
  riskTier!: number;

  @Field({ description: 'Why the action was proposed.' })
  rationale!: string;

  @Field({ description: 'Actor that proposed it (it may not approve its own request).' })
  requestedBy!: string;

  @Field(() => DateTimeScalar, { description: 'When it was requested.' })
  requestedAt!: Date;

  @Field(() => Int, { description: 'Distinct approvals needed (2 for high-risk tiers).' })
  requiredApprovals!: number;

  @Field(() => [ApprovalDecision], { description: 'Decisions so far, in order.' })
  decisions!: ApprovalDecision[];

  @Field(() => String, { nullable: true, description: 'Who made the final decision.' })
  decidedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was finally decided.' })
  decidedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Reason of the final decision.' })
  decisionReason!: string | null;

  @Field(() => ApprovalStatus, { description: 'Current status.' })
  status!: string;

  @Field(() => DateTimeScalar, {
    description: 'When it times out (by severity: critical 1 h, high 2 h, medium 4 h, low 8 h, or your tenant’s approvalTimeoutPolicies).',
  })
  expiresAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was escalated.' })
  escalatedAt!: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When a secondary reviewer is notified if it is still pending (50 % of the timeout); null when no notice is planned.',
  })
  secondaryReviewerAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the secondary reviewer was notified (at most once); null until then.' })
  secondaryNotifiedAt!: Date | null;

  @Field({
    description:
      'Critical action (risk tier 3, or any action of a critical investigation): approving needs acknowledgeCritical: true, and its timeout escalates instead of closing.',
  })
  requiresAcknowledgement!: boolean;
}
