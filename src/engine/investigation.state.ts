/**
 * The investigation state machine (spec §3.1) as data: the 8 states, the transition table and the
 * guard every state change goes through. Pure: no I/O.
 *
 * The spec's designs had no guard table ("a rebuild should enforce the table above explicitly"); this
 * module is that table. `closed` and `failed` are terminal; every non-terminal state may go to `failed`
 * (an unrecoverable error, recorded in the decision chain as `unrecoverable_error`).
 *
 * Where the work happens (`nextStepFor`): a state names the last step that *finished*, and the runner
 * executes the step of the current state to leave it. The FP short-circuit runs while in `parsing`
 * (where the spec's code ran it: after the IOC extractor), before enrichment. Response planning (pure)
 * runs in the `reasoning` → decide step, because the decision between `responding` and `awaiting_human`
 * depends on whether a destructive action is proposed (spec §4.8); the response agent in `responding`
 * only executes what needs no approval (or was approved) and closes.
 */
import { conflict } from '../errors/domain-error';

/** The 8 investigation states (spec §3.1), in lifecycle order. */
export const INVESTIGATION_STATES = [
  'received',
  'parsing',
  'enriching',
  'reasoning',
  'awaiting_human',
  'responding',
  'closed',
  'failed',
] as const;
export type InvestigationState = (typeof INVESTIGATION_STATES)[number];

/** States nothing leaves. */
export const TERMINAL_STATES: readonly InvestigationState[] = ['closed', 'failed'];

/** Who (or what) moves an investigation along an edge. */
export type TransitionActor =
  | 'ioc_extractor'
  | 'fp_short_circuit'
  | 'context_enricher'
  | 'reasoning_agent'
  | 'response_agent'
  | 'human'
  | 'approval_timeout'
  | 'system';

/** One allowed edge of the state graph. */
export interface TransitionRule {
  readonly to: InvestigationState;
  /** The agent or actor that takes the edge. */
  readonly actor: TransitionActor;
  /** The condition under which the edge is taken (spec §3.1 "Agent / condition"). */
  readonly condition: string;
}

/**
 * The transition table of spec §3.1 (the generic "any → failed" edge is added for every non-terminal
 * state by `allowedTransitions`, not repeated here).
 */
export const TRANSITIONS: Readonly<Record<InvestigationState, readonly TransitionRule[]>> = Object.freeze({
  received: [{ to: 'parsing', actor: 'ioc_extractor', condition: 'entities and IOCs extracted' }],
  parsing: [
    {
      to: 'enriching',
      actor: 'context_enricher',
      condition: 'enrichment done (context_enricher, ctem_correlator and atlas_mapper in parallel)',
    },
    { to: 'closed', actor: 'fp_short_circuit', condition: 'approved FP pattern matched at or above its threshold' },
  ],
  enriching: [{ to: 'reasoning', actor: 'reasoning_agent', condition: 'verdict produced' }],
  reasoning: [
    { to: 'responding', actor: 'reasoning_agent', condition: 'no approval needed' },
    {
      to: 'awaiting_human',
      actor: 'reasoning_agent',
      condition: 'destructive or tier >= 2 action, low confidence on critical/high, all-untrusted telemetry, or shadow mode',
    },
  ],
  awaiting_human: [
    { to: 'responding', actor: 'human', condition: 'approved' },
    { to: 'closed', actor: 'human', condition: 'rejected' },
    { to: 'closed', actor: 'approval_timeout', condition: 'timed out (medium/low severity: closed as rejected)' },
  ],
  responding: [{ to: 'closed', actor: 'response_agent', condition: 'actions executed' }],
  closed: [],
  failed: [],
});

const FAILED_RULE: TransitionRule = Object.freeze({
  to: 'failed',
  actor: 'system',
  condition: 'unrecoverable error (decision chain: unrecoverable_error)',
});

export function isInvestigationState(v: unknown): v is InvestigationState {
  return typeof v === 'string' && (INVESTIGATION_STATES as readonly string[]).includes(v);
}

/** Whether nothing can leave `state` (`closed`, `failed`). */
export function isTerminal(state: InvestigationState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** Every edge out of `from`, including `→ failed` for non-terminal states. */
export function allowedTransitions(from: InvestigationState): readonly TransitionRule[] {
  const rules = TRANSITIONS[from] ?? [];
  return isTerminal(from) ? rules : [...rules, FAILED_RULE];
}

/** Whether `from → to` is an edge of the table. */
export function canTransition(from: InvestigationState, to: InvestigationState): boolean {
  return allowedTransitions(from).some((r) => r.to === to);
}

/**
 * Throws a CONFLICT DomainError unless `from → to` is allowed. CONFLICT (not BAD_USER_INPUT): an illegal
 * move almost always means another worker or an approval already moved the investigation on.
 * @returns the matching rules (several when two actors share an edge, e.g. awaiting_human → closed).
 */
export function assertTransition(from: InvestigationState, to: InvestigationState): readonly TransitionRule[] {
  if (!isInvestigationState(from) || !isInvestigationState(to)) {
    throw conflict(`Unknown investigation state in transition ${String(from)} → ${String(to)}`, { from, to });
  }
  const rules = allowedTransitions(from).filter((r) => r.to === to);
  if (rules.length === 0) {
    const allowed = allowedTransitions(from).map((r) => r.to);
    throw conflict(
      isTerminal(from)
        ? `Investigation is ${from}: a terminal state cannot change`
        : `Illegal investigation transition ${from} → ${to} (allowed: ${[...new Set(allowed)].join(', ')})`,
      { from, to, allowed: [...new Set(allowed)] },
    );
  }
  return rules;
}

/** Agent roles that compute in a step (spec §3.2). */
export type StepAgent =
  | 'ioc_extractor'
  | 'context_enricher'
  | 'ctem_correlator'
  | 'atlas_mapper'
  | 'reasoning_agent'
  | 'response_agent';

/** What the runner does in a state. */
export type NextStep =
  | {
      readonly kind: 'run';
      /** Step name, recorded as DecisionEntry.step. */
      readonly step: 'extract' | 'enrich' | 'reason' | 'decide' | 'respond';
      /** Agents that compute in the step (in parallel when several). */
      readonly agents: readonly StepAgent[];
      /** Where the step may lead (besides `failed`). */
      readonly to: readonly InvestigationState[];
    }
  | { readonly kind: 'wait_human'; readonly to: readonly InvestigationState[] }
  | { readonly kind: 'terminal' };

const NEXT_STEPS: Readonly<Record<InvestigationState, NextStep>> = Object.freeze({
  received: { kind: 'run', step: 'extract', agents: ['ioc_extractor'], to: ['parsing'] },
  // The FP short-circuit (no agent: a deterministic check) runs first and may close the investigation.
  parsing: {
    kind: 'run',
    step: 'enrich',
    agents: ['context_enricher', 'ctem_correlator', 'atlas_mapper'],
    to: ['enriching', 'closed'],
  },
  enriching: { kind: 'run', step: 'reason', agents: ['reasoning_agent'], to: ['reasoning'] },
  // Decide: approval gates (spec §4.8) over the verdict and the planned response; no agent computes.
  reasoning: { kind: 'run', step: 'decide', agents: [], to: ['responding', 'awaiting_human'] },
  awaiting_human: { kind: 'wait_human', to: ['responding', 'closed'] },
  responding: { kind: 'run', step: 'respond', agents: ['response_agent'], to: ['closed'] },
  closed: { kind: 'terminal' },
  failed: { kind: 'terminal' },
});

/** The step the runner executes to leave `state` (or that it waits for a human / has nothing to do). */
export function nextStepFor(state: InvestigationState): NextStep {
  const step = NEXT_STEPS[state];
  if (!step) throw conflict(`Unknown investigation state ${String(state)}`, { state });
  return step;
}
