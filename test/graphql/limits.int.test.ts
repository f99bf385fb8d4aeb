import { Redis } from 'ioredis';
import { type TestApp, codes, createKey, createTenant, gql, startTestApp } from '../helpers/app';

function nested(levels: number): string {
  let inner = 'techniqueId';
  for (let i = 0; i < levels; i++) inner = `parent { ${inner} }`;
  return `{ mitreTechniques(first: 1) { edges { node { ${inner} } } } }`;
}

describe('protection against hostile operations', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp();
    key = await createKey(t.app, await createTenant(t.db), ['admin']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('rejects a query 50 levels deep (and accepts one within the limit)', async () => {
    expect(codes(await gql(t.url, key, nested(50)))).toEqual(['QUERY_TOO_COMPLEX']);
    const ok = await gql(t.url, key, nested(5));
    expect(ok.body.errors).toBeUndefined();
  });

  it('rejects 1,000 aliases (token limit) and 16 aliases (alias limit)', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `a${i}: taxonomyVersion { attackVersion }`).join(' ');
    expect(codes(await gql(t.url, key, `{ ${many} }`))).toEqual(['QUERY_TOO_COMPLEX']);
    const sixteen = Array.from({ length: 16 }, (_, i) => `a${i}: taxonomyVersion { attackVersion }`).join(' ');
    const r = await gql(t.url, key, `{ ${sixteen} }`);
    expect(codes(r)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(r.body.errors![0].extensions!.limit).toBe('aliases');
    const fifteen = Array.from({ length: 15 }, (_, i) => `a${i}: taxonomyVersion { attackVersion }`).join(' ');
    expect((await gql(t.url, key, `{ ${fifteen} }`)).body.errors).toBeUndefined();
  });

  it('rejects more than 50 directives', async () => {
    const fields = (n: number) => Array.from({ length: n }, () => 'attackVersion @include(if: true)').join(' ');
    const r = await gql(t.url, key, `{ taxonomyVersion { ${fields(51)} } }`);
    expect(codes(r)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(r.body.errors![0].extensions!.limit).toBe('directives');
    expect((await gql(t.url, key, `{ taxonomyVersion { ${fields(50)} } }`)).body.errors).toBeUndefined();
  });

  it('rejects a fragment cycle at validation', async () => {
    const q = `{ mitreTechniques(first: 1) { edges { node { ...A } } } }
      fragment A on MitreTechnique { parent { ...B } }
      fragment B on MitreTechnique { parent { ...A } }`;
    expect(codes(await gql(t.url, key, q))).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('rejects first: 100000000 by cost before touching the database', async () => {
    const r = await gql(t.url, key, '{ mitreTechniques(first: 100000000) { edges { node { techniqueId } } } }');
    expect(codes(r)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(r.status).toBe(400);
    const viaVariable = await gql(t.url, key, 'query($n: Int) { mitreTechniques(first: $n) { edges { node { groups { techniques { techniqueId } } } } } }', { n: 500 });
    expect(codes(viaVariable)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('rejects a 2 MB body with 413 PAYLOAD_TOO_LARGE', async () => {
    const r = await gql(t.url, key, `{ taxonomyVersion { attackVersion } } # ${'x'.repeat(2 * 1024 * 1024)}`);
    expect(r.status).toBe(413);
    expect(codes(r)).toEqual(['PAYLOAD_TOO_LARGE']);
  });

  it('refuses introspection and hides field suggestions for unauthenticated callers only', async () => {
    const intro = await gql(t.url, null, '{ __schema { queryType { name } } }');
    expect(codes(intro)).toEqual(['UNAUTHENTICATED']);
    const authed = await gql<{ __schema: { queryType: { name: string } } }>(t.url, key, '{ __schema { queryType { name } } }');
    expect(authed.body.data!.__schema.queryType.name).toBe('Query');
    const typoAnon = await gql(t.url, null, '{ mitreTechnique(id: "T1") { techniqueNam } }');
    expect(typoAnon.body.errors![0].message).not.toMatch(/Did you mean/);
    const typoAuthed = await gql(t.url, key, '{ mitreTechnique(id: "T1") { techniqueNam } }');
    expect(typoAuthed.body.errors![0].message).toMatch(/Did you mean/);
  });

  it('refuses batched requests and CSRF-able GETs', async () => {
    const batch = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify([{ query: '{ taxonomyVersion { attackVersion } }' }, { query: '{ taxonomyVersion { atlasVersion } }' }]),
    });
    expect(batch.status).toBe(400);
    const simpleGet = await fetch(`${t.url}?query=${encodeURIComponent('{ taxonomyVersion { attackVersion } }')}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/CSRF|preflight/i);
  });
});

describe('rate limiting per API key', () => {
  it('returns RATE_LIMITED with the remaining budget once the bucket is empty (in-process)', async () => {
    const t = await startTestApp({ rateLimit: { capacity: 3, refillPerSecond: 0.001 } });
    try {
      const tenant = await createTenant(t.db);
      const a = await createKey(t.app, tenant, ['viewer']);
      const b = await createKey(t.app, tenant, ['viewer']);
      const q = '{ taxonomyVersion { attackVersion } }';
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await gql(t.url, a, q);
        expect(r.body.errors).toBeUndefined();
        remaining.push((r.body.extensions!.rateLimit as { remaining: number }).remaining);
      }
      expect(remaining).toEqual([2, 1, 0]);
      const limited = await gql(t.url, a, q);
      expect(limited.status).toBe(429);
      expect(codes(limited)).toEqual(['RATE_LIMITED']);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Budgets are per key.
      expect((await gql(t.url, b, q)).body.errors).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('shares the bucket across server processes through Redis', async () => {
    const redisA = new Redis('redis://127.0.0.1:6379');
    const redisB = new Redis('redis://127.0.0.1:6379');
    const a = await startTestApp({ redis: redisA, rateLimit: { capacity: 4, refillPerSecond: 0.001 } });
    const b = await startTestApp({ redis: redisB, rateLimit: { capacity: 4, refillPerSecond: 0.001 } });
    try {
      // Same key id on both servers: create it on A's database and copy the row to B's.
      const tenant = await createTenant(a.db);
      const key = await createKey(a.app, tenant, ['viewer']);
      const row = await a.db.prisma.apiKey.findFirstOrThrow({ where: { tenantId: tenant } });
      await b.db.prisma.tenant.create({ data: { tenantId: tenant, name: tenant } });
      await b.db.prisma.apiKey.create({ data: row });
      const q = '{ taxonomyVersion { attackVersion } }';
      const results = [];
      for (const url of [a.url, b.url, a.url, b.url, a.url]) results.push((await gql(url, key, q)).status);
      expect(results).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
