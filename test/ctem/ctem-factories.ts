import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client';

let seq = 0;

/** An exposure row written directly (bypassing the scoring upsert) so tests control every column. */
export async function makeExposure(
  prisma: PrismaClient,
  tenantId: string,
  over: Partial<{
    exposureKey: string;
    ts: Date;
    sourceTool: string;
    title: string;
    severity: string;
    assetId: string;
    assetZone: string;
    physicalConsequence: string;
    exploitabilityScore: number;
    ctemScore: number;
    atlasTechnique: string;
    attackTechnique: string;
    status: string;
    slaDeadline: Date | null;
    updatedAt: Date;
  }> = {},
) {
  seq += 1;
  return prisma.ctemExposure.create({
    data: {
      tenantId,
      exposureKey: over.exposureKey ?? randomBytes(8).toString('hex'),
      ts: over.ts ?? new Date(),
      sourceTool: over.sourceTool ?? 'wiz',
      title: over.title ?? `Finding ${seq}`,
      severity: over.severity ?? 'MEDIUM',
      originalSeverity: over.severity ?? 'MEDIUM',
      assetId: over.assetId ?? `asset-${seq}`,
      assetType: 'vm',
      assetZone: over.assetZone ?? 'Zone3_Enterprise',
      exploitabilityScore: over.exploitabilityScore ?? 0.5,
      physicalConsequence: over.physicalConsequence ?? 'data_loss',
      ctemScore: over.ctemScore ?? 1.5,
      atlasTechnique: over.atlasTechnique ?? '',
      attackTechnique: over.attackTechnique ?? '',
      status: over.status ?? 'Open',
      slaDeadline: over.slaDeadline === undefined ? new Date(Date.now() + 300 * 3_600_000) : over.slaDeadline,
      ...(over.updatedAt ? { updatedAt: over.updatedAt } : {}),
    },
  });
}

export async function makeValidation(
  prisma: PrismaClient,
  tenantId: string,
  exposureKey: string,
  over: Partial<{ validationId: string; campaignId: string; ts: Date; validationType: string; exploitable: boolean; detectionEvaded: boolean }> = {},
) {
  seq += 1;
  return prisma.ctemValidation.create({
    data: {
      tenantId,
      exposureId: exposureKey,
      validationId: over.validationId ?? `val-${seq}-${randomBytes(3).toString('hex')}`,
      campaignId: over.campaignId ?? 'camp-1',
      ts: over.ts ?? new Date(),
      validationType: over.validationType ?? 'automated',
      exploitable: over.exploitable ?? false,
      detectionEvaded: over.detectionEvaded ?? false,
    },
  });
}

export async function makeRemediation(
  prisma: PrismaClient,
  tenantId: string,
  exposureKey: string,
  over: Partial<{ remediationId: string; status: string; slaDeadline: Date | null; slaBreached: boolean; assignedTo: string; ts: Date }> = {},
) {
  seq += 1;
  return prisma.ctemRemediation.create({
    data: {
      tenantId,
      exposureId: exposureKey,
      remediationId: over.remediationId ?? `rem-${seq}-${randomBytes(3).toString('hex')}`,
      status: over.status ?? 'Assigned',
      assignedTo: over.assignedTo ?? 'alice',
      slaDeadline: over.slaDeadline === undefined ? null : over.slaDeadline,
      slaBreached: over.slaBreached ?? false,
      ts: over.ts ?? new Date(),
    },
  });
}
