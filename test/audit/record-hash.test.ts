import { createHash } from 'node:crypto';

import { AuditValidationError } from '../../src/audit/audit.taxonomy';
import { canonicalize } from '../../src/audit/canonical-json';
import {
  buildGenesis,
  buildNextRecord,
  canonicalRecord,
  canonicalRecordJson,
  computeRecordHash,
  formatAuditTimestamp,
  GENESIS_PREVIOUS_HASH,
  genesisAuditId,
  HASHED_COLUMNS,
  recordHashMatches,
  truncateToMillis,
  type AuditRow,
} from '../../src/audit/record-hash';
import { buildFixtureChain, fixtureInput } from './audit-fixtures';

const T0 = new Date(Date.UTC(2026, 1, 1, 12, 0, 0, 0));

describe('record hash', () => {
  const chain = buildFixtureChain(5);
  const genesis = chain[0]!;
  const second = chain[1]!;

  it('genesis: sequence 1, 64-zero previous hash, system.genesis by the audit service', () => {
    expect(GENESIS_PREVIOUS_HASH).toBe('0'.repeat(64));
    expect(genesis).toMatchObject({
      sequenceNumber: 1,
      previousHash: GENESIS_PREVIOUS_HASH,
      eventType: 'system.genesis',
      eventCategory: 'system',
      severity: 'info',
      actorType: 'system',
      actorId: 'audit-service',
      actorPermissions: [],
      investigationId: '',
      alertId: '',
      entityIds: [],
      context: {},
      decision: { decision_type: 'genesis' },
      outcome: { outcome_status: 'success', action_taken: 'Audit chain initialized' },
      recordVersion: '1.0',
    });
    expect(genesis.auditId).toBe(genesisAuditId('tenant-a'));
    expect(genesis.auditId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(genesisAuditId('tenant-b')).not.toBe(genesis.auditId);
    expect(recordHashMatches(genesis)).toBe(true);
  });

  it('links each record to its predecessor', () => {
    for (let i = 1; i < chain.length; i++) {
      expect(chain[i]!.sequenceNumber).toBe(i + 1);
      expect(chain[i]!.previousHash).toBe(chain[i - 1]!.recordHash);
      expect(recordHashMatches(chain[i]!)).toBe(true);
    }
  });

  it('is a pinned function of the stored columns (golden vector: changing it breaks every stored chain)', () => {
    const row = buildNextRecord(null, buildGenesis('tenant-golden', T0, '00000000-0000-4000-8000-000000000001'));
    expect(canonicalRecordJson(row)).toBe(
      '{"actor_id":"audit-service","actor_permissions":[],"actor_type":"system","alert_id":"",' +
        '"audit_id":"00000000-0000-4000-8000-000000000001","context":{},"decision":{"decision_type":"genesis"},' +
        '"entity_ids":[],"event_category":"system","event_type":"system.genesis",' +
        '"ingested_at":"2026-02-01T12:00:00.000Z","investigation_id":"",' +
        '"outcome":{"action_taken":"Audit chain initialized","outcome_status":"success"},' +
        '"previous_hash":"0000000000000000000000000000000000000000000000000000000000000000",' +
        '"record_version":"1.0","sequence_number":1,"severity":"info","tenant_id":"tenant-golden",' +
        '"timestamp":"2026-02-01T12:00:00.000Z"}',
    );
    expect(row.recordHash).toBe(
      createHash('sha256').update(canonicalRecordJson(row), 'utf8').digest('hex'),
    );
  });

  it('is deterministic', () => {
    const again = buildNextRecord(
      { sequenceNumber: 1, recordHash: genesis.recordHash },
      fixtureInput('tenant-a', 2),
    );
    expect(again).toEqual(second);
    expect(computeRecordHash(second)).toBe(second.recordHash);
  });

  it('covers exactly the stored columns except record_hash, by their SQL names', () => {
    expect(Object.keys(canonicalRecord(second)).sort()).toEqual([...HASHED_COLUMNS].sort());
    expect(HASHED_COLUMNS).toHaveLength(19);
    expect(HASHED_COLUMNS).not.toContain('record_hash');
  });

  it('fast serialiser equals JCS of canonicalRecord', () => {
    for (const row of buildFixtureChain(40)) {
      expect(canonicalRecordJson(row)).toBe(canonicalize(canonicalRecord(row)));
    }
  });

  it('any single field change changes the hash', () => {
    const mutations: Record<keyof Omit<AuditRow, 'recordHash'>, (r: AuditRow) => void> = {
      auditId: (r) => (r.auditId = r.auditId.replace(/.$/, 'f')),
      tenantId: (r) => (r.tenantId = 'tenant-b'),
      sequenceNumber: (r) => (r.sequenceNumber += 1),
      previousHash: (r) => (r.previousHash = 'f' + r.previousHash.slice(1)),
      timestamp: (r) => (r.timestamp = new Date(r.timestamp.getTime() + 1)),
      ingestedAt: (r) => (r.ingestedAt = new Date(r.ingestedAt.getTime() - 1)),
      eventType: (r) => (r.eventType = r.eventType === 'config.changed' ? 'alert.escalated' : 'config.changed'),
      eventCategory: (r) => (r.eventCategory = 'action'),
      severity: (r) => (r.severity = 'critical'),
      actorType: (r) => (r.actorType = 'user'),
      actorId: (r) => (r.actorId = 'mallory'),
      actorPermissions: (r) => r.actorPermissions.push('admin'),
      investigationId: (r) => (r.investigationId = ''),
      alertId: (r) => (r.alertId = 'alert-x'),
      entityIds: (r) => r.entityIds.reverse(),
      context: (r) => ((r.context as Record<string, unknown>).cost_usd = 0.004813),
      decision: (r) => ((r.decision as Record<string, unknown>).confidence = 0.88),
      outcome: (r) => delete (r.outcome as Record<string, unknown>).duration_ms,
      recordVersion: (r) => (r.recordVersion = '1.1'),
    };
    const seen = new Set([second.recordHash]);
    for (const [field, mutate] of Object.entries(mutations)) {
      const copy = structuredClone(second);
      mutate(copy);
      const h = computeRecordHash(copy);
      expect({ field, changed: h !== second.recordHash }).toEqual({ field, changed: true });
      seen.add(h);
    }
    expect(seen.size).toBe(1 + Object.keys(mutations).length);
  });

  it('key order inside context/decision/outcome does not matter', () => {
    const copy = structuredClone(second);
    copy.context = Object.fromEntries(Object.entries(second.context).reverse());
    copy.decision = Object.fromEntries(Object.entries(second.decision).reverse());
    expect(Object.keys(copy.context)).not.toEqual(Object.keys(second.context));
    expect(computeRecordHash(copy)).toBe(second.recordHash);
  });

  it('timestamps hash as YYYY-MM-DDTHH:mm:ss.sssZ, identical to toISOString over 0000-9999', () => {
    const probes = [-62167219200000, 253402300799999, 0, -1, 951782400000, 951868799999, 1709164800000, 4102444800000];
    for (let i = 0; i < 2000; i++) probes.push(Math.floor(-62167219200000 + (i / 2000) * (253402300799999 + 62167219200000)) + i);
    for (const ms of probes) expect(formatAuditTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
    expect(() => formatAuditTimestamp(new Date(253402300800000))).toThrow(AuditValidationError);
    expect(() => formatAuditTimestamp(new Date(-62167219200001))).toThrow(AuditValidationError);
    expect(() => formatAuditTimestamp(new Date(Number.NaN))).toThrow(AuditValidationError);
  });

  it('truncateToMillis normalises microsecond timestamps by truncation', () => {
    expect(truncateToMillis('2026-02-01 12:00:00.123987+00').toISOString()).toBe('2026-02-01T12:00:00.123Z');
    expect(truncateToMillis('2026-02-01T12:00:00.1239Z').toISOString()).toBe('2026-02-01T12:00:00.123Z');
    expect(truncateToMillis('2026-02-01T14:00:00.5+02:00').toISOString()).toBe('2026-02-01T12:00:00.500Z');
    expect(truncateToMillis('2026-02-01 12:00:00+0530').toISOString()).toBe('2026-02-01T06:30:00.000Z');
    expect(truncateToMillis(1769947200123.9).getTime()).toBe(1769947200123);
    const d = new Date(T0);
    const t = truncateToMillis(d);
    expect(t).not.toBe(d);
    expect(t.getTime()).toBe(d.getTime());
    expect(() => truncateToMillis('yesterday')).toThrow(AuditValidationError);
  });

  it('buildNextRecord enforces the genesis position', () => {
    expect(() => buildNextRecord(null, fixtureInput('t', 2))).toThrow(/first record/);
    expect(() =>
      buildNextRecord({ sequenceNumber: 1, recordHash: genesis.recordHash }, buildGenesis('t', T0)),
    ).toThrow(/only be the first/);
  });

  it('buildNextRecord validates input with BAD_USER_INPUT', () => {
    const head = { sequenceNumber: 7, recordHash: second.recordHash };
    const ok = fixtureInput('t', 8);
    const bad: Array<[string, Record<string, unknown>]> = [
      ['unknown event', { eventType: 'alert.deleted' }],
      ['severity', { severity: 'high' }],
      ['empty tenant', { tenantId: '' }],
      ['empty actor', { actorId: '' }],
      ['NUL in text', { alertId: 'a\u0000b' }],
      ['NUL in json', { context: { note: 'x\u0000' } }],
      ['non-string permission', { actorPermissions: ['a', 1] }],
      ['array context', { context: [1, 2] }],
      ['NaN in json', { outcome: { duration_ms: Number.NaN } }],
      ['lone surrogate', { decision: { s: '\ud800' } }],
      ['invalid date', { timestamp: new Date('nope') }],
      ['not a date', { ingestedAt: '2026-01-01' }],
    ];
    for (const [name, patch] of bad) {
      let err: unknown;
      try {
        buildNextRecord(head, { ...ok, ...patch } as never);
      } catch (e) {
        err = e;
      }
      expect({ name, code: (err as { code?: string } | undefined)?.code }).toEqual({ name, code: 'BAD_USER_INPUT' });
    }
    expect(() => buildNextRecord({ sequenceNumber: 0, recordHash: second.recordHash }, ok)).toThrow(AuditValidationError);
    expect(() => buildNextRecord({ sequenceNumber: 3, recordHash: 'XYZ' }, ok)).toThrow(AuditValidationError);
    expect(() => buildNextRecord({ sequenceNumber: Number.MAX_SAFE_INTEGER, recordHash: second.recordHash }, ok)).toThrow(
      AuditValidationError,
    );
  });

  it('copies payloads through their canonical form (row holds exactly what was hashed)', () => {
    const context: Record<string, unknown> = { zero: -0, gone: undefined, when: new Date(T0), list: ['a'] };
    const perms = ['p1'];
    const row = buildNextRecord(
      { sequenceNumber: 1, recordHash: genesis.recordHash },
      { ...fixtureInput('tenant-a', 2), context: context as never, actorPermissions: perms },
    );
    expect(row.context).toEqual({ zero: 0, when: '2026-02-01T12:00:00.000Z', list: ['a'] });
    expect(Object.is(row.context.zero, -0)).toBe(false);
    (context.list as string[]).push('b');
    perms.push('p2');
    expect(row.actorPermissions).toEqual(['p1']);
    expect(recordHashMatches(row)).toBe(true);
  });

  it('defaults: severity info, empty references, version 1.0', () => {
    const row = buildNextRecord(
      { sequenceNumber: 1, recordHash: genesis.recordHash },
      { auditId: 'a', tenantId: 't', timestamp: T0, ingestedAt: T0, eventType: 'config.changed', actorType: 'user', actorId: 'u' },
    );
    expect(row).toMatchObject({
      severity: 'info',
      eventCategory: 'system',
      actorPermissions: [],
      investigationId: '',
      alertId: '',
      entityIds: [],
      context: {},
      decision: {},
      outcome: {},
      recordVersion: '1.0',
    });
  });

  it('hashing a malformed stored row fails loudly; recordHashMatches returns false', () => {
    const nulled = { ...second, investigationId: null } as unknown as AuditRow;
    expect(() => computeRecordHash(nulled)).toThrow(AuditValidationError);
    expect(recordHashMatches(nulled)).toBe(false);
    expect(recordHashMatches({ ...second, sequenceNumber: 2.5 })).toBe(false);
    expect(recordHashMatches({ ...second, timestamp: new Date(Number.NaN) })).toBe(false);
  });
});
