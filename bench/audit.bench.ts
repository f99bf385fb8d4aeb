/**
 * Audit trail benchmark on a throwaway database: batched and single appends (1 tenant; 100 tenants × 32
 * writers) over both transaction runners of the product, each next to plain single-row INSERT transactions
 * with the same writers and runner, and chain verification throughput (records/s) through a raw connection
 * and through Prisma. Targets: ≥ 2,000 appends/s aggregate, verification ≥ 200k records/s. Settings: BENCH_AUDIT_RECORDS (default 200,000), BENCH_PG_ADMIN_URL.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Pool } from 'pg';
import { appendAudit, appendAuditBatch } from '../src/audit/audit.append';
import { verifyAuditChain } from '../src/audit/audit.verify';
import { systemScope } from '../src/auth/scope';
import { runMigrations } from '../src/db/migrate';
import { pgDriver, pgSqlTransaction, type SqlTx } from '../src/db/sql-driver';
import { PrismaClient } from '../src/generated/prisma/client';
import { admin, benchAuditEvent, dbUrl } from './bench-kit';

const N = Number(process.env.BENCH_AUDIT_RECORDS ?? 200_000);


async function main() {
  const name = `aluskort_bench_audit_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = dbUrl(name);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 33 }) });
  const out: string[] = [];
  try {
    const c = new Client({ connectionString: url });
    await c.connect();
    await runMigrations(pgDriver(c));
    await c.end();
    const tenants = Array.from({ length: 101 }, (_, i) => `bench-${i}`);
    await prisma.tenant.createMany({ data: tenants.map((t) => ({ tenantId: t, name: t })) });

    const t0 = performance.now();
    for (let i = 0; i < N; i += 5000) {
      await appendAuditBatch(prisma, systemScope(tenants[0], 'bench'), Array.from({ length: Math.min(5000, N - i) }, (_, k) => benchAuditEvent(i + k)));
    }
    out.push(`batched append (5,000 per transaction): ${Math.round(N / ((performance.now() - t0) / 1000))} records/s`);
    await prisma.$executeRawUnsafe('VACUUM ANALYZE audit_records');

    // The raw path three times on one connection, as the verifyAuditChain mutation keeps its connection
    // between runs: the first run is also what `npm run audit:verify` (a new process and connection) pays
    // (JIT warm-up, a new backend faulting in the shared buffers it reads), the later ones the kept state.
    const rates: number[] = [];
    const client = new Client({ connectionString: url });
    await client.connect();
    for (let run = 0; run < 3; run++) {
      const r = await verifyAuditChain(pgDriver(client), tenants[0], { log: false });
      if (!r.valid) throw new Error('bench chain does not verify');
      rates.push(r.recordsPerSecond);
    }
    await client.end();
    out.push(
      `verify via raw connection: ${N + 1} records, first run (new process and connection) ${rates[0]!.toLocaleString('en-US')} records/s; ` +
        `then on the kept connection ${rates.slice(1).map((r) => r.toLocaleString('en-US')).join(' / ')} records/s (target 200,000)`,
    );
    const viaPrisma = await verifyAuditChain(prisma, tenants[0], { log: false });
    out.push(`verify via Prisma: ${viaPrisma.recordsChecked} records, valid=${viaPrisma.valid}, ${viaPrisma.recordsPerSecond} records/s`);

    // Appends one record per transaction over both transaction runners the product has: Database.sqlTransaction
    // (BEGIN … COMMIT on node-postgres, what the pipeline's group commits use on server PostgreSQL) and a Prisma
    // interactive transaction (what API mutations use: their changes are Prisma model calls). Each is shown
    // next to plain single-row INSERT transactions over the same runner, 32 writers.
    const pool = new Pool({ connectionString: url, max: 33 });
    const sqlTx = pgSqlTransaction(pool);
    type Runner = <T>(fn: (tx: SqlTx) => Promise<T>) => Promise<T>;
    const runners: [string, Runner][] = [
      ['SQL transaction (pipeline)', (fn) => sqlTx(fn, 60_000)],
      ['Prisma transaction (API mutations)', (fn) => prisma.$transaction((tx) => fn(tx), { maxWait: 60_000, timeout: 60_000 })],
    ];
    await prisma.$executeRawUnsafe('CREATE TABLE bench_plain (id bigserial primary key, tenant_id text, payload jsonb)');
    const closedLoop = async (writers: number, total: number, op: (n: number) => Promise<unknown>): Promise<number> => {
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (next < total) await op(next++);
        }),
      );
      return total / ((performance.now() - start) / 1000);
    };
    for (const [label, run] of runners) {
      const one = await closedLoop(1, 500, (n) => run((tx) => appendAudit(tx, systemScope(tenants[1], 'bench'), benchAuditEvent(n))));
      const many = await closedLoop(32, 4000, (n) => run((tx) => appendAudit(tx, systemScope(tenants[1 + (n % 100)], 'bench'), benchAuditEvent(n))));
      const plain = await closedLoop(32, 4000, (n) =>
        run((tx) => tx.$executeRawUnsafe('INSERT INTO bench_plain (tenant_id, payload) VALUES ($1, $2::jsonb)', tenants[n % 100], JSON.stringify(benchAuditEvent(n)))),
      );
      out.push(`${label}:`);
      out.push(`  single append, 1 tenant, 1 writer: ${Math.round(one)} records/s`);
      out.push(`  single append, 100 tenants × 32 writers: ${Math.round(many)} records/s (target 2,000)`);
      out.push(`  plain single-row INSERT transactions, 32 writers: ${Math.round(plain)} tx/s (append/INSERT ratio ${(many / plain).toFixed(2)})`);
    }
    await pool.end();
    process.stdout.write(`\nALUSKORT audit benchmark (${N} records)\n\n${out.map((l) => `  ${l}`).join('\n')}\n`);
  } finally {
    await prisma.$disconnect();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
