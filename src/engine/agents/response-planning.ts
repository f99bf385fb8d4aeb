/**
 * Response planning (response_agent, spec §3.2 and §4.8): playbook selection, proposed actions,
 * approval requests and the approval-gate decision. Pure: no I/O; the caller loads the candidate
 * playbooks and persists approvals.
 *
 * Playbook selection (up to 3): a playbook qualifies only through technique overlap (exact id, or the
 * parent/sub-technique relation); tactics alone are too coarse (`impact` would pull the ransomware
 * playbook onto an S3 reputation hit). Ranking: exact overlap, then parent overlap, then tactic
 * overlap, then severity fit (the alert's severity in `severityApplicable`), then playbook id.
 *
 * Actions: the steps of the selected playbooks (playbook rank, then step order) plus the reasoning
 * agent's recommendations, deduplicated on (action, target). Decisions:
 * - A false_positive verdict gets no playbooks and no actions.
 * - Steps that need approval (destructive, `requiresApproval`, or tier ≥ 2) are proposed only for a
 *   true_positive verdict; for other verdicts they are listed in `deferred`.
 * - Targets come from the entities the action acts on; an action without a target is deferred. IPs
 *   are block targets only when routable (private/reserved addresses are never blocked). Identity and
 *   endpoint targets need confidence ≥ 0.9 (structured entities), never a regex guess.
 * - Destructive = src/domain/destructive-actions.ts: the seed list ∪ the spec §4.8 list under its other common
 *   names. Destructive actions always need approval, whatever the confidence.
 * - Approval risk tier: 3 for emergency containment (EDR isolation, IdP session revocation, account
 *   disable, reimage, OT isolation/manual switch; spec §4.8 tier 3), 2 for every other gated action.
 *   Two distinct approvers for risk tier 3, and for any gated action on a critical alert; one otherwise.
 * - Approval expiry by severity from the timeout policy (critical 1 h, high 2 h, medium 4 h, low 8 h,
 *   or the tenant's overrides), the secondary-reviewer notice at half of it, and the critical-action
 *   flag (risk tier 3 or a critical alert: explicit acknowledgement, escalates on timeout).
 */
import { ALL_DESTRUCTIVE_ACTIONS, isDestructiveAction } from '../../domain/destructive-actions';
import type { EntityType, Severity } from '../../ingest/canonical';
import { approvalPolicyFor, type TimeoutOverrides } from '../approval-timeouts';
import type { IocMatch, PlaybookMatch, RecommendedAction, TelemetryTrust } from '../graph-state';
import type { NormalizedEntity } from './entity-extraction';

/** Emergency containment (spec §4.8 tier 3): approval risk tier 3, two approvers. */
export const TIER3_ACTIONS: ReadonlySet<string> = new Set([
  'isolate_endpoint',
  'isolate_host',
  'endpoint_isolation',
  'revoke_sessions',
  'revoke_session',
  'session_revocation',
  'disable_account',
  'disable_user',
  'account_disable',
  'reimage_endpoint',
  'isolate_node',
  'isolate_node_opcua',
  'switch_to_manual_control',
  'halt_prescriptive_outputs',
]);


export const MAX_PLAYBOOKS = 3;
const MAX_TARGETS_PER_ACTION = 10;

export interface PlaybookStepInput {
  stepNumber?: number;
  action: string;
  requiresApproval: boolean;
  automated: boolean;
}

export interface PlaybookCandidate {
  id: string;
  mitreTechniques: readonly string[];
  tactics: readonly string[];
  severityApplicable: readonly string[];
  steps: readonly PlaybookStepInput[];
}

/** What an action acts on. */
type TargetKind = { entities: readonly EntityType[] } | 'iocs' | 'routable_ips' | 'alert';

const ACCOUNT: TargetKind = { entities: ['account'] };
const HOST: TargetKind = { entities: ['host'] };
const ACTION_TARGETS: Record<string, TargetKind> = {
  disable_account: ACCOUNT,
  revoke_sessions: ACCOUNT,
  force_password_reset: ACCOUNT,
  force_mfa_reregistration: ACCOUNT,
  revoke_oauth_grants: ACCOUNT,
  rollback_iam_changes: ACCOUNT,
  revoke_access_keys: ACCOUNT,
  revoke_api_credentials: ACCOUNT,
  confirm_with_user: ACCOUNT,
  review_signin_context: ACCOUNT,
  list_exposed_accounts: ACCOUNT,
  isolate_endpoint: HOST,
  reimage_endpoint: HOST,
  collect_forensics: HOST,
  isolate_node: HOST,
  isolate_node_opcua: HOST,
  flag_node: HOST,
  switch_to_manual_control: HOST,
  block_ip: 'routable_ips',
  firewall_block: 'routable_ips',
  block_ioc: 'iocs',
  quarantine_file: { entities: ['filehash'] },
  scan_fleet_for_hash: { entities: ['filehash'] },
  purge_email: { entities: ['mailmessage', 'mailbox'] },
  search_mailboxes: { entities: ['mailbox'] },
};

export interface PlannedAction {
  action: string;
  target: string;
  source: 'playbook' | 'reasoning';
  playbookId: string | null;
  /** Recommended-action tier: 0 read-only, 1 reversible automation, 2 needs approval. */
  tier: 0 | 1 | 2;
  /** approvals.risk_tier (0–3). */
  riskTier: 0 | 1 | 2 | 3;
  destructive: boolean;
  requiresApproval: boolean;
  automated: boolean;
  rationale: string;
}

export interface ApprovalRequest {
  action: string;
  target: string;
  riskTier: 2 | 3;
  requiredApprovals: 1 | 2;
  expiresInMs: number;
  /** Offset of the one-off secondary-reviewer notice (50 % of the timeout). */
  secondaryReviewerInMs: number;
  /** Critical action: approving needs an explicit acknowledgement; the timeout escalates. */
  requiresAcknowledgement: boolean;
  rationale: string;
}

export type AwaitingHumanCode =
  | 'approval_required'
  | 'low_confidence_high_severity'
  | 'untrusted_telemetry_only'
  | 'shadow_mode'
  | 'fp_not_auto_closable'
  | 'reasoning_requires_human';

export interface AwaitingHumanReason {
  code: AwaitingHumanCode;
  detail: string;
}

export interface AwaitingHumanInput {
  actions: ReadonlyArray<{ tier: number; requiresApproval?: boolean; action: string }>;
  confidence: number;
  severity: string;
  /** Trust of every ATLAS evidence item (atlas techniques and the alert's own telemetry). */
  telemetryTrust: readonly TelemetryTrust[];
  shadowMode: boolean;
  classification?: string;
  /** An approved FP pattern matched (the executor's auto-close constraint). */
  fpPatternMatched?: boolean;
  /** Reasons the reasoning provider already demanded a human for. */
  reasoningHumanReasons?: readonly string[];
}

/** Auto-close needs this confidence and an FP pattern match (spec §4.3 executor constraint). */
export const MIN_CONFIDENCE_FOR_AUTO_CLOSE = 0.85;
/** Below this confidence a critical/high alert needs a human (spec §4.8). */
export const MIN_CONFIDENCE_HIGH_SEVERITY = 0.6;

/**
 * Why an investigation must wait for a human (empty = it may proceed to `responding`). The four
 * conditions of spec §4.8, plus the executor's auto-close constraint (a false_positive verdict closes
 * without a human only with an FP pattern match and confidence ≥ 0.85) and the reasoning provider's
 * own demands.
 */
export function awaitingHumanReasons(input: AwaitingHumanInput): AwaitingHumanReason[] {
  const reasons: AwaitingHumanReason[] = [];
  const gated = input.actions.filter((a) => a.tier >= 2 || a.requiresApproval === true);
  if (gated.length) {
    reasons.push({
      code: 'approval_required',
      detail: `${gated.length} action(s) need approval: ${[...new Set(gated.map((a) => a.action))].join(', ')}`,
    });
  }
  if (input.confidence < MIN_CONFIDENCE_HIGH_SEVERITY && (input.severity === 'critical' || input.severity === 'high')) {
    reasons.push({
      code: 'low_confidence_high_severity',
      detail: `confidence ${input.confidence} < ${MIN_CONFIDENCE_HIGH_SEVERITY} on a ${input.severity} alert`,
    });
  }
  if (input.telemetryTrust.length > 0 && input.telemetryTrust.every((t) => t === 'untrusted')) {
    reasons.push({ code: 'untrusted_telemetry_only', detail: 'every ATLAS evidence item is untrusted telemetry (trust_constraint)' });
  }
  if (input.shadowMode) reasons.push({ code: 'shadow_mode', detail: 'tenant is in shadow mode: the analyst decides' });
  if (
    input.classification === 'false_positive' &&
    !(input.fpPatternMatched === true && input.confidence >= MIN_CONFIDENCE_FOR_AUTO_CLOSE)
  ) {
    reasons.push({
      code: 'fp_not_auto_closable',
      detail: `false_positive without an FP pattern match at confidence ≥ ${MIN_CONFIDENCE_FOR_AUTO_CLOSE}`,
    });
  }
  for (const r of input.reasoningHumanReasons ?? []) reasons.push({ code: 'reasoning_requires_human', detail: r });
  return reasons;
}

// ---------------------------------------------------------------------------------------------
// playbook selection
// ---------------------------------------------------------------------------------------------

const parentOf = (t: string): string => t.replace(/\.\d{3}$/, '');

/** Ranks candidate playbooks and keeps up to `max` (technique overlap required). */
export function selectPlaybooks(
  candidates: readonly PlaybookCandidate[],
  alert: { techniques: readonly string[]; tactics: readonly string[]; severity: string },
  max = MAX_PLAYBOOKS,
): { playbook: PlaybookCandidate; match: PlaybookMatch }[] {
  const techs = [...new Set(alert.techniques.map((t) => t.toUpperCase()))];
  const tactics = new Set(alert.tactics.map((t) => t.toLowerCase()));
  const scored = candidates.map((pb) => {
    const pbTechs = new Set(pb.mitreTechniques.map((t) => t.toUpperCase()));
    const exact = techs.filter((t) => pbTechs.has(t));
    const related = techs.filter((t) => !pbTechs.has(t) && [...pbTechs].some((p) => parentOf(p) === parentOf(t)));
    const tacticHits = pb.tactics.filter((t) => tactics.has(t.toLowerCase()));
    const severityFit = pb.severityApplicable.includes(alert.severity) ? 1 : 0;
    const reasons = [
      exact.length ? `techniques ${exact.join(', ')} match` : '',
      related.length ? `related (parent/sub-technique) ${related.join(', ')}` : '',
      tacticHits.length ? `tactics ${tacticHits.join(', ')} match` : '',
      severityFit ? `applies to ${alert.severity} alerts` : `not declared for ${alert.severity} alerts`,
    ].filter(Boolean);
    return {
      playbook: pb,
      match: {
        playbookId: pb.id,
        score: { techniqueOverlap: exact.length, parentOverlap: related.length, tacticOverlap: tacticHits.length, severityFit },
        reasons,
      } satisfies PlaybookMatch,
    };
  });
  return scored
    .filter((s) => s.match.score.techniqueOverlap + s.match.score.parentOverlap > 0)
    .sort((a, b) => {
      const x = a.match.score;
      const y = b.match.score;
      return (
        y.techniqueOverlap - x.techniqueOverlap ||
        y.parentOverlap - x.parentOverlap ||
        y.tacticOverlap - x.tacticOverlap ||
        y.severityFit - x.severityFit ||
        (a.playbook.id < b.playbook.id ? -1 : a.playbook.id > b.playbook.id ? 1 : 0)
      );
    })
    .slice(0, max);
}

// ---------------------------------------------------------------------------------------------
// planning
// ---------------------------------------------------------------------------------------------

export interface ResponsePlanInput {
  alertId: string;
  classification: string;
  confidence: number;
  severity: Severity;
  /** Validated technique ids only (spec §4.6: unknown ids never drive playbook selection). */
  techniques: readonly string[];
  tactics: readonly string[];
  entities: readonly NormalizedEntity[];
  iocMatches: readonly IocMatch[];
  recommendedActions: readonly RecommendedAction[];
  playbooks: readonly PlaybookCandidate[];
  telemetryTrust: readonly TelemetryTrust[];
  shadowMode: boolean;
  fpPatternMatched?: boolean;
  reasoningHumanReasons?: readonly string[];
  timeoutOverrides?: TimeoutOverrides;
}

export interface ResponsePlan {
  playbookMatches: PlaybookMatch[];
  actions: PlannedAction[];
  /** Proposed steps that were not planned, and why. */
  deferred: { action: string; playbookId: string | null; reason: string }[];
  approvals: ApprovalRequest[];
  decision: 'responding' | 'awaiting_human';
  reasons: AwaitingHumanReason[];
}

function targetsFor(action: string, input: ResponsePlanInput): string[] {
  const kind = ACTION_TARGETS[action] ?? 'alert';
  const strong = (types: readonly EntityType[]): string[] =>
    input.entities.filter((e) => types.includes(e.entityType) && e.confidence >= 0.9).map((e) => e.primaryValue);
  const routable = (e: NormalizedEntity): boolean => e.entityType === 'ip' && e.properties.nonRoutable !== true;
  let out: string[];
  if (kind === 'alert') out = [input.alertId];
  else if (kind === 'routable_ips') {
    const matched = input.iocMatches.filter((m) => m.type === 'ipv4' || m.type === 'ipv6').map((m) => m.value);
    const ips = input.entities.filter(routable);
    out = (matched.length ? ips.filter((e) => matched.includes(e.primaryValue)) : ips.filter((e) => e.confidence >= 0.9)).map((e) => e.primaryValue);
  } else if (kind === 'iocs') {
    const blockedIps = new Set(input.entities.filter((e) => e.entityType === 'ip' && !routable(e)).map((e) => e.primaryValue));
    out = input.iocMatches.map((m) => m.value).filter((v) => !blockedIps.has(v));
    if (!out.length) out = strong(['dns', 'url', 'filehash']).concat(input.entities.filter((e) => routable(e) && e.confidence >= 0.9).map((e) => e.primaryValue));
  } else out = strong(kind.entities);
  return [...new Set(out)].slice(0, MAX_TARGETS_PER_ACTION);
}

function riskTierOf(action: string, gated: boolean, automated: boolean): PlannedAction['riskTier'] {
  if (!gated) return automated ? 0 : 1;
  return TIER3_ACTIONS.has(action) ? 3 : 2;
}

/** Plans the response of an investigation: playbooks, actions, approvals and the gate decision. */
export function planResponse(input: ResponsePlanInput): ResponsePlan {
  const actions: PlannedAction[] = [];
  const deferred: ResponsePlan['deferred'] = [];
  const isTp = input.classification === 'true_positive';
  const add = (a: PlannedAction): void => {
    if (!actions.some((x) => x.action === a.action && x.target === a.target)) actions.push(a);
  };

  const selected = input.classification === 'false_positive' ? [] : selectPlaybooks(input.playbooks, input);
  for (const { playbook } of selected) {
    const steps = [...playbook.steps].sort((a, b) => (a.stepNumber ?? 0) - (b.stepNumber ?? 0));
    for (const step of steps) {
      const destructive = isDestructiveAction(step.action);
      const gated = destructive || step.requiresApproval;
      if (gated && !isTp) {
        deferred.push({ action: step.action, playbookId: playbook.id, reason: `needs approval; verdict is ${input.classification}, not true_positive` });
        continue;
      }
      const targets = targetsFor(step.action, input);
      if (!targets.length) {
        deferred.push({ action: step.action, playbookId: playbook.id, reason: 'no suitable target among the entities' });
        continue;
      }
      for (const target of targets) {
        add({
          action: step.action,
          target,
          source: 'playbook',
          playbookId: playbook.id,
          tier: gated ? 2 : step.automated ? 0 : 1,
          riskTier: riskTierOf(step.action, gated, step.automated),
          destructive,
          requiresApproval: gated,
          automated: step.automated,
          rationale: `playbook ${playbook.id}`,
        });
      }
    }
  }
  for (const r of input.classification === 'false_positive' ? [] : input.recommendedActions) {
    const destructive = isDestructiveAction(r.action);
    const gated = destructive || r.tier >= 2;
    add({
      action: r.action,
      target: r.target,
      source: 'reasoning',
      playbookId: null,
      tier: gated ? 2 : r.tier,
      riskTier: riskTierOf(r.action, gated, r.tier === 0),
      destructive,
      requiresApproval: gated,
      automated: !gated,
      rationale: r.rationale,
    });
  }

  const approvals: ApprovalRequest[] = actions
    .filter((a) => a.requiresApproval)
    .map((a) => {
      const riskTier: 2 | 3 = a.riskTier === 3 ? 3 : 2;
      const policy = approvalPolicyFor(input.severity, { riskTier }, input.timeoutOverrides);
      return {
        action: a.action,
        target: a.target,
        riskTier,
        requiredApprovals: riskTier >= 3 || input.severity === 'critical' ? 2 : 1,
        expiresInMs: policy.timeoutMs,
        secondaryReviewerInMs: policy.secondaryReviewerAfterMs,
        requiresAcknowledgement: policy.requiresExplicitAck,
        rationale: a.rationale,
      };
    });

  const reasons = awaitingHumanReasons({
    actions,
    confidence: input.confidence,
    severity: input.severity,
    telemetryTrust: input.telemetryTrust,
    shadowMode: input.shadowMode,
    classification: input.classification,
    fpPatternMatched: input.fpPatternMatched,
    reasoningHumanReasons: input.reasoningHumanReasons,
  });
  return {
    playbookMatches: selected.map((s) => s.match),
    actions,
    deferred,
    approvals,
    decision: reasons.length ? 'awaiting_human' : 'responding',
    reasons,
  };
}

export { ALL_DESTRUCTIVE_ACTIONS, isDestructiveAction };
