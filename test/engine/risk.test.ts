import { aggregateRiskState, classifyRisk, type RiskSignal } from '../../src/engine/agents/risk';

const sig = (riskState: RiskSignal['riskState'], riskScore: number | null, dataFreshnessHours: number | null): RiskSignal => ({
  entityId: 'e',
  signalType: 'ueba',
  riskState,
  riskScore,
  dataFreshnessHours,
  source: 'test',
});

describe('classifyRisk (spec §3.5)', () => {
  it('absent priority is NO_BASELINE, never LOW', () => {
    expect(classifyRisk(null, 1)).toEqual({ riskState: 'no_baseline', riskScore: null });
    expect(classifyRisk(undefined, 1)).toEqual({ riskState: 'no_baseline', riskScore: null });
    expect(classifyRisk(Number.NaN, 1)).toEqual({ riskState: 'no_baseline', riskScore: null });
  });
  it('stale (> 24 h) or unknown-age data is UNKNOWN and keeps the score', () => {
    expect(classifyRisk(1, 25)).toEqual({ riskState: 'unknown', riskScore: 1 });
    expect(classifyRisk(9, null)).toEqual({ riskState: 'unknown', riskScore: 9 });
    expect(classifyRisk(1, 24)).toEqual({ riskState: 'low', riskScore: 1 });
    expect(classifyRisk(1, 10, 8)).toEqual({ riskState: 'unknown', riskScore: 1 });
  });
  it('thresholds 3 and 6', () => {
    expect(classifyRisk(0, 0).riskState).toBe('low');
    expect(classifyRisk(2.99, 0).riskState).toBe('low');
    expect(classifyRisk(3, 0).riskState).toBe('medium');
    expect(classifyRisk(5.99, 0).riskState).toBe('medium');
    expect(classifyRisk(6, 0).riskState).toBe('high');
  });
});

describe('aggregateRiskState (enricher rule)', () => {
  it('no rows → no_baseline; query failure → unknown', () => {
    expect(aggregateRiskState([]).riskState).toBe('no_baseline');
    expect(aggregateRiskState(undefined).riskState).toBe('no_baseline');
    expect(aggregateRiskState([sig('high', 9, 1)], { queryFailed: true }).riskState).toBe('unknown');
  });
  it('worst fresh explicit state wins', () => {
    const r = aggregateRiskState([sig('low', 1, 1), sig('high', 7, 2), sig('medium', 4, 3), sig('high', 8.5, 1)]);
    expect(r).toMatchObject({ riskState: 'high', riskScore: 8.5, stale: false });
    expect(aggregateRiskState([sig('low', 1, 1), sig('no_baseline', null, null)]).riskState).toBe('low');
  });
  it('a stale low never counts as low: unknown with the stale flag', () => {
    const r = aggregateRiskState([sig('low', 1, 48)]);
    expect(r).toMatchObject({ riskState: 'unknown', stale: true });
    expect(aggregateRiskState([sig('low', 1, 48), sig('medium', 4, 2)])).toMatchObject({ riskState: 'medium', stale: true });
  });
  it('only no_baseline rows → no_baseline', () => {
    expect(aggregateRiskState([sig('no_baseline', null, null)]).riskState).toBe('no_baseline');
    expect(aggregateRiskState([sig('unknown', null, 1)]).riskState).toBe('unknown');
  });
});
