import { type ExecutionResult, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { replaysFromPoint, SharedSubscriptions } from '../../src/graphql/shared-subscriptions';

/** A live source the test drives: push values, end it, fail it; counts how often it was started/closed. */
function liveSource() {
  const state = { started: 0, closed: 0, listeners: new Set<(v: number | Error | null) => void>() };
  async function* gen(): AsyncGenerator<{ tick: number }> {
    state.started++;
    const queue: (number | Error | null)[] = [];
    let wake: (() => void) | null = null;
    const listener = (v: number | Error | null) => {
      queue.push(v);
      wake?.();
    };
    state.listeners.add(listener);
    try {
      for (;;) {
        while (queue.length) {
          const v = queue.shift()!;
          if (v === null) return;
          if (v instanceof Error) throw v;
          yield { tick: v };
        }
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      state.listeners.delete(listener);
      state.closed++;
    }
  }
  const emit = (v: number | Error | null) => {
    for (const l of state.listeners) l(v);
  };
  return { state, gen, emit };
}

function schemaWith(src: ReturnType<typeof liveSource>) {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        tick: {
          type: GraphQLInt,
          args: { afterSequence: { type: GraphQLInt } },
          subscribe: () => src.gen(),
          resolve: (p: { tick: number }) => p.tick,
        },
        denied: {
          type: GraphQLInt,
          subscribe: () => {
            throw new Error('NOT_FOUND');
          },
        },
      },
    }),
  });
}

const flush = () => new Promise((r) => setImmediate(r));

async function take(it: AsyncGenerator<ExecutionResult>, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value.data?.tick);
  }
  return out;
}

describe('SharedSubscriptions', () => {
  it('identical live subscriptions share one source; each receives what is produced after it joined, in order', async () => {
    const src = liveSource();
    const schema = schemaWith(src);
    const shared = new SharedSubscriptions();
    const document = parse('subscription { tick }');
    const a = (await shared.subscribe({ schema, document }, 'k')) as AsyncGenerator<ExecutionResult>;
    const pa = take(a, 3);
    await flush();
    src.emit(1);
    await flush();
    const b = (await shared.subscribe({ schema, document }, 'k')) as AsyncGenerator<ExecutionResult>;
    const pb = take(b, 2);
    await flush();
    src.emit(2);
    src.emit(3);
    expect(await pa).toEqual([1, 2, 3]);
    expect(await pb).toEqual([2, 3]);
    expect(src.state.started).toBe(1);
    expect(shared.sources).toBe(1);
    // the source closes when the last subscriber leaves, not before
    await a.return(undefined);
    await flush();
    expect(src.state.closed).toBe(0);
    await b.return(undefined);
    await flush();
    expect(shared.sources).toBe(0);
    // (an async generator parked in an await closes when it next wakes up, as any unshared one would)
    src.emit(4);
    await flush();
    expect(src.state.closed).toBe(1);
  });

  it('different keys and unshared (null key) subscriptions get their own source', async () => {
    const src = liveSource();
    const schema = schemaWith(src);
    const shared = new SharedSubscriptions();
    const document = parse('subscription { tick }');
    const its = [
      await shared.subscribe({ schema, document }, 'tenant-a'),
      await shared.subscribe({ schema, document }, 'tenant-b'),
      await shared.subscribe({ schema, document }, null),
      await shared.subscribe({ schema, document }, null),
    ] as AsyncGenerator<ExecutionResult>[];
    const got = its.map((it) => take(it, 1));
    await flush();
    src.emit(7);
    expect(await Promise.all(got)).toEqual([[7], [7], [7], [7]]);
    expect(src.state.started).toBe(4);
    for (const it of its) await it.return(undefined);
  });

  it('a source that fails to start answers everyone and is not kept; a source error ends every subscriber', async () => {
    const src = liveSource();
    const schema = schemaWith(src);
    const shared = new SharedSubscriptions();
    const denied = (await shared.subscribe({ schema, document: parse('subscription { denied }') }, 'k2')) as ExecutionResult;
    expect(denied.errors?.[0]?.message).toBe('NOT_FOUND');
    expect(shared.sources).toBe(0);

    const document = parse('subscription { tick }');
    const a = (await shared.subscribe({ schema, document }, 'k3')) as AsyncGenerator<ExecutionResult>;
    const b = (await shared.subscribe({ schema, document }, 'k3')) as AsyncGenerator<ExecutionResult>;
    const ra = a.next();
    const rb = b.next();
    await flush();
    src.emit(new Error('key revoked'));
    await expect(ra).rejects.toThrow('key revoked');
    await expect(rb).rejects.toThrow('key revoked');
    await flush();
    expect(shared.sources).toBe(0);
    // the next identical subscription starts a fresh source
    const c = (await shared.subscribe({ schema, document }, 'k3')) as AsyncGenerator<ExecutionResult>;
    const rc = take(c, 1);
    await flush();
    src.emit(9);
    expect(await rc).toEqual([9]);
    await c.return(undefined);
  });

  it('replaysFromPoint: only an afterSequence with a value makes a subscription its own', () => {
    const doc = (q: string) => parse(q);
    expect(replaysFromPoint(doc('subscription { tick }'), null, {})).toBe(false);
    expect(replaysFromPoint(doc('subscription { tick(afterSequence: null) }'), null, {})).toBe(false);
    expect(replaysFromPoint(doc('subscription { tick(afterSequence: 5) }'), null, {})).toBe(true);
    expect(replaysFromPoint(doc('subscription S($a: Int) { tick(afterSequence: $a) }'), 'S', { a: 3 })).toBe(true);
    expect(replaysFromPoint(doc('subscription S($a: Int) { tick(afterSequence: $a) }'), 'S', {})).toBe(false);
    expect(replaysFromPoint(doc('subscription { ...F } fragment F on Subscription { tick }'), null, {})).toBe(true);
  });
});
