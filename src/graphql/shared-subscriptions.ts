/**
 * Shared subscription execution (fan-out). A SOC wall of dashboards opens many identical live
 * subscriptions: same tenant, same API key, same document and variables. Executing each one separately
 * costs a pub/sub listener, a stream and a GraphQL execution per subscriber per event, so 1,000 such
 * subscribers at 100 events/s meant 100,000 executions per second. Identical live subscriptions instead
 * share ONE source (one stream, one execution per event) whose results are multicast to every subscriber.
 *
 * Shared only when it cannot change what a subscriber receives:
 * - same tenant, same key (or actor) and roles: the rights re-checked per event are the same;
 * - same document, operation name and variables;
 * - live only: an `afterSequence` argument (replay from a point) makes a subscription its own, since a
 *   later subscriber must not inherit an earlier one's replay.
 * A subscriber receives the results produced after it joined, in order. A source that fails to start
 * (e.g. NOT_FOUND) answers everyone waiting for it and is not kept. When its last subscriber leaves, the
 * source is closed. A source error ends every subscriber of the group with that error.
 */
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, getOperationAST, Kind, subscribe as graphqlSubscribe, type ValueNode } from 'graphql';

type Source = AsyncGenerator<ExecutionResult> | AsyncIterable<ExecutionResult>;
type Started = Source | ExecutionResult;

function isAsyncIterable(x: unknown): x is AsyncIterable<ExecutionResult> {
  return typeof x === 'object' && x !== null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Whether a subscription document replays from a point (an `afterSequence` argument with a value). */
export function replaysFromPoint(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): boolean {
  const op = getOperationAST(document, operationName ?? undefined);
  if (!op) return true;
  const valueOf = (v: ValueNode): unknown => (v.kind === Kind.VARIABLE ? variables?.[v.name.value] : v.kind === Kind.NULL ? null : v);
  for (const sel of op.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD) return true; // fragments at the root: don't guess
    for (const arg of sel.arguments ?? []) {
      if (arg.name.value === 'afterSequence' && valueOf(arg.value) != null) return true;
    }
  }
  return false;
}

/**
 * One subscriber's view of a shared source: a hand-written async iterator (not an async generator), so
 * that `return()` from graphql-ws when the client completes takes effect at once, even while the
 * subscriber waits for the next event (an async generator parked in an await would only run its
 * `finally` at the next event).
 */
class Consumer implements AsyncGenerator<ExecutionResult> {
  private readonly queue: IteratorResult<ExecutionResult>[] = [];
  private failure: unknown = null;
  private closed = false;
  private waiter: { resolve(r: IteratorResult<ExecutionResult>): void; reject(e: unknown): void } | null = null;

  constructor(private readonly onLeave: () => void) {}

  push(item: IteratorResult<ExecutionResult>): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      if (item.done) this.finish();
      w.resolve(item);
      return;
    }
    this.queue.push(item);
  }

  fail(err: unknown): void {
    if (this.closed) return;
    this.failure = err ?? new Error('subscription source failed');
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      this.finish();
      w.reject(this.failure);
    }
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.queue.length > 0) {
      const item = this.queue.shift()!;
      if (item.done) this.finish();
      return Promise.resolve(item);
    }
    if (this.failure) {
      const err = this.failure;
      this.finish();
      return Promise.reject(err);
    }
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    const w = this.waiter;
    this.waiter = null;
    w?.resolve({ done: true, value: undefined });
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(err?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onLeave();
  }
}

class Group {
  readonly consumers = new Set<Consumer>();
  private source: Source | null = null;
  private ended = false;
  readonly started: Promise<Started>;

  constructor(
    start: () => Promise<Started>,
    private readonly onEmpty: () => void,
  ) {
    this.started = start().then((s) => {
      if (isAsyncIterable(s)) {
        this.source = s;
        void this.pump(s);
      } else {
        this.ended = true;
        this.onEmpty();
      }
      return s;
    });
    this.started.catch(() => {
      this.ended = true;
      this.onEmpty();
    });
  }

  private async pump(source: Source): Promise<void> {
    try {
      for await (const value of source) {
        for (const c of this.consumers) c.push({ done: false, value });
      }
      for (const c of this.consumers) c.push({ done: true, value: undefined });
    } catch (err) {
      for (const c of this.consumers) c.fail(err);
    } finally {
      this.ended = true;
      this.onEmpty();
    }
  }

  /** A new subscriber: its own iterator over the results produced from now on. */
  async join(): Promise<Started> {
    const s = await this.started;
    if (!isAsyncIterable(s) || this.ended) return s;
    const c: Consumer = new Consumer(() => this.leave(c));
    this.consumers.add(c);
    return c;
  }

  private leave(c: Consumer): void {
    this.consumers.delete(c);
    if (this.consumers.size === 0 && !this.ended) {
      this.ended = true;
      this.onEmpty();
      const src = this.source as AsyncGenerator<ExecutionResult> | null;
      void src?.return?.(undefined);
    }
  }

  get joinable(): boolean {
    return !this.ended;
  }
}

/** The subscribe function of the WebSocket server: shares sources by key (null key → executed alone). */
export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();

  /** `onSize`: told the number of live shared sources whenever it changes (metrics). */
  constructor(private readonly onSize?: (sources: number) => void) {}

  /** Live shared sources (metrics, tests). */
  get sources(): number {
    return this.groups.size;
  }

  subscribe(args: ExecutionArgs, key: string | null): Promise<Started> {
    if (key === null) return Promise.resolve(graphqlSubscribe(args));
    let g = this.groups.get(key);
    if (!g || !g.joinable) {
      const group: Group = new Group(
        async () => graphqlSubscribe(args),
        () => {
          if (this.groups.get(key) === group) this.groups.delete(key);
          this.onSize?.(this.groups.size);
        },
      );
      this.groups.set(key, group);
      this.onSize?.(this.groups.size);
      g = group;
    }
    return g.join();
  }
}
