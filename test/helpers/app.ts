import { randomBytes } from 'node:crypto';
import { type App, type AppOptions, createApp } from '../../src/app';
import type { Role } from '../../src/auth/scope';
import { systemScope } from '../../src/auth/scope';
import { hashApiKey } from '../../src/modules/api-keys/api-key.service';
import { type Database, openDatabase } from '../../src/db/database';
import { readMigrations } from '../../src/db/migrate';
import { createLogger } from '../../src/observability/logger';
import { type TestDatabase, createTestDatabase } from './db';

export interface TestApp {
  app: App;
  db: Database;
  testDb: TestDatabase;
  url: string;
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

/** A real server on a random port over its own freshly migrated PostgreSQL database. */
export async function startTestApp(
  overrides: Partial<Omit<AppOptions, 'db' | 'logger' | 'migrationsApplied'>> = {},
  options: { logQueries?: boolean; onDatabase?: (db: Database) => void } = {},
): Promise<TestApp> {
  const testDb = await createTestDatabase();
  const db = await openDatabase({ databaseUrl: testDb.url, dataDir: '', poolMax: 10, logQueries: options.logQueries });
  options.onDatabase?.(db);
  const migrations = (await readMigrations()).length;
  const app = await createApp({
    db,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    migrationsApplied: migrations,
    ...overrides,
  });
  const port = await app.listen(0, '127.0.0.1');
  return {
    app,
    db,
    testDb,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    async close() {
      await app.close();
      await testDb.drop();
    },
  };
}

/** A new tenant with its own name; tests never share tenants. */
export async function createTenant(db: Database, tier: 'trial' | 'standard' | 'premium' = 'standard'): Promise<string> {
  const tenantId = `t-${randomBytes(5).toString('hex')}`;
  await db.prisma.tenant.create({ data: { tenantId, name: `Tenant ${tenantId}`, tier } });
  return tenantId;
}

/**
 * An API key secret for the tenant with the given roles. A fixture: the key is written directly (as a seed
 * would), so it adds no record to the tenant's audit chain and tests can assert on that chain exactly.
 * The createApiKey mutation (and ApiKeyService.create) is audited.
 */
export async function createKey(app: App, tenantId: string, roles: Role[], name = 'test key'): Promise<string> {
  const secret = `alsk_${randomBytes(32).toString('base64url')}`;
  await app.services.prisma.apiKey.create({
    data: { tenantId, name, keyPrefix: secret.slice(0, 12), keyHash: hashApiKey(secret), roles: [...new Set(roles)], createdBy: systemScope(tenantId, 'test').actor },
  });
  return secret;
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[]; extensions?: Record<string, unknown> };
}

/** Raw HTTP GraphQL call (for protocol-level tests; feature tests use the typed client). */
export async function gql<T = Record<string, unknown>>(
  url: string,
  key: string | null,
  query: string,
  variables?: Record<string, unknown>,
  extraHeaders: Record<string, string> = {},
): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...extraHeaders,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: GqlResponse<T>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text, extensions: { code: `HTTP_${res.status}` } }] };
  }
  return { status: res.status, headers: res.headers, body };
}

/** The error codes of a response, in order. */
export function codes(r: GqlResponse): string[] {
  return (r.body.errors ?? []).map((e) => String(e.extensions?.code));
}
