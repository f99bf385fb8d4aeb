import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client';

let seq = 0;

export interface AlertOver {
  source: string;
  sourceAlertId: string;
  timestamp: Date;
  title: string;
  severity: string;
  techniques: string[];
}

/** An alert row written directly (ingest arrives with the pipeline issue). */
export async function makeAlert(prisma: PrismaClient, tenantId: string, over: Partial<AlertOver> = {}) {
  seq += 1;
  return prisma.alert.create({
    data: {
      tenantId,
      source: over.source ?? 'sentinel',
      sourceAlertId: over.sourceAlertId ?? `sa-${seq}-${randomBytes(4).toString('hex')}`,
      timestamp: over.timestamp ?? new Date(),
      title: over.title ?? `Alert ${seq}`,
      severity: over.severity ?? 'medium',
      techniques: over.techniques ?? [],
      tactics: [],
      entities: [{ type: 'host', value: `host-${seq}`, properties: {} }],
      product: 'Microsoft Sentinel',
      rawPayload: { id: seq },
    },
  });
}

export interface InvestigationOver {
  state: string;
  severity: string;
  classification: string | null;
  confidence: number;
  createdAt: Date;
  title: string;
  source: string;
  graphState: Record<string, unknown>;
  closedAt: Date | null;
  unrecoverableError: string | null;
  llmCalls: number;
  totalCostUsd: number;
  version: number;
}

export async function makeInvestigation(prisma: PrismaClient, tenantId: string, alertPk: string, over: Partial<InvestigationOver> = {}) {
  return prisma.investigationState.create({
    data: {
      tenantId,
      alertId: alertPk,
      state: over.state ?? 'received',
      severity: over.severity ?? 'medium',
      classification: over.classification ?? null,
      confidence: over.confidence ?? 0,
      title: over.title ?? 'Investigation',
      source: over.source ?? 'sentinel',
      graphState: (over.graphState ?? {}) as object,
      closedAt: over.closedAt ?? null,
      unrecoverableError: over.unrecoverableError ?? null,
      llmCalls: over.llmCalls ?? 0,
      totalCostUsd: over.totalCostUsd ?? 0,
      version: over.version ?? 0,
      ...(over.createdAt ? { createdAt: over.createdAt } : {}),
    },
  });
}

/** Alert + investigation in one go. */
export async function makeCase(prisma: PrismaClient, tenantId: string, alert: Partial<AlertOver> = {}, inv: Partial<InvestigationOver> = {}) {
  const a = await makeAlert(prisma, tenantId, alert);
  const i = await makeInvestigation(prisma, tenantId, a.alertPk, { title: a.title, source: a.source, severity: a.severity, ...inv });
  return { alert: a, investigation: i };
}

export async function makeApproval(
  prisma: PrismaClient,
  tenantId: string,
  investigationId: string,
  over: Partial<{ status: string; riskTier: number; expiresAt: Date; requestedAt: Date; action: string; decisions: unknown[]; requiredApprovals: number }> = {},
) {
  return prisma.approval.create({
    data: {
      tenantId,
      investigationId,
      action: over.action ?? 'isolate_endpoint',
      target: 'host-1',
      riskTier: over.riskTier ?? 2,
      requestedBy: 'system:response_agent',
      requiredApprovals: over.requiredApprovals ?? 1,
      decisions: (over.decisions ?? []) as object[],
      status: over.status ?? 'pending',
      expiresAt: over.expiresAt ?? new Date(Date.now() + 4 * 3_600_000),
      ...(over.requestedAt ? { requestedAt: over.requestedAt } : {}),
    },
  });
}
