/**
 * ALUSKORT typed client: queries and mutations over HTTP (`POST /graphql`), subscriptions over graphql-ws
 * (protocol `graphql-transport-ws`) on the same URL.
 *
 * Typing comes from the TypedDocumentNodes that `npm run codegen` generates from
 * `src/client/operations/*.graphql` into `src/client/generated/`:
 *
 *   import WebSocket from 'ws';
 *   import { createAluskortClient } from './client/sdk';
 *   import { MitreTechniquesDocument } from './client/generated/graphql';
 *
 *   const client = createAluskortClient({ url: 'http://127.0.0.1:4000/graphql', apiKey, webSocketImpl: WebSocket });
 *   const { mitreTechniques } = await client.request(MitreTechniquesDocument, { first: 5 });
 *
 * This file depends on nothing generated, so it compiles before codegen has run.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, Kind, print } from 'graphql';
import { type Client as WsClient, type ClientOptions as WsClientOptions, createClient as createWsClient } from 'graphql-ws';

/** One GraphQL error as the server reports it; `code` is `extensions.code` (stable, see the README). */
export interface AluskortErrorEntry {
  message: string;
  code: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/**
 * Every failure of the client: GraphQL errors (with their codes), non-GraphQL HTTP failures (code
 * `HTTP_<status>`), network failures (`NETWORK_ERROR`) and WebSocket closes (`closeCode`, with the
 * graphql-ws close codes mapped to the HTTP codes: 4401 UNAUTHENTICATED, 4403 FORBIDDEN, …).
 */
export class AluskortClientError extends Error {
  override readonly name = 'AluskortClientError';
  readonly errors: AluskortErrorEntry[];
  /** HTTP status of the response, when the failure came over HTTP. */
  readonly status?: number;
  /** WebSocket close code, when the failure closed the WebSocket. */
  readonly closeCode?: number;
  /** Partial data that came with the errors, if any. */
  readonly data?: unknown;
  /** Response extensions (for example `rateLimit`). */
  readonly extensions?: Record<string, unknown>;

  constructor(
    errors: AluskortErrorEntry[],
    init: { status?: number; closeCode?: number; data?: unknown; extensions?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    const first = errors[0];
    super(first ? `${first.code}: ${first.message}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}` : 'Request failed', {
      cause: init.cause,
    });
    this.errors = errors;
    this.status = init.status;
    this.closeCode = init.closeCode;
    this.data = init.data;
    this.extensions = init.extensions;
  }

  /** The error codes, in order. */
  get codes(): string[] {
    return this.errors.map((e) => e.code);
  }
}

/** Variables are optional when the operation declares none (or only optional ones). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type VariablesArg<TVars> = {} extends TVars ? [variables?: TVars] : [variables: TVars];

export interface SubscriptionHandlers<TResult> {
  /** Each result (for a query or mutation sent over the socket: exactly one, then onComplete). */
  onNext(data: TResult): void;
  /** Terminal: the subscription is over (GraphQL errors, socket closed, server rejected it). */
  onError(error: AluskortClientError): void;
  /** Terminal: the server completed the operation. */
  onComplete?(): void;
}

export interface RawResult<TResult> {
  status: number;
  headers: Headers;
  data?: TResult | null;
  errors?: AluskortErrorEntry[];
  extensions?: Record<string, unknown>;
}

export interface AluskortClientOptions {
  /** HTTP endpoint, e.g. `https://aluskort.example/graphql`. */
  url: string;
  /** API key secret, sent as `Authorization: Bearer <key>` (HTTP) and `connectionParams.authorization` (WebSocket). */
  apiKey: string;
  /** fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** WebSocket implementation; on Node < 22 pass `ws`'s default export. Default: `globalThis.WebSocket`. */
  webSocketImpl?: unknown;
  /** WebSocket URL; by default the HTTP URL with http→ws, https→wss. */
  wsUrl?: string;
  /** Extra HTTP headers on every request (for example `x-request-id`). */
  headers?: Record<string, string>;
  /** Extra graphql-ws client options (keepAlive, retryAttempts, on, …); url/auth/impl are set by the SDK. */
  wsOptions?: Omit<Partial<WsClientOptions>, 'url' | 'connectionParams' | 'webSocketImpl'>;
}

export interface AluskortClient {
  /** Runs a query or mutation over HTTP; resolves with `data`, throws AluskortClientError on any error. */
  request<TResult, TVars>(doc: TypedDocumentNode<TResult, TVars>, ...variables: VariablesArg<TVars>): Promise<TResult>;
  /** Like `request`, but never throws for GraphQL errors: returns status, data, errors and extensions. */
  rawRequest<TResult, TVars>(doc: TypedDocumentNode<TResult, TVars>, ...variables: VariablesArg<TVars>): Promise<RawResult<TResult>>;
  /** Runs an operation over graphql-ws; returns the function that stops it. */
  subscribe<TResult, TVars>(doc: TypedDocumentNode<TResult, TVars>, variables: TVars, handlers: SubscriptionHandlers<TResult>): () => void;
  /** Async-iterator variant of `subscribe`; breaking out of the loop stops the operation. */
  iterate<TResult, TVars>(doc: TypedDocumentNode<TResult, TVars>, variables: TVars): AsyncIterableIterator<TResult>;
  /** Closes the WebSocket (if one was opened). HTTP requests need no cleanup. */
  close(): Promise<void>;
}

/** graphql-ws close codes → the codes HTTP uses for the same failure. */
const CLOSE_CODES: Record<number, string> = {
  1009: 'PAYLOAD_TOO_LARGE',
  4400: 'BAD_REQUEST',
  4401: 'UNAUTHENTICATED',
  4403: 'FORBIDDEN',
  4408: 'CONNECTION_INIT_TIMEOUT',
  4409: 'CONFLICT',
  4429: 'RATE_LIMITED',
  4500: 'INTERNAL_SERVER_ERROR',
};

/** Close codes worth reconnecting after (server restart, network drop); auth and protocol failures are final. */
const TRANSIENT_CLOSE_CODES = new Set([1001, 1006, 1012, 1013, 1014, 4499]);

function isCloseEvent(v: unknown): v is { code: number; reason: string } {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'number' && 'reason' in v;
}

function entry(e: unknown): AluskortErrorEntry {
  const o = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as {
    message?: unknown;
    path?: ReadonlyArray<string | number>;
    extensions?: Record<string, unknown>;
  };
  const code = o.extensions?.code;
  return {
    message: typeof o.message === 'string' ? o.message : 'Unknown error',
    code: typeof code === 'string' ? code : 'UNKNOWN',
    ...(o.path ? { path: o.path } : {}),
    ...(o.extensions ? { extensions: o.extensions } : {}),
  };
}

/** Whatever graphql-ws or fetch reported, as an AluskortClientError. */
export function toClientError(err: unknown): AluskortClientError {
  if (err instanceof AluskortClientError) return err;
  if (Array.isArray(err)) return new AluskortClientError(err.map(entry));
  if (isCloseEvent(err)) {
    const code = CLOSE_CODES[err.code] ?? 'WS_CLOSED';
    return new AluskortClientError([{ message: err.reason || `WebSocket closed (${err.code})`, code }], { closeCode: err.code });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AluskortClientError([{ message, code: 'NETWORK_ERROR' }], { cause: err });
}

/** http://host/graphql → ws://host/graphql; https → wss. */
export function wsUrlFor(httpUrl: string): string {
  const u = new URL(httpUrl);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`Unsupported URL scheme: ${u.protocol}`);
  return u.toString();
}

interface Prepared {
  query: string;
  operationName?: string;
}

const printed = new WeakMap<DocumentNode, Prepared>();

function prepare(doc: DocumentNode): Prepared {
  let p = printed.get(doc);
  if (!p) {
    const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    p = { query: print(doc), operationName: op && 'name' in op ? op.name?.value : undefined };
    printed.set(doc, p);
  }
  return p;
}

/** Creates a client for one API key. */
export function createAluskortClient(opts: AluskortClientOptions): AluskortClient {
  const fetchFn = opts.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw new Error('No fetch implementation: pass `fetch`');
  const authorization = `Bearer ${opts.apiKey}`;
  const wsUrl = opts.wsUrl ?? wsUrlFor(opts.url);
  let ws: WsClient | undefined;

  function socket(): WsClient {
    if (ws) return ws;
    const impl = opts.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (!impl) {
      throw new Error('No WebSocket implementation: pass `webSocketImpl` (for example the default export of `ws`)');
    }
    ws = createWsClient({
      retryAttempts: 3,
      shouldRetry: (e) => isCloseEvent(e) && TRANSIENT_CLOSE_CODES.has(e.code),
      ...opts.wsOptions,
      url: wsUrl,
      webSocketImpl: impl,
      connectionParams: { authorization },
    });
    return ws;
  }

  async function rawRequest<TResult>(doc: DocumentNode, variables?: unknown): Promise<RawResult<TResult>> {
    const { query, operationName } = prepare(doc);
    let res: Response;
    try {
      res = await fetchFn(opts.url, {
        method: 'POST',
        headers: {
          ...opts.headers,
          // A non-simple content type: required by the server's CSRF prevention.
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json;q=0.9',
          authorization,
        },
        body: JSON.stringify({ query, operationName, variables: variables ?? {} }),
      });
    } catch (err) {
      throw toClientError(err);
    }
    const text = await res.text();
    let body: { data?: TResult | null; errors?: unknown[]; extensions?: Record<string, unknown> } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!body || typeof body !== 'object' || (!('data' in body) && !Array.isArray(body.errors))) {
      return {
        status: res.status,
        headers: res.headers,
        errors: [{ message: text.slice(0, 500) || res.statusText, code: `HTTP_${res.status}` }],
      };
    }
    return {
      status: res.status,
      headers: res.headers,
      data: body.data,
      errors: Array.isArray(body.errors) && body.errors.length ? body.errors.map(entry) : undefined,
      extensions: body.extensions,
    };
  }

  return {
    rawRequest<TResult, TVars>(doc: TypedDocumentNode<TResult, TVars>, ...variables: VariablesArg<TVars>) {
      return rawRequest<TResult>(doc, variables[0]);
    },

    async request<TResult, TVars>(doc: TypedDocumentNode<TResult, TVars>, ...variables: VariablesArg<TVars>) {
      const r = await rawRequest<TResult>(doc, variables[0]);
      if (r.errors || r.data == null || r.status >= 300) {
        throw new AluskortClientError(r.errors ?? [{ message: 'Response without data', code: `HTTP_${r.status}` }], {
          status: r.status,
          data: r.data,
          extensions: r.extensions,
        });
      }
      return r.data;
    },

    subscribe<TResult, TVars>(doc: TypedDocumentNode<TResult, TVars>, variables: TVars, handlers: SubscriptionHandlers<TResult>) {
      const { query, operationName } = prepare(doc);
      let done = false;
      let stop: (() => void) | undefined;
      const finish = () => {
        done = true;
        stop?.();
      };
      stop = socket().subscribe<TResult>(
        { query, operationName, variables: (variables ?? {}) as Record<string, unknown> },
        {
          next(result) {
            if (done) return;
            if (result.errors?.length) {
              // Errors end the operation: the caller sees one terminal onError, never a half-typed result.
              finish();
              handlers.onError(new AluskortClientError(result.errors.map(entry), { data: result.data, extensions: result.extensions as Record<string, unknown> }));
              return;
            }
            handlers.onNext(result.data as TResult);
          },
          error(err) {
            if (done) return;
            done = true;
            handlers.onError(toClientError(err));
          },
          complete() {
            if (done) return;
            done = true;
            handlers.onComplete?.();
          },
        },
      );
      if (done) stop();
      return () => {
        if (!done) finish();
      };
    },

    async *iterate<TResult, TVars>(doc: TypedDocumentNode<TResult, TVars>, variables: TVars): AsyncGenerator<TResult> {
      const { query, operationName } = prepare(doc);
      const it = socket().iterate<TResult>({ query, operationName, variables: (variables ?? {}) as Record<string, unknown> });
      try {
        for (;;) {
          let step: Awaited<ReturnType<typeof it.next>>;
          try {
            step = await it.next();
          } catch (err) {
            throw toClientError(err);
          }
          if (step.done) return;
          const result = step.value;
          if (result.errors?.length) {
            throw new AluskortClientError(result.errors.map(entry), { data: result.data, extensions: result.extensions as Record<string, unknown> });
          }
          yield result.data as TResult;
        }
      } finally {
        await it.return?.();
      }
    },

    async close() {
      const c = ws;
      ws = undefined;
      await c?.dispose();
    },
  };
}
