import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import type { Redis } from 'ioredis';
import type { TopicMap } from './topics';

/** Typed, tenant-routed publish/subscribe. */
export type AppPubSub = ReturnType<typeof createPubSub<TopicMap>>;

/**
 * Redis-backed when clients are given (separate publish and subscribe connections, so every server
 * process sees every event), in-memory otherwise (embedded mode, single process).
 */
export function createAppPubSub(redis?: { publish: Redis; subscribe: Redis }): AppPubSub {
  if (!redis) return createPubSub<TopicMap>();
  return createPubSub<TopicMap>({
    eventTarget: createRedisEventTarget({ publishClient: redis.publish, subscribeClient: redis.subscribe }),
  });
}
