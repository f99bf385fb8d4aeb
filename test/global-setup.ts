import { Client } from 'pg';
import { runMigrations } from '../src/db/migrate';
import { pgDriver } from '../src/db/sql-driver';
import { quoteIdent, templateName, urlFor, withAdmin } from './helpers/pg-admin';

const TEMPLATE_LOCK = 4_177_001;
const STALE_AFTER_S = 2 * 3600;

/**
 * Builds (once per migration set) a fully migrated template database that every test file clones,
 * and drops per-test databases that crashed runs left behind.
 */
export default async function globalSetup(): Promise<void> {
  const tpl = await templateName();
  process.env.ALUSKORT_TEST_TEMPLATE = tpl;
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const { rows } = await admin.query<{ datname: string; note: string | null }>(
        `SELECT datname, shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname LIKE 'aluskort\\_%'`,
      );
      const names = rows.map((r) => r.datname);
      const now = Math.floor(Date.now() / 1000);
      for (const { datname: n, note } of rows) {
        const m = /^aluskort_t_(\d+)_/.exec(n);
        // Other checkouts (another branch, a CI clone) may be using their own template right now:
        // only templates unused for a long time are dropped.
        const builtAt = Number(/built (\d+)/.exec(note ?? '')?.[1] ?? 0);
        const staleTemplate = n.startsWith('aluskort_tpl_') && n !== tpl && now - builtAt > STALE_AFTER_S;
        if ((m && now - Number(m[1]) > STALE_AFTER_S) || staleTemplate) {
          await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(n)}`).catch(() => undefined);
        }
      }
      if (names.includes(tpl)) return;
      const building = `${tpl}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)}`);
      await admin.query(`CREATE DATABASE ${quoteIdent(building)}`);
      await admin.query(`COMMENT ON DATABASE ${quoteIdent(building)} IS 'aluskort test template built ${Math.floor(Date.now() / 1000)}'`);
      const c = new Client({ connectionString: urlFor(building) });
      await c.connect();
      try {
        await runMigrations(pgDriver(c));
      } finally {
        await c.end();
      }
      await admin.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(tpl)}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
}
