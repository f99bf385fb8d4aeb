import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { mountTaxonomyUpload } from '../../src/modules/taxonomy-import/taxonomy-upload.route';
import { createLogger } from '../../src/observability/logger';
import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

const DATA = path.resolve(__dirname, '../../../shared/data/mitre');
const ATLAS = path.join(DATA, 'ATLAS-v5.6.1.yaml');
const ATTACK = path.join(DATA, 'enterprise-attack-v18.1.json');

const IMPORT = `mutation($c: String!, $f: String) { importTaxonomy(content: $c, filename: $f) {
  source format framework version lastSync durationMs stats
  tables { mitreTechniques { inserted updated unchanged deleted } mitreGroups { inserted updated unchanged deleted }
           taxonomyIds { inserted updated unchanged deleted } taxonomyMetadata { inserted updated unchanged deleted } } } }`;

interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
}
interface Summary {
  source: string | null;
  format: string;
  framework: string;
  version: string | null;
  stats: Record<string, unknown>;
  tables: { mitreTechniques: Counts; mitreGroups: Counts; taxonomyIds: Counts; taxonomyMetadata: Counts };
}

function ok<T>(r: GqlResponse<T>): T {
  expect(r.body.errors).toBeUndefined();
  return r.body.data as T;
}

const ref = (id: string) => [{ source_name: 'mitre-attack', external_id: id, url: `https://attack.mitre.org/techniques/${id.replace('.', '/')}` }];
const TS = '2025-01-01T00:00:00.000Z';

/** A tiny hand-made ATT&CK STIX 2.1 bundle: a tactic, a technique with a sub-technique, a revoked technique and a group. */
function smallBundle() {
  const o = (type: string, id: string, extra: Record<string, unknown>) => ({ type, id, spec_version: '2.1', created: TS, modified: TS, ...extra });
  return {
    type: 'bundle',
    id: 'bundle--00000000-0000-4000-8000-000000000000',
    objects: [
      o('x-mitre-collection', 'x-mitre-collection--1', { name: 'Test ATT&CK', x_mitre_version: '99.1' }),
      o('x-mitre-tactic', 'x-mitre-tactic--1', { name: 'Execution', x_mitre_shortname: 'execution', external_references: [{ source_name: 'mitre-attack', external_id: 'TA0002' }] }),
      o('attack-pattern', 'attack-pattern--a', {
        name: 'Test Technique',
        description: 'A test technique.',
        kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'execution' }],
        x_mitre_platforms: ['Linux'],
        external_references: ref('T8801'),
      }),
      o('attack-pattern', 'attack-pattern--b', {
        name: 'Test Sub-technique',
        description: 'A sub-technique.',
        x_mitre_is_subtechnique: true,
        kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'execution' }],
        external_references: ref('T8801.001'),
      }),
      o('attack-pattern', 'attack-pattern--c', { name: 'Old Technique', description: 'Revoked.', revoked: true, external_references: ref('T8802') }),
      o('intrusion-set', 'intrusion-set--g', {
        name: 'Test Group',
        aliases: ['Test Group', 'Testers'],
        description: 'A group.',
        external_references: [{ source_name: 'mitre-attack', external_id: 'G9901', url: 'https://attack.mitre.org/groups/G9901' }],
      }),
      o('relationship', 'relationship--1', { relationship_type: 'subtechnique-of', source_ref: 'attack-pattern--b', target_ref: 'attack-pattern--a' }),
      o('relationship', 'relationship--2', { relationship_type: 'revoked-by', source_ref: 'attack-pattern--c', target_ref: 'attack-pattern--a' }),
      o('relationship', 'relationship--3', { relationship_type: 'uses', source_ref: 'intrusion-set--g', target_ref: 'attack-pattern--a' }),
    ],
  };
}

describe('taxonomy import (GraphQL mutation and REST upload)', () => {
  let t: TestApp;
  let admin: string;
  let approver: string;
  let viewer: string;
  let analyst: string;
  let upload: http.Server;
  let tiny: http.Server;
  let base: string;
  let tinyBase: string;

  const listen = async (srv: http.Server) => {
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const tenant = await createTenant(t.db);
    [admin, approver, viewer, analyst] = await Promise.all([
      createKey(t.app, tenant, ['admin']),
      createKey(t.app, tenant, ['approver']),
      createKey(t.app, tenant, ['viewer']),
      createKey(t.app, tenant, ['analyst']),
    ]);
    const logger = createLogger('silent');
    const app = express();
    mountTaxonomyUpload(app, { services: t.app.services, logger });
    upload = http.createServer(app);
    base = await listen(upload);
    const small = express();
    mountTaxonomyUpload(small, { services: t.app.services, logger, maxBytes: 1024 });
    tiny = http.createServer(small);
    tinyBase = await listen(tiny);
  });
  afterAll(async () => {
    await Promise.all([upload, tiny].filter(Boolean).map((s) => new Promise((r) => s.close(r))));
    await t?.close();
  });

  it('imports the real ATLAS.yaml through GraphQL (under the 1 MB body cap) and is idempotent', async () => {
    const content = readFileSync(ATLAS, 'utf8');
    expect(Buffer.byteLength(JSON.stringify({ query: IMPORT, variables: { c: content } }))).toBeLessThan(1024 * 1024);
    const s = ok(await gql<{ importTaxonomy: Summary }>(t.url, admin, IMPORT, { c: content, f: 'ATLAS-v5.6.1.yaml' })).importTaxonomy;
    expect(s).toMatchObject({ source: 'ATLAS-v5.6.1.yaml', format: 'ATLAS_YAML', framework: 'ATLAS' });
    expect(s.version).toMatch(/^5\.6\./);
    expect(s.stats).toMatchObject({ techniques: expect.any(Number) });
    expect(s.tables.taxonomyIds.inserted).toBeGreaterThanOrEqual(170);
    expect(s.tables.mitreTechniques.inserted).toBe(s.tables.taxonomyIds.inserted);
    expect(s.tables.mitreGroups).toEqual({ inserted: 0, updated: 0, unchanged: 0, deleted: 0 });
    const again = ok(await gql<{ importTaxonomy: Summary }>(t.url, admin, IMPORT, { c: content, f: 'ATLAS-v5.6.1.yaml' })).importTaxonomy;
    expect(again.tables.taxonomyIds).toMatchObject({ inserted: 0, updated: 0, unchanged: s.tables.taxonomyIds.inserted });
    const v = ok(await gql<{ taxonomyVersion: { atlasVersion: string } }>(t.url, viewer, '{ taxonomyVersion { atlasVersion } }'));
    expect(v.taxonomyVersion.atlasVersion).toBe(s.version);
    const tech = ok(await gql<{ mitreTechnique: { framework: string } }>(t.url, viewer, '{ mitreTechnique(id: "AML.T0051") { framework } }'));
    expect(tech.mitreTechnique.framework).toBe('ATLAS');
  });

  it('imports a small STIX bundle through GraphQL; revoked ids then remap in playbooks', async () => {
    const s = ok(await gql<{ importTaxonomy: Summary }>(t.url, admin, IMPORT, { c: JSON.stringify(smallBundle()) })).importTaxonomy;
    expect(s).toMatchObject({ source: null, format: 'STIX_BUNDLE', framework: 'ATTACK', version: '99.1' });
    expect(s.tables.mitreTechniques).toMatchObject({ inserted: 2 });
    expect(s.tables.taxonomyIds).toMatchObject({ inserted: 3 });
    expect(s.tables.mitreGroups).toMatchObject({ inserted: 1 });
    const entry = ok(
      await gql<{ taxonomyEntry: { revoked: boolean; revokedBy: string } }>(t.url, viewer, '{ taxonomyEntry(id: "T8802") { revoked revokedBy } }'),
    );
    expect(entry.taxonomyEntry).toEqual({ revoked: true, revokedBy: 'T8801' });
    const pb = ok(
      await gql<{ createPlaybook: { mitreTechniques: string[]; techniques: { techniqueId: string; groups: { groupId: string }[] }[] } }>(
        t.url,
        analyst,
        `mutation($i: CreatePlaybookInput!) { createPlaybook(input: $i) { mitreTechniques techniques { techniqueId groups { groupId } } } }`,
        { i: { title: 'Test', category: 'test', severity: 'LOW', severityApplicable: ['LOW'], mitreTechniques: ['T8802', 'T8801.001'], steps: [{ action: 'look', description: 'Look' }] } },
      ),
    );
    expect(pb.createPlaybook.mitreTechniques).toEqual(['T8801', 'T8801.001']);
    expect(pb.createPlaybook.techniques[0]).toEqual({ techniqueId: 'T8801', groups: [{ groupId: 'G9901' }] });
  });

  it('is admin only and rejects garbage with BAD_USER_INPUT, writing nothing', async () => {
    const small = JSON.stringify(smallBundle());
    expect(codes(await gql(t.url, approver, IMPORT, { c: small }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, viewer, IMPORT, { c: small }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, null, IMPORT, { c: small }))).toEqual(['UNAUTHENTICATED']);
    const before = await t.db.prisma.taxonomyId.count();
    for (const c of ['hello: world', '{"type": "not-a-bundle"}', '{ broken json', '', '   ', JSON.stringify({ type: 'bundle', objects: [] })]) {
      const r = await gql(t.url, admin, IMPORT, { c });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect((r.body.errors![0].extensions!.fieldErrors as { path: string }[]).map((f) => f.path)).toEqual(['content']);
    }
    expect(await t.db.prisma.taxonomyId.count()).toBe(before);
  });

  it('REST: uploads the full ATT&CK bundle (9.6 MB) with an admin key and answers the summary', async () => {
    const body = readFileSync(ATTACK);
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await fetch(`${base}/admin/taxonomy?filename=enterprise-attack-v18.1.json`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    const s = (await res.json()) as Summary;
    expect(s).toMatchObject({ source: 'enterprise-attack-v18.1.json', format: 'stix-bundle', framework: 'attack', version: '18.1' });
    expect(s.tables.mitreTechniques.inserted).toBe(703);
    expect(s.tables.mitreGroups.inserted).toBe(172);
    expect(s.tables.taxonomyIds.inserted).toBe(835);
    const tech = ok(await gql<{ mitreTechnique: { techniqueName: string } }>(t.url, viewer, '{ mitreTechnique(id: "T1059.001") { techniqueName } }'));
    expect(tech.mitreTechnique.techniqueName).toBe('PowerShell');
    const v = ok(await gql<{ taxonomyVersion: { attackVersion: string } }>(t.url, viewer, '{ taxonomyVersion { attackVersion } }'));
    expect(v.taxonomyVersion.attackVersion).toBe('18.1');
  }, 180_000);

  it('REST: 401 without or with a bad key, 403 for non-admins, 400 for garbage, 413 over the limit', async () => {
    const post = (url: string, headers: Record<string, string>, body: string) => fetch(url, { method: 'POST', headers, body });
    const small = JSON.stringify(smallBundle());
    const none = await post(`${base}/admin/taxonomy`, {}, small);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const bad = await post(`${base}/admin/taxonomy`, { authorization: 'Bearer alsk_not-a-real-key-0000000000' }, small);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const notAdmin = await post(`${base}/admin/taxonomy`, { authorization: `Bearer ${approver}` }, small);
    expect(notAdmin.status).toBe(403);
    expect(await notAdmin.json()).toMatchObject({ code: 'FORBIDDEN' });
    const garbage = await post(`${base}/admin/taxonomy`, { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' }, 'just: text');
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'content' }] });
    const empty = await post(`${base}/admin/taxonomy`, { authorization: `Bearer ${admin}` }, '');
    expect(empty.status).toBe(400);
    const big = await post(`${tinyBase}/admin/taxonomy`, { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, small);
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const yaml = await post(`${base}/admin/taxonomy`, { authorization: `Bearer ${admin}`, 'x-filename': 'x.json' }, small);
    expect(yaml.status).toBe(200);
    expect(await yaml.json()).toMatchObject({ source: 'x.json', framework: 'attack' });
  });
});
