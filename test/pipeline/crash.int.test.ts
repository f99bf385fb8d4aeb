/**
 * A worker process SIGKILLed mid-investigation (a step computed, its lease held, nothing committed):
 * after a new worker + reconciler take over, the investigation completes exactly once: every transition
 * recorded once, no duplicate approvals, a valid chain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { addThreatIntel, BRUTE_FORCE, createCase, type PipelineEnv, seededTenant, startPipeline, transitions, waitForState } from './helpers';

let env: PipelineEnv;
beforeAll(async () => {
  env = await startPipeline();
});
afterAll(async () => {
  await env.close();
});

function startChild(vars: Record<string, string>): { child: ChildProcess; held: Promise<string> } {
  const root = path.resolve(__dirname, '../..');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'fixtures/worker-child.ts')], {
    cwd: root,
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const held = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /HOLD (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before holding: ${out}\n${err}`)));
  });
  return { child, held };
}

describe('worker crash', () => {
  it.each([
    ['enriching', 'after reasoning computed (plain step)'],
    ['reasoning', 'after approvals were planned (no approval row may survive the crash)'],
  ])('SIGKILL while holding the %s step %s → completes exactly once after restart', async (holdFrom) => {
    const tenant = await seededTenant(env.prisma);
    await addThreatIntel(env.prisma, tenant, 'ipv4', '81.2.69.144', 90);
    // not enqueued in this process: only the child knows about it
    const { investigationId } = await createCase({ prisma: env.prisma }, tenant, BRUTE_FORCE);
    const { child, held } = startChild({ DATABASE_URL: env.t.testDb.url, TENANT_ID: tenant, INVESTIGATION_ID: investigationId, HOLD_FROM: holdFrom, LEASE_MS: '1500' });
    try {
      expect(await held).toBe(investigationId);
      const mid = await env.prisma.investigationState.findFirstOrThrow({ where: { investigationId } });
      expect(mid.state).toBe(holdFrom);
      expect(mid.leaseOwner).toBe(`child-${child.pid}`);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect(await env.prisma.approval.count({ where: { investigationId } })).toBe(0);

    // the dead worker's lease blocks everyone until it expires; then the reconciler hands it over
    expect((await env.workers.reconcileNow()).investigations).toBe(0);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await env.workers.reconcileNow()).investigations).toBeGreaterThanOrEqual(1);
    const row = await waitForState(env.prisma, tenant, investigationId, ['awaiting_human', 'closed', 'failed']);
    expect(row.state).toBe('awaiting_human');
    await new Promise((r) => setTimeout(r, 300));
    await env.workers.reconcileNow();

    const ts = await transitions(env.prisma, tenant, investigationId);
    expect(ts.map((t) => `${t.from_state}>${t.to_state}`)).toEqual(['received>parsing', 'parsing>enriching', 'enriching>reasoning', 'reasoning>awaiting_human']);
    const approvals = await env.prisma.approval.findMany({ where: { investigationId } });
    const keys = approvals.map((a) => `${a.action}:${a.target}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(await env.prisma.auditRecord.count({ where: { tenantId: tenant, investigationId, eventType: 'approval.requested' } })).toBe(approvals.length);
    expect((await verifyAuditChain(env.prisma, tenant, { log: false })).valid).toBe(true);
  });
});
