import { maxSeverity, reasonDeterministically, type ReasoningInput } from '../../src/engine/agents/reasoning-rules';
import type { NormalizedEntity } from '../../src/engine/agents/entity-extraction';

const ent = (entityType: NormalizedEntity['entityType'], primaryValue: string, properties: Record<string, unknown> = {}): NormalizedEntity => ({
  entityType,
  primaryValue,
  properties,
  confidence: 1,
  origin: 'structured',
});

const input = (over: Partial<ReasoningInput> = {}): ReasoningInput => ({
  alert: { alertId: 'a-1', title: 't', severity: 'medium', source: 'sentinel', techniques: [], tactics: [] },
  entities: [],
  iocMatches: [],
  riskState: 'no_baseline',
  ctemExposures: [],
  similarIncidents: [],
  atlasTechniques: [],
  safetyRelevant: false,
  ...over,
});

const exposure = (over: Record<string, unknown> = {}) => ({
  exposureKey: 'k',
  assetId: 'web-01',
  title: 'RCE',
  severity: 'HIGH',
  ctemScore: 8,
  physicalConsequence: 'data_loss',
  status: 'Open',
  stale: false,
  ...over,
});

describe('deterministic reasoning rules', () => {
  it('R-011: no evidence → investigation_required 0.5, with provenance', () => {
    const r = reasonDeterministically(input());
    expect(r).toMatchObject({ classification: 'investigation_required', confidence: 0.5, severity: 'medium', requiresHuman: false });
    expect(r.ruleIds).toEqual(['R-006', 'R-011', 'R-016']);
    expect(r.provenance).toEqual({ provider: 'deterministic', version: 'rules-1.0.0', ruleIds: r.ruleIds });
    expect(r.recommendedActions).toEqual([{ action: 'collect_alert_context', target: 'a-1', tier: 0, rationale: expect.stringContaining('R-016') }]);
  });

  it('R-001: strong TI match → true_positive, severity ≥ medium, block proposals (never a private IP)', () => {
    const r = reasonDeterministically(
      input({
        alert: { alertId: 'a-1', title: 't', severity: 'low', source: 'guardduty', techniques: [], tactics: [] },
        entities: [ent('ip', '81.2.69.144', { nonRoutable: false }), ent('ip', '10.0.0.1', { nonRoutable: true })],
        iocMatches: [
          { type: 'ipv4', value: '81.2.69.144', confidence: 0.9 },
          { type: 'ipv4', value: '10.0.0.1', confidence: 0.95 },
          { type: 'domain', value: 'evil.example', confidence: 0.8 },
        ],
      }),
    );
    expect(r.classification).toBe('true_positive');
    expect(r.confidence).toBe(0.94);
    expect(r.severity).toBe('medium');
    expect(r.ruleIds).toContain('R-001');
    expect(r.recommendedActions.filter((a) => a.tier === 2).map((a) => `${a.action}:${a.target}`)).toEqual(['block_ip:81.2.69.144', 'block_ioc:evil.example']);
  });

  it('R-002 / R-005: medium TI and high UEBA → suspicious', () => {
    const r = reasonDeterministically(input({ iocMatches: [{ type: 'domain', value: 'x.example', confidence: 0.6 }], riskState: 'high' }));
    expect(r).toMatchObject({ classification: 'suspicious', confidence: 0.65 });
    expect(r.ruleIds).toEqual(expect.arrayContaining(['R-002', 'R-005']));
    expect(r.recommendedActions).toContainEqual(expect.objectContaining({ action: 'enrich_iocs', target: 'x.example', tier: 0 }));
  });

  it('R-003: similar true positives', () => {
    const r = reasonDeterministically(input({ similarIncidents: [{ incidentId: 'i1', score: 0.8, priorVerdict: 'true_positive' }] }));
    expect(r).toMatchObject({ classification: 'true_positive', confidence: 0.75 });
  });

  it('R-004 / R-006: FP history without hard evidence; unknown risk caps the confidence at 0.7', () => {
    const sims = [
      { incidentId: 'i1', score: 0.9, priorVerdict: 'false_positive' },
      { incidentId: 'i2', score: 0.8, priorVerdict: 'false_positive' },
      { incidentId: 'i3', score: 0.75, priorVerdict: 'suspicious' },
    ];
    expect(reasonDeterministically(input({ similarIncidents: sims, riskState: 'low' }))).toMatchObject({ classification: 'false_positive', confidence: 0.85 });
    expect(reasonDeterministically(input({ similarIncidents: sims, riskState: 'no_baseline' }))).toMatchObject({ classification: 'false_positive', confidence: 0.7 });
    expect(reasonDeterministically(input({ similarIncidents: sims, riskState: 'low', riskStale: true })).confidence).toBe(0.7);
    // hard evidence blocks the FP verdict
    const blocked = reasonDeterministically(input({ similarIncidents: sims, riskState: 'low', iocMatches: [{ type: 'md5', value: 'a'.repeat(32), confidence: 0.6 }] }));
    expect(blocked.classification).toBe('suspicious');
    // a single FP neighbour is not enough
    expect(reasonDeterministically(input({ similarIncidents: sims.slice(0, 1), riskState: 'low' })).classification).toBe('investigation_required');
  });

  it('R-007 / R-014: fresh serious exposures escalate; stale ones are unknown', () => {
    const r = reasonDeterministically(input({ ctemExposures: [exposure()] }));
    expect(r).toMatchObject({ classification: 'suspicious', severity: 'high' });
    expect(r.recommendedActions).toContainEqual(expect.objectContaining({ action: 'check_exposures', target: 'web-01' }));
    const s = reasonDeterministically(input({ ctemExposures: [exposure({ stale: true })] }));
    expect(s.severity).toBe('medium');
    expect(s.ruleIds).toContain('R-014');
    expect(s.ruleIds).not.toContain('R-007');
  });

  it('R-008: safety_life exposure → critical and a human', () => {
    const r = reasonDeterministically(input({ ctemExposures: [exposure({ physicalConsequence: 'safety_life', stale: true, ctemScore: 3 })] }));
    expect(r).toMatchObject({ severity: 'critical', requiresHuman: true });
    expect(r.humanReasons[0]).toContain('R-008');
  });

  it('R-009 / R-010', () => {
    const atlas = reasonDeterministically(input({ atlasTechniques: [{ atlasId: 'AML.T0051', confidence: 0.85, source: 'detection', telemetryTrust: 'trusted' }] }));
    expect(atlas).toMatchObject({ classification: 'suspicious', confidence: 0.7, severity: 'high' });
    expect(atlas.techniques).toEqual(['AML.T0051']);
    const vendor = reasonDeterministically(input({ alert: { alertId: 'a', title: 't', severity: 'high', source: 'canonical', techniques: ['T1110'], tactics: [] } }));
    expect(vendor).toMatchObject({ classification: 'suspicious', confidence: 0.6 });
    expect(vendor.ruleIds).toContain('R-010');
  });

  it('R-012: safety-relevant alerts are never false_positive', () => {
    const sims = [
      { incidentId: 'i1', score: 0.9, priorVerdict: 'false_positive' },
      { incidentId: 'i2', score: 0.9, priorVerdict: 'false_positive' },
    ];
    const r = reasonDeterministically(input({ similarIncidents: sims, riskState: 'low', safetyRelevant: true }));
    expect(r).toMatchObject({ classification: 'investigation_required', severity: 'high', requiresHuman: true });
    expect(r.ruleIds).toEqual(expect.arrayContaining(['R-004', 'R-012']));
  });

  it('R-013: all-untrusted ATLAS evidence requires a human', () => {
    const untrusted = { atlasId: 'AML.T0043', attackId: 'T1565.002', confidence: 0.7, source: 'detection' as const, telemetryTrust: 'untrusted' as const };
    const r = reasonDeterministically(input({ atlasTechniques: [untrusted] }));
    expect(r.requiresHuman).toBe(true);
    expect(r.ruleIds).toContain('R-013');
    expect(r.ruleIds).not.toContain('R-009');
    expect(r.techniques).toEqual(['AML.T0043', 'T1565.002']);
    const mixed = reasonDeterministically(input({ atlasTechniques: [untrusted, { ...untrusted, telemetryTrust: 'trusted' }] }));
    expect(mixed.ruleIds).not.toContain('R-013');
    expect(reasonDeterministically(input({ telemetryTrust: 'untrusted' })).requiresHuman).toBe(true);
  });

  it('R-015: containment for a true positive with identity/endpoint tactics', () => {
    const r = reasonDeterministically(
      input({
        alert: { alertId: 'a', title: 't', severity: 'high', source: 'canonical', techniques: ['T1078'], tactics: ['initial-access', 'execution'] },
        entities: [ent('account', 'alice'), ent('host', 'ws-1'), { ...ent('account', 'guess'), confidence: 0.6, origin: 'regex' }],
        iocMatches: [{ type: 'ipv4', value: '203.0.113.9', confidence: 0.9 }],
      }),
    );
    expect(r.recommendedActions.filter((a) => a.tier === 2).map((a) => `${a.action}:${a.target}`)).toEqual([
      'block_ip:203.0.113.9',
      'revoke_sessions:alice',
      'isolate_endpoint:ws-1',
    ]);
  });

  it('severity never goes below the alert severity', () => {
    const r = reasonDeterministically(input({ alert: { alertId: 'a', title: 't', severity: 'critical', source: 'canonical', techniques: [], tactics: [] } }));
    expect(r.severity).toBe('critical');
    expect(maxSeverity('low', 'informational')).toBe('low');
  });

  it('is deterministic', () => {
    const i = input({ iocMatches: [{ type: 'ipv4', value: '8.8.8.8', confidence: 0.85 }], riskState: 'high' });
    expect(reasonDeterministically(i)).toEqual(reasonDeterministically(structuredClone(i)));
  });
});
