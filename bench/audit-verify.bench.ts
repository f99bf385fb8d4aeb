/**
 * Chain verification only, repeated, on a database kept between runs (for A/B of the verifier).
 * BENCH_AUDIT_DB names the database: created and filled with BENCH_AUDIT_RECORDS (default 200,000)
 * records like bench:audit's when missing, reused otherwise. BENCH_AUDIT_RUNS (default 5) runs.
 */
import 'reflect-metadata';
import { PrismaPg } from '@prisma/adapter-pg';
import { Client } from 'pg';
import { appendAuditBatch } from '../src/audit/audit.append';
import { verifyAuditChain } from '../src/audit/audit.verify';
import { systemScope } from '../src/auth/scope';
import { runMigrations } from '../src/db/migrate';
import { pgDriver } from '../src/db/sql-driver';
import { PrismaClient } from '../src/generated/prisma/client';
import { benchAuditEvent } from './bench-kit';

const N = Number(process.env.BENCH_AUDIT_RECORDS ?? 200_000);
const RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 5);
const ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const NAME = process.env.BENCH_AUDIT_DB ?? 'aluskort_bench_audit_verify';


async function main() {
  const admin = new Client({ connectionString: ADMIN });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [NAME])).rowCount === 1;
  if (!exists) await admin.query(`CREATE DATABASE "${NAME}"`);
  await admin.end();
  const u = new URL(ADMIN);
  u.pathname = `/${NAME}`;
  const url = u.toString();
  if (!exists) {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) });
    const c = new Client({ connectionString: url });
    await c.connect();
    await runMigrations(pgDriver(c));
    await c.end();
    await prisma.tenant.create({ data: { tenantId: 'bench-0', name: 'bench-0' } });
    for (let i = 0; i < N; i += 5000) {
      await appendAuditBatch(prisma, systemScope('bench-0', 'bench'), Array.from({ length: Math.min(5000, N - i) }, (_, k) => benchAuditEvent(i + k)));
    }
    await prisma.$executeRawUnsafe('VACUUM ANALYZE audit_records');
    await prisma.$disconnect();
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const cpu0 = process.cpuUsage();
    const rep = await verifyAuditChain(pgDriver(client), 'bench-0', { log: false });
    const cpu = process.cpuUsage(cpu0);
    if (!rep.valid) throw new Error(`chain reported broken: ${JSON.stringify(rep.errors.slice(0, 3))}`);
    rates.push(rep.recordsPerSecond);
    process.stdout.write(`run ${r + 1}: ${rep.recordsChecked} records, ${rep.recordsPerSecond} records/s, this process ${((cpu.user + cpu.system) / rep.recordsChecked).toFixed(2)} µs CPU per record\n`);
  }
  await client.end();
  rates.sort((a, b) => a - b);
  process.stdout.write(`median ${rates[rates.length >> 1]} records/s, best ${rates[rates.length - 1]}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
