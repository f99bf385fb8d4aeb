import { Field, InputType, Int } from 'type-graphql';
import { DateTimeScalar, JSONObjectScalar } from '../../graphql/scalars';
import { PlaybookReviewStatus, PlaybookSeverity } from './playbook.type';

@InputType({ description: 'Filters for playbooks; all given conditions must hold.' })
export class PlaybookFilter {
  @Field(() => String, { nullable: true, description: 'Only playbooks covering this technique id.' })
  techniqueId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only playbooks covering this tactic shortname.' })
  tactic?: string | null;

  @Field(() => PlaybookSeverity, { nullable: true, description: 'Only playbooks rated at this severity.' })
  severity?: PlaybookSeverity | null;

  @Field(() => PlaybookSeverity, { nullable: true, description: 'Only playbooks applicable to alerts of this severity.' })
  severityApplicable?: PlaybookSeverity | null;

  @Field(() => String, { nullable: true, description: 'Only this category (exact).' })
  category?: string | null;

  @Field(() => PlaybookReviewStatus, { nullable: true, description: 'Only this review status.' })
  reviewStatus?: PlaybookReviewStatus | null;

  @Field(() => String, { nullable: true, description: 'Only playbooks written for this alert product (exact).' })
  alertProduct?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text match on the title.' })
  search?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only playbooks changed at or after this time.' })
  updatedFrom?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Only playbooks changed before this time.' })
  updatedTo?: Date | null;
}

@InputType({ description: 'A playbook step.' })
export class PlaybookStepInput {
  @Field({ description: 'Action identifier in snake_case (destructive actions require requiresApproval=true).' })
  action!: string;

  @Field({ description: 'What the step does (1–4000 characters).' })
  description!: string;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'Query templates keyed by language; values are strings.' })
  queries?: Record<string, unknown> | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether ALUSKORT may execute the step itself (default false).' })
  automated?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether a human must approve the step (default false; required for destructive actions).' })
  requiresApproval?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Why approval is needed (required when requiresApproval is true).' })
  approvalReason?: string | null;

  @Field(() => String, { nullable: true, description: 'Agent role or analyst performing the step.' })
  assignedAgent?: string | null;
}

@InputType({ description: 'A step to add to an existing playbook.' })
export class AddPlaybookStepInput extends PlaybookStepInput {
  @Field(() => Int, { nullable: true, description: 'Position to insert at (1..n+1); the default appends. Later steps move down.' })
  position?: number | null;
}

@InputType({ description: 'Changes to one playbook step; omitted fields keep their value.' })
export class UpdatePlaybookStepInput {
  @Field(() => String, { nullable: true, description: 'New action identifier.' })
  action?: string | null;

  @Field(() => String, { nullable: true, description: 'New description.' })
  description?: string | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'New query templates.' })
  queries?: Record<string, unknown> | null;

  @Field(() => Boolean, { nullable: true, description: 'New automated flag.' })
  automated?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'New approval requirement.' })
  requiresApproval?: boolean | null;

  @Field(() => String, { nullable: true, description: 'New approval reason.' })
  approvalReason?: string | null;

  @Field(() => String, { nullable: true, description: 'New assigned agent.' })
  assignedAgent?: string | null;
}

@InputType({ description: 'A new playbook with its steps (written in one transaction; starts as DRAFT).' })
export class CreatePlaybookInput {
  @Field({ description: 'Title (1–300 characters).' })
  title!: string;

  @Field({ description: 'Category, e.g. ransomware.' })
  category!: string;

  @Field(() => PlaybookSeverity, { description: 'Severity the playbook is rated for.' })
  severity!: PlaybookSeverity;

  @Field(() => [PlaybookSeverity], { description: 'Alert severities it applies to (at least one).' })
  severityApplicable!: PlaybookSeverity[];

  @Field(() => [String], { nullable: true, description: 'Tactic shortnames.' })
  tactics?: string[] | null;

  @Field(() => [String], { description: 'Technique ids (must exist in the taxonomy; revoked ids are remapped).' })
  mitreTechniques!: string[];

  @Field(() => [String], { nullable: true, description: 'Alert products.' })
  alertProducts?: string[] | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'Trigger conditions.' })
  triggerConditions?: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'Escalation criteria.' })
  escalationCriteria?: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'Resolution criteria.' })
  resolutionCriteria?: Record<string, unknown> | null;

  @Field(() => [PlaybookStepInput], { description: 'Steps in order (at least one); numbered 1..n.' })
  steps!: PlaybookStepInput[];
}

@InputType({ description: 'Changes to a playbook; omitted fields keep their value. Steps have their own mutations.' })
export class UpdatePlaybookInput {
  @Field(() => String, { nullable: true, description: 'New title.' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'New category.' })
  category?: string | null;

  @Field(() => PlaybookSeverity, { nullable: true, description: 'New severity.' })
  severity?: PlaybookSeverity | null;

  @Field(() => [PlaybookSeverity], { nullable: true, description: 'New applicable severities.' })
  severityApplicable?: PlaybookSeverity[] | null;

  @Field(() => [String], { nullable: true, description: 'New tactics.' })
  tactics?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'New technique ids.' })
  mitreTechniques?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'New alert products.' })
  alertProducts?: string[] | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'New trigger conditions.' })
  triggerConditions?: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'New escalation criteria.' })
  escalationCriteria?: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'New resolution criteria.' })
  resolutionCriteria?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'Optimistic concurrency: fail with CONFLICT unless the playbook is still at this version.' })
  expectedVersion?: string | null;
}
