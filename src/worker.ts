import 'reflect-metadata';
import { AuditRecorder } from './audit/audit.recorder';
import { reportFatal } from './cli-errors';
import { type AppConfig, loadConfig } from './config/config';
import { createBullQueue, queueName } from './engine/queue';
import { startPipelineWorkers } from './engine/runtime/workers';
import { openMigrated } from './main';
import { createLogger, type Logger } from './observability/logger';
import { createAuditPublisher } from './pubsub/audit-publisher';
import { createAppPubSub } from './pubsub/pubsub';
import { connectRedis } from './pubsub/redis';
import { closeOnSignals } from './shutdown';

/**
 * Pipeline workers without the HTTP server (scale-out). Needs REDIS_URL: the queue and the pub/sub that
 * carries transitions to the API servers' subscribers live there. Without Redis, `npm start` runs the
 * workers inside the API process.
 */
export async function runWorker(config: AppConfig, logger: Logger): Promise<void> {
  if (!config.redisUrl) {
    throw new Error('npm run worker needs REDIS_URL (without Redis, `npm start` runs the pipeline workers in-process)');
  }
  const { db } = await openMigrated(config, logger);
  const queueRedis = await connectRedis(config.redisUrl, 'queue');
  const publish = await connectRedis(config.redisUrl, 'publish');
  const subscribe = await connectRedis(config.redisUrl, 'subscribe');
  const queue = createBullQueue(queueRedis, queueName(config.redisNamespace));
  const audit = new AuditRecorder(db.prisma, createAuditPublisher(createAppPubSub({ publish, subscribe }, config.redisNamespace)), {
    sqlTransaction: db.sqlTransaction,
  });
  const workers = startPipelineWorkers({
    prisma: db.prisma,
    sql: db.sql,
    audit,
    queue,
    logger,
    concurrency: Math.max(1, config.workerConcurrency),
  });
  logger.info({ workerId: workers.workerId, concurrency: config.workerConcurrency }, 'pipeline worker ready');
  closeOnSignals(logger, 'worker', async () => {
    await workers.stop();
    await queue.close();
    for (const r of [queueRedis, publish, subscribe]) await r.quit().catch(() => undefined);
    await db.close();
  });
}

if (require.main === module) {
  Promise.resolve()
    .then(() => {
      const config = loadConfig();
      return runWorker(config, createLogger(config.logLevel));
    })
    .catch(reportFatal);
}
