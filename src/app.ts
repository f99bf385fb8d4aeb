import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { Database } from './db/database';
import { mountGraphQL } from './graphql/server';
import { buildAppSchema } from './graphql/schema';
import type { QueryLimits } from './graphql/limits';
import { type RateLimiter, createMemoryRateLimiter, createRedisRateLimiter } from './graphql/rate-limit';
import type { Logger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { mountTaxonomyUpload } from './modules/taxonomy-import/taxonomy-upload.route';
import { mountIngestWebhook } from './modules/ingest/ingest-webhook.route';
import { createServices, type Services } from './services';
import { type AuditSigningKey, registerSigningKey, signingKeyFromPem, startCheckpointScheduler } from './audit/audit.checkpoints';
import { generateSigningKeyPair } from './audit/checkpoint-signing';
import { createAuditPublisher } from './pubsub/audit-publisher';
import { createAppPubSub } from './pubsub/pubsub';
import { type WorkQueue, createMemoryQueue } from './engine/queue';
import { startPipelineWorkers } from './engine/runtime/workers';

export interface AppOptions {
  db: Database;
  logger: Logger;
  /** Migration count known at boot (avoids a query per health check). */
  migrationsApplied: number;
  /** Redis for rate limits; in-process buckets otherwise. */
  redis?: Redis;
  /** Separate Redis publish/subscribe connections for cross-process pub/sub; in-memory otherwise. */
  pubsubRedis?: { publish: Redis; subscribe: Redis };
  /** Prefix of every pub/sub channel (deployments sharing one Redis). */
  pubsubNamespace?: string;
  /** Ed25519 key that signs audit checkpoints; an ephemeral one is generated when absent (tests). */
  auditKey?: AuditSigningKey;
  /** The investigation work queue (BullMQ when Redis is configured); in-process by default. */
  queue?: WorkQueue;
  /** Run pipeline workers (runner + reconciler) in this process on `queue`; off unless given. */
  pipelineWorkers?: { concurrency: number };
  /** Checkpoint every N records or T ms per tenant; `false` disables the scheduler (tests drive it). */
  checkpoints?: { everyRecords: number; everyMs: number } | false;
  limits?: Partial<QueryLimits>;
  rateLimit?: { capacity: number; refillPerSecond: number };
  maxBodyBytes?: number;
  wsMaxPayload?: number;
  connectionInitWaitTimeoutMs?: number;
  maxSubscriptionsPerConnection?: number;
}

export interface App {
  server: http.Server;
  services: Services;
  /** Listens and resolves with the bound port (0 picks a free one). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, drains HTTP and WebSockets, then closes Redis and the database. */
  close(): Promise<void>;
}

export const DEFAULT_RATE_LIMIT = { capacity: 600, refillPerSecond: 100 };

/** Wires the HTTP surface. Tests call it with their own database and a random port. */
export async function createApp(opts: AppOptions): Promise<App> {
  const { db, logger } = opts;
  const app = express();
  app.disable('x-powered-by');
  const server = http.createServer(app);
  const metrics = createMetrics();
  const pubsub = createAppPubSub(opts.pubsubRedis, opts.pubsubNamespace);
  const auditKey = opts.auditKey ?? signingKeyFromPem(generateSigningKeyPair().privateKeyPem, 'generated');
  const queue = opts.queue ?? createMemoryQueue();
  const services = createServices({
    prisma: db.prisma,
    logger,
    auditPublisher: createAuditPublisher(pubsub),
    auditKey,
    pubsub,
    queue,
    rawConnection: db.kind === 'postgres' ? () => db.sqlDriver() : undefined,
    sqlTransaction: db.sqlTransaction,
  });
  const workers = opts.pipelineWorkers
    ? startPipelineWorkers({ prisma: db.prisma, sql: db.sql, audit: services.audit, queue, logger, concurrency: opts.pipelineWorkers.concurrency })
    : undefined;
  await registerSigningKey(db.prisma, auditKey);
  const checkpoints =
    opts.checkpoints === false
      ? undefined
      : startCheckpointScheduler({
          prisma: db.prisma,
          key: auditKey,
          everyRecords: opts.checkpoints?.everyRecords ?? 1000,
          everyMs: opts.checkpoints?.everyMs ?? 60_000,
          onError: (err, tenantId) => logger.warn({ err, tenantId }, 'audit checkpoint failed'),
        });
  // Full MITRE bundles exceed the 1 MB GraphQL body limit: admins upload them here (64 MB cap).
  mountTaxonomyUpload(app, { services, logger });

  app.get('/healthz', (_req, res) => {
    res.json({
      status: 'ok',
      database: { kind: db.kind, migrations: opts.migrationsApplied },
      uptimeSeconds: Math.round(process.uptime()),
    });
  });

  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; error?: string }> = {};
    try {
      const rows = await db.prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
      const n = rows[0]?.n ?? 0;
      checks.database = n >= opts.migrationsApplied ? { ok: true } : { ok: false, error: 'migrations missing' };
    } catch (err) {
      checks.database = { ok: false, error: (err as Error).message };
    }
    if (opts.redis) {
      try {
        await opts.redis.ping();
        checks.redis = { ok: true };
      } catch (err) {
        checks.redis = { ok: false, error: (err as Error).message };
      }
    }
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  });

  app.get('/metrics', async (_req, res) => {
    const pool = db.poolStats();
    if (pool) {
      metrics.dbPool.set({ state: 'total' }, pool.total);
      metrics.dbPool.set({ state: 'idle' }, pool.idle);
      metrics.dbPool.set({ state: 'waiting' }, pool.waiting);
    }
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  const limiterOpts = opts.rateLimit ?? DEFAULT_RATE_LIMIT;
  const rateLimiter: RateLimiter = opts.redis
    ? createRedisRateLimiter(opts.redis, limiterOpts)
    : createMemoryRateLimiter(limiterOpts);
  // SIEM webhooks (POST /ingest/:source) spend the same per-key budget as GraphQL.
  mountIngestWebhook(app, { services, logger, rateLimiter });

  const gql = await mountGraphQL({
    app,
    httpServer: server,
    schema: await buildAppSchema(),
    services,
    logger,
    metrics,
    rateLimiter,
    limits: opts.limits,
    maxBodyBytes: opts.maxBodyBytes,
    wsMaxPayload: opts.wsMaxPayload,
    connectionInitWaitTimeoutMs: opts.connectionInitWaitTimeoutMs,
    maxSubscriptionsPerConnection: opts.maxSubscriptionsPerConnection,
  });

  // Body parser failures (oversized or malformed JSON) answer in the GraphQL error shape with a stable code.
  app.use((err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (err?.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: 'Request body too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      return;
    }
    if (err?.type === 'entity.parse.failed') {
      res.status(400).json({ errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    next(err);
  });

  return {
    server,
    services,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          logger.info({ port: addr.port, database: db.kind }, 'aluskort listening');
          resolve(addr.port);
        });
      });
    },
    async close() {
      await checkpoints?.stop();
      await workers?.stop();
      await queue.close();
      await gql.stop();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.auditChain.close(true);
      if (opts.redis) await opts.redis.quit().catch(() => undefined);
      if (opts.pubsubRedis) {
        await opts.pubsubRedis.publish.quit().catch(() => undefined);
        await opts.pubsubRedis.subscribe.quit().catch(() => undefined);
      }
      await db.close();
    },
  };
}
