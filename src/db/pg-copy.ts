import { Client as PgClient, Pool as PgPool } from 'pg';

/**
 * `COPY … TO STDOUT` over a node-postgres client, without an extra dependency: a minimal
 * "submittable" (the interface pg-cursor and pg-copy-streams use). PostgreSQL sends one CopyData
 * message per row; `onRow` receives each message's bytes synchronously, as a view into the
 * driver's read buffer that is only valid during the call (copy what must outlive it).
 *
 * The whole result is one statement, hence one snapshot, and flows at the speed the consumer
 * takes it (TCP back-pressure), never buffered whole. If `onRow` throws, the rest of the stream
 * is drained and discarded and the promise rejects with that error; the connection stays usable.
 */
export function copyOut(client: PgClient, sql: string, onRow: (row: Buffer) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: unknown = null;
    let settled = false;
    const settle = (err: unknown) => {
      if (settled) return;
      settled = true;
      if (err === null) resolve();
      else reject(err instanceof Error ? err : new Error(String(err)));
    };
    const submittable = {
      submit(connection: { query(text: string): void }) {
        connection.query(sql);
      },
      handleCopyData(msg: { chunk: Buffer }) {
        if (failure !== null) return;
        try {
          onRow(msg.chunk);
        } catch (err) {
          failure = err ?? new Error('copy consumer failed');
        }
      },
      handleCopyInResponse(connection: { sendCopyFail(msg: string): void }) {
        connection.sendCopyFail('COPY FROM is not supported here');
      },
      handleRowDescription() {
        failure ??= new Error('copyOut expects a COPY … TO STDOUT statement');
      },
      handleDataRow() {},
      handlePortalSuspended() {},
      handleEmptyQuery() {},
      handleCommandComplete() {},
      handleError(err: unknown) {
        // Server errors are followed by ReadyForQuery; connection errors are not: settle now
        // (the client queues later queries until the server is ready again).
        settle(err ?? new Error('COPY failed'));
      },
      handleReadyForQuery() {
        settle(failure);
      },
    };
    client.query(submittable as unknown as Parameters<PgClient['query']>[0]);
  });
}

/** A node-postgres Client (or pool client) that can run {@link copyOut}, or null. */
export function copyCapableClient(x: unknown): PgClient | null {
  if (typeof x !== 'object' || x === null) return null;
  const c = x as { query?: unknown; connection?: { on?: unknown }; pipeline?: boolean; escapeLiteral?: unknown };
  const isClient = x instanceof PgClient || (typeof c.query === 'function' && typeof c.escapeLiteral === 'function' && typeof c.connection?.on === 'function');
  return isClient && !c.pipeline ? (x as PgClient) : null;
}

/** A node-postgres Pool, or null. */
export function asPgPool(x: unknown): PgPool | null {
  if (x instanceof PgPool) return x;
  const p = x as { connect?: unknown; query?: unknown; totalCount?: unknown; idleCount?: unknown } | null;
  return p && typeof p.connect === 'function' && typeof p.query === 'function' && typeof p.totalCount === 'number' && typeof p.idleCount === 'number'
    ? (x as PgPool)
    : null;
}
