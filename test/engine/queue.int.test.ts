import { Redis } from 'ioredis';
import { type InvestigationJob, type WorkQueue, createBullQueue, createMemoryQueue } from '../../src/engine/queue';

function job(id: string): InvestigationJob {
  return { tenantId: 't', investigationId: id, kind: 'step' };
}

async function until(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe.each([
  ['memory', () => createMemoryQueue()],
  ['bullmq', () => createBullQueue(new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null }), `aluskort-test-${process.pid}-${Date.now()}`)],
] as const)('%s work queue', (_name, make) => {
  let q: WorkQueue;
  beforeEach(() => {
    q = make();
  });
  afterEach(async () => {
    await q.close();
  });

  it('runs higher priorities first and honours delays', async () => {
    const order: string[] = [];
    await q.enqueue(job('low'), { priority: 4 });
    await q.enqueue(job('critical'), { priority: 1 });
    await q.enqueue(job('delayed'), { priority: 1, delayMs: 400 });
    await q.enqueue(job('medium'), { priority: 3 });
    await new Promise((r) => setTimeout(r, 100)); // all three ready before the worker starts
    q.process(async (j) => {
      order.push(j.investigationId);
    }, 1);
    await until(() => order.length === 4);
    expect(order).toEqual(['critical', 'medium', 'low', 'delayed']);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    let calls = 0;
    q.process(async () => {
      calls++;
      if (calls < 3) throw new Error('transient');
    }, 1);
    await q.enqueue(job('flaky'));
    await until(() => calls >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBe(3);
  });

  it('does not queue the same job id twice while it waits', async () => {
    const seen: string[] = [];
    await q.enqueue(job('a'), { jobId: 'same-id' });
    await q.enqueue(job('a'), { jobId: 'same-id' });
    q.process(async (j) => {
      seen.push(j.investigationId);
    }, 2);
    await until(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual(['a']);
  });

  it('limits concurrency', async () => {
    let active = 0;
    let peak = 0;
    let done = 0;
    q.process(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 50));
      active--;
      done++;
    }, 2);
    for (let i = 0; i < 8; i++) await q.enqueue(job(`j${i}`));
    await until(() => done === 8);
    expect(peak).toBe(2);
  });
});
