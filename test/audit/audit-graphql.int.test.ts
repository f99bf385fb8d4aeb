import { parse } from 'graphql';
import WebSocket from 'ws';
import { createCheckpoint, signingKeyFromPem } from '../../src/audit/audit.checkpoints';
import { appendAuditBatch } from '../../src/audit/audit.append';
import { generateSigningKeyPair } from '../../src/audit/checkpoint-signing';
import { systemScope } from '../../src/auth/scope';
import { type ClientAuditRecord, verifyInclusion } from '../../src/client/verify-inclusion';
import { createAluskortClient } from '../../src/client/sdk';
import { type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

const RECORD_FIELDS = `auditId sequenceNumber previousHash timestamp ingestedAt eventType eventCategory severity actorType actorId
  actorPermissions investigationId alertId entityIds context decision outcome recordHash recordVersion`;

async function append(t: TestApp, tenantId: string, n: number, eventType = 'config.changed') {
  const scope = systemScope(tenantId, 'test');
  const rows = await appendAuditBatch(
    t.db.prisma,
    scope,
    Array.from({ length: n }, (_, i) => ({ eventType, context: { i } })),
  );
  t.app.services.audit.published(tenantId, rows);
  return rows;
}

describe('audit trail over GraphQL', () => {
  const key = signingKeyFromPem(generateSigningKeyPair().privateKeyPem, 'generated');
  let t: TestApp;
  let tenant: string;
  let approver: string;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestApp({ auditKey: key, checkpoints: false });
    tenant = await createTenant(t.db);
    approver = await createKey(t.app, tenant, ['approver']);
    viewer = await createKey(t.app, tenant, ['viewer']);
  });
  afterAll(async () => {
    await t.close();
  });

  async function head(tenantId: string): Promise<number> {
    const s = await t.db.prisma.auditChainState.findUnique({ where: { tenantId } });
    return s ? Number(s.lastSequence) : 0;
  }

  it('verifies the chain on demand, detects tampering and records each run', async () => {
    await append(t, tenant, 20);
    const total = await head(tenant);
    expect(total).toBeGreaterThanOrEqual(21);
    const ok = await gql<{ verifyAuditChain: { valid: boolean; recordsChecked: number; logId: string } }>(
      t.url, approver, 'mutation { verifyAuditChain { valid recordsChecked firstBrokenSequence breakKind logId } }');
    expect(ok.body.data!.verifyAuditChain).toMatchObject({ valid: true, recordsChecked: total });
    const denied = await gql(t.url, viewer, 'mutation { verifyAuditChain { valid } }');
    expect(codes(denied)).toEqual(['FORBIDDEN']);

    // Tamper (as the superuser, bypassing the immutability trigger) with record 7.
    const c = await t.testDb.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SET LOCAL session_replication_role = replica');
      await c.query(`UPDATE audit_records SET context = '{"i": 999}' WHERE tenant_id = $1 AND sequence_number = $2`, [tenant, total - 5]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    const broken = await gql<{ verifyAuditChain: { valid: boolean; firstBrokenSequence: number; breakKind: string } }>(
      t.url, approver, 'mutation { verifyAuditChain { valid firstBrokenSequence breakKind } }');
    expect(broken.body.data!.verifyAuditChain).toMatchObject({ valid: false, firstBrokenSequence: total - 5, breakKind: 'record_modified' });
    const runs = await gql<{ auditVerifications: { totalCount: number } }>(t.url, approver, '{ auditVerifications { totalCount } }');
    expect(runs.body.data!.auditVerifications.totalCount).toBe(2);
  });

  it('serves signed checkpoints and inclusion proofs that a client verifies offline', async () => {
    const other = await createTenant(t.db);
    const k = await createKey(t.app, other, ['admin']);
    await append(t, other, 40);
    const top = await head(other);
    await createCheckpoint(t.db.prisma, other, key);
    const pub = await gql<{ auditPublicKey: { publicKeyPem: string; fingerprint: string } }>(t.url, k, '{ auditPublicKey { publicKeyPem fingerprint } }');
    expect(pub.body.data!.auditPublicKey.fingerprint).toBe(key.fingerprint);
    const cps = await gql<{ auditCheckpoints: { edges: { node: { sequence: number } }[] } }>(t.url, k, '{ auditCheckpoints { edges { node { sequence treeSize } } } }');
    expect(cps.body.data!.auditCheckpoints.edges.map((e) => e.node.sequence)).toEqual([top]);

    for (const seq of [1, 20, top]) {
      const r = await gql<{ auditRecord: ClientAuditRecord; auditInclusionProof: { sequence: number; leafIndex: number; treeSize: number; recordHash: string; auditPath: string[]; checkpoint: { sequence: number; headHash: string; merkleRoot: string; treeSize: number; signature: string; createdAt: string } } }>(
        t.url, k,
        `query($s: Int!) { auditRecord(sequenceNumber: $s) { ${RECORD_FIELDS} }
           auditInclusionProof(sequence: $s) { sequence leafIndex treeSize recordHash auditPath checkpoint { sequence headHash merkleRoot treeSize signature createdAt } } }`,
        { s: seq },
      );
      expect(r.body.errors).toBeUndefined();
      const { auditRecord, auditInclusionProof: proof } = r.body.data!;
      expect(proof.auditPath.length).toBeLessThanOrEqual(Math.ceil(Math.log2(top)));
      const pem = pub.body.data!.auditPublicKey.publicKeyPem;
      expect(verifyInclusion(other, auditRecord, proof, proof.checkpoint, pem)).toEqual({ valid: true, reason: null });
      // A modified record, a wrong key or a forged checkpoint fail.
      expect(verifyInclusion(other, { ...auditRecord, eventType: 'alert.auto_closed' }, proof, proof.checkpoint, pem).valid).toBe(false);
      expect(verifyInclusion(other, auditRecord, proof, proof.checkpoint, generateSigningKeyPair().publicKeyPem).valid).toBe(false);
      expect(verifyInclusion(other, auditRecord, proof, { ...proof.checkpoint, merkleRoot: '0'.repeat(64) }, pem).valid).toBe(false);
    }
    // Beyond the newest checkpoint there is no proof yet.
    await append(t, other, 1);
    const none = await gql(t.url, k, `{ auditInclusionProof(sequence: ${top + 1}) { sequence } }`);
    expect(codes(none)).toEqual(['NOT_FOUND']);
  });

  it('streams audit events live and resumes from a sequence with no gap and no duplicate, even while appends race the replay', async () => {
    const tn = await createTenant(t.db);
    const k = await createKey(t.app, tn, ['approver']);
    await append(t, tn, 300);
    const start = (await head(tn)) - 200; // replay the last 200, then 50 more arrive
    const client = createAluskortClient({ url: t.url, apiKey: k, webSocketImpl: WebSocket });
    const doc = parse('subscription($after: Int) { auditEvents(afterSequence: $after) { sequenceNumber eventType } }');
    const seen: number[] = [];
    let failed: unknown;
    const stop = client.subscribe(doc as never, { after: start } as never, {
      onNext: (v: { auditEvents: { sequenceNumber: number } }) => {
        seen.push(v.auditEvents.sequenceNumber);
      },
      onError: (e: unknown) => {
        failed = e;
      },
    } as never);
    // Appends race the replay: 10 transactions of 5 records each.
    for (let i = 0; i < 10; i++) await append(t, tn, 5);
    const deadline = Date.now() + 15_000;
    while (seen.length < 250 && Date.now() < deadline && !failed) await new Promise((r) => setTimeout(r, 50));
    stop();
    await client.close();
    expect(failed).toBeUndefined();
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => start + 1 + i));
  });

  it('filters events, refuses viewers, and never shows another tenant’s events', async () => {
    const a = await createTenant(t.db);
    const b = await createTenant(t.db);
    const keyB = await createKey(t.app, b, ['admin']);
    const viewerB = await createKey(t.app, b, ['viewer']);
    const client = createAluskortClient({ url: t.url, apiKey: keyB, webSocketImpl: WebSocket });
    const doc = parse('subscription($f: AuditEventFilter) { auditEvents(filter: $f) { sequenceNumber eventType } }');
    const seen: string[] = [];
    const stop = client.subscribe(doc as never, { f: { eventTypes: ['kill_switch.activated'] } } as never, {
      onNext: (v: { auditEvents: { eventType: string } }) => seen.push(v.auditEvents.eventType),
    } as never);
    await new Promise((r) => setTimeout(r, 300));
    await append(t, a, 3, 'kill_switch.activated'); // other tenant: never delivered
    await append(t, b, 2, 'config.changed'); // filtered out
    await append(t, b, 1, 'kill_switch.activated');
    const deadline = Date.now() + 5_000;
    while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    stop();
    await client.close();
    expect(seen).toEqual(['kill_switch.activated']);

    const viewerClient = createAluskortClient({ url: t.url, apiKey: viewerB, webSocketImpl: WebSocket });
    const err = await new Promise<unknown>((resolve) => {
      viewerClient.subscribe(parse('subscription { auditEvents { sequenceNumber } }') as never, {} as never, {
        onNext: () => resolve(new Error('viewer received an event')),
        onError: (e: unknown) => resolve(e),
      } as never);
    });
    await viewerClient.close();
    expect((err as { codes?: string[] }).codes ?? [(err as Error).message]).toContain('FORBIDDEN');
  });
});
