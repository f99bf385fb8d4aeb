import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { type FieldError, badInput, conflict, notFound } from '../../errors/domain-error';
import { translateDbError } from '../../errors/prisma-errors';
import { timeRangeErrors, timeRangeWhere } from '../../graphql/time-range';
import type { CtemExposureFilter, UpsertCtemExposureInput } from './ctem.inputs';
import { type ExposureNode, type ExposureRow, exposureRefConditions, toExposureNode } from './ctem.mappers';
import {
  OPEN_EXPOSURE_STATUSES,
  RESOLVED_EXPOSURE_STATUSES,
  canTransition,
  exposureKey,
  mergedSlaDeadline,
  scoreExposure,
  slaDeadline,
} from './ctem.scoring';

const EXPOSURE_ORDER: SortKey<ExposureRow>[] = [
  { field: 'ctemScore', direction: 'desc', value: (r) => r.ctemScore },
  { field: 'id', direction: 'asc', value: (r) => r.id },
];

const MAX_RETRIES = 3;

export interface UpsertExposureResult {
  exposure: ExposureNode;
  created: boolean;
  statusPreserved: boolean;
}

function isUniqueViolation(err: unknown): boolean {
  return translateDbError(err)?.code === 'CONFLICT';
}

/**
 * CTEM exposures: tenant-scoped reads, the spec §4.1 scoring upsert, and status transitions.
 * Exposures are referred to by numeric id or by exposure key (an exact 16-hex key is tried first).
 */
export class CtemExposureService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /** One exposure of the caller's tenant by numeric id or exposure key; NOT_FOUND otherwise. */
  async exposure(scope: Scope, ref: string): Promise<ExposureNode> {
    return toExposureNode(await this.findRow(scope, ref));
  }

  /** Exposures of the caller's tenant, ordered by ctemScore desc, then id. */
  async exposures(scope: Scope, filter: CtemExposureFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<ExposureNode>> {
    const f = filter ?? {};
    const errors = timeRangeErrors(f);
    if (f.minCtemScore != null && !(f.minCtemScore >= 0 && f.minCtemScore <= 10)) {
      errors.push({ path: 'filter.minCtemScore', message: 'must be between 0 and 10' });
    }
    if (errors.length) throw badInput(errors);
    const now = new Date();
    const and: Prisma.CtemExposureWhereInput[] = [{ tenantId: scope.tenantId }];
    if (f.severities?.length) and.push({ severity: { in: f.severities } });
    if (f.statuses?.length) and.push({ status: { in: f.statuses } });
    if (f.sourceTool) and.push({ sourceTool: f.sourceTool });
    if (f.assetId) and.push({ assetId: f.assetId });
    if (f.assetZone) and.push({ assetZone: f.assetZone });
    if (f.physicalConsequences?.length) and.push({ physicalConsequence: { in: f.physicalConsequences } });
    if (f.minCtemScore != null) and.push({ ctemScore: { gte: f.minCtemScore } });
    if (f.techniqueId) and.push({ OR: [{ atlasTechnique: f.techniqueId }, { attackTechnique: f.techniqueId }] });
    if (f.atlasTechnique) and.push({ atlasTechnique: f.atlasTechnique });
    if (f.attackTechnique) and.push({ attackTechnique: f.attackTechnique });
    if (f.search) and.push({ title: { contains: f.search, mode: 'insensitive' } });
    const ts = timeRangeWhere(f);
    if (ts) and.push({ ts });
    if (f.slaBreached === true) and.push({ slaDeadline: { lt: now }, status: { in: [...OPEN_EXPOSURE_STATUSES] } });
    // Spelled out rather than NOT(...): a NULL deadline would make NOT(...) NULL and drop the row.
    if (f.slaBreached === false) {
      and.push({ OR: [{ slaDeadline: null }, { slaDeadline: { gte: now } }, { status: { notIn: [...OPEN_EXPOSURE_STATUSES] } }] });
    }
    return paginate(this.prisma.ctemExposure, { AND: and }, EXPOSURE_ORDER, page, (r) => toExposureNode(r, now));
  }

  /**
   * Creates or refreshes an exposure from a tool finding (spec §4.1): computes severity, ctem_score,
   * SLA deadline and exposure key; on a re-sighting updates ts, scoring and details, keeps the earlier
   * (never a later) SLA deadline, and never reopens a VERIFIED or CLOSED exposure. Safe under
   * concurrent upserts and status changes (guarded update, retried).
   */
  async upsert(scope: Scope, input: UpsertCtemExposureInput): Promise<UpsertExposureResult> {
    this.validateUpsert(input);
    const now = new Date();
    const ts = input.ts ?? now;
    const key = exposureKey(input.sourceTool, input.title, input.assetId);
    const scored = scoreExposure({
      originalSeverity: input.originalSeverity,
      assetZone: input.assetZone,
      exploitabilityLevel: input.exploitability ?? null,
      exploitabilityScore: input.exploitabilityScore ?? null,
      physicalConsequence: input.physicalConsequence ?? null,
    });
    const details = {
      ts,
      description: input.description ?? undefined,
      severity: scored.severity,
      originalSeverity: input.originalSeverity,
      assetType: input.assetType,
      assetZone: input.assetZone,
      exploitabilityScore: scored.exploitabilityScore,
      physicalConsequence: scored.physicalConsequence,
      ctemScore: scored.ctemScore,
      atlasTechnique: input.atlasTechnique ?? undefined,
      attackTechnique: input.attackTechnique ?? undefined,
      threatModelRef: input.threatModelRef ?? undefined,
      assignedTo: input.assignedTo ?? undefined,
      remediationGuidance: input.remediationGuidance ?? undefined,
      evidenceUrl: input.evidenceUrl ?? undefined,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.audit.run(scope, async (tx) => {
          const existing = await tx.ctemExposure.findUnique({
            where: { tenantId_exposureKey: { tenantId: scope.tenantId, exposureKey: key } },
          });
          if (!existing) {
            const row = await tx.ctemExposure.create({
              data: {
                ...details,
                tenantId: scope.tenantId,
                exposureKey: key,
                sourceTool: input.sourceTool,
                title: input.title,
                assetId: input.assetId,
                status: input.status ?? 'Open',
                slaDeadline: slaDeadline(scored.severity, now),
                createdAt: now,
                updatedAt: now,
              },
            });
            return { result: { exposure: toExposureNode(row), created: true, statusPreserved: false }, events: [scoredEvent(row, 'created', null)] };
          }
          const resolved = (RESOLVED_EXPOSURE_STATUSES as readonly string[]).includes(existing.status);
          const status = input.status && !resolved ? input.status : existing.status;
          // Guard on the status we read: a concurrent transition makes this update miss and retry.
          const updated = await tx.ctemExposure.updateMany({
            where: { id: existing.id, tenantId: scope.tenantId, status: existing.status },
            data: { ...details, status, slaDeadline: mergedSlaDeadline(existing.slaDeadline, scored.severity, now), updatedAt: now },
          });
          if (updated.count === 0) throw new RetryUpsert();
          const row = await tx.ctemExposure.findUniqueOrThrow({ where: { id: existing.id } });
          const result = {
            exposure: toExposureNode(row),
            created: false,
            statusPreserved: Boolean(input.status && resolved && input.status !== existing.status),
          };
          return { result, events: [scoredEvent(row, 'rescored', existing)] };
        });
      } catch (err) {
        // A concurrent first sighting created the row, or a concurrent change moved its status: read again.
        if ((err instanceof RetryUpsert || isUniqueViolation(err)) && attempt < MAX_RETRIES) continue;
        if (err instanceof RetryUpsert) throw conflict('Exposure changed concurrently; retry');
        throw translateDbError(err) ?? err;
      }
    }
  }

  /**
   * Moves an exposure along Open → InProgress → FixDeployed → Verified → Closed (FixDeployed → InProgress
   * when verification fails). Other moves, including any reopening of Verified/Closed, are CONFLICT.
   * Setting the current status again is a no-op.
   */
  async updateStatus(scope: Scope, ref: string, status: string): Promise<ExposureNode> {
    const row = await this.findRow(scope, ref);
    if (row.status === status) return toExposureNode(row);
    if (!canTransition(row.status, status)) {
      throw conflict(`Cannot move an exposure from ${row.status} to ${status}`, { from: row.status, to: status });
    }
    const now = new Date();
    return this.audit.run(scope, async (tx) => {
      const res = await tx.ctemExposure.updateMany({
        where: { id: row.id, tenantId: scope.tenantId, status: row.status },
        data: { status, updatedAt: now },
      });
      if (res.count === 0) throw conflict('Exposure status changed concurrently; retry', { from: row.status, to: status });
      const updated = await tx.ctemExposure.findUniqueOrThrow({ where: { id: row.id } });
      // Verified is the remediation's verification (spec §3.4); other moves are workflow changes.
      const event = mutationEvent(status === 'Verified' ? 'ctem.remediation_verified' : 'config.changed', {
        entity: 'ctem_exposure',
        entityId: updated.id,
        action: 'status_changed',
        fields: ['status'],
        context: { exposure_key: updated.exposureKey, asset_id: updated.assetId },
        outcome: { state_before: row.status, state_after: updated.status },
      });
      return { result: toExposureNode(updated), events: [event] };
    });
  }

  private async findRow(scope: Scope, ref: string): Promise<ExposureRow> {
    const conditions = exposureRefConditions(ref);
    if (conditions.length === 0) throw notFound('CtemExposure', ref);
    const rows = await this.prisma.ctemExposure.findMany({ where: { tenantId: scope.tenantId, OR: conditions }, take: 2 });
    const byKey = rows.find((r) => r.exposureKey === ref.trim());
    const row = byKey ?? rows[0];
    if (!row) throw notFound('CtemExposure', ref);
    return row;
  }

  private validateUpsert(input: UpsertCtemExposureInput): void {
    const errors: FieldError[] = [];
    const text = (path: string, v: string | null | undefined, max: number, required: boolean) => {
      if (v == null) return;
      if (required && !v.trim()) errors.push({ path: `input.${path}`, message: 'must not be empty' });
      if (v.length > max) errors.push({ path: `input.${path}`, message: `at most ${max} characters` });
    };
    text('sourceTool', input.sourceTool, 100, true);
    text('title', input.title, 1000, true);
    text('assetId', input.assetId, 500, true);
    text('assetType', input.assetType, 100, true);
    text('assetZone', input.assetZone, 100, true);
    text('originalSeverity', input.originalSeverity, 50, true);
    text('description', input.description, 20_000, false);
    for (const k of ['atlasTechnique', 'attackTechnique', 'threatModelRef', 'assignedTo'] as const) text(k, input[k], 200, false);
    text('remediationGuidance', input.remediationGuidance, 20_000, false);
    text('evidenceUrl', input.evidenceUrl, 2000, false);
    const s = input.exploitabilityScore;
    if (s != null && !(Number.isFinite(s) && s >= 0 && s <= 1)) {
      errors.push({ path: 'input.exploitabilityScore', message: 'must be between 0 and 1' });
    }
    if (input.ts && input.ts.getTime() > Date.now() + 5 * 60_000) errors.push({ path: 'input.ts', message: 'must not be in the future' });
    if (errors.length) throw badInput(errors);
  }
}

class RetryUpsert extends Error {}

/** `ctem.exposure_scored` for an upsert: the score and severity decided, and the status before/after. */
function scoredEvent(row: ExposureRow, action: string, before: ExposureRow | null) {
  return mutationEvent('ctem.exposure_scored', {
    entity: 'ctem_exposure',
    entityId: row.id,
    action,
    context: { exposure_key: row.exposureKey, source_tool: row.sourceTool, asset_id: row.assetId, asset_zone: row.assetZone },
    decision: {
      decision_type: 'ctem_score',
      severity_assigned: row.severity,
      ctem_score: row.ctemScore,
      original_severity: row.originalSeverity,
      sla_deadline: row.slaDeadline ? row.slaDeadline.toISOString() : null,
    },
    outcome: { state_before: before ? before.status : null, state_after: row.status },
  });
}
