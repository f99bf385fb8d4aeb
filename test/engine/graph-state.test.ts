import { appendDecision, diffGraphState, type DecisionEntry, GRAPH_STATE_FIELDS, initialGraphState, jsonEqual } from '../../src/engine/graph-state';

const ids = { investigationId: 'inv-1', tenantId: 't-1', alertId: 'alert-pk-1' };

describe('GraphState', () => {
  it('initial state of a received alert', () => {
    const g = initialGraphState({ severity: 'high' }, ids);
    expect(g).toMatchObject({
      investigationId: 'inv-1',
      tenantId: 't-1',
      alertId: 'alert-pk-1',
      state: 'received',
      severity: 'high',
      riskState: 'unknown',
      classification: null,
      confidence: 0,
      requiresHumanApproval: false,
      llmCalls: 0,
      totalCostUsd: 0,
      queriesExecuted: 0,
      caseFacts: {},
      decisionChain: [],
      provenance: null,
    });
    expect(g.entities.accounts).toEqual([]);
    expect(g.entities.rawIocs).toEqual([]);
    expect(Object.keys(g).sort()).toEqual([...GRAPH_STATE_FIELDS].sort());
    expect(JSON.parse(JSON.stringify(g))).toEqual(g);
  });

  it('diffGraphState lists changed top-level fields in spec order', () => {
    const before = initialGraphState({ severity: 'medium' }, ids);
    const entry: DecisionEntry = {
      step: 'extract',
      agent: 'ioc_extractor',
      action: 'state_changed',
      reasoning: '2 entities',
      confidence: null,
      attestationStatus: 'not_applicable',
      taxonomyVersion: null,
      at: '2025-01-01T00:00:00.000Z',
    };
    const after = appendDecision({ ...before, state: 'parsing', severity: 'high', caseFacts: { a: 1 } }, entry);
    expect(diffGraphState(before, after)).toEqual(['state', 'decisionChain', 'severity', 'caseFacts']);
    expect(before.decisionChain).toEqual([]);
    expect(diffGraphState(before, structuredClone(before))).toEqual([]);
    expect(diffGraphState(null, { state: 'received' })).toEqual(['state']);
    // key order inside nested objects does not count as a change
    expect(diffGraphState({ caseFacts: { a: 1, b: 2 } }, { caseFacts: { b: 2, a: 1 } })).toEqual([]);
  });

  it('jsonEqual', () => {
    expect(jsonEqual([1, { a: [2] }], [1, { a: [2] }])).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: undefined }, {})).toBe(true);
    expect(jsonEqual(null, {})).toBe(false);
  });
});
