import { randomUUID } from 'node:crypto';
import { Prisma } from '../../src/generated/prisma/client';
import { ALERT_SOURCES } from '../../src/ingest/canonical';
import { type TestDatabase, createTestDatabase } from '../helpers/db';

// CHECK, UNIQUE and FOREIGN KEY constraints of the hand-written migrations, through Prisma (what services
// see) and through raw SQL (err.code / err.constraint from pg).

interface PgError {
  code?: string;
  constraint?: string;
  message: string;
}

/** Runs raw SQL that must fail; returns pg's error. */
async function sqlError(db: TestDatabase, sql: string, params: unknown[] = []): Promise<PgError> {
  try {
    await db.pool.query(sql, params);
  } catch (err) {
    return err as PgError;
  }
  throw new Error(`expected to fail: ${sql}`);
}

/** Runs a Prisma call that must fail; returns the known request error. */
async function prismaError(p: Promise<unknown>): Promise<Prisma.PrismaClientKnownRequestError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    return err as Prisma.PrismaClientKnownRequestError;
  }
  throw new Error('expected the Prisma call to fail');
}

const hex64 = (c: string) => c.repeat(64);

describe('database constraints', () => {
  let db: TestDatabase;
  const tenant = `t_constraints_${randomUUID().slice(0, 8)}`;
  const other = `${tenant}_other`;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.prisma.tenant.createMany({
      data: [
        { tenantId: tenant, name: 'Constraints tenant', tier: 'premium' },
        { tenantId: other, name: 'Other tenant', tier: 'trial' },
      ],
    });
  });
  afterAll(async () => {
    await db?.drop();
  });

  const ioc = (over: Partial<Prisma.ThreatIntelIocUncheckedCreateInput> = {}) => ({
    docId: randomUUID(),
    tenantId: tenant,
    indicatorType: 'ipv4',
    indicatorValue: '203.0.113.7',
    confidence: 80,
    ...over,
  });

  describe('threat_intel_iocs', () => {
    it('rejects confidence 101 and names threat_intel_iocs_confidence_check (Prisma and SQL)', async () => {
      const e = await prismaError(db.prisma.threatIntelIoc.create({ data: ioc({ confidence: 101 }) }));
      expect(e.message).toContain('threat_intel_iocs_confidence_check');
      expect(JSON.stringify(e.meta)).toContain('23514');

      const raw = await sqlError(
        db,
        `INSERT INTO threat_intel_iocs (doc_id, tenant_id, indicator_type, indicator_value, confidence)
         VALUES ($1, $2, 'domain', 'evil.example', 101)`,
        [randomUUID(), tenant],
      );
      expect(raw.code).toBe('23514');
      expect(raw.constraint).toBe('threat_intel_iocs_confidence_check');
      expect(await db.prisma.threatIntelIoc.count({ where: { tenantId: tenant } })).toBe(0);
    });

    it('accepts the bounds 0 and 100 and rejects -1', async () => {
      await db.prisma.threatIntelIoc.create({ data: ioc({ indicatorValue: '198.51.100.1', confidence: 0 }) });
      await db.prisma.threatIntelIoc.create({ data: ioc({ indicatorValue: '198.51.100.2', confidence: 100 }) });
      const e = await prismaError(
        db.prisma.threatIntelIoc.create({ data: ioc({ indicatorValue: '198.51.100.3', confidence: -1 }) }),
      );
      expect(e.message).toContain('threat_intel_iocs_confidence_check');
    });

    it('rejects a duplicate (tenant, indicator_type, indicator_value) with P2002, but not across tenants', async () => {
      const data = ioc({ indicatorType: 'sha256', indicatorValue: hex64('e') });
      await db.prisma.threatIntelIoc.create({ data });
      const e = await prismaError(db.prisma.threatIntelIoc.create({ data: { ...data, docId: randomUUID() } }));
      expect(e.code).toBe('P2002');
      expect(e.message).toContain('threat_intel_iocs_tenant_id_indicator_type_indicator_value_key');

      const raw = await sqlError(
        db,
        `INSERT INTO threat_intel_iocs (doc_id, tenant_id, indicator_type, indicator_value, confidence)
         VALUES ($1, $2, 'sha256', $3, 10)`,
        [randomUUID(), tenant, hex64('e')],
      );
      expect(raw.code).toBe('23505');
      expect(raw.constraint).toBe('threat_intel_iocs_tenant_id_indicator_type_indicator_value_key');

      // the same indicator in another tenant is a different row
      await db.prisma.threatIntelIoc.create({ data: { ...data, docId: randomUUID(), tenantId: other } });
      // and the same value with another type in the same tenant too
      await db.prisma.threatIntelIoc.create({ data: { ...data, docId: randomUUID(), indicatorType: 'file_name' } });
    });

    it('rejects an unknown indicator_type', async () => {
      const e = await prismaError(db.prisma.threatIntelIoc.create({ data: ioc({ indicatorType: 'ip' }) }));
      expect(e.message).toContain('threat_intel_iocs_indicator_type_check');
    });

    it('accepts a null or alert-vocabulary severity and rejects anything else', async () => {
      for (const severity of ['High', 'info', '']) {
        const e = await prismaError(db.prisma.threatIntelIoc.create({ data: ioc({ indicatorValue: '192.0.2.50', severity }) }));
        expect(e.message).toContain('threat_intel_iocs_severity_check');
      }
      await db.prisma.threatIntelIoc.create({ data: ioc({ indicatorValue: '192.0.2.51', severity: 'informational' }) });
      await db.prisma.threatIntelIoc.create({ data: ioc({ indicatorValue: '192.0.2.52', severity: null }) });
    });

    it('rejects an unknown tenant (foreign key) with P2003', async () => {
      const e = await prismaError(
        db.prisma.threatIntelIoc.create({ data: ioc({ tenantId: 'no-such-tenant', indicatorValue: '192.0.2.1' }) }),
      );
      expect(e.code).toBe('P2003');
      expect(e.message).toContain('threat_intel_iocs_tenant_id_fkey');
    });

    it("defaults tenant_id to 'default' and arrays to {}", async () => {
      const row = await db.prisma.threatIntelIoc.create({
        data: { docId: randomUUID(), indicatorType: 'url', indicatorValue: 'https://x.example/a', confidence: 5 },
      });
      expect(row).toMatchObject({ tenantId: 'default', sources: [], tags: [], mitreTechniques: [] });
    });
  });

  describe('tenants and reference data', () => {
    it('rejects an unknown tenant tier', async () => {
      const e = await prismaError(db.prisma.tenant.create({ data: { tenantId: `${tenant}_x`, name: 'x', tier: 'gold' } }));
      expect(e.message).toContain('tenants_tier_check');
    });

    it("rejects an unknown framework in taxonomy_ids (framework values are lower case: 'ATLAS' fails)", async () => {
      for (const framework of ['ATLAS', 'capec']) {
        const e = await prismaError(
          db.prisma.taxonomyId.create({ data: { techniqueId: `X${framework}`, framework, name: 'x' } }),
        );
        expect(e.message).toContain('taxonomy_ids_framework_check');
      }
      const ok = await db.prisma.taxonomyId.create({
        data: { techniqueId: 'AML.T0051', framework: 'atlas', name: 'LLM Prompt Injection', relatedAttackIds: ['T1059'] },
      });
      expect(ok).toMatchObject({ deprecated: false, revoked: false, isSubtechnique: false, parentId: null });
      const viaCrosswalk = await db.prisma.taxonomyId.findMany({ where: { relatedAttackIds: { has: 'T1059' } } });
      expect(viaCrosswalk.map((r) => r.techniqueId)).toEqual(['AML.T0051']);
    });

    it('rejects a duplicate technique_id and an unknown mitre_techniques framework', async () => {
      const base = { techniqueId: 'T1059', techniqueName: 'Command and Scripting Interpreter', tactic: ['execution'], description: 'd' };
      await db.prisma.mitreTechnique.create({ data: { docId: 'attack-pattern--1', ...base } });
      const dup = await prismaError(db.prisma.mitreTechnique.create({ data: { docId: 'attack-pattern--2', ...base } }));
      expect(dup.code).toBe('P2002');
      expect(dup.message).toContain('mitre_techniques_technique_id_key');
      const fw = await prismaError(
        db.prisma.mitreTechnique.create({ data: { docId: 'attack-pattern--3', ...base, techniqueId: 'T1', framework: 'ics' } }),
      );
      expect(fw.message).toContain('mitre_techniques_framework_check');
    });
  });

  describe('playbooks and FP patterns', () => {
    it('checks severity vocabularies and cascades steps on delete', async () => {
      const bad = await prismaError(
        db.prisma.playbook.create({
          data: { docId: randomUUID(), tenantId: tenant, title: 't', category: 'c', severityApplicable: ['urgent'], mitreTechniques: [] },
        }),
      );
      expect(bad.message).toContain('playbooks_severity_applicable_check');
      const bad2 = await prismaError(
        db.prisma.playbook.create({
          data: { docId: randomUUID(), tenantId: tenant, title: 't', category: 'c', severityApplicable: [], mitreTechniques: [], reviewStatus: 'published' },
        }),
      );
      expect(bad2.message).toContain('playbooks_review_status_check');

      const pb = await db.prisma.playbook.create({
        data: {
          docId: randomUUID(),
          tenantId: tenant,
          title: 'Isolate host',
          category: 'containment',
          severityApplicable: ['critical', 'high'],
          mitreTechniques: ['T1059'],
          tactics: ['execution'],
          steps: {
            create: [
              { stepNumber: 1, tenantId: tenant, action: 'collect', description: 'collect evidence' },
              { stepNumber: 2, tenantId: tenant, action: 'isolate', description: 'isolate host', requiresApproval: true },
            ],
          },
        },
        include: { steps: true },
      });
      expect(pb.severity).toBe('medium');
      expect(pb.steps).toHaveLength(2);
      const dupStep = await prismaError(
        db.prisma.playbookStep.create({ data: { playbookId: pb.docId, stepNumber: 1, tenantId: tenant, action: 'a', description: 'b' } }),
      );
      expect(dupStep.code).toBe('P2002');
      await db.prisma.playbook.delete({ where: { docId: pb.docId } });
      expect(await db.prisma.playbookStep.count({ where: { playbookId: pb.docId } })).toBe(0);
    });

    it('defaults an FP pattern to pending_review without approval and bounds confidence_threshold', async () => {
      const fp = await db.prisma.fpPattern.create({
        data: { patternId: randomUUID(), tenantId: tenant, patternName: 'p', alertNames: ['a'], conditions: {} },
      });
      expect(fp).toMatchObject({ status: 'pending_review', approvedBy: '', approvalDate: null, confidenceThreshold: 0.9 });
      const e = await prismaError(
        db.prisma.fpPattern.create({
          data: { patternId: randomUUID(), tenantId: tenant, patternName: 'p', alertNames: ['a'], conditions: {}, confidenceThreshold: 1.5 },
        }),
      );
      expect(e.message).toContain('fp_patterns_confidence_threshold_check');
      const s = await prismaError(
        db.prisma.fpPattern.update({ where: { patternId: fp.patternId }, data: { status: 'enabled' } }),
      );
      expect(s.message).toContain('fp_patterns_status_check');
    });
  });

  describe('CTEM', () => {
    const exposure = (over: Partial<Prisma.CtemExposureUncheckedCreateInput> = {}) => ({
      tenantId: tenant,
      exposureKey: randomUUID().slice(0, 16),
      sourceTool: 'wiz',
      title: 'Public bucket',
      severity: 'HIGH',
      originalSeverity: 'High',
      assetId: 'bucket-1',
      assetType: 'storage',
      assetZone: 'Zone3_Enterprise',
      exploitabilityScore: 0.9,
      physicalConsequence: 'data_loss',
      ctemScore: 2.7,
      ...over,
    });

    it('rejects out-of-vocabulary severity, status, consequence and out-of-range scores', async () => {
      const cases: Array<[Partial<Prisma.CtemExposureUncheckedCreateInput>, string]> = [
        [{ severity: 'high' }, 'ctem_exposures_severity_check'],
        [{ status: 'Done' }, 'ctem_exposures_status_check'],
        [{ physicalConsequence: 'reputation' }, 'ctem_exposures_physical_consequence_check'],
        [{ exploitabilityScore: 1.1 }, 'ctem_exposures_exploitability_score_check'],
        [{ ctemScore: 10.5 }, 'ctem_exposures_ctem_score_check'],
      ];
      for (const [over, constraint] of cases) {
        const e = await prismaError(db.prisma.ctemExposure.create({ data: exposure(over) }));
        expect(e.message).toContain(constraint);
      }
    });

    it('keeps exposure_key unique per tenant and ties validations to an exposure of the same tenant', async () => {
      const ex = await db.prisma.ctemExposure.create({ data: exposure() });
      expect(typeof ex.id).toBe('bigint');
      const dup = await prismaError(db.prisma.ctemExposure.create({ data: exposure({ exposureKey: ex.exposureKey }) }));
      expect(dup.code).toBe('P2002');
      await db.prisma.ctemExposure.create({ data: exposure({ exposureKey: ex.exposureKey, tenantId: other }) });

      const v = { validationId: randomUUID(), campaignId: 'c1', validationType: 'automated' };
      await db.prisma.ctemValidation.create({ data: { ...v, tenantId: tenant, exposureId: ex.exposureKey } });
      const unknown = await prismaError(
        db.prisma.ctemValidation.create({ data: { ...v, validationId: randomUUID(), tenantId: tenant, exposureId: 'nope' } }),
      );
      expect(unknown.code).toBe('P2003');
      expect(unknown.message).toContain('ctem_validations_tenant_id_exposure_id_fkey');
      const badType = await prismaError(
        db.prisma.ctemValidation.create({
          data: { ...v, validationId: randomUUID(), tenantId: tenant, exposureId: ex.exposureKey, validationType: 'pentest' },
        }),
      );
      expect(badType.message).toContain('ctem_validations_validation_type_check');

      // A third tenant has no exposure with that key: the composite FK refuses a cross-tenant reference.
      const third = `${tenant}_3`;
      await db.prisma.tenant.create({ data: { tenantId: third, name: 'third' } });
      const cross = await prismaError(
        db.prisma.ctemRemediation.create({
          data: { remediationId: randomUUID(), tenantId: third, exposureId: ex.exposureKey, assignedTo: 'ops' },
        }),
      );
      expect(cross.message).toContain('ctem_remediations_tenant_id_exposure_id_fkey');

      const withChildren = await db.prisma.ctemExposure.findUniqueOrThrow({
        where: { tenantId_exposureKey: { tenantId: tenant, exposureKey: ex.exposureKey } },
        include: { validations: true },
      });
      expect(withChildren.validations).toHaveLength(1);
    });
  });

  describe('alerts, investigations and approvals', () => {
    const alert = (over: Partial<Prisma.AlertUncheckedCreateInput> = {}) => ({
      tenantId: tenant,
      source: 'sentinel',
      sourceAlertId: randomUUID(),
      timestamp: new Date(),
      title: 'Suspicious PowerShell',
      severity: 'high',
      rawPayload: { a: 1 },
      ...over,
    });

    it('keeps (tenant, source, source_alert_id) unique and checks severity', async () => {
      const a = await db.prisma.alert.create({ data: alert() });
      expect(a.alertPk).toMatch(/^[0-9a-f-]{36}$/);
      const dup = await prismaError(db.prisma.alert.create({ data: alert({ sourceAlertId: a.sourceAlertId }) }));
      expect(dup.code).toBe('P2002');
      expect(dup.message).toContain('alerts_tenant_id_source_source_alert_id_key');
      await db.prisma.alert.create({ data: alert({ sourceAlertId: a.sourceAlertId, source: 'splunk' }) });
      const sev = await prismaError(db.prisma.alert.create({ data: alert({ severity: 'High' }) }));
      expect(sev.message).toContain('alerts_severity_check');
    });

    it('checks investigation state, confidence and the alert foreign key; approvals check tiers and cascade', async () => {
      const a = await db.prisma.alert.create({ data: alert() });
      const noAlert = await prismaError(
        db.prisma.investigationState.create({ data: { tenantId: tenant, alertId: 'missing' } }),
      );
      expect(noAlert.message).toContain('investigation_state_alert_id_fkey');
      const badState = await prismaError(
        db.prisma.investigationState.create({ data: { tenantId: tenant, alertId: a.alertPk, state: 'done' } }),
      );
      expect(badState.message).toContain('investigation_state_state_check');
      const badConf = await prismaError(
        db.prisma.investigationState.create({ data: { tenantId: tenant, alertId: a.alertPk, confidence: 1.5 } }),
      );
      expect(badConf.message).toContain('investigation_state_confidence_check');

      const inv = await db.prisma.investigationState.create({ data: { tenantId: tenant, alertId: a.alertPk } });
      expect(inv).toMatchObject({ state: 'received', version: 0, severity: 'medium', confidence: 0 });

      const approval = {
        tenantId: tenant,
        investigationId: inv.investigationId,
        action: 'isolate_host',
        target: 'host-1',
        requestedBy: 'response_agent',
        expiresAt: new Date(Date.now() + 3600_000),
      };
      const tier = await prismaError(db.prisma.approval.create({ data: { ...approval, riskTier: 4 } }));
      expect(tier.message).toContain('approvals_risk_tier_check');
      const two = await prismaError(db.prisma.approval.create({ data: { ...approval, riskTier: 2, requiredApprovals: 3 } }));
      expect(two.message).toContain('approvals_required_approvals_check');
      const st = await prismaError(db.prisma.approval.create({ data: { ...approval, riskTier: 2, status: 'maybe' } }));
      expect(st.message).toContain('approvals_status_check');
      const ok = await db.prisma.approval.create({ data: { ...approval, riskTier: 2 } });
      expect(ok).toMatchObject({ status: 'pending', requiredApprovals: 1, decisions: [] });

      await db.prisma.investigationState.delete({ where: { investigationId: inv.investigationId } });
      expect(await db.prisma.approval.count({ where: { investigationId: inv.investigationId } })).toBe(0);
    });
  });

  describe('platform tables', () => {
    const key = (over: Partial<Prisma.ApiKeyUncheckedCreateInput> = {}) => ({
      tenantId: tenant,
      name: 'ci',
      keyPrefix: 'ak_12345',
      keyHash: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      roles: ['analyst'],
      ...over,
    });

    it('checks api key roles and hash format, and key_hash is unique', async () => {
      const unknownRole = await prismaError(db.prisma.apiKey.create({ data: key({ roles: ['analyst', 'root'] }) }));
      expect(unknownRole.message).toContain('api_keys_roles_check');
      const noRole = await prismaError(db.prisma.apiKey.create({ data: key({ roles: [] }) }));
      expect(noRole.message).toContain('api_keys_roles_check');
      const badHash = await prismaError(db.prisma.apiKey.create({ data: key({ keyHash: 'ABC' }) }));
      expect(badHash.message).toContain('api_keys_key_hash_check');
      const k = await db.prisma.apiKey.create({ data: key({ roles: ['admin', 'ingest'] }) });
      const dup = await prismaError(db.prisma.apiKey.create({ data: key({ keyHash: k.keyHash }) }));
      expect(dup.code).toBe('P2002');
    });

    it('allows one active kill switch per (tenant, dimension, value)', async () => {
      const ks = { tenantId: tenant, dimension: 'technique', value: 'T1059', activatedBy: 'admin' };
      const first = await db.prisma.killSwitch.create({ data: ks });
      const raw = await sqlError(
        db,
        `INSERT INTO kill_switches (tenant_id, dimension, value, activated_by) VALUES ($1, 'technique', 'T1059', 'x')`,
        [tenant],
      );
      expect(raw.code).toBe('23505');
      expect(raw.constraint).toBe('kill_switches_tenant_id_dimension_value_key');
      await db.prisma.killSwitch.update({ where: { id: first.id }, data: { deactivatedAt: new Date(), deactivatedBy: 'admin' } });
      await db.prisma.killSwitch.create({ data: ks });
      await db.prisma.killSwitch.create({ data: { ...ks, tenantId: other } });
      const dim = await prismaError(db.prisma.killSwitch.create({ data: { ...ks, dimension: 'region' } }));
      expect(dim.message).toContain('kill_switches_dimension_check');
    });

    it('checks UEBA signal vocabularies, connector names per tenant and LLM model tiers', async () => {
      const ueba = { tenantId: tenant, entityId: 'alice', entityType: 'account', signalType: 'ueba', riskState: 'no_baseline' };
      const row = await db.prisma.userEntityBehavior.create({ data: ueba });
      expect(row.riskScore).toBeNull();
      expect((await prismaError(db.prisma.userEntityBehavior.create({ data: { ...ueba, riskState: 'safe' } }))).message).toContain(
        'user_entity_behavior_risk_state_check',
      );
      expect((await prismaError(db.prisma.userEntityBehavior.create({ data: { ...ueba, riskScore: 11 } }))).message).toContain(
        'user_entity_behavior_risk_score_check',
      );

      const c = { tenantId: tenant, name: 'sentinel-prod', adapterType: 'sentinel' };
      const conn = await db.prisma.connector.create({ data: c });
      expect(conn.connectorId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await prismaError(db.prisma.connector.create({ data: c }))).code).toBe('P2002');
      await db.prisma.connector.create({ data: { ...c, tenantId: other } });
      for (const adapterType of ALERT_SOURCES) {
        await db.prisma.connector.create({ data: { tenantId: tenant, name: `all-${adapterType}`, adapterType } });
      }
      const adapter = await prismaError(db.prisma.connector.create({ data: { ...c, name: 'qradar', adapterType: 'qradar' } }));
      expect(adapter.message).toContain('connectors_adapter_type_check');

      const provider = await db.prisma.llmProvider.create({
        data: { providerId: `anthropic-${tenant}`, tenantId: tenant, displayName: 'Anthropic' },
      });
      const m = { modelId: `sonnet-${tenant}`, tenantId: tenant, providerId: provider.providerId, modelName: 'claude-sonnet' };
      expect((await prismaError(db.prisma.llmModel.create({ data: { ...m, tier: 'tier_3' } }))).message).toContain('llm_models_tier_check');
      await db.prisma.llmModel.create({ data: m });
      // Ids are per tenant: the other tenant has the same ids, and its model cannot use this tenant's provider.
      const foreign = await prismaError(db.prisma.llmModel.create({ data: { ...m, tenantId: other } }));
      expect(foreign.code).toBe('P2003');
      expect(foreign.message).toContain('llm_models_tenant_id_provider_id_fkey');
      await db.prisma.llmProvider.create({ data: { providerId: provider.providerId, tenantId: other, displayName: 'Anthropic' } });
      await db.prisma.llmModel.create({ data: { ...m, tenantId: other } });
      expect((await prismaError(db.prisma.llmModel.create({ data: m }))).code).toBe('P2002');
      await db.prisma.llmProvider.delete({ where: { tenantId_providerId: { tenantId: tenant, providerId: provider.providerId } } });
      expect(await db.prisma.llmModel.findMany({ where: { modelId: m.modelId }, select: { tenantId: true } })).toEqual([{ tenantId: other }]);
    });

    it('keeps one org_context record per (tenant, entity type, lower(entity name))', async () => {
      const row = { entityType: 'host', criticality: 'high' };
      await db.prisma.orgContext.create({ data: { ...row, docId: randomUUID(), tenantId: tenant, entityName: 'DC01.corp' } });
      const raw = await sqlError(
        db,
        `INSERT INTO org_context (doc_id, tenant_id, entity_type, entity_name) VALUES ($1, $2, 'host', 'dc01.CORP')`,
        [randomUUID(), tenant],
      );
      expect(raw.code).toBe('23505');
      expect(raw.constraint).toBe('org_context_tenant_entity_key');
      const e = await prismaError(db.prisma.orgContext.create({ data: { ...row, docId: randomUUID(), tenantId: tenant, entityName: 'dc01.corp' } }));
      expect(e.code).toBe('P2002');
      // other entity types and other tenants are different records
      await db.prisma.orgContext.create({ data: { ...row, docId: randomUUID(), tenantId: tenant, entityType: 'user', entityName: 'dc01.corp' } });
      await db.prisma.orgContext.create({ data: { ...row, docId: randomUUID(), tenantId: other, entityName: 'dc01.corp' } });
    });
  });

  describe('conventions', () => {
    it('names every PRIMARY KEY, UNIQUE, CHECK and FOREIGN KEY constraint <table>_..._pkey|key|check|fkey', async () => {
      const { rows } = await db.pool.query<{ table_name: string; conname: string; contype: string }>(
        `SELECT t.relname AS table_name, c.conname, c.contype
           FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
          WHERE t.relnamespace = 'public'::regnamespace AND NOT t.relispartition AND c.contype IN ('p','u','c','f')
            AND t.relname <> '_prisma_migrations'`,
      );
      expect(rows.length).toBeGreaterThan(100);
      const suffix: Record<string, string> = { p: '_pkey', u: '_key', c: '_check', f: '_fkey' };
      const bad = rows.filter((r) => !(r.conname.startsWith(`${r.table_name}_`) && r.conname.endsWith(suffix[r.contype])));
      expect(bad).toEqual([]);
    });

    it("gives every tenant-owned table tenant_id NOT NULL DEFAULT 'default' with a foreign key to tenants", async () => {
      // Global: tenancy itself, MITRE reference data, the platform's audit signing keys (one key signs every tenant's checkpoints)
      // and the reference-data change counters (scopes name tenants as 'tenant:<id>', next to the global 'taxonomy' and '*').
      const global = ['tenants', 'mitre_techniques', 'mitre_groups', 'taxonomy_ids', 'taxonomy_metadata', 'audit_signing_keys', 'reference_versions', '_prisma_migrations'];
      const { rows } = await db.pool.query<{ table_name: string; col: string | null; nullable: string | null; dflt: string | null; fk: boolean }>(
        `SELECT t.relname AS table_name, col.column_name AS col, col.is_nullable AS nullable, col.column_default AS dflt,
                EXISTS (SELECT 1 FROM pg_constraint f
                         WHERE f.conrelid = t.oid AND f.contype = 'f' AND f.confrelid = 'tenants'::regclass
                           AND f.conname = t.relname || '_tenant_id_fkey') AS fk
           FROM pg_class t
           LEFT JOIN information_schema.columns col
             ON col.table_schema = 'public' AND col.table_name = t.relname AND col.column_name = 'tenant_id'
          WHERE t.relnamespace = 'public'::regnamespace AND t.relkind IN ('r','p') AND NOT t.relispartition`,
      );
      const owned = rows.filter((r) => !global.includes(r.table_name));
      expect(owned.length).toBeGreaterThanOrEqual(34);
      const bad = owned.filter((r) => !(r.col === 'tenant_id' && r.nullable === 'NO' && r.fk && (r.dflt ?? '').includes("'default'")));
      // audit_chain_state keys on tenant_id (no default makes sense for a per-tenant head row)
      expect(bad.map((r) => r.table_name)).toEqual(['audit_chain_state']);
      expect(rows.filter((r) => global.includes(r.table_name) && r.table_name !== 'tenants' && r.col)).toEqual([]);
    });
  });
});
