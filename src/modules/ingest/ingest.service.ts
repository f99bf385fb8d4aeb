import { randomUUID } from 'node:crypto';
import type { AuditEventInput, SqlTx } from '../../audit/audit.append';
import type { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { initialGraphState } from '../../engine/graph-state';
import { investigationFromSql, type InvestigationSqlRow } from '../../engine/runtime/transition';
import { type WorkQueue, severityPriority } from '../../engine/queue';
import { badInput } from '../../errors/domain-error';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { adaptPayload, validateCanonicalInput } from '../../ingest/adapters';
import { joinPath } from '../../ingest/adapters/adapter.kit';
import { type AdapterOutcome, type AlertSource, type CanonicalAlert, isAlertSource } from '../../ingest/canonical';
import type { Logger } from '../../observability/logger';
import { type InvestigationNode, type InvestigationRow, toInvestigationNode } from '../investigations/investigation.mappers';

/** Most payloads one ingestAlerts call may carry. */
export const MAX_INGEST_PAYLOADS = 500;
/** Calls with at most this many alerts may share their transaction with other calls (group commit). */
export const GROUP_COMMIT_MAX_ALERTS = 100;
/** Most alerts one call may yield after envelopes are split (they commit in one transaction). */
export const MAX_INGEST_ALERTS = 1000;

export interface IngestError {
  code: 'BAD_USER_INPUT';
  message: string;
  path: string;
}

/** The outcome of one alert, in payload order. */
export interface IngestResult {
  investigation: InvestigationNode | null;
  deduplicated: boolean;
  dropped: boolean;
  /** Why it was dropped (`heartbeat`), else null. */
  reason: string | null;
  error: IngestError | null;
}

export interface IngestDeps {
  prisma: PrismaClient;
  logger: Logger;
  audit: AuditRecorder;
  queue: WorkQueue;
}

type Pending = { index: number; alert: CanonicalAlert; key: string };

const keyOf = (a: Pick<CanonicalAlert, 'source' | 'alertId'>) => `${a.source}\u0000${a.alertId}`;

/** PostgreSQL text and jsonb cannot hold U+0000: such an alert is rejected rather than failing its batch. */
function hasNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (depth > 64 || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => hasNul(x, depth + 1));
  return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x, depth + 1));
}

const rejected = (path: string, message: string): IngestResult => ({
  investigation: null,
  deduplicated: false,
  dropped: false,
  reason: null,
  error: { code: 'BAD_USER_INPUT', message, path },
});

/**
 * Ingest (spec §1.4 step 1): vendor payloads → canonical alerts → one transaction storing every new
 * alert, its investigation (state `received`) and an `investigation.state_changed` audit record; the
 * work is enqueued after the commit. Idempotent on (tenant, source, vendor alert id).
 */
export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  /**
   * Maps and stores `payloads` of `source` for the caller's tenant: one result per alert, in order
   * (a payload that is an envelope yields one per alert inside it). Unmappable alerts are reported with
   * their path (`payloads[i].…`) and store nothing; heartbeats are reported as dropped.
   * @throws BAD_USER_INPUT for an unknown source or more than MAX_INGEST_PAYLOADS payloads / MAX_INGEST_ALERTS alerts.
   */
  async ingest(scope: Scope, source: AlertSource | string, payloads: unknown[], pathRoot = 'payloads'): Promise<IngestResult[]> {
    if (!isAlertSource(source)) throw badInput([{ path: 'source', message: 'unknown alert source' }]);
    if (payloads.length > MAX_INGEST_PAYLOADS) {
      throw badInput([{ path: pathRoot, message: `at most ${MAX_INGEST_PAYLOADS} payloads per call` }]);
    }
    const items = payloads.flatMap((p, i) => {
      const at = `${pathRoot}[${i}]`;
      return adaptPayload(source, p).map((o) => ({ outcome: withPrefix(o, at), at }));
    });
    return this.store(scope, items, pathRoot);
  }

  /**
   * Ingests one canonical alert (`ingestAlert`); validation errors carry `input.<field>` paths.
   */
  async ingestCanonical(scope: Scope, input: object): Promise<IngestResult> {
    // GraphQL input objects are class instances with unset fields: hand the validator a plain object.
    const plain = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== null));
    const [result] = await this.store(scope, [{ outcome: validateCanonicalInput(plain, 'input'), at: 'input' }], 'input');
    return result!;
  }

  /**
   * Ingests a webhook body as the vendor sent it (an alert, an array or an envelope); error paths are
   * relative to the body.
   */
  async ingestBody(scope: Scope, source: AlertSource | string, body: unknown): Promise<IngestResult[]> {
    if (!isAlertSource(source)) throw badInput([{ path: 'source', message: 'unknown alert source' }]);
    return this.store(scope, adaptPayload(source, body).map((outcome) => ({ outcome, at: '' })), 'body');
  }

  /** `items[i].at`: path of the payload the outcome came from (for errors found after mapping). */
  private async store(scope: Scope, items: { outcome: AdapterOutcome; at: string }[], pathRoot: string): Promise<IngestResult[]> {
    if (items.length > MAX_INGEST_ALERTS) {
      throw badInput([{ path: pathRoot, message: `at most ${MAX_INGEST_ALERTS} alerts per call (got ${items.length})` }]);
    }
    const results: (IngestResult | undefined)[] = new Array(items.length);
    const primaries: Pending[] = [];
    const repeats: Pending[] = [];
    const seen = new Set<string>();
    items.forEach(({ outcome: o, at }, index) => {
      if (!o.ok) {
        results[index] = rejected(o.error.path, o.error.message);
        return;
      }
      const alert = o.alert;
      if (alert.isHeartbeat) {
        results[index] = { investigation: null, deduplicated: false, dropped: true, reason: 'heartbeat', error: null };
        return;
      }
      if (hasNul(alert)) {
        results[index] = rejected(at, 'the alert contains a NUL character (U+0000), which cannot be stored');
        return;
      }
      const key = keyOf(alert);
      // The same alert twice in one call: stored once, the later copies are reported as duplicates.
      (seen.has(key) ? repeats : primaries).push({ index, alert, key });
      seen.add(key);
    });
    if (primaries.length > 0) {
      const { created, existing } = await this.persist(scope, primaries);
      const byKey = new Map<string, InvestigationNode | null>();
      for (const p of primaries) {
        const c = created.get(p.key);
        if (c) {
          results[p.index] = { investigation: c, deduplicated: false, dropped: false, reason: null, error: null };
        } else {
          const e = existing.get(p.key) ?? null;
          results[p.index] = { investigation: e, deduplicated: true, dropped: false, reason: null, error: null };
        }
        byKey.set(p.key, results[p.index]!.investigation);
      }
      for (const r of repeats) {
        results[r.index] = { investigation: byKey.get(r.key) ?? null, deduplicated: true, dropped: false, reason: null, error: null };
      }
      await this.enqueue(scope, [...created.values()]);
    }
    return results.map((r) => r!);
  }

  /** One transaction: insert new alerts (conflicts skipped), their investigations and audit records. */
  private async persist(scope: Scope, pending: Pending[]) {
    const tenantId = scope.tenantId;
    // A stable insertion order keeps concurrent batches from deadlocking on each other's unique keys.
    const sorted = [...pending].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const timeout = Math.min(60_000, 10_000 + pending.length * 50);
    const work = async (tx: SqlTx) => {
        // One statement inserts the alerts (INSERT … ON CONFLICT DO NOTHING: a concurrent identical ingest
        // waits for ours, then skips) and, for the alerts it inserted, their investigations (state received).
        // Plain SQL with the rows as one JSON parameter: the model layer would walk every payload's JSON to
        // serialise it. Keys are made here, so each investigation's GraphState is complete before the insert.
        const now = new Date();
        const planned = sorted.map((p) => {
          const alertId = randomUUID();
          const investigationId = randomUUID();
          // as stored (JSON): what a read of the row gives
          const graphState = JSON.parse(JSON.stringify(initialGraphState(p.alert, { investigationId, tenantId, alertId }))) as Prisma.JsonValue;
          return { p, alertId, investigationId, graphState };
        });
        const inserted = await tx.$queryRawUnsafe<{ alert_pk: string }[]>(
          `WITH v AS (
             SELECT * FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (alert_pk TEXT, source TEXT, source_alert_id TEXT, "timestamp" TIMESTAMPTZ,
                    title TEXT, description TEXT, severity TEXT, tactics TEXT[], techniques TEXT[], entities JSONB, product TEXT,
                    raw_payload JSONB, investigation_id TEXT, graph_state JSONB))
                    WITH ORDINALITY AS v(alert_pk, source, source_alert_id, "timestamp", title, description, severity, tactics, techniques,
                    entities, product, raw_payload, investigation_id, graph_state, ord)
           ),
           ins AS (
             INSERT INTO alerts (alert_pk, tenant_id, source, source_alert_id, "timestamp", title, description, severity, tactics, techniques,
                                 entities, product, raw_payload)
             SELECT alert_pk, $1, source, source_alert_id, "timestamp", title, description, severity, tactics, techniques, entities, product, raw_payload
               FROM v ORDER BY ord
             ON CONFLICT (tenant_id, source, source_alert_id) DO NOTHING
             RETURNING alert_pk
           ),
           inv AS (
             INSERT INTO investigation_state (investigation_id, state, alert_id, tenant_id, graph_state, version, severity, title, source,
                                              created_at, updated_at)
             SELECT v.investigation_id, 'received', v.alert_pk, $1, v.graph_state, 0, v.severity, v.title, v.source, $3::timestamptz, $3::timestamptz
               FROM v JOIN ins ON ins.alert_pk = v.alert_pk
              ORDER BY v.ord
           )
           SELECT alert_pk FROM ins`,
          tenantId,
          JSON.stringify(
            planned.map(({ p: { alert }, alertId, investigationId, graphState }) => ({
              alert_pk: alertId,
              source: alert.source,
              source_alert_id: alert.alertId,
              timestamp: new Date(alert.timestamp).toISOString(),
              title: alert.title,
              description: alert.description,
              severity: alert.severity,
              tactics: alert.tactics,
              techniques: alert.techniques,
              entities: alert.entities,
              product: alert.product,
              raw_payload: alert.rawPayload,
              investigation_id: investigationId,
              graph_state: graphState,
            })),
          ),
          now.toISOString(),
        );
        const insertedPks = new Set(inserted.map((r) => r.alert_pk));
        const newAlertPk = new Map(planned.filter((x) => insertedPks.has(x.alertId)).map((x) => [x.p.key, x.alertId]));

        const existing = new Map<string, InvestigationNode | null>();
        const dupes = sorted.filter((p) => !newAlertPk.has(p.key));
        if (dupes.length > 0) {
          // each duplicate's first investigation (a concurrent identical ingest committed it before our ON CONFLICT)
          const rows = await tx.$queryRawUnsafe<(InvestigationSqlRow & { a_source: string; a_source_alert_id: string })[]>(
            `SELECT a.source AS a_source, a.source_alert_id AS a_source_alert_id, i.*
               FROM alerts a
               LEFT JOIN LATERAL (SELECT * FROM investigation_state s WHERE s.tenant_id = a.tenant_id AND s.alert_id = a.alert_pk
                                   ORDER BY s.created_at ASC LIMIT 1) i ON true
              WHERE a.tenant_id = $1 AND (a.source, a.source_alert_id) IN (SELECT s, id FROM unnest($2::text[], $3::text[]) AS d(s, id))`,
            tenantId,
            dupes.map((p) => p.alert.source),
            dupes.map((p) => p.alert.alertId),
          );
          for (const r of rows) {
            existing.set(keyOf({ source: r.a_source as AlertSource, alertId: r.a_source_alert_id }), r.investigation_id ? toInvestigationNode(investigationFromSql(r)) : null);
          }
          const missing = dupes.filter((p) => !existing.has(p.key));
          if (missing.length > 0) throw new Error(`ingest: ${missing.length} conflicting alert(s) not visible after ON CONFLICT`);
        }

        const fresh = planned.filter((x) => insertedPks.has(x.alertId));
        const ids = new Map(fresh.map((x) => [x.p.key, x.investigationId]));
        const invRows: InvestigationRow[] = fresh.map(({ p: { alert }, alertId, investigationId, graphState }) => ({
          investigationId,
          state: 'received',
          alertId,
          tenantId,
          graphState,
          confidence: 0,
          llmCalls: 0,
          totalCostUsd: 0,
          createdAt: now,
          updatedAt: now,
          version: 0,
          severity: alert.severity,
          classification: null,
          title: alert.title,
          source: alert.source,
          leaseOwner: null,
          leaseExpiresAt: null,
          closedAt: null,
          unrecoverableError: null,
        }));
        const byId = new Map(invRows.map((r) => [r.investigationId, r]));
        const created = new Map<string, InvestigationNode>();
        const events: AuditEventInput[] = [];
        for (const { p } of fresh) {
          const row = byId.get(ids.get(p.key)!)!;
          created.set(p.key, toInvestigationNode(row));
          events.push({
            eventType: 'investigation.state_changed',
            investigationId: row.investigationId,
            alertId: row.alertId,
            context: { from_state: null, to_state: 'received', source: p.alert.source, source_alert_id: p.alert.alertId },
          });
        }
        return { result: { created, existing }, events };
    };
    // Up to GROUP_COMMIT_MAX_ALERTS alerts share a transaction with other callers of the tenant (group
    // commit: one chain lock and one WAL flush for many concurrent single-alert requests); larger
    // batches are a group of their own.
    return pending.length <= GROUP_COMMIT_MAX_ALERTS ? this.deps.audit.runGrouped(scope, work) : this.deps.audit.run(scope, work, { maxWait: 10_000, timeout });
  }

  /** After commit. A failed enqueue loses nothing: the reconciler re-queues non-terminal investigations. */
  private async enqueue(scope: Scope, investigations: InvestigationNode[]): Promise<void> {
    await Promise.all(
      investigations.map((inv) =>
        this.deps.queue
          .enqueue(
            { tenantId: scope.tenantId, investigationId: inv.id, kind: 'step' },
            { priority: severityPriority(inv.severity), jobId: `${inv.id}-received` },
          )
          .catch((err: unknown) =>
            this.deps.logger.warn({ err, tenantId: scope.tenantId, investigationId: inv.id, requestId: scope.requestId }, 'enqueue after ingest failed; the reconciler will pick it up'),
          ),
      ),
    );
  }
}

function withPrefix(o: AdapterOutcome, prefix: string): AdapterOutcome {
  return o.ok ? o : { ok: false, error: { ...o.error, path: joinPath(prefix, o.error.path) } };
}
