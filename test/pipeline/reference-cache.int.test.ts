/**
 * The runner keeps reference data (taxonomy; per tenant FP patterns, kill switches, playbooks, settings)
 * in memory between jobs, and never acts on a stale copy: every change to those tables bumps a counter
 * (migration 0012 triggers) that the job's claim reads, and a snapshot at other counters is reloaded.
 * Each case warms the cache, changes the data the way an operator or a tool would (also behind the
 * API's back, straight in SQL), and checks the very next investigation acts on the change.
 */
import { randomUUID } from 'node:crypto';
import { createInvestigationRunner } from '../../src/engine/runtime/runner';
import { ReferenceDataCache } from '../../src/engine/runtime/reference-data';
import { loadGraphState } from '../../src/engine/runtime/transition';
import { createLogger } from '../../src/observability/logger';
import { type AlertSpec, BRUTE_FORCE, createCase, eventTypes, type PipelineEnv, seededTenant, startPipeline } from './helpers';

let env: PipelineEnv;
const nullQueue = { kind: 'memory' as const, enqueue: async () => undefined, process: () => undefined, close: async () => undefined };

beforeAll(async () => {
  env = await startPipeline();
});
afterAll(async () => {
  await env.close();
});

const PORT_SCAN: AlertSpec = { title: 'Port scan detected', severity: 'medium', entities: [{ type: 'ip', value: '10.255.10.3', properties: {} }] };

function runnerWith(cache: ReferenceDataCache) {
  return createInvestigationRunner({ prisma: env.prisma, audit: env.t.app.services.audit, queue: nullQueue, logger: createLogger('silent'), workerId: `w-${randomUUID()}`, referenceCache: cache });
}

/** Creates an investigation and runs it to rest with `cache`; returns its final row. */
async function investigate(cache: ReferenceDataCache, tenantId: string, spec: AlertSpec) {
  const { investigationId } = await createCase({ prisma: env.prisma }, tenantId, spec);
  await runnerWith(cache).handle({ tenantId, investigationId, kind: 'step' });
  const row = await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId, tenantId } });
  return { row, investigationId, g: loadGraphState(row) };
}

async function counters(): Promise<Record<string, number>> {
  const rows = await env.prisma.referenceVersion.findMany();
  return Object.fromEntries(rows.map((r) => [r.scope, Number(r.version)]));
}

describe('reference data cache', () => {
  it('serves later jobs from memory while nothing changed', async () => {
    const tenant = await seededTenant(env.prisma);
    const cache = new ReferenceDataCache(env.prisma);
    const first = await investigate(cache, tenant, BRUTE_FORCE);
    const loads = { ...cache.loads };
    expect(loads.tenant).toBe(1);
    const second = await investigate(cache, tenant, BRUTE_FORCE);
    expect(cache.loads).toEqual(loads);
    // same data, same outcome
    expect(second.row.state).toBe(first.row.state);
    expect(second.g.playbookMatches.map((p) => p.playbookId)).toEqual(first.g.playbookMatches.map((p) => p.playbookId));
    expect(second.g.techniques).toEqual(first.g.techniques);
  });

  it('an FP pattern approved after the cache warmed closes the next matching alert; a kill switch then stops it; TRUNCATE lifts the switch', async () => {
    const tenant = await seededTenant(env.prisma);
    const cache = new ReferenceDataCache(env.prisma);
    expect((await investigate(cache, tenant, PORT_SCAN)).row.classification).not.toBe('false_positive');

    const patternId = `fp-${randomUUID()}`;
    await env.prisma.fpPattern.create({
      data: { patternId, tenantId: tenant, patternName: 'scanner', conditions: { alert_name_regex: 'port scan', entity_patterns: [{ entity_type: 'ip', value_cidr: '10.255.10.0/28' }] }, status: 'active' },
    });
    const closed = await investigate(cache, tenant, PORT_SCAN);
    expect(closed.row).toMatchObject({ state: 'closed', classification: 'false_positive' });
    expect(await eventTypes(env.prisma, tenant, closed.investigationId)).toContain('alert.auto_closed');

    // a kill switch written straight in SQL (no service involved) still reaches the next job
    await env.prisma.$executeRaw`INSERT INTO kill_switches (tenant_id, dimension, value, activated_by) VALUES (${tenant}, 'pattern', ${patternId}, 'ops')`;
    const stopped = await investigate(cache, tenant, PORT_SCAN);
    expect(stopped.row.classification).not.toBe('false_positive');
    expect(await eventTypes(env.prisma, tenant, stopped.investigationId)).not.toContain('alert.auto_closed');

    // TRUNCATE names no tenant: it invalidates every snapshot
    await env.prisma.$executeRawUnsafe('TRUNCATE kill_switches');
    expect((await investigate(cache, tenant, PORT_SCAN)).row.classification).toBe('false_positive');
  });

  it('playbooks withdrawn from review and tenant settings (shadow mode) apply to the next job', async () => {
    const tenant = await seededTenant(env.prisma);
    const cache = new ReferenceDataCache(env.prisma);
    const warm = await investigate(cache, tenant, BRUTE_FORCE);
    expect(warm.g.playbookMatches.length).toBeGreaterThan(0);

    await env.prisma.playbook.updateMany({ where: { tenantId: tenant }, data: { reviewStatus: 'draft' } });
    const none = await investigate(cache, tenant, BRUTE_FORCE);
    expect(none.g.playbookMatches).toEqual([]);
    expect(await eventTypes(env.prisma, tenant, none.investigationId)).not.toContain('playbook.selected');

    // a benign alert closes on its own … until the tenant turns shadow mode on
    const benign: AlertSpec = { title: 'Informational: new device registered', severity: 'low', entities: [{ type: 'host', value: 'ws-77', properties: {} }] };
    expect((await investigate(cache, tenant, benign)).row.state).toBe('closed');
    await env.prisma.tenant.update({ where: { tenantId: tenant }, data: { settings: { shadowMode: true } } });
    expect((await investigate(cache, tenant, benign)).row.state).toBe('awaiting_human');
  });

  it('a taxonomy change (technique deprecated) is validated against by the next job', async () => {
    const tenant = await seededTenant(env.prisma);
    const cache = new ReferenceDataCache(env.prisma);
    const warm = await investigate(cache, tenant, BRUTE_FORCE);
    expect(warm.g.techniques).toContain('T1110');
    const taxonomyLoads = cache.loads.taxonomy;
    await env.prisma.taxonomyId.update({ where: { techniqueId: 'T1110' }, data: { deprecated: true } });
    try {
      const after = await investigate(cache, tenant, BRUTE_FORCE);
      expect(after.g.techniques).not.toContain('T1110');
      expect(await eventTypes(env.prisma, tenant, after.investigationId)).toContain('technique.quarantined');
      expect(cache.loads.taxonomy).toBe(taxonomyLoads + 1);
    } finally {
      await env.prisma.taxonomyId.update({ where: { techniqueId: 'T1110' }, data: { deprecated: false } });
    }
  });

  it("another tenant's changes neither leak into nor reload a tenant's snapshot", async () => {
    const a = await seededTenant(env.prisma);
    const b = await seededTenant(env.prisma);
    const cache = new ReferenceDataCache(env.prisma);
    await investigate(cache, a, PORT_SCAN);
    const loads = cache.loads.tenant;
    // B's pattern would close A's alert if it leaked
    await env.prisma.fpPattern.create({
      data: { patternId: `fp-${randomUUID()}`, tenantId: b, patternName: 'scanner', conditions: { alert_name_regex: 'port scan', entity_patterns: [] }, status: 'active' },
    });
    const again = await investigate(cache, a, PORT_SCAN);
    expect(again.row.classification).not.toBe('false_positive');
    expect(cache.loads.tenant).toBe(loads);
    // and B's own next alert sees it
    expect((await investigate(cache, b, PORT_SCAN)).row.classification).toBe('false_positive');
  });

  it('the counters move with each reference table, in the changing transaction only', async () => {
    const tenant = await seededTenant(env.prisma);
    const scope = `tenant:${tenant}`;
    const c0 = await counters();
    await env.prisma.killSwitch.create({ data: { tenantId: tenant, dimension: 'technique', value: 'T0000', activatedBy: 'ops' } });
    const c1 = await counters();
    expect(c1[scope]).toBe(c0[scope] + 1);
    expect(c1.taxonomy).toBe(c0.taxonomy);
    // a rolled-back change leaves the counter alone
    await expect(
      env.prisma.$transaction(async (tx) => {
        await tx.playbookStep.deleteMany({ where: { tenantId: tenant } });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await counters())[scope]).toBe(c1[scope]);
    await env.prisma.taxonomyMetadata.upsert({ where: { key: 'last_sync' }, create: { key: 'last_sync', value: 'now' }, update: { value: 'again' } });
    const c2 = await counters();
    // (an upsert fires the INSERT and the UPDATE statement triggers: a counter only needs to move)
    expect(c2.taxonomy).toBeGreaterThan(c1.taxonomy);
    expect(c2[scope]).toBe(c1[scope]);
    // rows that change tenant bump both tenants
    const other = await seededTenant(env.prisma);
    const ks = await env.prisma.killSwitch.findFirstOrThrow({ where: { tenantId: tenant, value: 'T0000' } });
    const before = await counters();
    await env.prisma.$executeRaw`UPDATE kill_switches SET tenant_id = ${other} WHERE id = ${ks.id}`;
    const c3 = await counters();
    expect(c3[scope]).toBe(before[scope] + 1);
    expect(c3[`tenant:${other}`]).toBe(before[`tenant:${other}`] + 1);
  });
});
