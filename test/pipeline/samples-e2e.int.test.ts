import { promises as fs } from 'node:fs';
import path from 'node:path';
import { adaptPayload } from '../../src/ingest/adapters';
import type { AlertSource } from '../../src/ingest/canonical';
import { importTaxonomyFile } from '../../src/taxonomy/import';
import { EXPECTED_COUNTS, SOURCE_OF_DIR } from '../ingest-api/helpers';
import { type TestApp, createKey, createTenant, gql, startTestApp } from '../helpers/app';

const SHARED = path.resolve(__dirname, '../../../shared/data');
const TERMINAL = ['closed', 'awaiting_human'];

/**
 * Every alert sample of the supported vendor formats goes through the real pipeline (ingest → workers →
 * agents, with the full ATT&CK/ATLAS taxonomy loaded) and settles in a terminal or awaiting_human state.
 */
describe('every vendor sample through the whole pipeline', () => {
  let t: TestApp;
  let tenant: string;
  let key: string;
  const files = Object.keys(EXPECTED_COUNTS);
  beforeAll(async () => {
    t = await startTestApp({ pipelineWorkers: { concurrency: 4 }, checkpoints: false });
    await importTaxonomyFile(t.db.prisma, path.join(SHARED, 'mitre/enterprise-attack-v18.1.json'));
    await importTaxonomyFile(t.db.prisma, path.join(SHARED, 'mitre/ATLAS-v5.6.1.yaml'));
    tenant = await createTenant(t.db);
    key = await createKey(t.app, tenant, ['analyst']);
    // Threat intel the SOC already holds: the EICAR test file's MD5 (Wazuh VirusTotal sample).
    await t.db.prisma.threatIntelIoc.create({
      data: {
        tenantId: tenant,
        docId: 'ioc-eicar',
        indicatorType: 'md5',
        indicatorValue: '44d88612fea8a8f36de82e1278abb02f',
        confidence: 95,
        severity: 'high',
        sources: ['test'],
      },
    });
    for (const f of files) {
      const source = SOURCE_OF_DIR[f.split('/')[0]] as AlertSource;
      const payload = JSON.parse(await fs.readFile(path.join(SHARED, 'samples', f), 'utf8'));
      const r = await gql<{ ingestAlerts: { error: unknown }[] }>(
        t.url,
        key,
        `mutation($s: AlertSource!, $p: [JSON!]!) { ingestAlerts(source: $s, payloads: $p) { error { code } investigation { id } } }`,
        { s: source.toUpperCase(), p: [payload] },
      );
      expect(r.body.errors).toBeUndefined();
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const open = await t.db.prisma.investigationState.count({ where: { tenantId: tenant, state: { notIn: [...TERMINAL, 'failed'] } } });
      if (open === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 180_000);
  afterAll(async () => {
    await t.close();
  });

  async function investigationsOf(file: string) {
    const source = SOURCE_OF_DIR[file.split('/')[0]];
    const payload = JSON.parse(await fs.readFile(path.join(SHARED, 'samples', file), 'utf8'));
    const ids = adaptPayload(source as AlertSource, payload).flatMap((o) => (o.ok ? [o.alert.alertId] : []));
    const alerts = await t.db.prisma.alert.findMany({ where: { tenantId: tenant, source, sourceAlertId: { in: ids } } });
    return t.db.prisma.investigationState.findMany({ where: { tenantId: tenant, alertId: { in: alerts.map((a) => a.alertPk) } } });
  }

  it('settles every mappable alert in closed or awaiting_human, none failed or stuck', async () => {
    const all = await t.db.prisma.investigationState.findMany({ where: { tenantId: tenant } });
    const distinctMappable = new Set<string>();
    for (const f of files) for (const inv of await investigationsOf(f)) distinctMappable.add(inv.investigationId);
    expect(all.length).toBe(distinctMappable.size);
    expect(all.length).toBeGreaterThanOrEqual(35);
    expect(all.filter((i) => !TERMINAL.includes(i.state)).map((i) => `${i.title}: ${i.state} ${i.unrecoverableError ?? ''}`)).toEqual([]);
  });

  it('keeps the vendor’s valid techniques and quarantines none of them', async () => {
    for (const f of files) {
      for (const inv of await investigationsOf(f)) {
        const alert = await t.db.prisma.alert.findUniqueOrThrow({ where: { alertPk: inv.alertId } });
        const gs = inv.graphState as { techniques: string[] };
        const known = await t.db.prisma.taxonomyId.findMany({ where: { techniqueId: { in: alert.techniques }, deprecated: false, revoked: false } });
        for (const k of known) expect({ file: f, has: gs.techniques.includes(k.techniqueId) }).toEqual({ file: f, has: true });
      }
    }
  });

  it('classifies by sample class: a threat-intel hit is a true positive, a clean scan is not, Tor use is at least suspicious', async () => {
    const [eicar] = await investigationsOf('wazuh/wazuh-alert-virustotal-malicious-87105.json');
    expect(eicar.classification).toBe('true_positive');
    const [clean] = await investigationsOf('wazuh/wazuh-alert-virustotal-no-positives-87104.json');
    expect(clean.classification).not.toBe('true_positive');
    const [tor] = await investigationsOf('guardduty/guardduty-finding-iamuser-toripcaller.json');
    expect((tor.graphState as { techniques: string[] }).techniques).toContain('T1090.003');
    expect(['suspicious', 'true_positive', 'investigation_required']).toContain(tor.classification);
    // Destructive responses are never taken without a human: every proposed tier-2+ action is an approval.
    const approvals = await t.db.prisma.approval.findMany({ where: { tenantId: tenant } });
    for (const a of approvals) expect(a.riskTier).toBeGreaterThanOrEqual(2);
    const awaiting = await t.db.prisma.investigationState.findMany({ where: { tenantId: tenant, state: 'awaiting_human' } });
    for (const inv of awaiting) {
      const pending = approvals.filter((a) => a.investigationId === inv.investigationId && a.status === 'pending');
      const gs = inv.graphState as { requiresHumanApproval: boolean };
      expect(pending.length > 0 || gs.requiresHumanApproval).toBe(true);
    }
  });
});
