import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import {
  type DocumentNode,
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Scope } from '../auth/scope';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Services } from '../services';
import { type ContextFactory, type GraphQLContext, createContextFactory } from './context';
import { replaysFromPoint, SharedSubscriptions } from './shared-subscriptions';
import { createFormatError } from './format-error';
import { DEFAULT_LIMITS, type QueryLimits, assertCost, shapeLimitRule } from './limits';
import type { RateDecision, RateLimiter } from './rate-limit';

export interface GraphQLServerOptions {
  app: Express;
  httpServer: http.Server;
  schema: GraphQLSchema;
  services: Services;
  logger: Logger;
  metrics: Metrics;
  rateLimiter: RateLimiter;
  limits?: Partial<QueryLimits>;
  /** Body size limit of POST /graphql (default 1 MB). */
  maxBodyBytes?: number;
  /** graphql-ws frame limit (default 64 KB). */
  wsMaxPayload?: number;
  /** graphql-ws: close connections that do not send connection_init in time (default 3 s). */
  connectionInitWaitTimeoutMs?: number;
  /** Active subscriptions allowed per WebSocket connection (default 50). */
  maxSubscriptionsPerConnection?: number;
}

function httpError(message: string, code: string, status: number, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status }, ...extra } });
}

function usesIntrospection(document: DocumentNode): boolean {
  let found = false;
  const visitSet = (set: { selections: readonly unknown[] } | undefined) => {
    for (const sel of (set?.selections ?? []) as { kind: string; name?: { value: string }; selectionSet?: never }[]) {
      if (sel.kind === Kind.FIELD && (sel.name?.value === '__schema' || sel.name?.value === '__type')) found = true;
      if (sel.selectionSet) visitSet(sel.selectionSet);
    }
  };
  for (const d of document.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION) visitSet(d.selectionSet);
  }
  return found;
}

const SUGGESTION = / Did you mean .*\?$/;

/**
 * Mounts Apollo Server at POST /graphql and graphql-ws on the same path. Both build their context with
 * the same factory; both enforce the same operation limits.
 */
export async function mountGraphQL(opts: GraphQLServerOptions) {
  const limits: QueryLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const { logger, metrics, schema } = opts;
  const factory: ContextFactory = createContextFactory({ services: opts.services, logger });
  const formatError = createFormatError(logger);
  const limitRule = shapeLimitRule(limits);

  // ---- graphql-ws -------------------------------------------------------------------------------
  const wsServer = new WebSocketServer({
    server: opts.httpServer,
    path: '/graphql',
    maxPayload: opts.wsMaxPayload ?? 64 * 1024,
  });
  const maxSubs = opts.maxSubscriptionsPerConnection ?? 50;
  type Extra = { scope?: Scope; active?: Set<string> };
  // Identical live subscriptions (tenant, key, roles, document, variables) share one execution per event.
  const shared = new SharedSubscriptions((n) => metrics.wsSharedSources.set(n));
  const shareKeys = new WeakMap<object, string | null>();
  const wsCleanup = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      connectionInitWaitTimeout: opts.connectionInitWaitTimeoutMs ?? 3_000,
      onConnect: async (ctx) => {
        const auth = await factory.authenticate(ctx.connectionParams?.authorization, randomUUID());
        if (auth.kind === 'anonymous') {
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        if (auth.kind === 'invalid') return false; // 4403 Forbidden
        ctx.extra.scope = auth.scope;
        ctx.extra.active = new Set();
        metrics.wsConnections.inc();
        ctx.extra.socket.once('close', () => {
          metrics.wsConnections.dec();
          metrics.wsSubscriptions.dec(ctx.extra.active?.size ?? 0);
        });
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const active = ctx.extra.active ?? new Set<string>();
        if (active.size >= maxSubs) {
          return [httpError(`At most ${maxSubs} subscriptions per connection`, 'RATE_LIMITED', 429)];
        }
        const scope = ctx.extra.scope;
        if (scope) {
          const decision = await opts.rateLimiter.take(scope.keyId ?? scope.actor);
          if (!decision.allowed) return [httpError('Rate limit exceeded', 'RATE_LIMITED', 429)];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: limits.maxTokens });
        } catch (err) {
          const tooMany = err instanceof GraphQLError && /more th\w+ \d+ tokens/.test(err.message);
          return [httpError((err as Error).message, tooMany ? 'QUERY_TOO_COMPLEX' : 'GRAPHQL_PARSE_FAILED', 400)];
        }
        const errors = validate(schema, document, [...specifiedRules, limitRule]);
        if (errors.length) return errors;
        try {
          assertCost(schema, document, payload.operationName, payload.variables ?? {}, limits);
        } catch (err) {
          return [err as GraphQLError];
        }
        active.add(id);
        metrics.wsSubscriptions.inc();
        const contextValue = factory.build(scope ?? null, randomUUID());
        const args: ExecutionArgs = {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue,
        };
        const shareable = scope && !replaysFromPoint(document, payload.operationName, payload.variables);
        shareKeys.set(
          contextValue,
          shareable
            ? JSON.stringify([scope.tenantId, scope.keyId ?? scope.actor, [...scope.roles].sort(), payload.operationName ?? null, payload.query, payload.variables ?? {}])
            : null,
        );
        return args;
      },
      subscribe: (args) => shared.subscribe(args, shareKeys.get(args.contextValue as object) ?? null),
      // Execution errors in results go through the same formatError as HTTP (codes, masking).
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors?.length ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : undefined,
      onComplete: (ctx, id) => {
        if (ctx.extra.active?.delete(id)) metrics.wsSubscriptions.dec();
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => {
        const f = formatError(e.toJSON(), e);
        return new GraphQLError(f.message, { extensions: f.extensions });
      }),
    },
    wsServer,
  );

  // graphql-ws logs socket errors (e.g. a frame over maxPayload, which ws already closes with 1009) through
  // console.error; route them to the structured log instead.
  wsServer.on('connection', (socket, req) => {
    coalesceWrites(socket, req.socket);
    socket.removeAllListeners('error');
    socket.on('error', (err) => {
      logger.warn({ err: { message: err.message } }, 'websocket error');
      if (socket.readyState === socket.OPEN) socket.close(1011, 'Internal server error');
    });
  });

  // ---- Apollo (HTTP) ----------------------------------------------------------------------------
  const guardPlugin: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ contextValue, document, operationName, request }) {
          if (!contextValue.scope && usesIntrospection(document)) {
            throw httpError('Introspection requires authentication', 'UNAUTHENTICATED', 401);
          }
          assertCost(schema, document, operationName ?? request.operationName, request.variables ?? {}, limits);
        },
        async willSendResponse({ response, contextValue, operation, operationName, errors }) {
          const body = response.body;
          if (body.kind === 'single') {
            if (contextValue.rateLimit) {
              body.singleResult.extensions = { ...body.singleResult.extensions, rateLimit: contextValue.rateLimit };
            }
            if (!contextValue.scope && body.singleResult.errors) {
              for (const e of body.singleResult.errors) {
                (e as { message: string }).message = e.message.replace(SUGGESTION, '');
              }
            }
          }
          const type = operation?.operation ?? 'unknown';
          const name = operationName ?? 'anonymous';
          contextValue.logger.info(
            { operation: name, type, outcome: errors?.length ? 'error' : 'success', ms: Number(process.hrtime.bigint() - started) / 1e6 },
            'graphql operation',
          );
          metrics.operations.inc({ operation: name, type, outcome: errors?.length ? 'error' : 'success' });
          metrics.latency.observe({ operation: name, type }, Number(process.hrtime.bigint() - started) / 1e9);
          for (const e of body.kind === 'single' ? (body.singleResult.errors ?? []) : []) {
            metrics.errors.inc({ code: String(e.extensions?.code ?? 'UNKNOWN') });
          }
        },
      };
    },
  };

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    introspection: true,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [limitRule],
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: opts.httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      guardPlugin,
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  opts.app.use(
    '/graphql',
    express.json({ limit: maxBody, type: ['application/json', 'application/graphql-response+json'] }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
        res.setHeader('x-request-id', requestId);
        const auth = await factory.authenticate(req.headers.authorization, requestId);
        if (auth.kind === 'invalid') throw httpError('Invalid or revoked API key', 'UNAUTHENTICATED', 401);
        const ctx = factory.build(auth.kind === 'ok' ? auth.scope : null, requestId);
        if (auth.kind === 'ok') {
          const d: RateDecision = await opts.rateLimiter.take(auth.scope.keyId ?? auth.scope.actor);
          ctx.rateLimit = { limit: d.limit, remaining: d.remaining, resetMs: d.resetMs };
          if (!d.allowed) {
            res.setHeader('retry-after', String(Math.max(1, Math.ceil(d.resetMs / 1000))));
            throw httpError('Rate limit exceeded', 'RATE_LIMITED', 429, { rateLimit: ctx.rateLimit });
          }
        }
        return ctx;
      },
    }),
  );

  return {
    apollo,
    wsServer,
    async stop() {
      await apollo.stop();
    },
  };
}

/** Below this many buffered bytes a send is acknowledged as soon as it is queued (see coalesceWrites). */
const SEND_ACK_BUFFER_BYTES = 1 << 20;

/**
 * Frames sent to one WebSocket within one turn of the event loop leave in ONE write: when an event fans
 * out to the 50 subscriptions of a connection, that is one system call instead of 50 (the TCP socket is
 * corked at the first send of a turn and uncorked right after the turn's I/O callbacks). graphql-ws waits
 * for each send's callback before the subscription's next message; while the connection has less than
 * 1 MB buffered, the callback is called as soon as the frame is queued (in order, by ws), so a burst of
 * records reaches a subscriber in one write too. A slow reader gets the real callbacks: backpressure.
 */
function coalesceWrites(socket: import('ws').WebSocket, tcp: import('node:net').Socket): void {
  const send = socket.send.bind(socket) as (data: unknown, cb?: (err?: Error) => void) => void;
  let corked = false;
  (socket as unknown as { send: (data: unknown, cb?: (err?: Error) => void) => void }).send = (data, cb) => {
    if (!corked && !tcp.destroyed) {
      corked = true;
      tcp.cork();
      setImmediate(() => {
        corked = false;
        tcp.uncork();
      });
    }
    if (cb && socket.bufferedAmount < SEND_ACK_BUFFER_BYTES) {
      // a failed write closes the socket, which ends its subscriptions
      send(data, () => undefined);
      queueMicrotask(() => cb());
      return;
    }
    send(data, cb);
  };
}
