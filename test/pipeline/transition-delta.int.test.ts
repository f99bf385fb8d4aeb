/**
 * Transitions write the GraphState as a delta (changed fields, dropped fields, appended decision entries)
 * applied to the stored JSON in SQL. These tests check, on real PostgreSQL, that what is stored is what
 * the transition computed: field changes, a dropped field, appended and replaced decision chains, on a
 * transaction of its own and in a group commit, and from stored GraphStates ALUSKORT never writes itself
 * (partial, not an object), where a reload must give the transition's result.
 */
import { systemScope } from '../../src/auth/scope';
import type { DecisionEntry, GraphState } from '../../src/engine/graph-state';
import type { InvestigationState } from '../../src/engine/investigation.state';
import { applyTransition, type InvestigationRow, loadGraphState, type TransitionResult } from '../../src/engine/runtime/transition';
import { createCase, type PipelineEnv, seededTenant, startPipeline } from './helpers';

let env: PipelineEnv;
let tenant: string;
beforeAll(async () => {
  env = await startPipeline();
  tenant = await seededTenant(env.prisma);
});
afterAll(async () => {
  await env.close();
});

const entry = (step: string): Omit<DecisionEntry, 'at'> => ({
  step,
  agent: 'system',
  action: step,
  reasoning: `because ${step}`,
  confidence: 0.5,
  attestationStatus: 'not_applicable',
  taxonomyVersion: null,
});

async function loadRow(investigationId: string): Promise<InvestigationRow> {
  return (await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId, tenantId: tenant } })) as unknown as InvestigationRow;
}

/** Whether the stored graph_state is exactly (as jsonb) the JSON the transition computed. */
async function storedEquals(investigationId: string, json: string): Promise<boolean> {
  const rows = await env.prisma.$queryRawUnsafe<{ same: boolean }[]>(
    'SELECT graph_state = $1::jsonb AS same FROM investigation_state WHERE investigation_id = $2 AND tenant_id = $3',
    json,
    investigationId,
    tenant,
  );
  return rows[0]!.same;
}

type Mode = 'own transaction' | 'group commit';

/** A field outside the GraphState's own (a step may carry one; nothing fills it in on load). */
const extra = (fields: Record<string, unknown>): Partial<GraphState> => fields as Partial<GraphState>;

async function transition(mode: Mode, investigationId: string, to: InvestigationState, patch: Partial<GraphState>, step: string): Promise<TransitionResult> {
  const row = await loadRow(investigationId);
  const work = async (tx: Parameters<typeof applyTransition>[0]) => {
    const t = await applyTransition(tx, { row, before: loadGraphState(row), to, agent: 'system', patch, decision: entry(step) });
    return { result: t, events: [t.event] };
  };
  const scope = systemScope(tenant, 'engine');
  return mode === 'group commit' ? env.t.app.services.audit.runGrouped(scope, work) : env.t.app.services.audit.run(scope, work);
}

describe.each(['own transaction', 'group commit'] as Mode[])('GraphState deltas (%s)', (mode) => {
  it('store exactly the computed GraphState through changes, a dropped field, appended and replaced decision chains', async () => {
    const { investigationId } = await createCase({ prisma: env.prisma }, tenant, { title: 'Delta test', severity: 'medium' });
    const steps: [InvestigationState, Partial<GraphState>][] = [
      ['parsing', { techniques: ['T1059.001'], queriesExecuted: 2, ...extra({ analystNote: 'kept until reasoning' }) }],
      ['enriching', { riskState: 'high', caseFacts: { note: 'ünïcode ✓', nested: { a: [1, 2, { b: null }] } } }],
      ['reasoning', { caseFacts: { note: 'replaced' }, ...extra({ analystNote: undefined }), confidence: 0.8, classification: 'suspicious' }],
      ['responding', { decisionChain: [{ ...entry('rewritten'), at: '2026-01-01T00:00:00.000Z' }] }],
      ['closed', {}],
    ];
    let last: TransitionResult | undefined;
    for (const [i, [to, patch]] of steps.entries()) {
      last = await transition(mode, investigationId, to, patch, `s${i}`);
      // a reload (the stored JSON, defaults filled in) is exactly what the transition computed
      expect({ to, reloaded: loadGraphState(await loadRow(investigationId)) }).toEqual({ to, reloaded: JSON.parse(last.graphStateJson) });
    }
    const row = await loadRow(investigationId);
    const g = loadGraphState(row);
    expect(g.decisionChain.map((d) => d.step)).toEqual(['rewritten', 's3', 's4']);
    expect(g.caseFacts).toEqual({ note: 'replaced' });
    expect(Object.prototype.hasOwnProperty.call(row.graphState as object, 'analystNote')).toBe(false);
    expect(g).toEqual(JSON.parse(last!.graphStateJson));
    // only fields whose value is a default (loadGraphState fills them in) may be missing from the stored JSON
    const stored = row.graphState as Record<string, unknown>;
    const computed = JSON.parse(last!.graphStateJson) as Record<string, unknown>;
    for (const [k, v] of Object.entries(computed)) if (!(k in stored)) expect({ k, v }).toEqual({ k, v: null });
    expect(await storedEquals(investigationId, last!.graphStateJson)).toBe(true); // this case's stored JSON lacks no default
  });

  it.each([
    ['a partial GraphState', '{"decisionChain": {"not": "an array"}, "riskState": "low"}'],
    ['a GraphState that is not an object', '[1, 2, 3]'],
  ])('from %s, a reload gives what the transition computed', async (_name, stored) => {
    const { investigationId } = await createCase({ prisma: env.prisma }, tenant, { title: 'Odd stored state', severity: 'low' });
    await env.prisma.$executeRawUnsafe(
      'UPDATE investigation_state SET graph_state = $1::jsonb WHERE investigation_id = $2 AND tenant_id = $3',
      stored,
      investigationId,
      tenant,
    );
    const t1 = await transition(mode, investigationId, 'parsing', { techniques: ['T1110'] }, 'a');
    const t2 = await transition(mode, investigationId, 'enriching', { riskState: 'medium' }, 'b');
    expect(loadGraphState(await loadRow(investigationId))).toEqual(JSON.parse(t2.graphStateJson));
    expect(JSON.parse(t2.graphStateJson).decisionChain.map((d: DecisionEntry) => d.step)).toEqual(['a', 'b']);
    expect(t1.graphState.techniques).toEqual(['T1110']);
  });
});
