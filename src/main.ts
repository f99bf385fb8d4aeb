import 'reflect-metadata';
import { type AppConfig, loadConfig } from './config/config';
import { type Database, openDatabase } from './db/database';
import { loadOrCreateSigningKey } from './audit/audit.checkpoints';
import { runAuditRetention } from './audit/audit.retention';
import { ensureAuditPartitions } from './audit/partitions';
import { runMigrations } from './db/migrate';
import { reportFatal } from './cli-errors';
import { closeOnSignals } from './shutdown';
import { seedDatabase } from './db/seed';
import { createApp } from './app';
import { connectRedis } from './pubsub/redis';
import { createBullQueue, createMemoryQueue, queueName } from './engine/queue';
import { createLogger, type Logger } from './observability/logger';

/** Opens the configured database and applies pending migrations. */
export async function openMigrated(config: AppConfig, logger: Logger): Promise<{ db: Database; migrations: number }> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
  });
  try {
    const driver = await db.sqlDriver();
    try {
      const report = await runMigrations(driver);
      if (report.applied.length > 0) logger.info({ applied: report.applied }, 'migrations applied');
      const partitions = await ensureAuditPartitions(driver);
      if (partitions > 0) logger.info({ partitions }, 'audit partitions created');
      return { db, migrations: report.total };
    } finally {
      await driver.close();
    }
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** Process entry for the API server: migrate, seed, listen, shut down gracefully on SIGTERM/SIGINT. */
export async function serve(config: AppConfig, logger: Logger): Promise<void> {
  const started = Date.now();
  const { db, migrations } = await openMigrated(config, logger);
  if (config.seedOnStart) {
    const seeded = await seedDatabase(db.prisma, { tenantId: 'default' });
    logger.info({ seeded }, 'seed checked');
  }
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, 'api') : undefined;
  const pubsubRedis = config.redisUrl
    ? { publish: await connectRedis(config.redisUrl, 'publish'), subscribe: await connectRedis(config.redisUrl, 'subscribe') }
    : undefined;
  const auditKey = await loadOrCreateSigningKey(config.dataDir, config.auditSigningKeyPem);
  // With Redis, work goes through BullMQ so any number of API and worker processes share it; without,
  // the in-process queue (the reconciler re-queues from PostgreSQL after a restart).
  const queue = redis ? createBullQueue(await connectRedis(config.redisUrl!, 'queue'), queueName(config.redisNamespace)) : createMemoryQueue();
  const app = await createApp({
    db,
    logger,
    migrationsApplied: migrations,
    redis,
    pubsubRedis,
    pubsubNamespace: config.redisNamespace,
    queue,
    pipelineWorkers: config.workerConcurrency > 0 ? { concurrency: config.workerConcurrency } : undefined,
    rateLimit: config.rateLimit,
    auditKey,
    checkpoints: { everyRecords: config.auditCheckpointEveryRecords, everyMs: config.auditCheckpointEveryMs },
  });
  // Daily maintenance: audit partitions ahead, and the retention lifecycle (export, then detach).
  const maintenance = setInterval(() => {
    void (async () => {
      const driver = await db.sqlDriver();
      try {
        await ensureAuditPartitions(driver);
      } finally {
        await driver.close();
      }
      await runAuditRetention(db.prisma, { dataDir: config.dataDir });
    })().catch((err: unknown) => logger.error({ err }, 'audit maintenance failed'));
  }, 24 * 3600 * 1000);
  maintenance.unref();
  if (config.bootstrapKey) {
    const { created } = await app.services.apiKeys.ensureBootstrapKey(config.bootstrapKey);
    if (created) logger.info('bootstrap admin API key registered for tenant default');
  }
  await app.listen(config.port, config.host);
  logger.info({ database: db.kind, startupMs: Date.now() - started }, 'ready');
  closeOnSignals(logger, 'server', async () => {
    clearInterval(maintenance);
    await app.close();
  });
}

if (require.main === module) {
  Promise.resolve()
    .then(() => {
      const config = loadConfig();
      return serve(config, createLogger(config.logLevel));
    })
    .catch(reportFatal);
}
