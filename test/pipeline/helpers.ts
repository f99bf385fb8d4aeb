import { randomUUID } from 'node:crypto';
import { initialGraphState } from '../../src/engine/graph-state';
import { createMemoryQueue, severityPriority, type WorkQueue } from '../../src/engine/queue';
import { type PipelineWorkers, startPipelineWorkers } from '../../src/engine/runtime/workers';
import type { Prisma, PrismaClient } from '../../src/generated/prisma/client';
import type { Severity, VendorEntity } from '../../src/ingest/canonical';
import { createLogger } from '../../src/observability/logger';
import { seedDatabase } from '../../src/db/seed';
import { createTenant, startTestApp, type TestApp } from '../helpers/app';

export interface PipelineEnv {
  t: TestApp;
  prisma: PrismaClient;
  queue: WorkQueue;
  workers: PipelineWorkers;
  close(): Promise<void>;
}

/** A test server with an in-process queue and pipeline workers on the same queue and database. */
export async function startPipeline(opts: { approvalExpiryOverrideMs?: number; leaseMs?: number } = {}): Promise<PipelineEnv> {
  const queue = createMemoryQueue();
  const t = await startTestApp({ queue, checkpoints: false });
  const workers = startPipelineWorkers({
    prisma: t.db.prisma,
    sql: t.db.sql,
    audit: t.app.services.audit,
    queue,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    concurrency: 4,
    workerId: 'test-worker',
    leaseMs: opts.leaseMs ?? 30_000,
    staleAfterMs: 10 * 60_000,
    reconcileIntervalMs: 60 * 60_000,
    approvalExpiryOverrideMs: opts.approvalExpiryOverrideMs,
  });
  return {
    t,
    prisma: t.db.prisma,
    queue,
    workers,
    async close() {
      await workers.stop();
      await t.close();
    },
  };
}

/** A tenant with the default seed (taxonomy, approved default playbooks). */
export async function seededTenant(prisma: PrismaClient): Promise<string> {
  const tenantId = await createTenant({ prisma } as never);
  await seedDatabase(prisma, { tenantId });
  return tenantId;
}

export interface AlertSpec {
  title?: string;
  description?: string;
  severity?: Severity;
  tactics?: string[];
  techniques?: string[];
  entities?: VendorEntity[];
  rawPayload?: Record<string, unknown>;
}

/** Alert + investigation (state received) exactly as ingest stores them; optionally enqueued like ingest. */
export async function createCase(
  env: { prisma: PrismaClient; queue?: WorkQueue },
  tenantId: string,
  spec: AlertSpec = {},
  inv: Partial<{ leaseOwner: string; leaseExpiresAt: Date; updatedAt: Date }> = {},
): Promise<{ investigationId: string; alertPk: string }> {
  const severity = spec.severity ?? 'low';
  const investigationId = randomUUID();
  const alert = await env.prisma.alert.create({
    data: {
      tenantId,
      source: 'canonical',
      sourceAlertId: `a-${randomUUID()}`,
      timestamp: new Date(),
      title: spec.title ?? 'Unusual sign-in activity',
      description: spec.description ?? '',
      severity,
      tactics: spec.tactics ?? [],
      techniques: spec.techniques ?? [],
      entities: (spec.entities ?? []) as unknown as Prisma.InputJsonValue,
      product: 'Test product',
      rawPayload: (spec.rawPayload ?? { id: 1 }) as Prisma.InputJsonValue,
    },
  });
  await env.prisma.investigationState.create({
    data: {
      investigationId,
      tenantId,
      alertId: alert.alertPk,
      state: 'received',
      version: 0,
      severity,
      title: alert.title,
      source: 'canonical',
      graphState: initialGraphState({ severity }, { investigationId, tenantId, alertId: alert.alertPk }) as unknown as Prisma.InputJsonValue,
      ...inv,
    },
  });
  if (env.queue) {
    await env.queue.enqueue({ tenantId, investigationId, kind: 'step' }, { jobId: `${investigationId}-received`, priority: severityPriority(severity) });
  }
  return { investigationId, alertPk: alert.alertPk };
}

export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out waiting; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
    v = await fn();
  }
  return v;
}

/** Waits until the investigation is in one of `states`, then returns the row. */
export function waitForState(prisma: PrismaClient, tenantId: string, investigationId: string, states: string[], ms?: number) {
  return waitFor(
    () => prisma.investigationState.findFirstOrThrow({ where: { investigationId, tenantId } }),
    (r) => states.includes(r.state),
    ms,
  );
}

/** The `investigation.state_changed` records of an investigation, in sequence order. */
export async function transitions(prisma: PrismaClient, tenantId: string, investigationId: string) {
  const rows = await prisma.auditRecord.findMany({
    where: { tenantId, investigationId, eventType: 'investigation.state_changed' },
    orderBy: { sequenceNumber: 'asc' },
  });
  return rows.map((r) => r.context as { from_state: string; to_state: string; agent: string; changed_fields: string[] });
}

export async function eventTypes(prisma: PrismaClient, tenantId: string, investigationId: string): Promise<string[]> {
  const rows = await prisma.auditRecord.findMany({ where: { tenantId, investigationId }, orderBy: { sequenceNumber: 'asc' } });
  return rows.map((r) => r.eventType);
}

/** A routable IP seen by TI, an account and a host: the canonical brute-force case. */
export const BRUTE_FORCE: AlertSpec = {
  title: 'Multiple failed logons followed by success',
  description: 'Brute force against alice from 81.2.69.144',
  severity: 'high',
  tactics: ['credential-access'],
  techniques: ['T1110'],
  entities: [
    { type: 'ip', value: '81.2.69.144', properties: {} },
    { type: 'account', value: 'alice@corp.example', properties: {} },
    { type: 'host', value: 'ws-01', properties: {} },
  ],
};

export async function addThreatIntel(prisma: PrismaClient, tenantId: string, type: string, value: string, confidence = 90): Promise<void> {
  await prisma.threatIntelIoc.create({
    data: { docId: `ioc-${randomUUID()}`, tenantId, indicatorType: type, indicatorValue: value, confidence, severity: 'high', sources: ['test-feed'] },
  });
}
