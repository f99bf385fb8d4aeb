import type { Redis } from 'ioredis';

/** Result of taking one token. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until one more token is available (0 when some are left). */
  resetMs: number;
}

export interface RateLimiter {
  take(key: string): Promise<RateDecision>;
}

export interface TokenBucketOptions {
  /** Bucket size (burst). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

/** In-process token buckets (embedded mode, or when Redis is not configured). */
export function createMemoryRateLimiter(opts: TokenBucketOptions, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    async take(key) {
      const t = now();
      const b = buckets.get(key) ?? { tokens: opts.capacity, at: t };
      b.tokens = Math.min(opts.capacity, b.tokens + ((t - b.at) / 1000) * opts.refillPerSecond);
      b.at = t;
      const allowed = b.tokens >= 1;
      if (allowed) b.tokens -= 1;
      buckets.set(key, b);
      if (buckets.size > 100_000) buckets.clear(); // bound memory under key churn
      return {
        allowed,
        limit: opts.capacity,
        remaining: Math.floor(b.tokens),
        resetMs: b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) / opts.refillPerSecond) * 1000),
      };
    },
  };
}

// Atomic refill-and-take: KEYS[1] bucket hash; ARGV capacity, refill/s, now(ms). Returns {allowed, tokens*1000}.
const TAKE_SCRIPT = `
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil then tokens = cap; at = now end
tokens = math.min(cap, tokens + ((now - at) / 1000) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((cap / rate) * 1000) + 1000)
return {allowed, math.floor(tokens * 1000)}
`;

/** Token buckets shared by every server process through Redis (one Lua call per request). */
export function createRedisRateLimiter(redis: Redis, opts: TokenBucketOptions, prefix = 'ratelimit:key:'): RateLimiter {
  return {
    async take(key) {
      const [allowed, milli] = (await redis.eval(
        TAKE_SCRIPT,
        1,
        `${prefix}${key}`,
        opts.capacity,
        opts.refillPerSecond,
        Date.now(),
      )) as [number, number];
      const tokens = milli / 1000;
      return {
        allowed: allowed === 1,
        limit: opts.capacity,
        remaining: Math.floor(tokens),
        resetMs: tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / opts.refillPerSecond) * 1000),
      };
    },
  };
}
