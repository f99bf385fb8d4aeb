import type { PrismaClient } from '../generated/prisma/client';
import type { Scope } from '../auth/scope';
import type { SqlTransactionRunner } from '../db/sql-driver';
import { type AuditedResult, type AuditEntry, type AuditTx, appendAuditEntries, type SqlTx, withAudit } from './audit.append';
import type { AuditRow } from './record-hash';

/** Receives the records of each committed transaction (pub/sub fan-out). */
export interface AuditPublisher {
  publishAudit(tenantId: string, records: readonly AuditRow[]): void;
}

/** Group commit settings of {@link AuditRecorder.runGrouped}. */
export interface GroupCommitOptions {
  /** Most callers sharing one transaction (default 64); 1 turns group commit off. */
  maxBatch?: number;
  /** Groups of one tenant in flight at once (default 3); each holds a connection. */
  maxInFlight?: number;
  /** Interactive-transaction timeout of a group (default 30 s). */
  timeoutMs?: number;
  /**
   * Runs a group's transaction outside Prisma (Database.sqlTransaction on server PostgreSQL: a pooled
   * node-postgres connection, BEGIN … COMMIT). Default: a Prisma interactive transaction.
   */
  sqlTransaction?: SqlTransactionRunner;
}


/** Group-committed work: raw statements only (the group's transaction may not be Prisma's). */
type Work<T> = (tx: SqlTx) => Promise<AuditedResult<T>>;

interface Pending {
  scope: Scope;
  fn: Work<unknown>;
  resolve(v: unknown): void;
  reject(err: unknown): void;
}

/** Group commits run / fell back to one transaction per caller (metrics and tests). */
export interface GroupCommitStats {
  groups: number;
  grouped: number;
  fallbacks: number;
}

/**
 * Writes that callers of one group may hand over to be done for all of them in one statement (e.g. the
 * version-guarded transitions of 20 investigations as one UPDATE instead of 20 round trips). A buffer's
 * flush runs after every caller's work and before the audit records are appended; if it throws (say a
 * version guard matched fewer rows than buffered), the whole group fails and every caller is re-run alone,
 * where `currentGroup(tx)` is undefined and callers write immediately.
 */
export interface GroupWrites {
  buffer<T>(key: string, flush: (tx: SqlTx, items: T[]) => Promise<void>): { push(item: T): void };
}

/** Transactions that are shared by a group → the group's deferred writes. */
const groupsByTx = new WeakMap<object, GroupWrites>();

/** The group whose shared transaction `tx` is (inside a `runGrouped` callback), if any. */
export function currentGroup(tx: SqlTx): GroupWrites | undefined {
  return groupsByTx.get(tx);
}

class GroupBuffers implements GroupWrites {
  private readonly buffers = new Map<string, { items: unknown[]; flush: (tx: SqlTx, items: unknown[]) => Promise<void> }>();

  buffer<T>(key: string, flush: (tx: SqlTx, items: T[]) => Promise<void>): { push(item: T): void } {
    let b = this.buffers.get(key);
    if (!b) {
      b = { items: [], flush: flush as (tx: SqlTx, items: unknown[]) => Promise<void> };
      this.buffers.set(key, b);
    }
    const items = b.items;
    return { push: (item: T) => void items.push(item) };
  }

  async flushAll(tx: SqlTx): Promise<void> {
    for (const b of this.buffers.values()) if (b.items.length > 0) await b.flush(tx, b.items);
  }
}

/** A group's records between sequence assignment and publication. */
interface Publication {
  firstSequence: number;
  records: readonly AuditRow[];
  state: 'assigned' | 'committed' | 'aborted';
}

/** A tenant's group-commit lane: callers waiting, groups in flight, publications in sequence order. */
interface Lane {
  waiting: Pending[];
  inFlight: number;
  publications: Publication[];
  /** Settles when the group appending now has its records in (not committed): the next group's turn. */
  appendTurn: Promise<void>;
}

/**
 * How services record what they do: the change and its audit records commit in ONE transaction
 * (serialised per tenant on the chain head), and the records are published only after the commit.
 *
 * Group commit (`runGrouped`, the pipeline's hot paths: ingest and agent transitions). A tenant's chain
 * head is a single lock held until COMMIT, so one transaction per change caps a tenant at one commit
 * (one WAL flush) at a time. `runGrouped` queues the change on the tenant's lane instead: callers that
 * arrive while the lane is busy are taken together, run one after another in ONE transaction, and their
 * audit records are appended under one lock and one INSERT. Up to `maxInFlight` such groups run at once
 * (their changes proceed in parallel; only the chain lock, the INSERT and the COMMIT are serial). Each
 * change is still atomic with its own audit records (they commit together or not at all), each caller
 * gets its own result or error, and records are published in sequence order: a group that committed
 * waits for any group holding lower sequence numbers to commit (or roll back) first. If a shared
 * transaction fails (one caller's CONFLICT, a deadlock), every caller of that group is re-run in its own
 * transaction, so one caller's failure is never another's. Callers' work must therefore be re-runnable:
 * database writes only, no outside side effects.
 */
export class AuditRecorder {
  private readonly lanes = new Map<string, Lane>();
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private readonly sqlTransaction?: SqlTransactionRunner;
  readonly stats: GroupCommitStats = { groups: 0, grouped: 0, fallbacks: 0 };

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher?: AuditPublisher,
    group: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, group.maxBatch ?? 64);
    this.maxInFlight = Math.max(1, group.maxInFlight ?? 3);
    this.timeoutMs = group.timeoutMs ?? 30_000;
    this.sqlTransaction = group.sqlTransaction;
  }

  /** Runs `fn` in a transaction, appends the events it returns, commits, then publishes them. */
  async run<T>(scope: Scope, fn: (tx: AuditTx) => Promise<AuditedResult<T>>, txOptions?: { maxWait?: number; timeout?: number }): Promise<T> {
    const { result, records } = await withAudit(this.prisma, scope, fn, txOptions);
    if (records.length > 0) this.publisher?.publishAudit(scope.tenantId, records);
    return result;
  }

  /**
   * Like `run`, but the change may share its transaction with other callers of the same tenant (group
   * commit, see the class comment). `fn` may run twice (once in a group that failed, once alone).
   */
  runGrouped<T>(scope: Scope, fn: Work<T>): Promise<T> {
    if (this.maxBatch === 1) return this.run(scope, fn, { maxWait: this.timeoutMs, timeout: this.timeoutMs });
    return new Promise<T>((resolve, reject) => {
      let lane = this.lanes.get(scope.tenantId);
      if (!lane) {
        lane = { waiting: [], inFlight: 0, publications: [], appendTurn: Promise.resolve() };
        this.lanes.set(scope.tenantId, lane);
      }
      lane.waiting.push({ scope, fn: fn as Work<unknown>, resolve: resolve as (v: unknown) => void, reject });
      this.pump(scope.tenantId, lane);
    });
  }

  /** Publishes records a caller appended in its own transaction (call after that transaction committed). */
  published(tenantId: string, records: readonly AuditRow[]): void {
    if (records.length > 0) this.publisher?.publishAudit(tenantId, records);
  }

  /** Starts groups while the lane has waiting callers and room for another group in flight. */
  private pump(tenantId: string, lane: Lane): void {
    while (lane.waiting.length > 0 && lane.inFlight < this.maxInFlight) {
      const group = lane.waiting.splice(0, this.maxBatch);
      lane.inFlight++;
      void this.commitGroup(tenantId, lane, group).finally(() => {
        lane.inFlight--;
        if (lane.waiting.length > 0) this.pump(tenantId, lane);
        else if (lane.inFlight === 0 && lane.publications.length === 0) this.lanes.delete(tenantId);
      });
    }
  }

  private async commitGroup(tenantId: string, lane: Lane, group: Pending[]): Promise<void> {
    let publication: Publication | undefined;
    const onAssigned = (records: readonly AuditRow[]) => {
      if (records.length === 0) return;
      publication = { firstSequence: records[0]!.sequenceNumber, records, state: 'assigned' };
      const at = lane.publications.findIndex((p) => p.firstSequence > publication!.firstSequence);
      lane.publications.splice(at < 0 ? lane.publications.length : at, 0, publication);
    };
    let results: unknown[];
    try {
      const work = async (tx: SqlTx): Promise<unknown[]> => {
        const out: unknown[] = [];
        const entries: AuditEntry[] = [];
        const writes = new GroupBuffers();
        groupsByTx.set(tx, writes);
        for (const item of group) {
          const { result, events } = await item.fn(tx);
          out.push(result);
          for (const event of events) entries.push({ scope: item.scope, event });
        }
        await writes.flushAll(tx);
        // The lane's groups append one after another: each builds on the head the previous one wrote (this
        // process's guess, see audit.append.ts) and its statement waits for that group's COMMIT, instead of
        // several groups guessing the same head and all but one falling back to locking the row. The turn
        // passes as soon as the records are in, and only the chain row's lock is awaited while holding it.
        const previous = lane.appendTurn;
        let pass!: () => void;
        lane.appendTurn = new Promise<void>((r) => (pass = r));
        try {
          await previous;
          await appendAuditEntries(tx, tenantId, entries, { onAssigned });
        } finally {
          pass();
        }
        return out;
      };
      results = this.sqlTransaction
        ? await this.sqlTransaction(work, this.timeoutMs)
        : await this.prisma.$transaction(work, { maxWait: this.timeoutMs, timeout: this.timeoutMs });
    } catch (err) {
      if (publication) publication.state = 'aborted';
      this.flush(tenantId, lane);
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // Someone's change failed (or the group as a whole): nobody's is committed; each runs alone.
      this.stats.fallbacks++;
      for (const item of group) {
        try {
          item.resolve(await this.run(item.scope, item.fn, { maxWait: this.timeoutMs, timeout: this.timeoutMs }));
        } catch (e) {
          item.reject(e);
        }
      }
      return;
    }
    this.stats.groups++;
    this.stats.grouped += group.length;
    if (publication) publication.state = 'committed';
    this.flush(tenantId, lane);
    group.forEach((item, i) => item.resolve(results[i]));
  }

  /** Publishes committed groups in sequence order, up to the first one still in flight. */
  private flush(tenantId: string, lane: Lane): void {
    while (lane.publications.length > 0 && lane.publications[0]!.state !== 'assigned') {
      const p = lane.publications.shift()!;
      if (p.state === 'committed') this.publisher?.publishAudit(tenantId, p.records);
    }
  }
}
