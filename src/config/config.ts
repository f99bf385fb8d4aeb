import path from 'node:path';
import { z } from 'zod';

/**
 * Pipeline jobs a process runs at once by default. Jobs mostly wait on PostgreSQL, and more of them make
 * bigger group commits: on the 2-core development machine 64 gave 254–267 investigations/s against
 * 219–241 for 32 (paired runs of `bench:pipeline-cpu`), with less CPU per investigation.
 */
export const DEFAULT_WORKERS = 64;

/**
 * Every environment variable ALUSKORT reads, validated once at boot.
 * No other module reads process.env: they receive an AppConfig.
 */
const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: 'must be a postgres:// or postgresql:// URL',
    }),
  ALUSKORT_DATA_DIR: z.string().trim().min(1).default('./.aluskort/data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || /^rediss?:\/\//.test(v), { message: 'must be a redis:// or rediss:// URL' }),
  ALUSKORT_BOOTSTRAP_KEY: z.string().trim().min(16).optional(),
  ALUSKORT_SEED_ON_START: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  ALUSKORT_AUDIT_SIGNING_KEY: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || v.includes('BEGIN PRIVATE KEY'), { message: 'must be a PKCS#8 PEM Ed25519 private key' }),
  ALUSKORT_AUDIT_CHECKPOINT_EVERY_RECORDS: z.coerce.number().int().min(1).default(1000),
  ALUSKORT_AUDIT_CHECKPOINT_EVERY_MS: z.coerce.number().int().min(1000).default(60_000),
  ALUSKORT_RATE_LIMIT_CAPACITY: z.coerce.number().int().min(1).default(600),
  ALUSKORT_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(100),
  ALUSKORT_WORKERS: z.coerce.number().int().min(0).max(256).default(DEFAULT_WORKERS),
  ALUSKORT_REDIS_NAMESPACE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, - and _ only')
    .default(''),
});

export type AppConfig = {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  redisUrl: string | undefined;
  bootstrapKey: string | undefined;
  seedOnStart: boolean;
  databasePoolMax: number;
  auditSigningKeyPem: string | undefined;
  auditCheckpointEveryRecords: number;
  auditCheckpointEveryMs: number;
  rateLimit: { capacity: number; refillPerSecond: number };
  /** Pipeline jobs processed at once by this process (0: none — e.g. an API-only process). */
  workerConcurrency: number;
  /** Separates deployments sharing one Redis: prefixes pub/sub channels and names the work queue. */
  redisNamespace: string;
};

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment. Call once, at process start. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })),
    );
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.ALUSKORT_DATA_DIR),
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    bootstrapKey: e.ALUSKORT_BOOTSTRAP_KEY,
    seedOnStart: e.ALUSKORT_SEED_ON_START,
    databasePoolMax: e.DATABASE_POOL_MAX,
    auditSigningKeyPem: e.ALUSKORT_AUDIT_SIGNING_KEY,
    auditCheckpointEveryRecords: e.ALUSKORT_AUDIT_CHECKPOINT_EVERY_RECORDS,
    auditCheckpointEveryMs: e.ALUSKORT_AUDIT_CHECKPOINT_EVERY_MS,
    rateLimit: { capacity: e.ALUSKORT_RATE_LIMIT_CAPACITY, refillPerSecond: e.ALUSKORT_RATE_LIMIT_PER_SECOND },
    workerConcurrency: e.ALUSKORT_WORKERS,
    redisNamespace: e.ALUSKORT_REDIS_NAMESPACE,
  };
}
