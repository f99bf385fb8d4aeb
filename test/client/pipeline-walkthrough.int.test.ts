import { promises as fs } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import {
  AlertSource,
  ApproveActionDocument,
  IngestAlertsDocument,
  InvestigationDetailDocument,
  InvestigationEventsDocument,
  type InvestigationEventsSubscription,
  PendingApprovalsDocument,
  VerifyAuditChainDocument,
} from '../../src/client/generated/graphql';
import { createAluskortClient } from '../../src/client/sdk';
import { type TestApp, createKey, createTenant, startTestApp } from '../helpers/app';

const SAMPLES = path.resolve(__dirname, '../../../shared/data/samples');

async function until(cond: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

// The README's walkthrough, through the typed client only: ingest a vendor alert, watch its transitions
// live, decide its approvals, verify the audit trail.
describe('typed client: from a Sentinel alert to a verdict', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ pipelineWorkers: { concurrency: 2 }, checkpoints: false });
  });
  afterAll(async () => {
    await t.close();
  });

  it('ingests, streams every transition, takes human approvals and leaves a verifiable trail', async () => {
    const tenant = await createTenant(t.db);
    const client = (roles: Parameters<typeof createKey>[2]) =>
      createKey(t.app, tenant, roles).then((apiKey) => createAluskortClient({ url: t.url, apiKey, webSocketImpl: WebSocket }));
    const ingest = await client(['ingest']);
    const viewer = await client(['viewer']);
    const approvers = [await client(['approver']), await client(['approver'])];

    const events: InvestigationEventsSubscription['investigationEvents'][] = [];
    const stop = viewer.subscribe(InvestigationEventsDocument, { afterSequence: 0 }, {
      onNext: (d) => events.push(d.investigationEvents),
      onError: (e) => events.push({ toState: `ERROR ${e.message}` } as never),
    });
    await new Promise((r) => setTimeout(r, 300));

    const payload = JSON.parse(await fs.readFile(path.join(SAMPLES, 'sentinel/securityalert-arm-entity-01.json'), 'utf8'));
    const { ingestAlerts } = await ingest.request(IngestAlertsDocument, { source: AlertSource.Sentinel, payloads: [payload] });
    expect(ingestAlerts).toHaveLength(1);
    expect(ingestAlerts[0].error).toBeNull();
    const id = ingestAlerts[0].investigation!.id;

    const settled = () => events.some((e) => e.investigationId === id && ['CLOSED', 'AWAITING_HUMAN', 'FAILED'].includes(e.toState));
    await until(settled);
    let mine = events.filter((e) => e.investigationId === id);
    expect(mine[0]).toMatchObject({ fromState: null, toState: 'RECEIVED' });
    expect(mine.map((e) => e.toState)).not.toContain('FAILED');
    for (let i = 1; i < mine.length; i++) expect(mine[i].fromState).toBe(mine[i - 1].toState);
    // Every event carries the investigation as it is when delivered.
    expect(mine[mine.length - 1].investigation.id).toBe(id);

    if (mine[mine.length - 1].toState === 'AWAITING_HUMAN') {
      const { approvals } = await approvers[0].request(PendingApprovalsDocument, { first: 50 });
      const pending = approvals.edges.map((e) => e.node).filter((a) => a.investigationId === id);
      expect(pending.length).toBeGreaterThan(0);
      for (const a of pending) {
        for (let k = 0; k < a.requiredApprovals; k++) {
          await approvers[k].request(ApproveActionDocument, { id: a.id, reason: 'contained per runbook', acknowledgeCritical: a.requiresAcknowledgement });
        }
      }
      await until(() => events.some((e) => e.investigationId === id && e.toState === 'CLOSED'));
      mine = events.filter((e) => e.investigationId === id);
    }
    stop();
    expect(mine[mine.length - 1].toState).toBe('CLOSED');
    // Sequences strictly increase: no duplicate, in order.
    const seqs = mine.map((e) => e.auditSequence);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);

    const { investigation } = await viewer.request(InvestigationDetailDocument, { id });
    expect(investigation.state).toBe('CLOSED');
    expect((investigation.decisionChain as unknown[]).length).toBeGreaterThanOrEqual(mine.length - 1);
    const { verifyAuditChain } = await approvers[0].request(VerifyAuditChainDocument, {});
    expect(verifyAuditChain).toMatchObject({ valid: true, firstBrokenSequence: null });
    for (const c of [ingest, viewer, ...approvers]) await c.close();
  }, 60_000);
});
