/**
 * The pure pipeline on real vendor samples: adapter → entity extraction → FP short-circuit →
 * deterministic reasoning → taxonomy validation (seed allowlist) → response planning → gate decision,
 * walking the state machine with assertTransition at every step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractEntities } from '../../src/engine/agents/entity-extraction';
import { compileFpPatterns, type FpPatternInput, matchFpPatterns } from '../../src/engine/agents/fp-matcher';
import { reasonDeterministically } from '../../src/engine/agents/reasoning-rules';
import { type PlaybookCandidate, planResponse } from '../../src/engine/agents/response-planning';
import { aggregateRiskState } from '../../src/engine/agents/risk';
import { type TaxonomyIdInfo, validateTechniques } from '../../src/engine/agents/taxonomy-validation';
import { diffGraphState, initialGraphState, type GraphState, type IocMatch } from '../../src/engine/graph-state';
import { assertTransition, type InvestigationState } from '../../src/engine/investigation.state';
import { adaptPayload } from '../../src/ingest/adapters';
import type { AlertSource, CanonicalAlert } from '../../src/ingest/canonical';

const SAMPLES = path.resolve(__dirname, '../../../shared/data/samples');
const SEEDS = path.resolve(__dirname, '../../seeds');

const seedTaxonomy = JSON.parse(fs.readFileSync(path.join(SEEDS, 'taxonomy-seed.json'), 'utf8')) as {
  techniques: { techniqueId: string; deprecated?: boolean }[];
};
const KNOWN = new Map<string, TaxonomyIdInfo>(seedTaxonomy.techniques.map((t) => [t.techniqueId, { deprecated: t.deprecated === true }]));
const PLAYBOOKS: PlaybookCandidate[] = (
  JSON.parse(fs.readFileSync(path.join(SEEDS, 'playbooks.json'), 'utf8')) as {
    playbooks: { docId: string; mitreTechniques: string[]; tactics: string[]; severityApplicable: string[]; steps: PlaybookCandidate['steps'] }[];
  }
).playbooks.map((p) => ({ id: p.docId, mitreTechniques: p.mitreTechniques, tactics: p.tactics, severityApplicable: p.severityApplicable, steps: p.steps }));

/** A tenant's threat intel (what the context enricher would find in threat_intel_iocs). */
const TI: Record<string, { confidence: number }> = {
  'ipv4:81.2.69.144': { confidence: 90 },
  'md5:44d88612fea8a8f36de82e1278abb02f': { confidence: 95 }, // EICAR
};

function load(source: AlertSource, rel: string): CanonicalAlert[] {
  return adaptPayload(source, JSON.parse(fs.readFileSync(path.join(SAMPLES, rel), 'utf8'))).map((o) => {
    if (!o.ok) throw new Error(`${rel}: ${o.error.message}`);
    return o.alert;
  });
}

interface Run {
  path: InvestigationState[];
  state: GraphState;
  changed: string[][];
  reasons: string[];
  approvals: ReturnType<typeof planResponse>['approvals'];
  quarantined: string[];
}

function run(alert: CanonicalAlert, opts: { fpPatterns?: FpPatternInput[]; shadowMode?: boolean; safetyRelevant?: boolean } = {}): Run {
  let g = initialGraphState(alert, { investigationId: 'inv', tenantId: 't-1', alertId: `pk-${alert.alertId}` });
  const path: InvestigationState[] = [g.state];
  const changed: string[][] = [];
  const move = (to: InvestigationState, patch: Partial<GraphState>): void => {
    assertTransition(g.state, to);
    const next = { ...g, ...patch, state: to };
    changed.push(diffGraphState(g, next));
    g = next;
    path.push(to);
  };

  const x = extractEntities(alert);
  move('parsing', { entities: x.buckets });

  const fp = matchFpPatterns(
    { tenantId: 't-1', title: alert.title, source: alert.source, techniques: alert.techniques, entities: x.entities.map((e) => ({ type: e.entityType, value: e.primaryValue })), safetyRelevant: opts.safetyRelevant ?? false },
    compileFpPatterns(opts.fpPatterns ?? []),
  );
  if (fp.matched) {
    move('closed', { classification: 'false_positive', confidence: fp.confidence });
    return { path, state: g, changed, reasons: fp.reasons, approvals: [], quarantined: [] };
  }

  const iocMatches: IocMatch[] = x.iocCandidates
    .filter((c) => TI[`${c.type}:${c.value}`])
    .map((c) => ({ type: c.type, value: c.value, confidence: TI[`${c.type}:${c.value}`].confidence / 100 }));
  const risk = aggregateRiskState([]);
  move('enriching', { iocMatches, riskState: risk.riskState });

  const verdict = reasonDeterministically({
    alert,
    entities: x.entities,
    iocMatches,
    riskState: risk.riskState,
    ctemExposures: [],
    similarIncidents: [],
    atlasTechniques: [],
    safetyRelevant: opts.safetyRelevant ?? false,
  });
  const tax = validateTechniques({ text: verdict.reasoning, ids: verdict.techniques }, KNOWN);
  move('reasoning', {
    classification: verdict.classification,
    confidence: verdict.confidence,
    severity: verdict.severity,
    techniques: tax.valid,
    recommendedActions: verdict.recommendedActions,
    provenance: verdict.provenance,
  });

  const plan = planResponse({
    alertId: alert.alertId,
    classification: verdict.classification,
    confidence: verdict.confidence,
    severity: verdict.severity,
    techniques: tax.valid,
    tactics: alert.tactics,
    entities: x.entities,
    iocMatches,
    recommendedActions: verdict.recommendedActions,
    playbooks: PLAYBOOKS,
    telemetryTrust: [],
    shadowMode: opts.shadowMode ?? false,
    reasoningHumanReasons: verdict.humanReasons,
  });
  move(plan.decision, { playbookMatches: plan.playbookMatches, requiresHumanApproval: plan.decision === 'awaiting_human' });
  if (plan.decision === 'responding') move('closed', {});
  return { path, state: g, changed, reasons: plan.reasons.map((r) => r.code), approvals: plan.approvals, quarantined: tax.quarantined.map((q) => q.id) };
}

describe('pure pipeline on vendor samples', () => {
  it('GuardDuty Tor/IAM: ip + account entities, TI hit → true_positive, unknown technique quarantined, block_ip approval', () => {
    const [alert] = load('guardduty', 'guardduty/guardduty-finding-iamuser-toripcaller.json');
    const r = run(alert);
    expect(r.state.entities.ips.map((e) => e.primaryValue).sort()).toEqual(['10.0.0.1', '81.2.69.144']);
    expect(r.state.entities.accounts.map((e) => e.primaryValue)).toEqual(['GeneratedFindingUserName']);
    expect(r.state.iocMatches).toEqual([{ type: 'ipv4', value: '81.2.69.144', confidence: 0.9 }]);
    expect(r.state).toMatchObject({ classification: 'true_positive', confidence: 0.93, severity: 'medium', riskState: 'no_baseline' });
    // T1090.003 is not in the seed allowlist: deny-by-default quarantines it, so it drives no playbook
    expect(r.quarantined).toEqual(['T1090.003']);
    expect(r.state.techniques).toEqual([]);
    expect(r.state.playbookMatches).toEqual([]);
    expect(r.approvals).toEqual([expect.objectContaining({ action: 'block_ip', target: '81.2.69.144', riskTier: 2, requiredApprovals: 1, expiresInMs: 4 * 3_600_000 })]);
    expect(r.path).toEqual(['received', 'parsing', 'enriching', 'reasoning', 'awaiting_human']);
    expect(r.reasons).toEqual(['approval_required']);
    expect(r.state.provenance?.ruleIds).toEqual(expect.arrayContaining(['R-001', 'R-006', 'R-010', 'R-016']));
    expect(r.changed[0]).toEqual(['state', 'entities']);
  });

  it('GuardDuty WinRM brute force: T1110 valid → brute-force playbook, private source never blocked', () => {
    const [alert] = load('guardduty', 'guardduty/guardduty-finding-ec2-winrm-bruteforce-actor.json');
    const r = run(alert);
    expect(r.state.techniques).toEqual(['T1110']);
    expect(r.state.classification).toBe('true_positive');
    expect(r.state.playbookMatches.map((p) => p.playbookId)).toEqual(['pb-brute-force']);
    // the instance performing the attack is an isolation candidate (emergency tier: two approvers)
    expect(r.approvals.map((a) => `${a.action}:${a.target}:${a.riskTier}:${a.requiredApprovals}`)).toEqual([
      'block_ip:81.2.69.144:2:1',
      'isolate_endpoint:i-99999999:3:2',
    ]);
    expect(r.path.at(-1)).toBe('awaiting_human');
  });

  it('Wazuh VirusTotal EICAR: md5 TI hit → true_positive; the no-positives twin stays investigation_required and closes', () => {
    const [bad] = load('wazuh', 'wazuh/wazuh-alert-virustotal-malicious-87105.json');
    const r = run(bad);
    expect(r.state).toMatchObject({ classification: 'true_positive', severity: 'high' });
    expect(r.approvals.map((a) => `${a.action}:${a.target}`)).toEqual(['block_ioc:44d88612fea8a8f36de82e1278abb02f', 'isolate_endpoint:Ubuntu']);
    expect(r.approvals.every((a) => a.expiresInMs === 2 * 3_600_000)).toBe(true);
    expect(r.quarantined).toEqual(['T1203']);

    const [clean] = load('wazuh', 'wazuh/wazuh-alert-virustotal-no-positives-87104.json');
    const c = run(clean);
    expect(c.state).toMatchObject({ classification: 'investigation_required', confidence: 0.5, severity: 'informational' });
    expect(c.path).toEqual(['received', 'parsing', 'enriching', 'reasoning', 'responding', 'closed']);
  });

  it('Sentinel LA row (high, no evidence): low confidence on a high alert → awaiting_human', () => {
    const [alert] = load('sentinel', 'sentinel/securityalert-loganalytics-row-01.json');
    const r = run(alert);
    expect(r.state.entities.accounts).toHaveLength(1);
    expect(r.state).toMatchObject({ classification: 'investigation_required', confidence: 0.5, severity: 'high' });
    expect(r.reasons).toEqual(['low_confidence_high_severity']);
    expect(r.path.at(-1)).toBe('awaiting_human');
  });

  it('shadow mode always waits for the analyst', () => {
    const [alert] = load('sentinel', 'sentinel/securityalert-loganalytics-row-01.json');
    expect(run({ ...alert, severity: 'low' }, { shadowMode: true }).reasons).toEqual(['shadow_mode']);
  });

  it('an approved FP pattern closes in parsing — but never a safety-relevant alert', () => {
    const [alert] = load('elastic', 'elastic/kibana-alert-8.1-indicator-match-esarchive.json');
    const pattern: FpPatternInput = {
      patternId: 'fp-threat-match-lab',
      status: 'active',
      conditions: { alertNameRegex: 'threat-match-rule', entityPatterns: [{ entityType: 'host', valueRegex: '^security-linux-\\d+$' }] },
    };
    const r = run(alert, { fpPatterns: [pattern] });
    expect(r.path).toEqual(['received', 'parsing', 'closed']);
    expect(r.state).toMatchObject({ classification: 'false_positive', confidence: 1 });
    const s = run(alert, { fpPatterns: [pattern], safetyRelevant: true });
    expect(s.path).not.toContain('closed');
    expect(s.state.classification).toBe('investigation_required');
    expect(s.path.at(-1)).toBe('awaiting_human');
  });

  it('every mappable sample reaches closed or awaiting_human', () => {
    const dirs: [string, AlertSource][] = [
      ['sentinel', 'sentinel'], ['guardduty', 'guardduty'], ['elastic', 'elastic'], ['splunk', 'splunk'], ['wazuh', 'wazuh'],
      ['crowdstrike', 'crowdstrike'], ['defender_graph', 'defender'], ['google_secops', 'google_secops'], ['asff', 'security_hub'],
      ['gcp_scc', 'gcp_scc'], ['ocsf', 'ocsf'],
    ];
    const ends = new Set<string>();
    for (const [dir, source] of dirs) {
      for (const f of fs.readdirSync(path.join(SAMPLES, dir)).filter((n) => n.endsWith('.json'))) {
        const outcomes = adaptPayload(source, JSON.parse(fs.readFileSync(path.join(SAMPLES, dir, f), 'utf8')));
        for (const o of outcomes) {
          if (!o.ok) continue;
          const r = run(o.alert);
          expect(['closed', 'awaiting_human']).toContain(r.path.at(-1));
          ends.add(r.path.at(-1) as string);
          // unknown ids never survive into the validated technique list
          for (const t of r.state.techniques) expect(KNOWN.has(t)).toBe(true);
        }
      }
    }
    expect(ends).toEqual(new Set(['closed', 'awaiting_human']));
  });
});
