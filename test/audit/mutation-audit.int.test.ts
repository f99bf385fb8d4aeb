import { createHash, randomBytes } from 'node:crypto';
import { verifyAuditChain } from '../../src/audit/audit.verify';
import { EVENT_TAXONOMY, type AuditEventType } from '../../src/audit/audit.taxonomy';
import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

// Every mutation appends its audit record(s) in its own transaction (src/audit/EVENTS.md): the right event
// type, actor and entity; nothing for a failed mutation; never a secret; other tenants' chains untouched.

type Rec = {
  sequenceNumber: bigint;
  eventType: string;
  eventCategory: string;
  severity: string;
  actorType: string;
  actorId: string;
  context: Record<string, unknown>;
  decision: Record<string, unknown>;
  outcome: Record<string, unknown>;
};

interface Expected {
  eventType: AuditEventType;
  actor: string;
  entity: string;
  /** undefined: not checked; null: a bulk record. */
  entityId?: string | null;
  action?: string;
  severity?: 'info' | 'warning' | 'critical';
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const bigints = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

function data<T>(r: GqlResponse<T>): T {
  expect(r.body.errors).toBeUndefined();
  return r.body.data as T;
}

describe('every mutation is audited in its own transaction', () => {
  let t: TestApp;
  let tenant: string;
  let other: string;
  const keys = {} as Record<'admin' | 'analyst' | 'approverA' | 'approverB' | 'otherAdmin', string>;
  const actor = {} as Record<keyof typeof keys, string>;
  /** Every secret a mutation was given or returned: none may appear in any audit record. */
  const secrets: string[] = [];
  let otherBefore: { count: number; head: string };
  const uid = randomBytes(4).toString('hex');

  const records = async (tenantId: string, after = 0n): Promise<Rec[]> =>
    (await t.db.prisma.auditRecord.findMany({
      where: { tenantId, sequenceNumber: { gt: after } },
      orderBy: { sequenceNumber: 'asc' },
    })) as unknown as Rec[];
  const head = async (tenantId: string): Promise<bigint> =>
    (await t.db.prisma.auditChainState.findUnique({ where: { tenantId } }))?.lastSequence ?? 0n;

  /** Runs `fn` and checks the tenant's chain gained exactly the `expected` records, in order. */
  async function audited<T>(expected: Expected[], fn: () => Promise<T>, tenantId = tenant): Promise<{ result: T; recs: Rec[] }> {
    const before = await head(tenantId);
    const result = await fn();
    const recs = (await records(tenantId, before)).filter((r) => r.eventType !== 'system.genesis');
    expect(recs.map((r) => r.eventType)).toEqual(expected.map((e) => e.eventType));
    recs.forEach((r, i) => {
      const e = expected[i]!;
      expect(r.eventCategory).toBe(EVENT_TAXONOMY[e.eventType]);
      expect(r.actorId).toBe(e.actor);
      expect(r.severity).toBe(e.severity ?? 'info');
      expect(r.context.entity).toBe(e.entity);
      expect(typeof r.context.request_id).toBe('string');
      if (e.entityId !== undefined) expect(r.context.entity_id).toBe(e.entityId);
      expect(r.outcome.outcome_status).toBe('success');
      if (e.action) expect(r.outcome.action_taken).toBe(`${e.entity}.${e.action}`);
      if (e.entityId) expect(r.outcome.action_target).toBe(`${e.entity}:${e.entityId}`);
    });
    return { result, recs };
  }

  /** Runs a failing mutation: the expected error code, and no record at all. */
  async function unaudited(code: string, fn: () => Promise<GqlResponse>, tenantId = tenant): Promise<void> {
    const before = await head(tenantId);
    expect(codes(await fn())).toEqual([code]);
    expect(await head(tenantId)).toBe(before);
    expect(await records(tenantId, before)).toEqual([]);
  }

  const call = <T = Record<string, any>>(key: string, query: string, variables?: Record<string, unknown>) =>
    gql<T>(t.url, key, query, variables);
  const ok = async <T = Record<string, any>>(key: string, query: string, variables?: Record<string, unknown>) =>
    data(await call<T>(key, query, variables));

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t.db);
    other = await createTenant(t.db);
    await t.db.prisma.taxonomyId.createMany({
      data: [{ techniqueId: 'T1059.001', framework: 'attack', name: 'PowerShell' }],
      skipDuplicates: true,
    });
    [keys.admin, keys.analyst, keys.approverA, keys.approverB, keys.otherAdmin] = await Promise.all([
      createKey(t.app, tenant, ['admin']),
      createKey(t.app, tenant, ['analyst']),
      createKey(t.app, tenant, ['approver']),
      createKey(t.app, tenant, ['approver']),
      createKey(t.app, other, ['admin']),
    ]);
    for (const k of Object.keys(keys) as (keyof typeof keys)[]) {
      const scope = await t.app.services.apiKeys.authenticate(keys[k], 'test');
      actor[k] = `api_key:${scope!.keyId}`;
      secrets.push(keys[k], sha256(keys[k]));
    }
    // The other tenant has a chain of its own before anything here runs.
    await audited(
      [{ eventType: 'config.changed', actor: actor.otherAdmin, entity: 'tenant', entityId: other, action: 'updated' }],
      () => ok(keys.otherAdmin, 'mutation { updateTenant(input: {name: "Other tenant"}) { name } }'),
      other,
    );
    const recs = await records(other);
    otherBefore = { count: recs.length, head: (await t.db.prisma.auditChainState.findUniqueOrThrow({ where: { tenantId: other } })).lastHash };
  }, 120_000);

  afterAll(async () => {
    await t.close();
  });

  it('API keys: create and revoke are recorded without the secret; a repeated revoke or bad input records nothing', async () => {
    const { result, recs } = await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'api_key', action: 'created' }],
      () => ok(keys.admin, 'mutation { createApiKey(input: {name: "ci", roles: [ANALYST]}) { secret key { keyId keyPrefix } } }'),
    );
    const { secret, key } = result.createApiKey as { secret: string; key: { keyId: string; keyPrefix: string } };
    secrets.push(secret, sha256(secret), secret.slice(5));
    expect(recs[0]!.context).toMatchObject({ entity_id: key.keyId, name: 'ci', roles: ['analyst'], fields_changed: ['name', 'roles'] });
    expect(JSON.stringify(recs[0], bigints)).not.toContain(key.keyPrefix);

    await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'api_key', entityId: key.keyId, action: 'revoked', severity: 'warning' }],
      () => ok(keys.admin, 'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: key.keyId }),
    );
    // Revoking again changes nothing (idempotent): no record.
    const before = await head(tenant);
    await ok(keys.admin, 'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: key.keyId });
    expect(await head(tenant)).toBe(before);
    await unaudited('NOT_FOUND', () => call(keys.admin, 'mutation { revokeApiKey(id: "00000000-0000-4000-8000-000000000000") { keyId } }'));
    await unaudited('BAD_USER_INPUT', () => call(keys.admin, 'mutation { createApiKey(input: {name: " ", roles: [VIEWER]}) { secret } }'));
  });

  it('the bootstrap key is recorded once in tenant default by system:bootstrap', async () => {
    const secret = `alsk_${randomBytes(24).toString('base64url')}`;
    secrets.push(secret, sha256(secret));
    await audited(
      [{ eventType: 'config.changed', actor: 'system:bootstrap', entity: 'api_key', action: 'created' }],
      () => t.app.services.apiKeys.ensureBootstrapKey(secret),
      'default',
    );
    const before = await head('default');
    expect(await t.app.services.apiKeys.ensureBootstrapKey(secret)).toEqual({ created: false });
    expect(await head('default')).toBe(before);
    expect((await verifyAuditChain(t.db.prisma, 'default')).valid).toBe(true);
  });

  it('threat intel: bulk upserts and imports append one knowledge.indexed record with counts; delete names the indicator', async () => {
    const UPSERT = 'mutation($input: UpsertThreatIntelIocsInput!) { upsertThreatIntelIocs(input: $input) { inserted updated iocs { id } } }';
    const iocs = [
      { type: 'DOMAIN', value: `evil-${uid}.example` },
      { type: 'IPV4', value: '198.51.100.7' },
    ];
    const { result, recs } = await audited(
      [{ eventType: 'knowledge.indexed', actor: actor.analyst, entity: 'threat_intel_ioc', entityId: null, action: 'upserted' }],
      () => ok(keys.analyst, UPSERT, { input: { iocs } }),
    );
    expect(recs[0]!.context).toMatchObject({ counts: { submitted: 2, inserted: 2, updated: 0 }, feed: 'manual' });
    await unaudited('BAD_USER_INPUT', () => call(keys.analyst, UPSERT, { input: { iocs: [{ type: 'IPV4', value: 'not-an-ip' }] } }));

    const bundle = {
      type: 'bundle',
      id: 'bundle--audit',
      objects: [
        { type: 'indicator', id: 'indicator--1', pattern_type: 'stix', pattern: "[ipv4-addr:value = '192.0.2.45']", valid_from: '2024-01-01T00:00:00Z' },
        { type: 'indicator', id: 'indicator--2', pattern_type: 'stix', pattern: "[domain-name:value = 'stix-audit.example']", valid_from: '2024-01-01T00:00:00Z' },
      ],
    };
    const stix = await audited(
      [{ eventType: 'knowledge.indexed', actor: actor.analyst, entity: 'threat_intel_ioc', entityId: null, action: 'imported' }],
      () => ok(keys.analyst, 'mutation($b: JSON!) { importStixIndicators(bundle: $b) { inserted } }', { b: bundle }),
    );
    expect(stix.recs[0]!.context).toMatchObject({ feed: 'stix', counts: { indicators: 2, inserted: 2, updated: 0, skipped: 0, dropped_techniques: 0 } });
    await unaudited('BAD_USER_INPUT', () => call(keys.analyst, 'mutation($b: JSON!) { importStixIndicators(bundle: $b) { inserted } }', { b: { hello: 1 } }));

    const event = { Event: { info: 'audit test', Attribute: [{ type: 'ip-dst', value: '203.0.113.9', to_ids: true, category: 'Network activity' }] } };
    const misp = await audited(
      [{ eventType: 'knowledge.indexed', actor: actor.analyst, entity: 'threat_intel_ioc', entityId: null, action: 'imported' }],
      () => ok(keys.analyst, 'mutation($e: JSON!) { importMispEvent(event: $e) { inserted } }', { e: event }),
    );
    expect(misp.recs[0]!.context).toMatchObject({ feed: 'misp', counts: { indicators: 1, inserted: 1 } });

    const id = (result.upsertThreatIntelIocs as { iocs: { id: string }[] }).iocs[0]!.id;
    await audited(
      [{ eventType: 'knowledge.indexed', actor: actor.analyst, entity: 'threat_intel_ioc', entityId: id, action: 'deleted' }],
      () => ok(keys.analyst, 'mutation($id: ID!) { deleteThreatIntelIoc(id: $id) { id } }', { id }),
    );
    await unaudited('NOT_FOUND', () => call(keys.analyst, 'mutation($id: ID!) { deleteThreatIntelIoc(id: $id) { id } }', { id }));
  });

  it('org context: create, update and delete are config changes', async () => {
    const UPSERT = 'mutation($input: UpsertOrgContextInput!) { upsertOrgContext(input: $input) { id } }';
    const { result, recs } = await audited(
      [{ eventType: 'config.changed', actor: actor.analyst, entity: 'org_context', action: 'created' }],
      () => ok(keys.analyst, UPSERT, { input: { entityType: 'host', entityName: 'web01', owner: 'ops' } }),
    );
    const id = (result.upsertOrgContext as { id: string }).id;
    expect(recs[0]!.context).toMatchObject({ entity_id: id, fields_changed: ['entityName', 'entityType', 'owner'] });
    await audited(
      [{ eventType: 'config.changed', actor: actor.analyst, entity: 'org_context', entityId: id, action: 'updated' }],
      () => ok(keys.analyst, UPSERT, { input: { id, entityType: 'host', entityName: 'web01', criticality: 'HIGH' } }),
    );
    await unaudited('BAD_USER_INPUT', () => call(keys.analyst, UPSERT, { input: { entityType: 'host', entityName: 'x', owner: 'y'.repeat(1001) } }));
    await audited(
      [{ eventType: 'config.changed', actor: actor.analyst, entity: 'org_context', entityId: id, action: 'deleted' }],
      () => ok(keys.analyst, 'mutation($id: ID!) { deleteOrgContext(id: $id) { id } }', { id }),
    );
    await unaudited('NOT_FOUND', () => call(keys.analyst, 'mutation($id: ID!) { deleteOrgContext(id: $id) { id } }', { id }));
  });

  it('connectors: every change is recorded by field name only; secrets in the config never reach the record', async () => {
    const password = `conn-pass-${uid}-${randomBytes(6).toString('hex')}`;
    const apiKey = `conn-key-${uid}-${randomBytes(6).toString('hex')}`;
    secrets.push(password, apiKey);
    const CREATE = 'mutation($input: CreateConnectorInput!) { createConnector(input: $input) { id config } }';
    const input = { name: 'Sentinel prod', adapterType: 'SENTINEL', config: { workspace: 'w1', password, apiKey } };
    const { result, recs } = await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'connector', action: 'created' }],
      () => ok(keys.admin, CREATE, { input }),
    );
    const c = result.createConnector as { id: string; config: Record<string, unknown> };
    expect(recs[0]!.context).toMatchObject({ entity_id: c.id, fields_changed: ['adapterType', 'config', 'name'], name: 'Sentinel prod' });
    // A duplicate name fails on the unique index inside the transaction: rolled back, no record.
    await unaudited('CONFLICT', () => call(keys.admin, CREATE, { input }));

    const newSecret = `conn-new-${uid}-${randomBytes(6).toString('hex')}`;
    secrets.push(newSecret);
    const UPDATE = 'mutation($id: ID!, $input: UpdateConnectorInput!) { updateConnector(id: $id, input: $input) { id } }';
    const upd = await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'connector', entityId: c.id, action: 'updated' }],
      () => ok(keys.admin, UPDATE, { id: c.id, input: { mode: 'WEBHOOK', config: { ...c.config, token: newSecret } } }),
    );
    expect(upd.recs[0]!.context.fields_changed).toEqual(['config', 'mode']);
    await unaudited('BAD_USER_INPUT', () => call(keys.admin, UPDATE, { id: c.id, input: { config: { secret: '********' } } }));
    await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'connector', entityId: c.id, action: 'disabled' }],
      () => ok(keys.admin, 'mutation($id: ID!) { setConnectorEnabled(id: $id, enabled: false) { id } }', { id: c.id }),
    );
    await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'connector', entityId: c.id, action: 'deleted' }],
      () => ok(keys.admin, 'mutation($id: ID!) { deleteConnector(id: $id) { id } }', { id: c.id }),
    );
    await unaudited('NOT_FOUND', () => call(keys.admin, 'mutation($id: ID!) { deleteConnector(id: $id) { id } }', { id: c.id }));
  });

  it('playbooks: creation is playbook.generated, approval is approval.granted, edits are config changes', async () => {
    const step = (action: string, extra: Record<string, unknown> = {}) => ({ action, description: `Do ${action}`, ...extra });
    const input = {
      title: 'Audit test playbook',
      category: 'malware',
      severity: 'HIGH',
      severityApplicable: ['HIGH'],
      mitreTechniques: ['T1059.001'],
      steps: [step('collect_alert_context'), step('analyst_review'), step('isolate_endpoint', { requiresApproval: true, approvalReason: 'Disrupts the host' })],
    };
    const { result, recs } = await audited(
      [{ eventType: 'playbook.generated', actor: actor.analyst, entity: 'playbook', action: 'created' }],
      () => ok(keys.analyst, 'mutation($input: CreatePlaybookInput!) { createPlaybook(input: $input) { playbookId version } }', { input }),
    );
    const id = (result.createPlaybook as { playbookId: string }).playbookId;
    expect(recs[0]!.context).toMatchObject({ entity_id: id, counts: { steps: 3 }, version: '1.0' });
    expect(recs[0]!.decision).toMatchObject({ decision_type: 'playbook_created' });

    const UPDATE = 'mutation($id: ID!, $input: UpdatePlaybookInput!) { updatePlaybook(id: $id, input: $input) { version } }';
    const upd = await audited(
      [{ eventType: 'config.changed', actor: actor.analyst, entity: 'playbook', entityId: id, action: 'updated' }],
      () => ok(keys.analyst, UPDATE, { id, input: { title: 'Renamed', expectedVersion: '1.0' } }),
    );
    expect(upd.recs[0]!.context).toMatchObject({ fields_changed: ['title'], version: '1.1' });
    await unaudited('CONFLICT', () => call(keys.analyst, UPDATE, { id, input: { title: 'Stale', expectedVersion: '1.0' } }));

    const APPROVE = 'mutation($id: ID!) { approvePlaybook(id: $id) { reviewStatus } }';
    const appr = await audited(
      [{ eventType: 'approval.granted', actor: actor.approverA, entity: 'playbook', entityId: id, action: 'approved' }],
      () => ok(keys.approverA, APPROVE, { id }),
    );
    expect(appr.recs[0]!.outcome).toMatchObject({ state_before: 'draft', state_after: 'approved' });
    await unaudited('CONFLICT', () => call(keys.approverA, APPROVE, { id }));

    const exp = (action: string): Expected[] => [{ eventType: 'config.changed', actor: actor.analyst, entity: 'playbook', entityId: id, action }];
    await audited(exp('step_added'), () =>
      ok(keys.analyst, 'mutation($id: ID!, $input: AddPlaybookStepInput!) { addPlaybookStep(playbookId: $id, input: $input) { version } }', {
        id,
        input: step('notify_owner', { position: 1 }),
      }),
    );
    await audited(exp('step_updated'), () =>
      ok(keys.analyst, 'mutation($id: ID!) { updatePlaybookStep(playbookId: $id, stepNumber: 2, input: {description: "Collect more"}) { version } }', { id }),
    );
    await unaudited('NOT_FOUND', () =>
      call(keys.analyst, 'mutation($id: ID!) { updatePlaybookStep(playbookId: $id, stepNumber: 99, input: {description: "x"}) { version } }', { id }),
    );
    await audited(exp('step_removed'), () => ok(keys.analyst, 'mutation($id: ID!) { removePlaybookStep(playbookId: $id, stepNumber: 1) { version } }', { id }));
    await audited(exp('steps_reordered'), () =>
      ok(keys.analyst, 'mutation($id: ID!) { reorderPlaybookSteps(playbookId: $id, order: [3, 2, 1]) { version } }', { id }),
    );
    await unaudited('BAD_USER_INPUT', () => call(keys.analyst, 'mutation($id: ID!) { reorderPlaybookSteps(playbookId: $id, order: [1, 1, 2]) { version } }', { id }));
    await audited(exp('deleted'), () => ok(keys.analyst, 'mutation($id: ID!) { deletePlaybook(id: $id) }', { id }));
    await unaudited('NOT_FOUND', () => call(keys.analyst, 'mutation($id: ID!) { deletePlaybook(id: $id) }', { id }));
  });

  it('FP patterns: created, first and second approval, activated, reaffirmed, revoked; refused transitions record nothing', async () => {
    const FIELDS = 'patternId status';
    const input = {
      patternName: 'Scanner sweep',
      alertNames: ['Port scan detected'],
      conditions: { alertNameRegex: 'port scan', entityPatterns: [{ entityType: 'IP', valueCidr: '10.255.10.0/28' }] },
    };
    const { result } = await audited(
      [{ eventType: 'fp_pattern.created', actor: actor.analyst, entity: 'fp_pattern', action: 'created' }],
      () => ok(keys.analyst, `mutation($input: CreateFpPatternInput!) { createFpPattern(input: $input) { ${FIELDS} } }`, { input }),
    );
    const id = (result.createFpPattern as { patternId: string }).patternId;
    await unaudited('BAD_USER_INPUT', () =>
      call(keys.analyst, `mutation($input: CreateFpPatternInput!) { createFpPattern(input: $input) { ${FIELDS} } }`, { input: { ...input, confidenceThreshold: 0.1 } }),
    );
    const APPROVE = `mutation($id: ID!, $r: String!) { approveFpPattern(id: $id, reason: $r) { ${FIELDS} } }`;
    const first = await audited(
      [{ eventType: 'fp_pattern.approved', actor: actor.approverA, entity: 'fp_pattern', entityId: id, action: 'first_approval' }],
      () => ok(keys.approverA, APPROVE, { id, r: 'internal scanner' }),
    );
    expect(first.recs[0]!.decision).toMatchObject({ decision_type: 'fp_pattern_first_approval', reasoning_summary: 'internal scanner' });
    expect(first.recs[0]!.outcome).toMatchObject({ state_before: 'pending_review', state_after: 'pending_review' });
    await unaudited('CONFLICT', () => call(keys.approverA, APPROVE, { id, r: 'again' }));
    const second = await audited(
      [{ eventType: 'fp_pattern.approved', actor: actor.approverB, entity: 'fp_pattern', entityId: id, action: 'second_approval' }],
      () => ok(keys.approverB, APPROVE, { id, r: 'confirmed' }),
    );
    expect(second.recs[0]!.outcome).toMatchObject({ state_before: 'pending_review', state_after: 'approved' });
    await audited(
      [{ eventType: 'fp_pattern.activated', actor: actor.approverA, entity: 'fp_pattern', entityId: id, action: 'activated' }],
      () => ok(keys.approverA, `mutation($id: ID!) { activateFpPattern(id: $id) { ${FIELDS} } }`, { id }),
    );
    await unaudited('CONFLICT', () => call(keys.approverA, `mutation($id: ID!) { activateFpPattern(id: $id) { ${FIELDS} } }`, { id }));
    const re = await audited(
      [{ eventType: 'fp_pattern.approved', actor: actor.approverB, entity: 'fp_pattern', entityId: id, action: 'reaffirmed' }],
      () => ok(keys.approverB, `mutation($id: ID!) { reaffirmFpPattern(id: $id) { ${FIELDS} } }`, { id }),
    );
    expect(re.recs[0]!.decision).toMatchObject({ decision_type: 'fp_pattern_reaffirmation' });
    const REVOKE = `mutation($id: ID!, $r: String!) { revokeFpPattern(id: $id, reason: $r) { ${FIELDS} } }`;
    await audited(
      [{ eventType: 'fp_pattern.revoked', actor: actor.approverA, entity: 'fp_pattern', entityId: id, action: 'revoked', severity: 'warning' }],
      () => ok(keys.approverA, REVOKE, { id, r: 'scanner retired' }),
    );
    await unaudited('CONFLICT', () => call(keys.approverA, REVOKE, { id, r: 'twice' }));
  });

  it('CTEM: upserts are exposure_scored; status moves are config changes, Verified is remediation_verified', async () => {
    const UPSERT = 'mutation($input: UpsertCtemExposureInput!) { upsertCtemExposure(input: $input) { created exposure { id exposureKey } } }';
    const finding = { sourceTool: 'wiz', title: 'Open bucket', assetId: `bucket-${uid}`, assetType: 'storage', assetZone: 'Zone3_Enterprise', originalSeverity: 'HIGH' };
    const { result, recs } = await audited(
      [{ eventType: 'ctem.exposure_scored', actor: actor.analyst, entity: 'ctem_exposure', action: 'created' }],
      () => ok(keys.analyst, UPSERT, { input: finding }),
    );
    const e = (result.upsertCtemExposure as { exposure: { id: string; exposureKey: string } }).exposure;
    expect(recs[0]!.context).toMatchObject({ entity_id: e.id, exposure_key: e.exposureKey });
    expect(recs[0]!.decision).toMatchObject({ decision_type: 'ctem_score' });
    await audited(
      [{ eventType: 'ctem.exposure_scored', actor: actor.analyst, entity: 'ctem_exposure', entityId: e.id, action: 'rescored' }],
      () => ok(keys.analyst, UPSERT, { input: { ...finding, originalSeverity: 'LOW' } }),
    );
    await unaudited('BAD_USER_INPUT', () => call(keys.analyst, UPSERT, { input: { ...finding, title: ' ' } }));

    const SET = 'mutation($id: ID!, $s: CtemExposureStatus!) { updateCtemExposureStatus(id: $id, status: $s) { status } }';
    const move = (eventType: AuditEventType, s: string, before: string, after: string) =>
      audited([{ eventType, actor: actor.analyst, entity: 'ctem_exposure', entityId: e.id, action: 'status_changed' }], () =>
        ok(keys.analyst, SET, { id: e.id, s }),
      ).then(({ recs: r }) => expect(r[0]!.outcome).toMatchObject({ state_before: before, state_after: after }));
    await move('config.changed', 'IN_PROGRESS', 'Open', 'InProgress');
    await unaudited('CONFLICT', () => call(keys.analyst, SET, { id: e.id, s: 'VERIFIED' }));
    await move('config.changed', 'FIX_DEPLOYED', 'InProgress', 'FixDeployed');
    await move('ctem.remediation_verified', 'VERIFIED', 'FixDeployed', 'Verified');
    // Setting the current status again is a no-op: no record.
    const before = await head(tenant);
    await ok(keys.analyst, SET, { id: e.id, s: 'VERIFIED' });
    expect(await head(tenant)).toBe(before);
    await unaudited('NOT_FOUND', () => call(keys.analyst, SET, { id: '999999999', s: 'CLOSED' }));
  });

  it('LLM config: provider and model changes are recorded without the API key', async () => {
    const apiKey = `sk-audit-${randomBytes(16).toString('hex')}`;
    secrets.push(apiKey, sha256(apiKey));
    const pid = `prov-${uid}`;
    const UPSERT_P = 'mutation($input: UpsertLlmProviderInput!) { upsertLlmProvider(input: $input) { providerId } }';
    const { recs } = await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'llm_provider', entityId: pid, action: 'created' }],
      () => ok(keys.admin, UPSERT_P, { input: { providerId: pid, displayName: 'Anthropic', apiKey } }),
    );
    expect(recs[0]!.context.fields_changed).toEqual(['apiKey', 'displayName']);
    const stored = await t.db.prisma.llmProvider.findUniqueOrThrow({ where: { tenantId_providerId: { tenantId: tenant, providerId: pid } } });
    secrets.push(stored.apiKeyEnc);
    await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'llm_provider', entityId: pid, action: 'disabled' }],
      () => ok(keys.admin, 'mutation($id: ID!) { setLlmProviderEnabled(id: $id, enabled: false) { enabled } }', { id: pid }),
    );
    // Provider ids are per tenant: the other tenant cannot reach this one's provider, and neither chain changes.
    await unaudited('NOT_FOUND', () => call(keys.otherAdmin, 'mutation($id: ID!) { setLlmProviderEnabled(id: $id, enabled: true) { enabled } }', { id: pid }), other);

    const mid = `model-${uid}`;
    const UPSERT_M = 'mutation($input: UpsertLlmModelInput!) { upsertLlmModel(input: $input) { modelId } }';
    await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'llm_model', entityId: mid, action: 'created' }],
      () => ok(keys.admin, UPSERT_M, { input: { modelId: mid, providerId: pid, modelName: 'claude-test', tier: 'TIER_1' } }),
    );
    await unaudited('BAD_USER_INPUT', () => call(keys.admin, UPSERT_M, { input: { modelId: `x-${uid}`, providerId: 'nope', modelName: 'm' } }));
    await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'llm_model', entityId: mid, action: 'deleted' }],
      () => ok(keys.admin, 'mutation($id: ID!) { deleteLlmModel(id: $id) }', { id: mid }),
    );
    await unaudited('NOT_FOUND', () => call(keys.admin, 'mutation($id: ID!) { deleteLlmModel(id: $id) }', { id: mid }));
  });

  it('tenancy and kill switches', async () => {
    await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'tenant', entityId: tenant, action: 'updated' }],
      () => ok(keys.admin, 'mutation { updateTenant(input: {name: "Acme SOC"}) { name } }'),
    );
    await unaudited('BAD_USER_INPUT', () => call(keys.admin, 'mutation { updateTenant(input: {name: "  "}) { name } }'));

    const TIMEOUTS = 'mutation($i: ApprovalTimeoutsInput!) { setApprovalTimeouts(input: $i) { severity timeoutMs } }';
    const set = await audited(
      [{ eventType: 'config.changed', actor: actor.admin, entity: 'tenant', entityId: tenant, action: 'approval_timeouts_updated' }],
      () => ok(keys.admin, TIMEOUTS, { i: { medium: 7_200_000 } }),
    );
    expect(set.recs[0]!.context).toMatchObject({ fields_changed: ['approvalTimeouts.medium'], approval_timeouts_before: {}, approval_timeouts_after: { medium: 7_200_000 } });
    await audited([], () => ok(keys.admin, TIMEOUTS, { i: { medium: 7_200_000 } })); // unchanged: nothing recorded
    await unaudited('BAD_USER_INPUT', () => call(keys.admin, TIMEOUTS, { i: { medium: 60_000 } }));
    await unaudited('FORBIDDEN', () => call(keys.approverA, TIMEOUTS, { i: { medium: 7_200_000 } }));

    const ACTIVATE = 'mutation($input: ActivateKillSwitchInput!) { activateKillSwitch(input: $input) { id } }';
    const { result, recs } = await audited(
      [{ eventType: 'kill_switch.activated', actor: actor.admin, entity: 'kill_switch', action: 'activated', severity: 'warning' }],
      () => ok(keys.admin, ACTIVATE, { input: { dimension: 'TECHNIQUE', value: 'T1059.001', reason: 'noisy rule' } }),
    );
    const id = (result.activateKillSwitch as { id: string }).id;
    expect(recs[0]!.context).toMatchObject({ entity_id: id, dimension: 'technique', value: 'T1059.001' });
    expect(recs[0]!.decision).toMatchObject({ reasoning_summary: 'noisy rule' });
    await unaudited('CONFLICT', () => call(keys.admin, ACTIVATE, { input: { dimension: 'TECHNIQUE', value: 'T1059.001', reason: 'again' } }));
    const DEACTIVATE = 'mutation($id: ID!, $r: String!) { deactivateKillSwitch(id: $id, reason: $r) { active } }';
    const off = await audited(
      [{ eventType: 'kill_switch.deactivated', actor: actor.admin, entity: 'kill_switch', entityId: id, action: 'deactivated', severity: 'warning' }],
      () => ok(keys.admin, DEACTIVATE, { id, r: 'rule fixed' }),
    );
    expect(off.recs[0]!.decision).toMatchObject({ reasoning_summary: 'rule fixed' });
    await unaudited('CONFLICT', () => call(keys.admin, DEACTIVATE, { id, r: 'twice' }));
  });

  it('taxonomy imports (mutation and REST upload) are recorded in the importing admin tenant chain', async () => {
    const TS = '2025-01-01T00:00:00.000Z';
    const o = (type: string, id: string, extra: Record<string, unknown>) => ({ type, id, spec_version: '2.1', created: TS, modified: TS, ...extra });
    const bundle = {
      type: 'bundle',
      id: 'bundle--00000000-0000-4000-8000-00000000a0d1',
      objects: [
        o('x-mitre-collection', 'x-mitre-collection--1', { name: 'Audit ATT&CK', x_mitre_version: '77.1' }),
        o('attack-pattern', 'attack-pattern--a', {
          name: 'Audit Technique',
          description: 'x',
          external_references: [{ source_name: 'mitre-attack', external_id: 'T8891' }],
        }),
      ],
    };
    const IMPORT = 'mutation($c: String!, $f: String) { importTaxonomy(content: $c, filename: $f) { framework version } }';
    const { recs } = await audited(
      [{ eventType: 'knowledge.indexed', actor: actor.admin, entity: 'taxonomy', entityId: 'attack:77.1', action: 'imported' }],
      () => ok(keys.admin, IMPORT, { c: JSON.stringify(bundle), f: 'audit.json' }),
    );
    expect(recs[0]!.context).toMatchObject({ framework: 'attack', version: '77.1', source: 'audit.json' });
    expect((recs[0]!.context.counts as Record<string, number>).taxonomyIds_inserted).toBeGreaterThanOrEqual(1);
    await unaudited('BAD_USER_INPUT', () => call(keys.admin, IMPORT, { c: '{"not": "a bundle"}' }));

    const base = t.url.replace(/\/graphql$/, '');
    await audited(
      [{ eventType: 'knowledge.indexed', actor: actor.admin, entity: 'taxonomy', entityId: 'attack:77.1', action: 'imported' }],
      async () => {
        const res = await fetch(`${base}/admin/taxonomy?filename=audit.json`, { method: 'POST', headers: { authorization: `Bearer ${keys.admin}` }, body: JSON.stringify(bundle) });
        expect(res.status).toBe(200);
      },
    );
    const before = await head(tenant);
    const bad = await fetch(`${base}/admin/taxonomy`, { method: 'POST', headers: { authorization: `Bearer ${keys.admin}` }, body: 'nonsense' });
    expect(bad.status).toBe(400);
    expect(await head(tenant)).toBe(before);
  });

  it('afterwards: the chains verify, no record holds a secret, and the other tenant chain is untouched', async () => {
    for (const id of [tenant, other, 'default']) {
      const report = await verifyAuditChain(t.db.prisma, id);
      expect(report).toMatchObject({ valid: true });
    }
    const all = JSON.stringify(
      await t.db.prisma.auditRecord.findMany({ where: { tenantId: { in: [tenant, other, 'default'] } } }),
      bigints,
    );
    for (const s of secrets) expect(all).not.toContain(s);
    const otherRecs = await records(other);
    expect(otherRecs).toHaveLength(otherBefore.count);
    expect((await t.db.prisma.auditChainState.findUniqueOrThrow({ where: { tenantId: other } })).lastHash).toBe(otherBefore.head);
    // Every record of this tenant is one of the mutation records (plus genesis), all by this tenant's keys.
    const mine = await records(tenant);
    expect(mine[0]!.eventType).toBe('system.genesis');
    expect(new Set(mine.slice(1).map((r) => r.actorId))).toEqual(new Set([actor.admin, actor.analyst, actor.approverA, actor.approverB]));
  });
});
