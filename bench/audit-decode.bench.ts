/**
 * Decoder-only benchmark: the binary COPY messages of a verification are captured once from the
 * database bench/audit-verify.bench.ts fills (BENCH_AUDIT_DB) and kept in a file, then decoded and
 * hashed in-process repeatedly (BENCH_AUDIT_RUNS, default 8). Reports process CPU time per row,
 * which is steadier than wall-clock throughput on a shared machine. Needs no server once captured.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AuditCopyDecoder, auditCopySql } from '../src/audit/audit.copy';
import { copyOut } from '../src/db/pg-copy';

const ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const NAME = process.env.BENCH_AUDIT_DB ?? 'aluskort_bench_audit_verify';
const RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 8);
const CACHE = join(tmpdir(), `${NAME}.copy-messages.bin`);

async function messages(): Promise<Buffer[]> {
  if (!existsSync(CACHE)) {
    const u = new URL(ADMIN);
    u.pathname = `/${NAME}`;
    const c = new Client({ connectionString: u.toString() });
    await c.connect();
    const parts: Buffer[] = [];
    const sql = auditCopySql({ tenantLiteral: `'bench-0'`, from: 1, to: Number.MAX_SAFE_INTEGER, table: 'audit_records' });
    await copyOut(c, sql, (b) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      parts.push(len, Buffer.from(b));
    });
    await c.end();
    writeFileSync(CACHE, Buffer.concat(parts));
  }
  const all = readFileSync(CACHE);
  const out: Buffer[] = [];
  for (let p = 0; p < all.length; p += 4 + all.readUInt32BE(p)) out.push(all.subarray(p + 4, p + 4 + all.readUInt32BE(p)));
  return out;
}

async function main() {
  const msgs = await messages();
  const perRow: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let verified = 0;
    let other = 0;
    const cpu0 = process.cpuUsage();
    const d = new AuditCopyDecoder({ verified: () => void verified++, row: () => void other++ });
    for (const m of msgs) d.push(m);
    const cpu = process.cpuUsage(cpu0);
    perRow.push((cpu.user + cpu.system) / (verified + other));
    process.stdout.write(`run ${r + 1}: ${verified} verified, ${other} off the fast path, ${perRow[r]!.toFixed(3)} µs CPU per row\n`);
  }
  perRow.sort((a, b) => a - b);
  const median = perRow[perRow.length >> 1]!;
  process.stdout.write(`median ${median.toFixed(3)} µs per row (${Math.round(1e6 / median)} rows/s decode + hash only), best ${perRow[0]!.toFixed(3)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
