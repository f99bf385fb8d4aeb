import * as fs from 'node:fs';
import * as path from 'node:path';
import { DESTRUCTIVE_ACTIONS } from '../../src/domain/destructive-actions';
import type { NormalizedEntity } from '../../src/engine/agents/entity-extraction';
import {
  awaitingHumanReasons,
  isDestructiveAction,
  type PlaybookCandidate,
  planResponse,
  type ResponsePlanInput,
  selectPlaybooks,
} from '../../src/engine/agents/response-planning';

interface SeedPlaybook {
  docId: string;
  mitreTechniques: string[];
  tactics: string[];
  severityApplicable: string[];
  steps: { stepNumber: number; action: string; requiresApproval: boolean; automated: boolean }[];
}
const SEED_PLAYBOOKS: PlaybookCandidate[] = (
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../seeds/playbooks.json'), 'utf8')) as { playbooks: SeedPlaybook[] }
).playbooks.map((p) => ({ id: p.docId, mitreTechniques: p.mitreTechniques, tactics: p.tactics, severityApplicable: p.severityApplicable, steps: p.steps }));

const ent = (entityType: NormalizedEntity['entityType'], primaryValue: string, properties: Record<string, unknown> = {}, confidence = 1): NormalizedEntity => ({
  entityType,
  primaryValue,
  properties,
  confidence,
  origin: confidence === 1 ? 'structured' : 'regex',
});

const H = 3_600_000;
const plan = (over: Partial<ResponsePlanInput> = {}): ResponsePlanInput => ({
  alertId: 'a-1',
  classification: 'true_positive',
  confidence: 0.9,
  severity: 'high',
  techniques: ['T1110'],
  tactics: ['credential-access'],
  entities: [ent('ip', '81.2.69.144', { nonRoutable: false }), ent('ip', '10.0.0.1', { nonRoutable: true }), ent('account', 'alice')],
  iocMatches: [],
  recommendedActions: [],
  playbooks: SEED_PLAYBOOKS,
  telemetryTrust: [],
  shadowMode: false,
  ...over,
});

describe('playbook selection', () => {
  it('technique overlap first, then tactics, then severity fit, then id; at most 3', () => {
    const sel = selectPlaybooks(SEED_PLAYBOOKS, { techniques: ['T1078.004', 'T1110'], tactics: ['initial-access'], severity: 'high' });
    // brute-force: T1110 exact + T1078.004 related to its T1078; the other two tie on everything but the id
    expect(sel.map((s) => s.playbook.id)).toEqual(['pb-brute-force', 'pb-cloud-iam-compromise', 'pb-valid-account-compromise']);
    expect(sel[0].match.score).toEqual({ techniqueOverlap: 1, parentOverlap: 1, tacticOverlap: 1, severityFit: 1 });
    expect(sel[0].match.reasons).toEqual(['techniques T1110 match', 'related (parent/sub-technique) T1078.004', 'tactics initial-access match', 'applies to high alerts']);
    expect(sel[1].match.score).toEqual({ techniqueOverlap: 1, parentOverlap: 0, tacticOverlap: 1, severityFit: 1 });
  });

  it('sub-technique ↔ parent counts as related; tactics alone never select', () => {
    const sel = selectPlaybooks(SEED_PLAYBOOKS, { techniques: ['T1110.002'], tactics: [], severity: 'low' });
    expect(sel.map((s) => s.playbook.id)).toEqual(['pb-brute-force']);
    expect(selectPlaybooks(SEED_PLAYBOOKS, { techniques: [], tactics: ['impact'], severity: 'high' })).toEqual([]);
  });

  it('deterministic tie-break by id', () => {
    const pb = (id: string): PlaybookCandidate => ({ id, mitreTechniques: ['T1000'], tactics: [], severityApplicable: ['high'], steps: [] });
    expect(selectPlaybooks([pb('pb-c'), pb('pb-a'), pb('pb-b'), pb('pb-d')], { techniques: ['T1000'], tactics: [], severity: 'high' }).map((s) => s.playbook.id)).toEqual(['pb-a', 'pb-b', 'pb-c']);
  });
});

describe('response planning', () => {
  it('destructive actions from DESTRUCTIVE_ACTIONS and the spec list always need approval', () => {
    for (const a of DESTRUCTIVE_ACTIONS) expect(isDestructiveAction(a)).toBe(true);
    for (const a of ['disable_user', 'isolate_host', 'block_domain', 'revoke_session', 'reset_mfa']) expect(isDestructiveAction(a)).toBe(true);
    expect(isDestructiveAction('notify_owner')).toBe(false);
    // a playbook step that forgot requiresApproval is still gated
    const sneaky: PlaybookCandidate = { id: 'pb-x', mitreTechniques: ['T1110'], tactics: [], severityApplicable: ['high'], steps: [{ action: 'disable_account', requiresApproval: false, automated: true }] };
    const p = planResponse(plan({ playbooks: [sneaky] }));
    expect(p.actions).toEqual([expect.objectContaining({ action: 'disable_account', target: 'alice', requiresApproval: true, destructive: true, tier: 2, riskTier: 3 })]);
    expect(p.decision).toBe('awaiting_human');
  });

  it('brute force true positive: gated actions become approvals, private IPs are never blocked', () => {
    const p = planResponse(plan());
    expect(p.playbookMatches.map((m) => m.playbookId)).toEqual(['pb-brute-force']);
    const gated = p.actions.filter((a) => a.requiresApproval).map((a) => `${a.action}:${a.target}`);
    expect(gated).toEqual(['block_ip:81.2.69.144', 'force_password_reset:alice', 'revoke_sessions:alice']);
    expect(gated).not.toContain('block_ip:10.0.0.1');
    expect(p.approvals.find((a) => a.action === 'block_ip')).toEqual({
      action: 'block_ip',
      target: '81.2.69.144',
      riskTier: 2,
      requiredApprovals: 1,
      expiresInMs: 2 * H,
      secondaryReviewerInMs: H,
      requiresAcknowledgement: false,
      rationale: 'playbook pb-brute-force',
    });
    expect(p.approvals.find((a) => a.action === 'revoke_sessions')).toMatchObject({ riskTier: 3, requiredApprovals: 2, requiresAcknowledgement: true });
    expect(p.decision).toBe('awaiting_human');
    expect(p.reasons.map((r) => r.code)).toEqual(['approval_required']);
    // non-gated automated steps are planned too, targeted at the alert when they have no entity target
    expect(p.actions).toContainEqual(expect.objectContaining({ action: 'aggregate_failed_logons', target: 'a-1', tier: 0, requiresApproval: false }));
  });

  it('approval expiry by severity; two approvers for every gated action on a critical alert', () => {
    const crit = planResponse(plan({ severity: 'critical' }));
    expect(crit.approvals.every((a) => a.expiresInMs === H && a.requiredApprovals === 2)).toBe(true);
    const low = planResponse(plan({ severity: 'low' }));
    expect(low.approvals.find((a) => a.action === 'block_ip')).toMatchObject({ expiresInMs: 8 * H, requiredApprovals: 1 });
    expect(planResponse(plan({ severity: 'medium' })).approvals[0].expiresInMs).toBe(4 * H);
    expect(planResponse(plan({ severity: 'medium', timeoutOverrides: { medium: 60_000 } })).approvals[0].expiresInMs).toBe(H);
  });

  it('tenant overrides set the expiry and the secondary-reviewer offset; critical actions need an acknowledgement', () => {
    const med = planResponse(plan({ severity: 'medium', timeoutOverrides: { medium: 3 * H, high: 5 * H } }));
    expect(med.approvals.every((a) => a.expiresInMs === 3 * H && a.secondaryReviewerInMs === 1.5 * H)).toBe(true);
    // risk tier 3 is a critical action whatever the severity; on a critical alert every gated action is
    expect(med.approvals.map((a) => [a.action, a.requiresAcknowledgement])).toEqual([
      ['block_ip', false],
      ['force_password_reset', false],
      ['revoke_sessions', true],
    ]);
    expect(planResponse(plan({ severity: 'critical' })).approvals.every((a) => a.requiresAcknowledgement)).toBe(true);
  });

  it('non-true-positive verdicts defer gated steps; false positives get nothing', () => {
    const s = planResponse(plan({ classification: 'suspicious', confidence: 0.7 }));
    expect(s.actions.every((a) => !a.requiresApproval)).toBe(true);
    expect(s.deferred).toContainEqual({ action: 'block_ip', playbookId: 'pb-brute-force', reason: 'needs approval; verdict is suspicious, not true_positive' });
    expect(s.decision).toBe('responding');
    const fp = planResponse(plan({ classification: 'false_positive', confidence: 0.9, fpPatternMatched: true, recommendedActions: [{ action: 'block_ip', target: '1.2.3.4', tier: 2, rationale: 'x' }] }));
    expect(fp).toMatchObject({ playbookMatches: [], actions: [], approvals: [], decision: 'responding' });
  });

  it('reasoning recommendations are merged and gated by tier/destructiveness', () => {
    const p = planResponse(
      plan({
        playbooks: [],
        recommendedActions: [
          { action: 'collect_alert_context', target: 'a-1', tier: 0, rationale: 'R-016' },
          { action: 'block_ioc', target: 'evil.example', tier: 1, rationale: 'mislabelled tier' },
        ],
      }),
    );
    expect(p.actions.map((a) => [a.action, a.tier, a.requiresApproval])).toEqual([
      ['collect_alert_context', 0, false],
      ['block_ioc', 2, true],
    ]);
    expect(p.approvals).toEqual([expect.objectContaining({ action: 'block_ioc', target: 'evil.example', riskTier: 2 })]);
  });
});

describe('awaitingHumanReasons (spec §4.8)', () => {
  const base = { actions: [], confidence: 0.9, severity: 'medium', telemetryTrust: [] as ('trusted' | 'untrusted')[], shadowMode: false };
  it('none → may respond', () => expect(awaitingHumanReasons(base)).toEqual([]));
  it('tier ≥ 2 action', () => expect(awaitingHumanReasons({ ...base, actions: [{ action: 'isolate_endpoint', tier: 2 }] }).map((r) => r.code)).toEqual(['approval_required']));
  it('confidence < 0.6 on critical/high only', () => {
    expect(awaitingHumanReasons({ ...base, confidence: 0.59, severity: 'high' }).map((r) => r.code)).toEqual(['low_confidence_high_severity']);
    expect(awaitingHumanReasons({ ...base, confidence: 0.59, severity: 'critical' }).map((r) => r.code)).toEqual(['low_confidence_high_severity']);
    expect(awaitingHumanReasons({ ...base, confidence: 0.59, severity: 'medium' })).toEqual([]);
    expect(awaitingHumanReasons({ ...base, confidence: 0.6, severity: 'high' })).toEqual([]);
  });
  it('all-untrusted telemetry', () => {
    expect(awaitingHumanReasons({ ...base, telemetryTrust: ['untrusted', 'untrusted'] }).map((r) => r.code)).toEqual(['untrusted_telemetry_only']);
    expect(awaitingHumanReasons({ ...base, telemetryTrust: ['untrusted', 'trusted'] })).toEqual([]);
  });
  it('shadow mode', () => expect(awaitingHumanReasons({ ...base, shadowMode: true }).map((r) => r.code)).toEqual(['shadow_mode']));
  it('false_positive closes alone only with an FP pattern match at ≥ 0.85', () => {
    expect(awaitingHumanReasons({ ...base, classification: 'false_positive', confidence: 0.85 }).map((r) => r.code)).toEqual(['fp_not_auto_closable']);
    expect(awaitingHumanReasons({ ...base, classification: 'false_positive', confidence: 0.84, fpPatternMatched: true }).map((r) => r.code)).toEqual(['fp_not_auto_closable']);
    expect(awaitingHumanReasons({ ...base, classification: 'false_positive', confidence: 0.85, fpPatternMatched: true })).toEqual([]);
  });
});
