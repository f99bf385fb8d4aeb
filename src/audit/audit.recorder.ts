import type { PrismaClient } from '../generated/prisma/client';
import type { Scope } from '../auth/scope';
import { type AuditedResult, type AuditTx, withAudit } from './audit.append';
import type { AuditRow } from './record-hash';

/** Receives the records of each committed transaction (pub/sub fan-out). */
export interface AuditPublisher {
  publishAudit(tenantId: string, records: readonly AuditRow[]): void;
}

/**
 * How services record what they do: the change and its audit records commit in ONE transaction
 * (serialised per tenant on the chain head), and the records are published only after the commit.
 */
export class AuditRecorder {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher?: AuditPublisher,
  ) {}

  /** Runs `fn` in a transaction, appends the events it returns, commits, then publishes them. */
  async run<T>(scope: Scope, fn: (tx: AuditTx) => Promise<AuditedResult<T>>, txOptions?: { maxWait?: number; timeout?: number }): Promise<T> {
    const { result, records } = await withAudit(this.prisma, scope, fn, txOptions);
    if (records.length > 0) this.publisher?.publishAudit(scope.tenantId, records);
    return result;
  }

  /** Publishes records a caller appended in its own transaction (call after that transaction committed). */
  published(tenantId: string, records: readonly AuditRow[]): void {
    if (records.length > 0) this.publisher?.publishAudit(tenantId, records);
  }
}
