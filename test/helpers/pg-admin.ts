import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { readMigrations } from '../../src/db/migrate';

/** The maintenance database used to create and drop per-test databases. */
export const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** URL of another database on the same server. */
export function urlFor(dbName: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
}

export async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The template's name changes whenever any migration changes, so a stale template is never reused. */
export async function templateName(): Promise<string> {
  const files = await readMigrations();
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.name}:${f.checksum}\n`);
  // Migrations create audit partitions relative to "now": a template from another month would lack them.
  const month = new Date().toISOString().slice(0, 7).replace('-', '');
  return `aluskort_tpl_${month}_${h.digest('hex').slice(0, 12)}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
