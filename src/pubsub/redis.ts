import { Redis } from 'ioredis';

/**
 * A Redis connection that is ready before it is returned (a command or SUBSCRIBE sent while connecting
 * must never be lost). Publish and subscribe use separate connections.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const client = new Redis(url, {
    connectionName: `aluskort-${name}`,
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    enableOfflineQueue: true,
  });
  client.on('error', () => undefined); // reconnects on its own; callers see command errors
  await client.connect();
  return client;
}
