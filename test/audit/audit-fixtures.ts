/**
 * Test fixtures for the pure audit modules: deterministic chains of realistic records.
 * Not a test file (no `.test.ts`); imported by the audit unit tests and the throughput script.
 */
import { buildGenesis, buildNextRecord, type AuditRecordInput, type AuditRow } from '../../src/audit/record-hash';
import { AUDIT_EVENT_TYPES } from '../../src/audit/audit.taxonomy';

const BASE_TIME = Date.UTC(2026, 1, 1, 12, 0, 0, 0);

function uuidFor(tenant: string, n: number): string {
  const hex = (n.toString(16) + tenant.length.toString(16)).padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8000-${hex}`;
}

/** The input of the n-th record (n ≥ 2) of a fixture chain: an LLM-classification-like payload. */
export function fixtureInput(tenantId: string, n: number): AuditRecordInput {
  const types = AUDIT_EVENT_TYPES.filter((t) => t !== 'system.genesis');
  const at = new Date(BASE_TIME + n * 1000);
  return {
    auditId: uuidFor(tenantId, n),
    tenantId,
    timestamp: at,
    ingestedAt: new Date(at.getTime() + 7),
    eventType: types[n % types.length]!,
    severity: n % 17 === 0 ? 'warning' : 'info',
    actorType: 'agent',
    actorId: 'reasoning-agent',
    actorPermissions: ['alerts:read', 'investigations:write'],
    investigationId: `inv-${Math.floor(n / 10)}`,
    alertId: `alert-${n}`,
    entityIds: [`host-${n % 50}`, `user-${n % 13}`],
    context: {
      provider: 'anthropic',
      model_id: 'claude-sonnet-4-5',
      tier: 'tier_1',
      input_tokens: 1200 + n,
      output_tokens: 340,
      cost_usd: 0.004812,
      latency_ms: 912,
      techniques_identified: ['T1059.001', 'T1566'],
      degradation_level: 'full',
      risk_state: 'medium',
    },
    decision: {
      decision_type: 'classification',
      classification: 'true_positive',
      confidence: 0.87,
      reasoning_summary: 'PowerShell download cradle from a phishing attachment — münchen ✓',
    },
    outcome: { outcome_status: 'success', action_taken: 'escalated', duration_ms: 1530 },
  };
}

/** A valid chain of `n` rows (genesis first) for `tenantId`. */
export function buildFixtureChain(n: number, tenantId = 'tenant-a'): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev: AuditRow | null = null;
  for (let i = 1; i <= n; i++) {
    const input = i === 1 ? buildGenesis(tenantId, new Date(BASE_TIME)) : fixtureInput(tenantId, i);
    const row: AuditRow = buildNextRecord(prev, input);
    rows.push(row);
    prev = row;
  }
  return rows;
}
