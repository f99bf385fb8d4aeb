/**
 * The investigation pipeline end to end through the real runner: canonical alerts run to a terminal or
 * awaiting_human state; every transition is legal, audited once, and the chain verifies; lost races
 * write nothing; the FP short-circuit, the reconciler and the failure path.
 */
import { randomUUID } from 'node:crypto';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { systemScope } from '../../src/auth/scope';
import { canTransition, type InvestigationState } from '../../src/engine/investigation.state';
import { createInvestigationRunner } from '../../src/engine/runtime/runner';
import { applyTransition, loadGraphState } from '../../src/engine/runtime/transition';
import { createLogger } from '../../src/observability/logger';
import { addThreatIntel, BRUTE_FORCE, createCase, eventTypes, type PipelineEnv, seededTenant, startPipeline, transitions, waitForState } from './helpers';

let env: PipelineEnv;
const logger = createLogger('silent');
const nullQueue = { kind: 'memory' as const, enqueue: async () => undefined, process: () => undefined, close: async () => undefined };

beforeAll(async () => {
  env = await startPipeline();
});
afterAll(async () => {
  await env.close();
});

function assertLegalPath(ts: { from_state: string; to_state: string }[]): void {
  for (let i = 0; i < ts.length; i++) {
    expect(canTransition(ts[i].from_state as InvestigationState, ts[i].to_state as InvestigationState)).toBe(true);
    if (i > 0) expect(ts[i].from_state).toBe(ts[i - 1].to_state);
  }
}

describe('pipeline runner', () => {
  it('runs a benign alert received → … → closed, each transition audited once with its changed fields; the chain verifies', async () => {
    const tenant = await seededTenant(env.prisma);
    const { investigationId, alertPk } = await createCase(env, tenant, { title: 'Informational: new device registered', severity: 'low', entities: [{ type: 'host', value: 'ws-77', properties: {} }] });
    const row = await waitForState(env.prisma, tenant, investigationId, ['closed', 'failed', 'awaiting_human']);
    expect(row.state).toBe('closed');
    expect(row.closedAt).not.toBeNull();
    expect(row.classification).toBe('investigation_required');
    expect(row.version).toBe(5);
    expect(row.leaseOwner).toBeNull();

    const ts = await transitions(env.prisma, tenant, investigationId);
    expect(ts.map((t) => `${t.from_state}>${t.to_state}`)).toEqual(['received>parsing', 'parsing>enriching', 'enriching>reasoning', 'reasoning>responding', 'responding>closed']);
    assertLegalPath(ts);
    expect(ts.map((t) => t.agent)).toEqual(['ioc_extractor', 'context_enricher', 'reasoning_agent', 'response_agent', 'response_agent']);
    expect(ts[0].changed_fields).toEqual(expect.arrayContaining(['state', 'entities', 'decisionChain']));
    expect(ts[2].changed_fields).toEqual(expect.arrayContaining(['classification', 'confidence', 'provenance']));
    const rec = await env.prisma.auditRecord.findFirstOrThrow({ where: { tenantId: tenant, investigationId, eventType: 'investigation.state_changed' } });
    expect(rec.alertId).toBe(alertPk);

    const g = loadGraphState(row);
    expect(g.decisionChain.map((d) => d.step)).toEqual(['extract', 'enrich', 'reason', 'decide', 'respond']);
    expect(g.riskState).toBe('no_baseline');
    expect(g.provenance).toMatchObject({ provider: 'deterministic' });
    const respond = g.decisionChain[4];
    expect((respond.details?.actions as { status: string }[]).every((a) => a.status === 'recorded')).toBe(true);
    expect(await eventTypes(env.prisma, tenant, investigationId)).toEqual(expect.arrayContaining(['investigation.enriched', 'alert.classified']));
    const mem = await env.prisma.incidentMemory.findFirstOrThrow({ where: { tenantId: tenant, incidentId: investigationId } });
    expect(mem).toMatchObject({ alertName: 'Informational: new device registered', initialClassification: 'investigation_required' });
    expect((await verifyAuditChain(env.prisma, tenant, { log: false })).valid).toBe(true);
  });

  it('enriches from UEBA, similar incidents (full-text), CTEM exposures and the ATT&CK→ATLAS cross-walk', async () => {
    const tenant = await seededTenant(env.prisma);
    await env.prisma.userEntityBehavior.create({ data: { tenantId: tenant, entityId: 'bob@corp.example', entityType: 'account', signalType: 'ueba', riskState: 'high', riskScore: 8, dataFreshnessHours: 1, source: 'test' } });
    await env.prisma.incidentMemory.create({
      data: {
        docId: `doc-${randomUUID()}`, incidentId: 'old-1', tenantId: tenant, timestamp: new Date(Date.now() - 3 * 86_400_000), alertName: 'Impossible travel sign-in for bob',
        alertSource: 'sentinel', severity: 'medium', entities: [], mitreTechniques: ['T1078'], investigationSummary: 'travel sign-in confirmed malicious', outcome: 'closed', finalClassification: 'true_positive',
      },
    });
    await env.prisma.incidentMemory.create({
      data: { docId: `doc-${randomUUID()}`, incidentId: 'other-1', tenantId: tenant, timestamp: new Date(), alertName: 'Disk full on backup server', alertSource: 'sentinel', severity: 'low', entities: [], investigationSummary: 'capacity', outcome: 'closed' },
    });
    const stale = await env.prisma.ctemExposure.create({
      data: { exposureKey: `x-${randomUUID()}`, sourceTool: 'wiz', title: 'Exposed RDP', severity: 'HIGH', originalSeverity: 'high', assetId: 'srv-9', assetType: 'vm', assetZone: 'dmz', exploitabilityScore: 0.8, physicalConsequence: 'data_loss', ctemScore: 8.5, tenantId: tenant, updatedAt: new Date(Date.now() - 48 * 3_600_000) },
    });
    await env.prisma.ctemExposure.create({
      data: { exposureKey: `x-${randomUUID()}`, sourceTool: 'wiz', title: 'Closed one', severity: 'LOW', originalSeverity: 'low', assetId: 'srv-9', assetType: 'vm', assetZone: 'dmz', exploitabilityScore: 0.1, physicalConsequence: 'data_loss', ctemScore: 9.9, status: 'Closed', tenantId: tenant },
    });
    await env.prisma.taxonomyId.upsert({ where: { techniqueId: 'AML.T9990' }, create: { techniqueId: 'AML.T9990', framework: 'atlas', name: 'Test ATLAS', relatedAttackIds: ['T1078'] }, update: {} });
    const { investigationId } = await createCase(env, tenant, {
      title: 'Impossible travel sign-in for bob', severity: 'medium', tactics: ['initial-access'], techniques: ['T1078', 'T9999'],
      entities: [{ type: 'account', value: 'bob@corp.example', properties: {} }, { type: 'host', value: 'srv-9', properties: {} }],
    });
    const row = await waitForState(env.prisma, tenant, investigationId, ['closed', 'failed', 'awaiting_human']);
    const g = loadGraphState(row);
    expect(g.riskState).toBe('high');
    expect(g.uebaContext).toEqual([expect.objectContaining({ entityId: 'bob@corp.example', riskState: 'high' })]);
    expect(g.similarIncidents.map((s) => s.incidentId)).toEqual(['old-1']);
    expect(g.similarIncidents[0]).toMatchObject({ priorVerdict: 'true_positive' });
    expect(g.similarIncidents[0].reasons.join(' ')).toMatch(/T1078/);
    expect(g.ctemExposures).toEqual([expect.objectContaining({ exposureKey: stale.exposureKey, stale: true })]);
    expect(g.atlasTechniques).toEqual(expect.arrayContaining([expect.objectContaining({ atlasId: 'AML.T9990', attackId: 'T1078', source: 'taxonomy', confidence: 1 })]));
    // deny-by-default: T9999 is unknown → quarantined and audited; T1078 and the ATLAS id stay
    expect(g.techniques).toEqual(expect.arrayContaining(['T1078', 'AML.T9990']));
    expect(g.techniques).not.toContain('T9999');
    const q = await env.prisma.auditRecord.findFirstOrThrow({ where: { tenantId: tenant, investigationId, eventType: 'technique.quarantined' } });
    expect(JSON.stringify(q.context)).toContain('T9999');
    expect(g.decisionChain.find((d) => d.step === 'reason')?.reasoning).not.toMatch(/T9999/);
  });

  it('FP short-circuit: an active pattern closes parsing → closed as false_positive with alert.auto_closed; never for a safety-relevant alert', async () => {
    const tenant = await seededTenant(env.prisma);
    await env.prisma.fpPattern.create({
      data: { patternId: `fp-${randomUUID()}`, tenantId: tenant, patternName: 'scanner', conditions: { alert_name_regex: 'port scan', entity_patterns: [{ entity_type: 'ip', value_cidr: '10.255.10.0/28' }] }, status: 'active' },
    });
    const entities = [{ type: 'ip' as const, value: '10.255.10.3', properties: {} }];
    const { investigationId } = await createCase(env, tenant, { title: 'Port scan detected', severity: 'medium', entities });
    const row = await waitForState(env.prisma, tenant, investigationId, ['closed', 'failed', 'awaiting_human']);
    expect(row).toMatchObject({ state: 'closed', classification: 'false_positive', confidence: 1 });
    expect((await transitions(env.prisma, tenant, investigationId)).map((t) => `${t.from_state}>${t.to_state}:${t.agent}`)).toEqual(['received>parsing:ioc_extractor', 'parsing>closed:fp_short_circuit']);
    expect(await eventTypes(env.prisma, tenant, investigationId)).toContain('alert.auto_closed');
    expect(loadGraphState(row).decisionChain.at(-1)).toMatchObject({ step: 'fp_short_circuit', action: 'auto_close_fp' });

    const safety = await createCase(env, tenant, { title: 'Port scan detected', severity: 'medium', entities, rawPayload: { safety_relevant: true } });
    const s = await waitForState(env.prisma, tenant, safety.investigationId, ['closed', 'failed', 'awaiting_human']);
    expect(s.classification).not.toBe('false_positive');
    expect(await eventTypes(env.prisma, tenant, safety.investigationId)).not.toContain('alert.auto_closed');
    expect(s.state).toBe('awaiting_human'); // safety-relevant alerts always need a human
  });

  it('a destructive action creates approvals in the same transaction as awaiting_human, with approval.requested and playbook.selected', async () => {
    const tenant = await seededTenant(env.prisma);
    await addThreatIntel(env.prisma, tenant, 'ipv4', '81.2.69.144', 90);
    const { investigationId } = await createCase(env, tenant, BRUTE_FORCE);
    const row = await waitForState(env.prisma, tenant, investigationId, ['closed', 'failed', 'awaiting_human']);
    expect(row).toMatchObject({ state: 'awaiting_human', classification: 'true_positive', severity: 'high' });
    const approvals = await env.prisma.approval.findMany({ where: { tenantId: tenant, investigationId }, orderBy: { action: 'asc' } });
    expect(approvals.map((a) => `${a.action}:${a.target}:${a.riskTier}:${a.requiredApprovals}`)).toEqual(
      expect.arrayContaining(['block_ip:81.2.69.144:2:1', 'revoke_sessions:alice@corp.example:3:2']),
    );
    expect(approvals.every((a) => a.status === 'pending' && a.requestedBy === 'system:response_agent')).toBe(true);
    // high severity: 2 h
    const ms = approvals[0].expiresAt.getTime() - approvals[0].requestedAt.getTime();
    expect(ms).toBe(2 * 3_600_000);
    const types = await eventTypes(env.prisma, tenant, investigationId);
    expect(types.filter((t) => t === 'approval.requested')).toHaveLength(approvals.length);
    expect(types).toContain('playbook.selected');
    const ts = await transitions(env.prisma, tenant, investigationId);
    expect(ts.at(-1)).toMatchObject({ from_state: 'reasoning', to_state: 'awaiting_human' });
    assertLegalPath(ts);
    expect(loadGraphState(row).playbookMatches.map((p) => p.playbookId)).toContain(`${tenant}:pb-brute-force`);
  });
});

describe('races and guards', () => {
  it('an illegal transition is rejected (CONFLICT) and a stale version is CONFLICT with no audit record', async () => {
    const tenant = await seededTenant(env.prisma);
    const { investigationId } = await createCase({ prisma: env.prisma }, tenant);
    const row = await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId } });
    const before = await env.prisma.auditRecord.count({ where: { tenantId: tenant } });
    const entry = { step: 'x', agent: 'system' as const, action: 'x', reasoning: 'x', confidence: null, attestationStatus: 'not_applicable', taxonomyVersion: null };
    await expect(
      env.t.app.services.audit.run(systemScope(tenant, 'engine'), async (tx) => {
        const t = await applyTransition(tx, { row, before: loadGraphState(row), to: 'closed', agent: 'system', patch: {}, decision: entry });
        return { result: null, events: [t.event] };
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await env.prisma.investigationState.update({ where: { investigationId }, data: { version: { increment: 1 } } });
    await expect(
      env.t.app.services.audit.run(systemScope(tenant, 'engine'), async (tx) => {
        const t = await applyTransition(tx, { row, before: loadGraphState(row), to: 'parsing', agent: 'ioc_extractor', patch: {}, decision: entry });
        return { result: null, events: [t.event] };
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await env.prisma.auditRecord.count({ where: { tenantId: tenant } })).toBe(before);
    expect((await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId } })).state).toBe('received');
  });

  it('two runners on one investigation: one wins; with the same lease owner the loser gets CONFLICT and writes nothing', async () => {
    const tenant = await seededTenant(env.prisma);
    const mk = (workerId: string, beforeCommit?: () => Promise<void>) =>
      createInvestigationRunner({ prisma: env.prisma, audit: env.t.app.services.audit, queue: nullQueue, logger, workerId, beforeCommit });
    const a = await createCase({ prisma: env.prisma }, tenant);
    // A runner that claimed holds its lease until the other runner is done (or 2 s passed), so the two
    // claims always overlap: a runner that finished its step first would release the lease and the other
    // would legitimately run the next step.
    const runs: Promise<boolean>[] = [];
    const untilOtherDone = (i: number) => async () => {
      await Promise.race([runs[1 - i].catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    };
    runs.push(mk('w-1', untilOtherDone(0)).advance(tenant, a.investigationId), mk('w-2', untilOtherDone(1)).advance(tenant, a.investigationId));
    const res = await Promise.all(runs);
    expect(res.filter(Boolean)).toHaveLength(1);
    expect(await transitions(env.prisma, tenant, a.investigationId)).toHaveLength(1);

    // same owner (e.g. a lease taken over after expiry): both compute, the version guard lets one commit
    const b = await createCase({ prisma: env.prisma }, tenant);
    const settled = await Promise.allSettled([mk('w-same').advance(tenant, b.investigationId), mk('w-same').advance(tenant, b.investigationId)]);
    const rejected = settled.filter((s) => s.status === 'rejected') as PromiseRejectedResult[];
    const won = settled.filter((s) => s.status === 'fulfilled' && s.value === true);
    expect(won.length + rejected.length).toBe(2);
    expect(won.length).toBeGreaterThanOrEqual(1);
    for (const r of rejected) expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    expect(await transitions(env.prisma, tenant, b.investigationId)).toHaveLength(1);
    expect((await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId: b.investigationId } })).version).toBe(1);
    expect((await verifyAuditChain(env.prisma, tenant, { log: false })).valid).toBe(true);
  });

  it('handle() drops a job for an investigation that waits for a human or ended', async () => {
    const tenant = await seededTenant(env.prisma);
    const { investigationId } = await createCase({ prisma: env.prisma }, tenant);
    await env.prisma.investigationState.update({ where: { investigationId }, data: { state: 'awaiting_human' } });
    const r = createInvestigationRunner({ prisma: env.prisma, audit: env.t.app.services.audit, queue: env.queue, logger, workerId: 'w-x' });
    await r.handle({ tenantId: tenant, investigationId, kind: 'step' });
    expect(await transitions(env.prisma, tenant, investigationId)).toHaveLength(0);
  });

  it('an unexpected (non-transient) error in a step moves the investigation to failed with unrecoverable_error', async () => {
    const tenant = await seededTenant(env.prisma);
    const { investigationId } = await createCase({ prisma: env.prisma }, tenant);
    const r = createInvestigationRunner({
      prisma: env.prisma, audit: env.t.app.services.audit, queue: nullQueue, logger, workerId: 'w-fail',
      reasoning: { name: 'broken', decide: async () => { throw new TypeError('provider exploded'); } },
    });
    for (let i = 0; i < 4; i++) await r.handle({ tenantId: tenant, investigationId, kind: 'step' });
    const row = await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId } });
    expect(row.state).toBe('failed');
    expect(row.unrecoverableError).toMatch(/provider exploded/);
    expect(row.closedAt).not.toBeNull();
    expect(loadGraphState(row).decisionChain.at(-1)).toMatchObject({ step: 'unrecoverable_error', agent: 'system' });
    const ts = await transitions(env.prisma, tenant, investigationId);
    expect(ts.map((t) => `${t.from_state}>${t.to_state}`)).toEqual(['received>parsing', 'parsing>enriching', 'enriching>failed']);
  });
});

describe('reconciler', () => {
  it('re-enqueues a stranded investigation (lease expired, job lost) and it completes exactly once', async () => {
    const tenant = await seededTenant(env.prisma);
    const { investigationId } = await createCase({ prisma: env.prisma }, tenant, { severity: 'low' }, { leaseOwner: 'dead-worker', leaseExpiresAt: new Date(Date.now() - 1000) });
    const report = await env.workers.reconcileNow();
    expect(report.investigations).toBeGreaterThanOrEqual(1);
    // a second pass over the same stranding does not pile up work
    await env.workers.reconcileNow();
    const row = await waitForState(env.prisma, tenant, investigationId, ['closed', 'failed', 'awaiting_human']);
    expect(row.state).toBe('closed');
    await new Promise((r) => setTimeout(r, 300));
    const ts = await transitions(env.prisma, tenant, investigationId);
    expect(ts.map((t) => t.to_state)).toEqual(['parsing', 'enriching', 'reasoning', 'responding', 'closed']);
  });

  it('leaves healthy work alone: a fresh unleased investigation, a live lease, awaiting_human', async () => {
    const tenant = await seededTenant(env.prisma);
    const fresh = await createCase({ prisma: env.prisma }, tenant);
    const live = await createCase({ prisma: env.prisma }, tenant, {}, { leaseOwner: 'alive', leaseExpiresAt: new Date(Date.now() + 60_000) });
    const waiting = await createCase({ prisma: env.prisma }, tenant, {}, { leaseExpiresAt: new Date(Date.now() - 1000) });
    await env.prisma.investigationState.update({ where: { investigationId: waiting.investigationId }, data: { state: 'awaiting_human' } });
    await env.workers.reconcileNow();
    await new Promise((r) => setTimeout(r, 500));
    for (const c of [fresh, live]) expect(await transitions(env.prisma, tenant, c.investigationId)).toHaveLength(0);
    expect((await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId: waiting.investigationId } })).state).toBe('awaiting_human');
  });
});
