import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONObjectScalar } from '../../graphql/scalars';

/** Alert severity vocabulary (spec §3.6 `SeverityLevel`); values are the strings stored in the database. */
export enum PlaybookSeverity {
  CRITICAL = 'critical',
  HIGH = 'high',
  MEDIUM = 'medium',
  LOW = 'low',
  INFORMATIONAL = 'informational',
}
registerEnumType(PlaybookSeverity, {
  name: 'PlaybookSeverity',
  description: 'Alert severity a playbook is rated for or applies to (critical, high, medium, low, informational).',
});

/** Review state of a playbook. */
export enum PlaybookReviewStatus {
  DRAFT = 'draft',
  APPROVED = 'approved',
}
registerEnumType(PlaybookReviewStatus, {
  name: 'PlaybookReviewStatus',
  description: 'DRAFT playbooks await review; APPROVED playbooks may be selected by the response agent.',
});

@ObjectType({ description: 'One ordered step of a response playbook.' })
export class PlaybookStep {
  @Field(() => ID, { description: 'Playbook the step belongs to.' })
  playbookId!: string;

  @Field(() => Int, { description: 'Position of the step, dense 1..n within its playbook.' })
  stepNumber!: number;

  @Field({ description: 'Action identifier in snake_case, e.g. isolate_endpoint.' })
  action!: string;

  @Field({ description: 'What the step does, for the analyst.' })
  description!: string;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'SIEM-agnostic query templates keyed by language (kql, spl, esql …).' })
  queries!: unknown;

  @Field({ description: 'Whether ALUSKORT can execute the step itself (after approval when required).' })
  automated!: boolean;

  @Field({ description: 'Whether a human must approve the step before it runs; always true for destructive actions.' })
  requiresApproval!: boolean;

  @Field(() => String, { nullable: true, description: 'Why approval is needed.' })
  approvalReason!: string | null;

  @Field(() => String, { nullable: true, description: 'Agent role (or analyst) that performs the step.' })
  assignedAgent!: string | null;
}

@ObjectType({ description: 'A response playbook: when it applies, what to do step by step, when to escalate and when it is resolved.' })
export class Playbook {
  @Field(() => ID, { name: 'playbookId', description: 'Playbook id (pb-…).' })
  docId!: string;

  @Field({ description: 'Title.' })
  title!: string;

  @Field({ description: 'Category, e.g. ransomware or phishing.' })
  category!: string;

  @Field(() => PlaybookSeverity, { description: 'Severity the playbook is rated for.' })
  severity!: string;

  @Field(() => [PlaybookSeverity], { description: 'Alert severities the playbook applies to.' })
  severityApplicable!: string[];

  @Field(() => [String], { description: 'MITRE tactic shortnames the playbook covers, e.g. credential-access.' })
  tactics!: string[];

  @Field(() => [String], { description: 'Technique ids the playbook covers (validated against the taxonomy).' })
  mitreTechniques!: string[];

  @Field(() => [String], { description: 'Alert products (vendors) the playbook is written for.' })
  alertProducts!: string[];

  @Field(() => JSONObjectScalar, { nullable: true, description: 'Conditions that select the playbook for an alert.' })
  triggerConditions!: unknown;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'When to escalate, and to whom.' })
  escalationCriteria!: unknown;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'When the incident counts as resolved.' })
  resolutionCriteria!: unknown;

  @Field({ description: 'Origin: manual, aluskort-default (shipped, upgraded by re-seeding) or tenant-modified (a shipped default you changed).' })
  source!: string;

  @Field({ description: 'Dotted version; every change bumps it.' })
  version!: string;

  @Field(() => PlaybookReviewStatus, { description: 'Review state; any change to an approved playbook returns it to DRAFT.' })
  reviewStatus!: string;

  @Field(() => String, { nullable: true, description: 'Actor that approved the current version.' })
  approvedBy!: string | null;

  @Field(() => DateTimeScalar, { description: 'Last change.' })
  lastUpdated!: Date;

  @Field(() => DateTimeScalar, { description: 'Creation time.' })
  createdAt!: Date;
}
