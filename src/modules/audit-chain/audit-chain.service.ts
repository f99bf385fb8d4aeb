import type { AuditSigningKey } from '../../audit/audit.checkpoints';
import { auditInclusionProof } from '../../audit/audit.checkpoints';
import { verifyAuditChain } from '../../audit/audit.verify';
import type { SqlDriver } from '../../db/sql-driver';
import { type Role, type Scope, hasRole } from '../../auth/scope';
import { badInput, forbidden, unauthenticated } from '../../errors/domain-error';
import type { PrismaClient } from '../../generated/prisma/client';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import type { AppPubSub } from '../../pubsub/pubsub';
import type { AuditRecordMessage } from '../../pubsub/topics';
import { type AuditRecordNode, toRecordNode } from '../audit-log/audit-log.service';

type CheckpointRow = Awaited<ReturnType<PrismaClient['auditCheckpoint']['findFirstOrThrow']>>;

export interface CheckpointNode {
  sequence: number;
  headHash: string;
  merkleRoot: string;
  treeSize: number;
  signature: string;
  keyFingerprint: string;
  createdAt: Date;
}

export interface AuditEventFilterArgs {
  categories?: string[] | null;
  eventTypes?: string[] | null;
  severities?: string[] | null;
  /** Only records about this investigation. */
  investigationId?: string | null;
}

export interface StreamOptions {
  /** Role the subscriber must hold, re-checked with its key for every record (default approver). */
  role?: Role;
}

const CHECKPOINT_ORDER: SortKey<CheckpointRow>[] = [
  { field: 'sequenceNumber', direction: 'desc', value: (r) => r.sequenceNumber },
];
const REPLAY_PAGE = 500;
/** How long the live stream may stay silent before it looks in the table for records it was not sent. */
const CATCH_UP_MS = 2_000;
/** How long a key's validity is trusted before the stream looks again. */
const KEY_CHECK_MS = 5_000;

function toCheckpointNode(r: CheckpointRow): CheckpointNode {
  return {
    sequence: Number(r.sequenceNumber),
    headHash: r.headHash,
    merkleRoot: r.merkleRoot,
    treeSize: Number(r.treeSize),
    signature: r.signature,
    keyFingerprint: r.keyFingerprint,
    createdAt: r.createdAt,
  };
}

function fromMessage(m: AuditRecordMessage): AuditRecordNode {
  return {
    ...m,
    timestamp: new Date(m.timestamp),
    ingestedAt: new Date(m.ingestedAt),
    context: m.context as AuditRecordNode['context'],
    decision: m.decision as AuditRecordNode['decision'],
    outcome: m.outcome as AuditRecordNode['outcome'],
  };
}

/**
 * One pub/sub message is parsed once and handed to every subscriber of the tenant: convert its records once
 * too (keyed by the message object; the nodes are shared read-only), instead of once per subscriber.
 */
const converted = new WeakMap<object, AuditRecordNode[]>();
function recordsOf(message: { records: AuditRecordMessage[] }): AuditRecordNode[] {
  let nodes = converted.get(message);
  if (!nodes) {
    nodes = message.records.map(fromMessage);
    converted.set(message, nodes);
  }
  return nodes;
}

function matches(f: AuditEventFilterArgs, r: AuditRecordNode): boolean {
  if (f.categories?.length && !f.categories.includes(r.eventCategory)) return false;
  if (f.eventTypes?.length && !f.eventTypes.includes(r.eventType)) return false;
  if (f.severities?.length && !f.severities.includes(r.severity)) return false;
  if (f.investigationId && r.investigationId !== f.investigationId) return false;
  return true;
}

function assertAuditReader(scope: Scope, role: Role = 'approver'): void {
  if (!hasRole(scope, role)) throw forbidden(`Requires role ${role}`);
}

/** How long the kept verification connection may stay idle. */
const WARM_CONNECTION_IDLE_MS = 5 * 60_000;

/**
 * The verifiable side of the audit trail for API callers: verification runs, signed checkpoints,
 * inclusion proofs, the public key, and the live, resumable event stream. Always the caller's tenant.
 */
export class AuditChainService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly key: AuditSigningKey,
    private readonly pubsub: AppPubSub,
    /** Server PostgreSQL: a dedicated connection for verification (binary COPY read path, ~2× faster). */
    private readonly rawConnection?: () => Promise<SqlDriver>,
  ) {}

  private readonly keyChecks = new Map<string, { active: boolean; until: number }>();

  /** Whether an API key still authenticates (cached for a few seconds per key). */
  private async keyActive(keyId: string): Promise<boolean> {
    const now = Date.now();
    const hit = this.keyChecks.get(keyId);
    if (hit && hit.until > now) return hit.active;
    const row = await this.prisma.apiKey.findUnique({ where: { keyId }, select: { revokedAt: true, expiresAt: true } });
    const active = !!row && !row.revokedAt && (!row.expiresAt || row.expiresAt.getTime() > now);
    this.keyChecks.set(keyId, { active, until: now + KEY_CHECK_MS });
    return active;
  }

  /** The checkpoint signing key (public half). */
  publicKey(_scope: Scope): { fingerprint: string; publicKeyPem: string; algorithm: string } {
    return { fingerprint: this.key.fingerprint, publicKeyPem: this.key.publicKeyPem, algorithm: 'ed25519' };
  }

  /** Recomputes every hash and link of the range and records the run in audit_verification_log. */
  async verify(scope: Scope, range: { fromSequence?: number | null; toSequence?: number | null }) {
    assertAuditReader(scope);
    const errors = [];
    for (const k of ['fromSequence', 'toSequence'] as const) {
      const v = range[k];
      if (v != null && v < 1) errors.push({ path: k, message: 'must be ≥ 1' });
    }
    if (range.fromSequence != null && range.toSequence != null && range.toSequence < range.fromSequence) {
      errors.push({ path: 'toSequence', message: 'must not be before fromSequence' });
    }
    if (errors.length) throw badInput(errors);
    const options = { fromSequence: range.fromSequence ?? undefined, toSequence: range.toSequence ?? undefined, verificationType: 'on_demand' as const };
    const report = this.rawConnection ? await this.verifyOnRawConnection(scope, options) : await verifyAuditChain(this.prisma, scope, options);
    return {
      valid: report.valid,
      recordsChecked: report.recordsChecked,
      fromSequence: report.fromSequence,
      toSequence: report.toSequence,
      firstBrokenSequence: report.firstBrokenSequence,
      breakKind: report.breakKind,
      errors: report.errors,
      checkpointSequence: report.checkpoint?.sequence ?? null,
      durationMs: report.durationMs,
      logId: report.logId,
    };
  }

  /**
   * Verification on a dedicated raw connection. One such connection is kept open between verifications
   * (closed after {@link WARM_CONNECTION_IDLE_MS} idle, or by close()): a new PostgreSQL backend first has
   * to fault in the shared buffers it reads, which made a verification on a fresh connection ~25–35 %
   * slower. Concurrent verifications open their own. A kept connection that fails is dropped and the
   * verification runs once more on a new one.
   */
  private async verifyOnRawConnection(scope: Scope, options: Parameters<typeof verifyAuditChain>[2]): Promise<Awaited<ReturnType<typeof verifyAuditChain>>> {
    const kept = this.warm;
    this.warm = null;
    if (this.warmTimer) clearTimeout(this.warmTimer);
    const conn = kept ?? (await this.rawConnection!());
    let report: Awaited<ReturnType<typeof verifyAuditChain>>;
    try {
      report = await verifyAuditChain(conn, scope, options);
    } catch (err) {
      await conn.close().catch(() => undefined);
      if (!kept) throw err;
      return this.verifyOnRawConnection(scope, options);
    }
    if (this.warm || this.closed) {
      await conn.close().catch(() => undefined);
    } else {
      this.warm = conn;
      // a kept connection the server closes is dropped (never an unhandled 'error' event)
      conn.pgClient?.once('error', () => {
        if (this.warm === conn) this.warm = null;
        void conn.close().catch(() => undefined);
      });
      this.warmTimer = setTimeout(() => void this.close(), WARM_CONNECTION_IDLE_MS);
      this.warmTimer.unref();
    }
    return report;
  }

  private warm: SqlDriver | null = null;
  private warmTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** Closes the kept verification connection (at shutdown, or when it has been idle). */
  async close(final = false): Promise<void> {
    if (final) this.closed = true;
    if (this.warmTimer) clearTimeout(this.warmTimer);
    const conn = this.warm;
    this.warm = null;
    await conn?.close().catch(() => undefined);
  }

  /** Signed checkpoints of the caller's tenant, newest first. */
  async checkpoints(scope: Scope, page: PageArgs): Promise<ConnectionShape<CheckpointNode>> {
    assertAuditReader(scope);
    return paginate(this.prisma.auditCheckpoint, { tenantId: scope.tenantId }, CHECKPOINT_ORDER, page, toCheckpointNode);
  }

  /** The audit path of one record to the newest checkpoint covering it. */
  async inclusionProof(scope: Scope, sequence: number) {
    assertAuditReader(scope);
    if (!Number.isSafeInteger(sequence) || sequence < 1) throw badInput([{ path: 'sequence', message: 'must be ≥ 1' }]);
    const proof = await auditInclusionProof(this.prisma, scope.tenantId, sequence);
    return {
      sequence: proof.sequence,
      leafIndex: proof.leafIndex,
      treeSize: proof.treeSize,
      recordHash: proof.recordHash,
      auditPath: proof.auditPath,
      checkpoint: {
        sequence: proof.checkpoint.sequence,
        headHash: proof.checkpoint.headHash,
        merkleRoot: proof.checkpoint.merkleRoot,
        treeSize: proof.checkpoint.treeSize,
        signature: proof.checkpoint.signature,
        keyFingerprint: proof.checkpoint.keyFingerprint,
        createdAt: proof.checkpoint.createdAt,
      },
    };
  }

  private async rowsAfter(tenantId: string, after: number, upTo?: number): Promise<AuditRecordNode[]> {
    const rows = await this.prisma.auditRecord.findMany({
      where: { tenantId, sequenceNumber: { gt: BigInt(after), ...(upTo !== undefined ? { lte: BigInt(upTo) } : {}) } },
      orderBy: { sequenceNumber: 'asc' },
      take: REPLAY_PAGE,
    });
    return rows.map(toRecordNode);
  }

  private async head(tenantId: string): Promise<number> {
    const s = await this.prisma.auditChainState.findUnique({ where: { tenantId }, select: { lastSequence: true } });
    return s ? Number(s.lastSequence) : 0;
  }

  /**
   * The tenant's audit records after `afterSequence` (replayed from the table), then live as they commit,
   * in sequence order with no gap and no duplicate: the live listener starts BEFORE the replay; every record
   * is delivered once by sequence; a live record that skips ahead makes the stream read the missing ones
   * from the table; a silent live stream is topped up from the table every few seconds (a lost pub/sub
   * message only delays delivery). The caller's key and role are re-checked for every record.
   * Without `afterSequence` the stream starts at the current head.
   */
  async *stream(
    scope: Scope,
    filter: AuditEventFilterArgs | null | undefined,
    afterSequence: number | null | undefined,
    options: StreamOptions = {},
  ): AsyncGenerator<AuditRecordNode> {
    assertAuditReader(scope, options.role);
    if (afterSequence != null && afterSequence < 0) throw badInput([{ path: 'afterSequence', message: 'must be ≥ 0' }]);
    const f = filter ?? {};
    const live = this.pubsub.subscribe('audit.records', scope.tenantId)[Symbol.asyncIterator]();
    let pendingLive = live.next(); // starts listening now; events are buffered until read
    let last = afterSequence ?? (await this.head(scope.tenantId));
    const pending: AuditRecordNode[] = [];
    const checkRights = async () => {
      if (scope.keyId && !(await this.keyActive(scope.keyId))) throw unauthenticated('API key revoked or expired');
    };
    try {
      for (;;) {
        // 1. Everything the table has after `last` (replay, gap fill and catch-up are the same loop).
        for (;;) {
          const rows = await this.rowsAfter(scope.tenantId, last);
          for (const r of rows) {
            last = r.sequenceNumber;
            if (!matches(f, r)) continue;
            await checkRights();
            yield r;
          }
          if (rows.length < REPLAY_PAGE) break;
        }
        // 2. Live messages, until one skips ahead (→ back to the table) or the stream goes quiet.
        for (;;) {
          let timer: NodeJS.Timeout | undefined;
          const quiet = new Promise<'quiet'>((resolve) => {
            timer = setTimeout(() => resolve('quiet'), CATCH_UP_MS);
          });
          const next = await Promise.race([pendingLive, quiet]);
          clearTimeout(timer);
          if (next === 'quiet') break;
          pendingLive = live.next();
          if (next.done) return;
          pending.push(...recordsOf(next.value));
          let skipped = false;
          while (pending.length) {
            const r = pending.shift()!;
            if (r.sequenceNumber <= last) continue; // already delivered (replay overlap)
            if (r.sequenceNumber > last + 1) {
              skipped = true;
              pending.length = 0;
              break;
            }
            last = r.sequenceNumber;
            if (!matches(f, r)) continue;
            await checkRights();
            yield r;
          }
          if (skipped) break;
        }
      }
    } finally {
      await live.return?.();
    }
  }
}
