/**
 * Shared helpers of the audit integration tests (not a test file).
 */
import { randomBytes } from 'node:crypto';
import type { Scope } from '../../src/auth/scope';
import type { PrismaClient } from '../../src/generated/prisma/client';
import type { AuditEventInput } from '../../src/audit/audit.append';
import type { Pool } from 'pg';
import { appendAuditBatch } from '../../src/audit/audit.append';
import { signingKeyFromPem, type AuditSigningKey } from '../../src/audit/audit.checkpoints';
import { generateSigningKeyPair } from '../../src/audit/checkpoint-signing';
import { auditRowFromRaw, AUDIT_ROW_COLUMNS, type RawAuditRow } from '../../src/audit/audit.sql';
import { computeRecordHash, type AuditRow } from '../../src/audit/record-hash';

/** A new tenant with its own id; tests never share tenants. */
export async function newTenant(prisma: PrismaClient, tier: 'trial' | 'standard' | 'premium' = 'standard'): Promise<string> {
  const tenantId = `t-${randomBytes(5).toString('hex')}`;
  await prisma.tenant.create({ data: { tenantId, name: `Tenant ${tenantId}`, tier } });
  return tenantId;
}

export function scopeFor(tenantId: string, actor = 'api_key:test-key'): Scope {
  return { tenantId, actor, roles: ['admin'], requestId: `req-${randomBytes(3).toString('hex')}` };
}

/** A realistic decision event. */
export function sampleEvent(n: number): AuditEventInput {
  return {
    eventType: n % 3 === 0 ? 'alert.classified' : n % 3 === 1 ? 'investigation.state_changed' : 'config.changed',
    severity: n % 7 === 0 ? 'warning' : 'info',
    investigationId: `inv-${n % 11}`,
    alertId: `alert-${n}`,
    entityIds: [`host-${n % 5}`],
    context: { provider: 'anthropic', input_tokens: 1000 + n, cost_usd: 0.0042, note: 'münchen ✓' },
    decision: { decision_type: 'classification', confidence: 0.87 },
    outcome: { outcome_status: 'success', duration_ms: n },
  };
}

/** Sequences of a tenant's stored records, ascending. */
export async function storedSequences(prisma: PrismaClient, tenantId: string): Promise<number[]> {
  const rows = await prisma.$queryRawUnsafe<{ s: string }[]>(
    'SELECT sequence_number::text AS s FROM audit_records WHERE tenant_id = $1 ORDER BY sequence_number',
    tenantId,
  );
  return rows.map((r) => Number(r.s));
}

export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

export function newSigningKey(): AuditSigningKey {
  return signingKeyFromPem(generateSigningKeyPair().privateKeyPem);
}

/** A tenant whose chain holds `n` records (genesis + n − 1 events). */
export async function tenantWithChain(prisma: PrismaClient, n: number, tier: 'trial' | 'standard' | 'premium' = 'standard'): Promise<string> {
  const tenant = await newTenant(prisma, tier);
  await appendAuditBatch(prisma, scopeFor(tenant), range(2, n).map(sampleEvent));
  return tenant;
}

/** One stored row, as the verifier reads it. */
export async function readRow(pool: Pool, tenantId: string, seq: number): Promise<AuditRow> {
  const { rows } = await pool.query<RawAuditRow>(
    `SELECT ${AUDIT_ROW_COLUMNS} FROM audit_records WHERE tenant_id = $1 AND sequence_number = $2`,
    [tenantId, seq],
  );
  if (rows.length !== 1) throw new Error(`expected one row at ${seq}, got ${rows.length}`);
  return auditRowFromRaw(rows[0]!);
}

/** Runs `fn` as superuser with the immutability triggers of `tables` disabled (re-enabled after). */
export async function tamper(pool: Pool, fn: (c: { query: Pool['query'] }) => Promise<unknown>, tables = ['audit_records']): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    for (const t of tables) await c.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
    await fn(c as unknown as { query: Pool['query'] });
    for (const t of tables) await c.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** Writes a row's content and hash columns back through `pool` (hash recomputed unless asked not to). */
export async function rewrite(pool: Pool, tenant: string, seq: number, row: AuditRow, opts: { recomputeHash: boolean }): Promise<void> {
  const hash = opts.recomputeHash ? computeRecordHash(row) : row.recordHash;
  await tamper(pool, (c) =>
    c.query(
      `UPDATE audit_records SET actor_id = $3, previous_hash = $4, context = $5::jsonb, record_hash = $6
        WHERE tenant_id = $1 AND sequence_number = $2`,
      [tenant, seq, row.actorId, row.previousHash, JSON.stringify(row.context), hash],
    ),
  );
}
