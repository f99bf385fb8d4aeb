import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { runAuditExportCli, runAuditVerifyCli, type AuditCliDeps } from '../../src/audit/audit.cli';
import { createCheckpoint } from '../../src/audit/audit.checkpoints';
import { Client } from 'pg';
import { pgDriver } from '../../src/db/sql-driver';
import { newSigningKey, tamper, tenantWithChain } from './audit-db';

let db: TestDatabase;
let dir: string;
let deps: AuditCliDeps;
const key = newSigningKey();
let pubFile: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aluskort-cli-'));
  deps = { openDatabase: async () => ({ prisma: db.prisma, close: async () => undefined }) };
  pubFile = path.join(dir, 'audit-public.pem');
  await fs.writeFile(pubFile, key.publicKeyPem);
});
afterAll(async () => {
  await db.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function run(fn: typeof runAuditVerifyCli, args: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await fn(args, { write: (s: string) => (text += s) }, deps);
  return { code, text };
}

describe('audit CLI', () => {
  it('exit 0 for an intact chain, 1 for a broken one, 2 for usage errors', async () => {
    const good = await tenantWithChain(db.prisma, 30);
    const bad = await tenantWithChain(db.prisma, 30);
    await tamper(db.pool, (c) => c.query(`UPDATE audit_records SET actor_id = 'x' WHERE tenant_id = $1 AND sequence_number = 9`, [bad]));

    const ok = await run(runAuditVerifyCli, ['--tenant', good]);
    expect(ok.code).toBe(0);
    expect(ok.text).toContain(`tenant ${good}: intact, 30 records (1..30)`);
    expect((await run(runAuditVerifyCli, ['--', '--tenant', good, '--from', '10', '--to', '20'])).code).toBe(0);

    const broken = await run(runAuditVerifyCli, ['--tenant', bad, '--type', 'daily_full']);
    expect(broken.code).toBe(1);
    expect(broken.text).toContain('BROKEN at sequence 9 (record_modified)');
    const json = await run(runAuditVerifyCli, ['--tenant', bad, '--json']);
    expect(JSON.parse(json.text.trim())).toMatchObject({ valid: false, firstBrokenSequence: 9, breakKind: 'record_modified' });

    const all = await run(runAuditVerifyCli, []); // every tenant: one is broken
    expect(all.code).toBe(1);
    expect(all.text).toMatch(/chain\(s\) verified, 1 broken/);

    for (const args of [['--from', 'x', '--tenant', good], ['--bogus'], ['--offline', 'f.jsonl'], ['--tenant'], ['--from', '3'], ['--tenant', good, '--type', 'hourly']]) {
      const r = await run(runAuditVerifyCli, args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
    }
    expect((await run(runAuditVerifyCli, ['--help'])).code).toBe(0);
    expect((await run(runAuditExportCli, ['--tenant', good])).code).toBe(2);
  });

  it('exports a chain that verifies offline; a tampered export, a wrong key or a truncated export fail', async () => {
    const t = await tenantWithChain(db.prisma, 600);
    await createCheckpoint(db.prisma, t, key);
    const file = path.join(dir, 'exports', `${t}.jsonl`);
    const exp = await run(runAuditExportCli, ['--tenant', t, '--out', file]);
    expect(exp.code).toBe(0);
    expect(exp.text).toContain('600 records (1..600), 1 checkpoint(s)');

    const ok = await run(runAuditVerifyCli, ['--offline', file, '--public-key', pubFile]);
    expect(ok.code).toBe(0);
    expect(ok.text).toContain('intact');
    expect(ok.text).toContain('checkpoint at 600 (Merkle root verified)');

    const wrongKey = path.join(dir, 'other.pem');
    await fs.writeFile(wrongKey, newSigningKey().publicKeyPem);
    const wk = await run(runAuditVerifyCli, ['--offline', file, '--public-key', wrongKey, '--json']);
    expect(wk.code).toBe(1);
    expect(JSON.parse(wk.text.trim())).toMatchObject({ valid: false, breakKind: 'checkpoint_invalid' });

    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
    const tampered = lines.map((l) => (l.includes('"sequence_number":250,') ? l.replace('"actor_id":"api_key:test-key"', '"actor_id":"mallory"') : l));
    expect(tampered).not.toEqual(lines);
    const tf = path.join(dir, 'tampered.jsonl');
    await fs.writeFile(tf, tampered.join('\n') + '\n');
    const bad = await run(runAuditVerifyCli, ['--offline', tf, '--public-key', pubFile, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.text.trim())).toMatchObject({ valid: false, firstBrokenSequence: 250, breakKind: 'record_modified' });

    // The newest 3 records cut from the file: the signed checkpoint still names 600.
    const cut = lines.filter((l) => !/"sequence_number":(598|599|600),/.test(l));
    const cf = path.join(dir, 'cut.jsonl');
    await fs.writeFile(cf, cut.join('\n') + '\n');
    const c = await run(runAuditVerifyCli, ['--offline', cf, '--public-key', pubFile, '--json']);
    expect(c.code).toBe(1);
    expect(JSON.parse(c.text.trim())).toMatchObject({ firstBrokenSequence: 598, breakKind: 'tail_truncated' });

    expect((await run(runAuditVerifyCli, ['--offline', path.join(dir, 'missing.jsonl'), '--public-key', pubFile])).code).toBe(2);
  });

  // Last: it leaves a broken tenant behind, which the every-tenant run above must not see.
  it('verifies over a dedicated raw connection of a server database, closed afterwards', async () => {
    const good = await tenantWithChain(db.prisma, 12);
    const bad = await tenantWithChain(db.prisma, 12);
    await tamper(db.pool, (c) => c.query(`UPDATE audit_records SET actor_id = 'x' WHERE tenant_id = $1 AND sequence_number = 4`, [bad]));
    const opened: Client[] = [];
    const serverDeps: AuditCliDeps = {
      openDatabase: async () => ({
        prisma: db.prisma,
        kind: 'postgres' as const,
        close: async () => undefined,
        async sqlDriver() {
          const c = new Client({ connectionString: db.url });
          await c.connect();
          opened.push(c);
          return pgDriver(c);
        },
      }),
    };
    let text = '';
    const out = { write: (s: string) => (text += s) };
    expect(await runAuditVerifyCli(['--tenant', good], out, serverDeps)).toBe(0);
    expect(await runAuditVerifyCli(['--tenant', bad, '--json'], out, serverDeps)).toBe(1);
    expect(text).toContain(`tenant ${good}: intact, 12 records (1..12)`);
    expect(JSON.parse(text.trim().split('\n').pop()!)).toMatchObject({ valid: false, firstBrokenSequence: 4, breakKind: 'record_modified' });
    expect(opened).toHaveLength(2);
    // Each run closed its connection.
    for (const c of opened) await expect(c.query('SELECT 1')).rejects.toThrow();
  });
});
