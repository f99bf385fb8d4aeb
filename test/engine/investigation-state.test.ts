import { DomainError } from '../../src/errors/domain-error';
import {
  allowedTransitions,
  assertTransition,
  canTransition,
  INVESTIGATION_STATES,
  isTerminal,
  nextStepFor,
  TRANSITIONS,
  type InvestigationState,
} from '../../src/engine/investigation.state';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'NOT_A_DOMAIN_ERROR';
  }
  return undefined;
}

describe('investigation state machine', () => {
  it('has the 8 spec states', () => {
    expect(INVESTIGATION_STATES).toEqual(['received', 'parsing', 'enriching', 'reasoning', 'awaiting_human', 'responding', 'closed', 'failed']);
  });

  it('allows exactly the spec §3.1 edges plus any non-terminal → failed', () => {
    const edges = INVESTIGATION_STATES.flatMap((from) => allowedTransitions(from).map((r) => `${from}>${r.to}`));
    expect(new Set(edges)).toEqual(
      new Set([
        'received>parsing',
        'parsing>enriching',
        'parsing>closed',
        'enriching>reasoning',
        'reasoning>responding',
        'reasoning>awaiting_human',
        'awaiting_human>responding',
        'awaiting_human>closed',
        'responding>closed',
        'received>failed',
        'parsing>failed',
        'enriching>failed',
        'reasoning>failed',
        'awaiting_human>failed',
        'responding>failed',
      ]),
    );
  });

  it('labels each edge with its agent/condition', () => {
    expect(TRANSITIONS.parsing.find((r) => r.to === 'closed')?.actor).toBe('fp_short_circuit');
    expect(TRANSITIONS.received[0].actor).toBe('ioc_extractor');
    expect(TRANSITIONS.responding[0].actor).toBe('response_agent');
    expect(assertTransition('awaiting_human', 'closed').map((r) => r.actor)).toEqual(['human', 'approval_timeout']);
    expect(assertTransition('reasoning', 'failed')[0]).toMatchObject({ actor: 'system' });
  });

  it('rejects illegal moves with CONFLICT', () => {
    expect(codeOf(() => assertTransition('received', 'closed'))).toBe('CONFLICT');
    expect(codeOf(() => assertTransition('received', 'reasoning'))).toBe('CONFLICT');
    expect(codeOf(() => assertTransition('responding', 'awaiting_human'))).toBe('CONFLICT');
    expect(codeOf(() => assertTransition('enriching', 'enriching'))).toBe('CONFLICT');
    expect(codeOf(() => assertTransition('received', 'bogus' as InvestigationState))).toBe('CONFLICT');
    expect(codeOf(() => assertTransition('received', 'parsing'))).toBeUndefined();
  });

  it('treats closed and failed as terminal: nothing leaves, not even → failed', () => {
    for (const s of ['closed', 'failed'] as const) {
      expect(isTerminal(s)).toBe(true);
      for (const to of INVESTIGATION_STATES) expect(canTransition(s, to)).toBe(false);
      expect(codeOf(() => assertTransition(s, 'failed'))).toBe('CONFLICT');
    }
    expect(INVESTIGATION_STATES.filter((s) => !isTerminal(s))).toHaveLength(6);
  });

  it('names the step that runs in each state', () => {
    expect(nextStepFor('received')).toEqual({ kind: 'run', step: 'extract', agents: ['ioc_extractor'], to: ['parsing'] });
    expect(nextStepFor('parsing')).toEqual({
      kind: 'run',
      step: 'enrich',
      agents: ['context_enricher', 'ctem_correlator', 'atlas_mapper'],
      to: ['enriching', 'closed'],
    });
    expect(nextStepFor('enriching')).toMatchObject({ step: 'reason', agents: ['reasoning_agent'], to: ['reasoning'] });
    expect(nextStepFor('reasoning')).toMatchObject({ step: 'decide', to: ['responding', 'awaiting_human'] });
    expect(nextStepFor('responding')).toMatchObject({ step: 'respond', agents: ['response_agent'], to: ['closed'] });
    expect(nextStepFor('awaiting_human')).toEqual({ kind: 'wait_human', to: ['responding', 'closed'] });
    expect(nextStepFor('closed')).toEqual({ kind: 'terminal' });
    expect(nextStepFor('failed')).toEqual({ kind: 'terminal' });
  });

  it('every step target is a legal transition', () => {
    for (const s of INVESTIGATION_STATES) {
      const step = nextStepFor(s);
      if (step.kind === 'terminal') continue;
      for (const to of step.to) expect(canTransition(s, to)).toBe(true);
    }
  });
});
