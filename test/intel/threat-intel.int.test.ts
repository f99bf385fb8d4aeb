import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

const SAMPLES = path.resolve(__dirname, '../../../shared/data/samples');
const sample = (p: string): unknown => JSON.parse(readFileSync(path.join(SAMPLES, p), 'utf8'));

const IOC_FIELDS = `id indicatorType indicatorValue confidence severity associatedCampaigns associatedGroups mitreTechniques
  firstSeen lastSeen sources context expiry tags createdAt updatedAt`;
const UPSERT = `mutation($input: UpsertThreatIntelIocsInput!) { upsertThreatIntelIocs(input: $input) { inserted updated iocs { ${IOC_FIELDS} } } }`;
const LIST = `query($filter: ThreatIntelIocFilter, $first: Int, $after: String, $last: Int, $before: String) {
  threatIntelIocs(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { id indicatorType indicatorValue confidence } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`;
const IMPORT_RESULT = `indicators inserted updated skipped { ref reason } droppedTechniques iocs { ${IOC_FIELDS} }`;

interface Ioc {
  id: string;
  indicatorType: string;
  indicatorValue: string;
  confidence: number;
  severity: string | null;
  associatedCampaigns: string[];
  associatedGroups: string[];
  mitreTechniques: string[];
  firstSeen: string | null;
  lastSeen: string | null;
  sources: string[];
  context: string | null;
  expiry: string | null;
  tags: string[];
}
type UpsertData = { upsertThreatIntelIocs: { inserted: number; updated: number; iocs: Ioc[] } };
type ListData = {
  threatIntelIocs: {
    totalCount: number;
    edges: { cursor: string; node: Pick<Ioc, 'id' | 'indicatorType' | 'indicatorValue' | 'confidence'> }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string; startCursor: string };
  };
};
type ImportData<K extends string> = {
  [k in K]: { indicators: number; inserted: number; updated: number; skipped: { ref: string; reason: string }[]; droppedTechniques: string[]; iocs: Ioc[] };
};

function fieldPaths(r: GqlResponse): string[] {
  return ((r.body.errors?.[0]?.extensions?.fieldErrors as { path: string }[] | undefined) ?? []).map((f) => f.path);
}

describe('threat-intel IOCs', () => {
  let t: TestApp;
  let tenant: string;
  let analyst: string;
  let viewer: string;
  let ingest: string;
  let otherAnalyst: string;

  const upsert = (key: string, iocs: Record<string, unknown>[]) => gql<UpsertData>(t.url, key, UPSERT, { input: { iocs } });
  const list = (key: string, filter: Record<string, unknown> = {}, page: Record<string, unknown> = {}) =>
    gql<ListData>(t.url, key, LIST, { filter, ...page });

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t.db);
    const other = await createTenant(t.db);
    analyst = await createKey(t.app, tenant, ['analyst']);
    viewer = await createKey(t.app, tenant, ['viewer']);
    ingest = await createKey(t.app, tenant, ['ingest']);
    otherAnalyst = await createKey(t.app, other, ['analyst']);
    await t.db.prisma.taxonomyId.createMany({
      data: [
        { techniqueId: 'T1071.001', framework: 'attack', name: 'Web Protocols', isSubtechnique: true, parentId: 'T1071' },
        { techniqueId: 'T1059', framework: 'attack', name: 'Command and Scripting Interpreter' },
        { techniqueId: 'T1000', framework: 'attack', name: 'Old', deprecated: true },
        { techniqueId: 'T1001', framework: 'attack', name: 'Replaced', revoked: true, revokedBy: 'T1059' },
      ],
    });
    await t.db.prisma.mitreTechnique.create({
      data: { docId: 'attack:T1071.001', techniqueId: 'T1071.001', techniqueName: 'Web Protocols', description: 'd', isSubtechnique: true },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('upserts a batch: normalises, dedups within the batch, validates techniques and remaps revoked ones', async () => {
    const r = await upsert(analyst, [
      { type: 'DOMAIN', value: ' Evil.EXAMPLE.com ', confidence: 70, severity: 'HIGH', tags: ['c2'], mitreTechniques: ['t1071.001'], campaigns: ['Op A'] },
      { type: 'DOMAIN', value: 'evil.example.com', confidence: 90, tags: ['phish'], mitreTechniques: ['T1001'] },
      { type: 'IPV4', value: '198.51.100.7', firstSeen: '2024-01-01T00:00:00Z', expiry: '2999-01-01T00:00:00Z', groups: ['APT-X'] },
    ]);
    expect(r.body.errors).toBeUndefined();
    const { inserted, updated, iocs } = r.body.data!.upsertThreatIntelIocs;
    expect([inserted, updated]).toEqual([2, 0]);
    expect(iocs.map((i) => [i.indicatorType, i.indicatorValue])).toEqual([
      ['DOMAIN', 'evil.example.com'],
      ['IPV4', '198.51.100.7'],
    ]);
    expect(iocs[0]).toMatchObject({ confidence: 90, severity: 'HIGH', tags: ['c2', 'phish'], mitreTechniques: ['T1071.001', 'T1059'], sources: ['manual'] });
    expect(iocs[1]).toMatchObject({ confidence: 50, associatedGroups: ['APT-X'], expiry: '2999-01-01T00:00:00.000Z' });
  });

  it('merges into existing rows: arrays unioned, confidence replaced, seen range widened', async () => {
    await upsert(analyst, [{ type: 'SHA256', value: 'AA'.repeat(32), confidence: 80, sources: ['feed-a'], firstSeen: '2024-02-01T00:00:00Z', lastSeen: '2024-02-02T00:00:00Z' }]);
    const r = await upsert(analyst, [
      { type: 'SHA256', value: 'aa'.repeat(32), confidence: 20, sources: ['feed-b', 'feed-a'], context: 'seen again', firstSeen: '2024-01-15T00:00:00Z', lastSeen: '2024-03-01T00:00:00Z' },
    ]);
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data!.upsertThreatIntelIocs;
    expect([d.inserted, d.updated]).toEqual([0, 1]);
    expect(d.iocs[0]).toMatchObject({
      confidence: 20,
      sources: ['feed-a', 'feed-b'],
      context: 'seen again',
      firstSeen: '2024-01-15T00:00:00.000Z',
      lastSeen: '2024-03-01T00:00:00.000Z',
    });
    expect(await t.db.prisma.threatIntelIoc.count({ where: { tenantId: tenant, indicatorType: 'sha256' } })).toBe(1);
  });

  it('rejects invalid items with field paths and writes nothing', async () => {
    const before = await t.db.prisma.threatIntelIoc.count({ where: { tenantId: tenant } });
    const r = await upsert(analyst, [
      { type: 'IPV4', value: '203.0.113.1' },
      { type: 'IPV4', value: '300.1.1.1' },
      { type: 'MD5', value: 'abc', confidence: 101 },
      { type: 'CVE', value: 'CVE-2024-1', firstSeen: '2024-05-01T00:00:00Z', expiry: '2024-04-01T00:00:00Z' },
      { type: 'URL', value: 'https://ok.example/', mitreTechniques: ['T1059', 'T9999', 'T1000'] },
    ]);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(r)).toEqual(['input.iocs[1].value', 'input.iocs[2].value', 'input.iocs[2].confidence', 'input.iocs[3].value', 'input.iocs[3].expiry']);
    const tech = await upsert(analyst, [{ type: 'URL', value: 'https://ok.example/', mitreTechniques: ['T1059', 'T9999', 'T1000'] }]);
    expect(codes(tech)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(tech)).toEqual(['input.iocs[0].mitreTechniques[1]', 'input.iocs[0].mitreTechniques[2]']);
    const empty = await upsert(analyst, []);
    expect(fieldPaths(empty)).toEqual(['input.iocs']);
    const tooMany = await upsert(analyst, Array.from({ length: 5001 }, (_, i) => ({ type: 'ACCOUNT', value: `u${i}` })));
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(tooMany)).toEqual(['input.iocs']);
    expect(await t.db.prisma.threatIntelIoc.count({ where: { tenantId: tenant } })).toBe(before);
  });

  it('upserts 5,000 indicators in one call', async () => {
    const iocs = Array.from({ length: 5000 }, (_, i) => ({ type: 'IPV4', value: `10.${(i >> 8) & 255}.${i & 255}.1`, tags: ['bulk'] }));
    const r = await gql<{ upsertThreatIntelIocs: { inserted: number; updated: number } }>(
      t.url,
      analyst,
      'mutation($input: UpsertThreatIntelIocsInput!) { upsertThreatIntelIocs(input: $input) { inserted updated } }',
      { input: { iocs } },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.upsertThreatIntelIocs).toEqual({ inserted: 5000, updated: 0 });
    const page = await list(viewer, { tag: 'bulk' }, { first: 1 });
    expect(page.body.data!.threatIntelIocs.totalCount).toBe(5000);
  }, 120_000);

  it('filters, hides expired indicators by default and pages with stable cursors', async () => {
    await upsert(analyst, [
      { type: 'EMAIL', value: 'phish@bad.example', confidence: 95, severity: 'CRITICAL', tags: ['f1'], campaigns: ['Camp'], sources: ['src-x'], lastSeen: '2024-06-01T00:00:00Z' },
      { type: 'EMAIL', value: 'old@bad.example', confidence: 10, tags: ['f1'], expiry: '2020-01-01T00:00:00Z', firstSeen: '2019-01-01T00:00:00Z' },
      { type: 'HOSTNAME', value: 'c2.bad.example', confidence: 60, tags: ['f1'], groups: ['G1'], mitreTechniques: ['T1059'], firstSeen: '2023-01-01T00:00:00Z' },
    ]);
    const values = async (filter: Record<string, unknown>) =>
      (await list(viewer, { tag: 'f1', ...filter })).body.data!.threatIntelIocs.edges.map((e) => e.node.indicatorValue).sort();
    expect(await values({})).toEqual(['c2.bad.example', 'phish@bad.example']);
    expect(await values({ includeExpired: true })).toEqual(['c2.bad.example', 'old@bad.example', 'phish@bad.example']);
    expect(await values({ indicatorTypes: ['EMAIL'], includeExpired: true })).toEqual(['old@bad.example', 'phish@bad.example']);
    expect(await values({ value: 'PHISH@bad.example', indicatorTypes: ['EMAIL'] })).toEqual(['phish@bad.example']);
    expect(await values({ valueContains: 'C2.BAD' })).toEqual(['c2.bad.example']);
    expect(await values({ minConfidence: 60, maxConfidence: 90 })).toEqual(['c2.bad.example']);
    expect(await values({ severities: ['CRITICAL'] })).toEqual(['phish@bad.example']);
    expect(await values({ techniqueId: 't1059' })).toEqual(['c2.bad.example']);
    expect(await values({ campaign: 'Camp' })).toEqual(['phish@bad.example']);
    expect(await values({ group: 'G1' })).toEqual(['c2.bad.example']);
    expect(await values({ source: 'src-x' })).toEqual(['phish@bad.example']);
    expect(await values({ seenFrom: '2024-01-01T00:00:00Z' })).toEqual(['phish@bad.example']);
    expect(await values({ seenTo: '2023-06-01T00:00:00Z', includeExpired: true })).toEqual(['c2.bad.example', 'old@bad.example']);
    const bad = await list(viewer, { minConfidence: 80, maxConfidence: 20 });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(bad)).toEqual(['filter.maxConfidence']);

    const all = (await list(viewer, { tag: 'f1', includeExpired: true }, { first: 10 })).body.data!.threatIntelIocs.edges.map((e) => e.node.id);
    const p1 = (await list(viewer, { tag: 'f1', includeExpired: true }, { first: 2 })).body.data!.threatIntelIocs;
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const p2 = (await list(viewer, { tag: 'f1', includeExpired: true }, { first: 2, after: p1.pageInfo.endCursor })).body.data!.threatIntelIocs;
    expect([...p1.edges, ...p2.edges].map((e) => e.node.id)).toEqual(all);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    const back = (await list(viewer, { tag: 'f1', includeExpired: true }, { last: 2, before: p2.pageInfo.startCursor })).body.data!.threatIntelIocs;
    expect(back.edges.map((e) => e.node.id)).toEqual(all.slice(0, 2));
  });

  it('reads one indicator by id and resolves its techniques through the MITRE loader', async () => {
    const r = await upsert(analyst, [{ type: 'URL', value: 'https://c2.example/beacon', mitreTechniques: ['T1071.001', 'T1059'] }]);
    const id = r.body.data!.upsertThreatIntelIocs.iocs[0].id;
    const one = await gql<{ threatIntelIoc: { indicatorValue: string; techniques: { techniqueId: string; techniqueName: string }[] } }>(
      t.url,
      viewer,
      'query($id: ID!) { threatIntelIoc(id: $id) { indicatorValue techniques { techniqueId techniqueName } } }',
      { id },
    );
    expect(one.body.errors).toBeUndefined();
    // T1059 is in the taxonomy but has no imported MITRE record: left out.
    expect(one.body.data!.threatIntelIoc).toEqual({ indicatorValue: 'https://c2.example/beacon', techniques: [{ techniqueId: 'T1071.001', techniqueName: 'Web Protocols' }] });
    const missing = await gql(t.url, viewer, 'query { threatIntelIoc(id: "nope") { id } }');
    expect(codes(missing)).toEqual(['NOT_FOUND']);
  });

  it('imports STIX bundles: indicators, skips with reasons, dropped techniques, idempotent re-import', async () => {
    const q = `mutation($bundle: JSON!) { importStixIndicators(bundle: $bundle) { ${IMPORT_RESULT} } }`;
    const r = await gql<ImportData<'importStixIndicators'>>(t.url, analyst, q, { bundle: sample('stix/stix21-apt1-report.json') });
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data!.importStixIndicators;
    expect(d).toMatchObject({ indicators: 12, inserted: 10, updated: 0, droppedTechniques: [] });
    expect(d.skipped.map((s) => s.ref)).toEqual(['indicator--b3b6b540-d838-41e2-853b-005056c00008', 'indicator--b3b7035e-d838-41e2-8d38-005056c00008']);
    const domain = d.iocs.find((i) => i.indicatorValue === 'hugesoft.org')!;
    expect(domain).toMatchObject({ indicatorType: 'DOMAIN', associatedGroups: ['Ugly Gorilla'], confidence: 50, sources: ['stix:bundle--cf20f99b-3ed2-4a9f-b4f1-d660a7fc8241'] });
    const again = await gql<ImportData<'importStixIndicators'>>(t.url, analyst, q, { bundle: sample('stix/stix21-apt1-report.json') });
    expect(again.body.data!.importStixIndicators).toMatchObject({ inserted: 0, updated: 10 });

    const withTech = {
      type: 'bundle',
      id: 'bundle--t',
      objects: [
        { type: 'indicator', id: 'indicator--1', pattern_type: 'stix', confidence: 85, pattern: "[ipv4-addr:value = '192.0.2.44']", valid_from: '2024-01-01T00:00:00Z', valid_until: '2999-01-01T00:00:00Z' },
        { type: 'attack-pattern', id: 'attack-pattern--a', name: 'x', external_references: [{ source_name: 'mitre-attack', external_id: 'T1071.001' }] },
        { type: 'attack-pattern', id: 'attack-pattern--b', name: 'y', external_references: [{ source_name: 'mitre-attack', external_id: 'T1999' }] },
        { type: 'relationship', relationship_type: 'indicates', source_ref: 'indicator--1', target_ref: 'attack-pattern--a' },
        { type: 'relationship', relationship_type: 'indicates', source_ref: 'indicator--1', target_ref: 'attack-pattern--b' },
      ],
    };
    const tr = await gql<ImportData<'importStixIndicators'>>(t.url, analyst, q, { bundle: withTech });
    expect(tr.body.data!.importStixIndicators.droppedTechniques).toEqual(['T1999']);
    expect(tr.body.data!.importStixIndicators.iocs[0]).toMatchObject({ mitreTechniques: ['T1071.001'], confidence: 85, firstSeen: '2024-01-01T00:00:00.000Z' });
    // A feed import never lowers confidence.
    const lower = structuredClone(withTech);
    (lower.objects[0] as { confidence: number }).confidence = 20;
    const lr = await gql<ImportData<'importStixIndicators'>>(t.url, analyst, q, { bundle: lower });
    expect(lr.body.data!.importStixIndicators.iocs[0].confidence).toBe(85);

    const notStix = await gql(t.url, analyst, q, { bundle: { hello: 1 } });
    expect(codes(notStix)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(notStix)).toEqual(['bundle']);
  });

  it('imports MISP events (wrapped and bare) with to_ids-based confidence and threat level severity', async () => {
    const q = `mutation($event: JSON!) { importMispEvent(event: $event) { ${IMPORT_RESULT} } }`;
    const r = await gql<ImportData<'importMispEvent'>>(t.url, analyst, q, { event: sample('misp/misp-event-qakbot-emotet-objects.json') });
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data!.importMispEvent;
    expect(d.indicators).toBe(96);
    expect(d.skipped).toHaveLength(31);
    const ip = d.iocs.find((i) => i.indicatorValue === '64.183.173.170')!;
    expect(ip).toMatchObject({ indicatorType: 'IPV4', confidence: 75, severity: 'LOW', sources: ['misp:5a0ac036-6fbc-4855-83af-422b950d210f'] });
    expect(ip.associatedCampaigns).toEqual(['OSINT - Mitigating and eliminating info-stealing Qakbot and Emotet in corporate networks', 'Emotet', 'Qakbot']);
    expect(d.iocs.find((i) => i.indicatorType === 'REGISTRY_KEY')!.confidence).toBe(40);
    expect(d.inserted + d.updated).toBe(d.iocs.length);
    const stored = await t.db.prisma.threatIntelIoc.count({ where: { tenantId: tenant, sources: { has: 'misp:5a0ac036-6fbc-4855-83af-422b950d210f' } } });
    expect(stored).toBe(d.iocs.length);

    const bare = (sample('misp/misp-event-ursnif-sightings.json') as { Event: unknown }).Event;
    const u = await gql<ImportData<'importMispEvent'>>(t.url, analyst, q, { event: bare });
    expect(u.body.data!.importMispEvent).toMatchObject({ indicators: 5, inserted: 5, skipped: [] });
    expect(u.body.data!.importMispEvent.iocs.find((i) => i.indicatorValue === 'diqjwhebseqhbasdh.com')!.lastSeen).toBe('2019-02-27T07:52:56.000Z');
    const notMisp = await gql(t.url, analyst, q, { event: [1, 2, 3] });
    expect(fieldPaths(notMisp)).toEqual(['event']);
  });

  it('deletes an indicator', async () => {
    const r = await upsert(analyst, [{ type: 'MUTEX', value: 'Global\\evil' }]);
    const id = r.body.data!.upsertThreatIntelIocs.iocs[0].id;
    const del = await gql<{ deleteThreatIntelIoc: { id: string; indicatorValue: string } }>(t.url, analyst, 'mutation($id: ID!) { deleteThreatIntelIoc(id: $id) { id indicatorValue } }', { id });
    expect(del.body.data!.deleteThreatIntelIoc).toEqual({ id, indicatorValue: 'Global\\evil' });
    const again = await gql(t.url, analyst, 'mutation($id: ID!) { deleteThreatIntelIoc(id: $id) { id } }', { id });
    expect(codes(again)).toEqual(['NOT_FOUND']);
  });

  it('enforces roles: viewers read, analysts write, ingest keys and anonymous callers get nothing', async () => {
    const w = await upsert(viewer, [{ type: 'IPV4', value: '192.0.2.1' }]);
    expect(codes(w)).toEqual(['FORBIDDEN']);
    const del = await gql(t.url, viewer, 'mutation { deleteThreatIntelIoc(id: "x") { id } }');
    expect(codes(del)).toEqual(['FORBIDDEN']);
    const imp = await gql(t.url, viewer, 'mutation($b: JSON!) { importStixIndicators(bundle: $b) { inserted } }', { b: { objects: [] } });
    expect(codes(imp)).toEqual(['FORBIDDEN']);
    const misp = await gql(t.url, ingest, 'mutation($e: JSON!) { importMispEvent(event: $e) { inserted } }', { e: { info: 'x' } });
    expect(codes(misp)).toEqual(['FORBIDDEN']);
    expect(codes(await list(ingest))).toEqual(['FORBIDDEN']);
    expect(codes(await upsert(ingest, [{ type: 'IPV4', value: '192.0.2.1' }]))).toEqual(['FORBIDDEN']);
    const anon = await gql(t.url, null, LIST, {});
    expect(codes(anon)).toEqual(['UNAUTHENTICATED']);
  });

  it('cannot see or change another tenant’s indicators, and the same value is independent per tenant', async () => {
    const mine = await upsert(analyst, [{ type: 'DOMAIN', value: 'shared.example', confidence: 77, tags: ['mine'] }]);
    const id = mine.body.data!.upsertThreatIntelIocs.iocs[0].id;
    const read = await gql(t.url, otherAnalyst, 'query($id: ID!) { threatIntelIoc(id: $id) { id } }', { id });
    expect(codes(read)).toEqual(['NOT_FOUND']);
    const theirList = await list(otherAnalyst, { includeExpired: true }, { first: 500 });
    expect(theirList.body.data!.threatIntelIocs.edges.map((e) => e.node.id)).not.toContain(id);
    const del = await gql(t.url, otherAnalyst, 'mutation($id: ID!) { deleteThreatIntelIoc(id: $id) { id } }', { id });
    expect(codes(del)).toEqual(['NOT_FOUND']);
    // Upserting the same (type, value) in another tenant creates that tenant's own row and leaves ours alone.
    const theirs = await upsert(otherAnalyst, [{ type: 'DOMAIN', value: 'shared.example', confidence: 5, tags: ['theirs'] }]);
    expect(theirs.body.data!.upsertThreatIntelIocs.inserted).toBe(1);
    expect(theirs.body.data!.upsertThreatIntelIocs.iocs[0].id).not.toBe(id);
    const still = await t.db.prisma.threatIntelIoc.findUnique({ where: { docId: id } });
    expect(still).toMatchObject({ tenantId: tenant, confidence: 77, tags: ['mine'] });
    const stix = await gql<ImportData<'importStixIndicators'>>(
      t.url,
      otherAnalyst,
      `mutation($bundle: JSON!) { importStixIndicators(bundle: $bundle) { ${IMPORT_RESULT} } }`,
      { bundle: sample('stix/stix21-apt1-report.json') },
    );
    expect(stix.body.data!.importStixIndicators.inserted).toBe(10);
  });
});
