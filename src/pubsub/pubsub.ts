import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import type { Redis } from 'ioredis';
import type { TopicMap, TopicName } from './topics';

/** Typed, tenant-routed publish/subscribe. */
export interface AppPubSub {
  publish<T extends TopicName>(topic: T, routingId: TopicMap[T][0], payload: TopicMap[T][1]): void;
  subscribe<T extends TopicName>(topic: T, routingId: TopicMap[T][0]): AsyncIterable<TopicMap[T][1]>;
}

/**
 * Redis-backed when clients are given (separate publish and subscribe connections, so every server
 * process sees every event), in-memory otherwise (embedded mode, single process). A non-empty `namespace`
 * (ALUSKORT_REDIS_NAMESPACE) prefixes every channel as `<namespace>:`, so deployments (or test runs)
 * sharing one Redis never see each other's events.
 */
export function createAppPubSub(redis?: { publish: Redis; subscribe: Redis }, namespaceName = ''): AppPubSub {
  const namespace = namespaceName ? `${namespaceName}:` : '';
  // Yoga's generic signatures do not survive the namespacing; the typed surface is AppPubSub above.
  const inner = (
    redis
      ? createPubSub<TopicMap>({
          eventTarget: createRedisEventTarget({ publishClient: redis.publish, subscribeClient: redis.subscribe }),
        })
      : createPubSub<TopicMap>()
  ) as unknown as { publish(topic: string, id: string, payload: unknown): void; subscribe(topic: string, id: string): AsyncIterable<unknown> };
  return {
    publish(topic, routingId, payload) {
      inner.publish(topic, `${namespace}${routingId}`, payload);
    },
    subscribe(topic, routingId) {
      return inner.subscribe(topic, `${namespace}${routingId}`) as AsyncIterable<TopicMap[typeof topic][1]>;
    },
  };
}
