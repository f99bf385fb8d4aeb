import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../../src/generated/prisma/client';
import { quoteIdent, templateName, urlFor, withAdmin } from './pg-admin';

export interface TestDatabase {
  name: string;
  url: string;
  prisma: PrismaClient;
  /** Raw SQL access to the same database. */
  pool: Pool;
  drop(): Promise<void>;
}

function newName(): string {
  return `aluskort_t_${Math.floor(Date.now() / 1000)}_${randomBytes(5).toString('hex')}`;
}

async function connect(name: string): Promise<TestDatabase> {
  const url = urlFor(name);
  const pool = new Pool({ connectionString: url, max: 5 });
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 5 }) });
  let dropped = false;
  return {
    name,
    url,
    prisma,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await prisma.$disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await withAdmin((a) => a.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}

/** A fresh database with every migration applied, cloned from the template that global-setup built. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const tpl = process.env.ALUSKORT_TEST_TEMPLATE ?? (await templateName());
  const name = newName();
  await withAdmin(async (a) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await a.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(tpl)}`);
        return;
      } catch (err) {
        // "source database is being accessed by other users": another worker is cloning right now.
        if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  return connect(name);
}

/** A fresh, empty database (no migrations), for testing the migration runner itself. */
export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  const name = newName();
  await withAdmin((a) => a.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return connect(name);
}
