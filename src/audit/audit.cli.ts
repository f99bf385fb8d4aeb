/**
 * `aluskort audit-verify` and `aluskort audit-export` (npm run audit:verify / audit:export).
 *
 *   audit-verify [--tenant T] [--from N] [--to M] [--type continuous|daily_full|…] [--json]
 *       verifies one tenant's chain (or every tenant's) in the database and logs each run;
 *   audit-verify --offline <export.jsonl> --public-key <public.pem> [--allow-no-checkpoint] [--json]
 *       verifies an export without any database;
 *   audit-export --tenant T --out <file.jsonl> [--from N] [--to M]
 *       writes an export (header, records, signed checkpoints) for offline verification.
 *
 * Exit codes: 0 intact, 1 broken (or an export whose chain does not verify), 2 usage or
 * unreadable input.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';

import type { DatabaseKind, SqlDriver } from '../db/sql-driver';
import type { PrismaClient } from '../generated/prisma/client';
import { exportAuditJsonl } from './audit.export';
import { VERIFICATION_TYPES, verifyAuditChain, type AuditVerificationReport, type VerificationType } from './audit.verify';
import { createExportVerifier, type OfflineVerificationReport } from './offline-verify';

/** Where the commands print (process.stdout in the CLI). */
export interface AuditCliOut {
  write(s: string): unknown;
}

export interface AuditCliDeps {
  /** Opens the database; only called by commands that need it. */
  /** A `Database` (src/db/database.ts) or just its Prisma part; with `sqlDriver`, verification uses a raw connection. */
  openDatabase?: () => Promise<{ prisma: PrismaClient; close(): Promise<void>; kind?: DatabaseKind; sqlDriver?(): Promise<SqlDriver> }>;
  /** Only checkpoints signed by these keys count (default: every key stored in audit_signing_keys). */
  trustedFingerprints?: readonly string[];
}

export const AUDIT_VERIFY_USAGE = `usage: audit-verify [--tenant T] [--from N] [--to M] [--type continuous|daily_full|hourly_lag|weekly_cold|on_demand] [--json]
       audit-verify --offline <export.jsonl> --public-key <public-key.pem> [--allow-no-checkpoint] [--json]`;
export const AUDIT_EXPORT_USAGE = 'usage: audit-export --tenant T --out <file.jsonl> [--from N] [--to M]';

class UsageError extends Error {}

interface ParsedArgs {
  values: Map<string, string>;
  flags: Set<string>;
}

function parseArgs(args: readonly string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') continue;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (valued.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      out.values.set(name, v);
    } else if (flags.includes(name)) {
      out.flags.add(name);
    } else {
      throw new UsageError(`unknown argument: ${a}`);
    }
  }
  return out;
}

function positiveInt(p: ParsedArgs, name: string): number | undefined {
  const v = p.values.get(name);
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`${name} must be a positive integer`);
  return Number(v);
}

/** `audit-verify`; resolves with the exit code. */
export async function runAuditVerifyCli(args: readonly string[], out: AuditCliOut, deps: AuditCliDeps = {}): Promise<number> {
  let p: ParsedArgs;
  try {
    p = parseArgs(args, ['--tenant', '--from', '--to', '--type', '--offline', '--public-key'], ['--json', '--allow-no-checkpoint', '--help', '-h']);
    if (p.flags.has('--help') || p.flags.has('-h')) {
      out.write(`${AUDIT_VERIFY_USAGE}\n`);
      return 0;
    }
    if (p.values.has('--offline')) {
      if (!p.values.has('--public-key')) throw new UsageError('--offline needs --public-key');
      for (const n of ['--tenant', '--from', '--to', '--type']) if (p.values.has(n)) throw new UsageError(`${n} does not apply to --offline`);
      return await verifyOffline(p, out);
    }
    if (p.values.has('--public-key')) throw new UsageError('--public-key only applies to --offline');
    const from = positiveInt(p, '--from');
    const to = positiveInt(p, '--to');
    if (from !== undefined && to !== undefined && to < from) throw new UsageError('--to must not be below --from');
    const type = p.values.get('--type') ?? 'on_demand';
    if (!(VERIFICATION_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${VERIFICATION_TYPES.join(', ')}`);
    if (!deps.openDatabase) throw new UsageError('no database configured');
    const db = await deps.openDatabase();
    try {
      let tenants: string[];
      const tenant = p.values.get('--tenant');
      if (tenant) {
        tenants = [tenant];
      } else {
        if (from !== undefined || to !== undefined) throw new UsageError('--from/--to need --tenant');
        const rows = await db.prisma.auditChainState.findMany({ select: { tenantId: true }, orderBy: { tenantId: 'asc' } });
        tenants = rows.map((r) => r.tenantId);
      }
      let broken = 0;
      // A server database: verify over a dedicated connection (binary COPY read path, audit.copy.ts).
      const sql = db.kind === 'postgres' && db.sqlDriver ? await db.sqlDriver() : null;
      try {
        for (const t of tenants) {
          const report = await verifyAuditChain(sql ?? db.prisma, t, {
            fromSequence: from,
            toSequence: to,
            verificationType: type as VerificationType,
            trustedFingerprints: deps.trustedFingerprints,
          });
          if (!report.valid) broken++;
          out.write(p.flags.has('--json') ? `${JSON.stringify(report)}\n` : `${describeReport(report)}\n`);
        }
      } finally {
        await sql?.close();
      }
      if (!p.flags.has('--json')) out.write(`${tenants.length} chain(s) verified, ${broken} broken\n`);
      return broken > 0 ? 1 : 0;
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof UsageError) {
      out.write(`audit-verify: ${err.message}\n${AUDIT_VERIFY_USAGE}\n`);
      return 2;
    }
    throw err;
  }
}

function describeReport(r: AuditVerificationReport): string {
  const span = r.recordsChecked > 0 ? `${r.fromSequence}..${r.lastSequence}` : 'none';
  const cp = r.checkpoint ? `, checkpoint at ${r.checkpoint.sequence}` : ', no checkpoint';
  const speed = `${(r.durationMs / 1000).toFixed(2)} s, ${r.recordsPerSecond} records/s`;
  if (r.valid) return `tenant ${r.tenantId}: intact, ${r.recordsChecked} records (${span})${cp}, ${speed}`;
  const first = r.errors[0]!;
  return `tenant ${r.tenantId}: BROKEN at sequence ${first.sequence} (${first.kind}): ${first.message} [${r.recordsChecked} records (${span})${cp}, ${r.errors.length}${r.errorsTruncated ? '+' : ''} finding(s)]`;
}

async function verifyOffline(p: ParsedArgs, out: AuditCliOut): Promise<number> {
  const file = p.values.get('--offline')!;
  let publicKey: string;
  try {
    publicKey = await fs.readFile(p.values.get('--public-key')!, 'utf8');
    await fs.access(file);
  } catch (err) {
    throw new UsageError(`cannot read ${(err as NodeJS.ErrnoException).path ?? 'input'}: ${(err as Error).message}`);
  }
  const verifier = createExportVerifier({ publicKey, requireCheckpoint: !p.flags.has('--allow-no-checkpoint') });
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      parsed = { type: 'malformed', lineNumber, reason: (e as Error).message };
    }
    verifier.push(parsed);
  }
  const report = verifier.finish();
  out.write(p.flags.has('--json') ? `${JSON.stringify(report)}\n` : `${describeOffline(file, report)}\n`);
  return report.valid ? 0 : 1;
}

function describeOffline(file: string, r: OfflineVerificationReport): string {
  const cp = r.checkpoint
    ? `checkpoint at ${r.checkpoint.sequence}${r.checkpoint.merkleRootValid === true ? ' (Merkle root verified)' : ''}`
    : 'no valid checkpoint';
  if (r.valid) return `${file}: intact, tenant ${r.tenantId}, ${r.recordsChecked} records, ${cp}, key ${r.publicKeyFingerprint}`;
  const first = r.errors[0]!;
  return `${file}: BROKEN at ${first.sequence ?? '-'} (${first.kind}): ${first.message} [${r.recordsChecked} records, ${cp}]`;
}

/** `audit-export`; resolves with the exit code. */
export async function runAuditExportCli(args: readonly string[], out: AuditCliOut, deps: AuditCliDeps = {}): Promise<number> {
  try {
    const p = parseArgs(args, ['--tenant', '--out', '--from', '--to'], ['--help', '-h']);
    if (p.flags.has('--help') || p.flags.has('-h')) {
      out.write(`${AUDIT_EXPORT_USAGE}\n`);
      return 0;
    }
    const tenant = p.values.get('--tenant');
    const file = p.values.get('--out');
    if (!tenant || !file) throw new UsageError('--tenant and --out are required');
    const from = positiveInt(p, '--from');
    const to = positiveInt(p, '--to');
    if (from !== undefined && to !== undefined && to < from) throw new UsageError('--to must not be below --from');
    if (!deps.openDatabase) throw new UsageError('no database configured');
    const db = await deps.openDatabase();
    try {
      const r = await exportAuditJsonl(db.prisma, tenant, file, { fromSequence: from, toSequence: to });
      out.write(
        `${file}: tenant ${tenant}, ${r.records} records (${r.fromSequence}..${r.lastSequence ?? '-'}), ${r.checkpoints} checkpoint(s), sha256 ${r.sha256}\n`,
      );
      if (!r.chain.valid) {
        const e = r.chain.errors[0]!;
        out.write(`warning: the exported chain does not verify: sequence ${e.sequence} (${e.kind}): ${e.message}\n`);
        return 1;
      }
      return 0;
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof UsageError) {
      out.write(`audit-export: ${err.message}\n${AUDIT_EXPORT_USAGE}\n`);
      return 2;
    }
    throw err;
  }
}
