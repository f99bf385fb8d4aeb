import WebSocket from 'ws';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  MitreGroupsDocument,
  MitreTechniqueDocument,
  MitreTechniquesDocument,
  RevokeApiKeyDocument,
  Role,
  TaxonomyEntriesDocument,
  TaxonomyVersionDocument,
} from '../../src/client/generated/graphql';
import { AluskortClientError, type AluskortClient, createAluskortClient, wsUrlFor } from '../../src/client/sdk';
import { type TestApp, createKey, createTenant, startTestApp } from '../helpers/app';

/** A small ATT&CK slice: one parent with two sub-techniques, two more techniques, two groups. */
async function seedMitre(t: TestApp): Promise<void> {
  const technique = (techniqueId: string, name: string, extra: Record<string, unknown> = {}) => ({
    docId: `attack-pattern--${techniqueId}`,
    techniqueId,
    techniqueName: name,
    description: `${name} description`,
    tactic: ['execution'],
    platforms: ['Windows'],
    isSubtechnique: techniqueId.includes('.'),
    parentTechnique: techniqueId.includes('.') ? techniqueId.split('.')[0] : null,
    ...extra,
  });
  await t.db.prisma.mitreTechnique.createMany({
    data: [
      technique('T1003', 'OS Credential Dumping', { tactic: ['credential-access'], groupsUsing: ['G0007'] }),
      technique('T1059', 'Command and Scripting Interpreter'),
      technique('T1059.001', 'PowerShell', { groupsUsing: ['G0016', 'G0007'] }),
      technique('T1059.003', 'Windows Command Shell'),
      technique('T1566', 'Phishing', { tactic: ['initial-access'], groupsUsing: ['G0016'], platforms: ['Linux'] }),
    ],
  });
  await t.db.prisma.mitreGroup.createMany({
    data: [
      { docId: 'intrusion-set--G0007', groupId: 'G0007', groupName: 'APT28', aliases: ['Fancy Bear'], description: 'APT28' },
      { docId: 'intrusion-set--G0016', groupId: 'G0016', groupName: 'APT29', aliases: ['Cozy Bear'], description: 'APT29' },
    ],
  });
}

/** Raw graphql-transport-ws socket for protocol-level checks; resolves the first message or the close. */
function rawSocket(url: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  const firstMessage = new Promise<Record<string, unknown>>((resolve) => {
    socket.once('message', (data) => resolve(JSON.parse(String(data))));
  });
  socket.on('error', () => undefined); // a server-side close may surface as an error on the client too
  return { socket, opened, closed, firstMessage };
}

/** Resolves with whichever settles first, or a marker after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
}

async function expectClientError(p: Promise<unknown>): Promise<AluskortClientError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AluskortClientError);
    return err as AluskortClientError;
  }
  throw new Error('expected an AluskortClientError');
}

describe('typed client (SDK) against a running server', () => {
  let t: TestApp;
  let adminKey: string;
  let viewerKey: string;
  let admin: AluskortClient;
  let viewer: AluskortClient;
  const clients: AluskortClient[] = [];
  const client = (apiKey: string) => {
    const c = createAluskortClient({ url: t.url, apiKey, webSocketImpl: WebSocket });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const tenant = await createTenant(t.db);
    adminKey = await createKey(t.app, tenant, ['admin']);
    viewerKey = await createKey(t.app, tenant, ['viewer']);
    admin = client(adminKey);
    viewer = client(viewerKey);
    await seedMitre(t);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await t.close();
  });

  it('derives the WebSocket URL from the HTTP URL', () => {
    expect(wsUrlFor('http://127.0.0.1:4000/graphql')).toBe('ws://127.0.0.1:4000/graphql');
    expect(wsUrlFor('https://soc.example/api/graphql')).toBe('wss://soc.example/api/graphql');
    expect(() => wsUrlFor('ftp://x/graphql')).toThrow(/scheme/);
  });

  describe('HTTP', () => {
    it('runs a typed query with variables and nested relations', async () => {
      const { mitreTechnique } = await viewer.request(MitreTechniqueDocument, { id: 'T1059.001' });
      expect(mitreTechnique.techniqueName).toBe('PowerShell');
      expect(mitreTechnique.parent?.techniqueId).toBe('T1059');
      expect(mitreTechnique.groups.map((g) => g.groupName).sort()).toEqual(['APT28', 'APT29']);

      const parent = await viewer.request(MitreTechniqueDocument, { id: 'T1059' });
      expect(parent.mitreTechnique.parent).toBeNull();
      expect(parent.mitreTechnique.subTechniques.map((s) => s.techniqueId)).toEqual(['T1059.001', 'T1059.003']);

      const filtered = await viewer.request(MitreTechniquesDocument, { filter: { tactic: 'execution', isSubtechnique: true } });
      expect(filtered.mitreTechniques.totalCount).toBe(2);
      expect(filtered.mitreTechniques.edges.map((e) => e.node.techniqueId)).toEqual(['T1059.001', 'T1059.003']);
      expect(filtered.mitreTechniques.edges[0].node.parent?.techniqueName).toBe('Command and Scripting Interpreter');

      const groups = await viewer.request(MitreGroupsDocument, { filter: { techniqueId: 'T1566' } });
      expect(groups.mitreGroups.edges.map((e) => [e.node.groupId, e.node.techniques.map((x) => x.techniqueId)])).toEqual([
        ['G0016', ['T1059.001', 'T1566']],
      ]);
    });

    it('pages through a connection forwards and backwards', async () => {
      const seen: string[] = [];
      let after: string | null | undefined;
      let pages = 0;
      for (;;) {
        const { mitreTechniques: page } = await viewer.request(MitreTechniquesDocument, { first: 2, after });
        expect(page.totalCount).toBe(5);
        seen.push(...page.edges.map((e) => e.node.techniqueId));
        pages++;
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
        expect(pages).toBeLessThan(10);
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(['T1003', 'T1059', 'T1059.001', 'T1059.003', 'T1566']);

      const tail = await viewer.request(MitreTechniquesDocument, { last: 2 });
      expect(tail.mitreTechniques.edges.map((e) => e.node.techniqueId)).toEqual(['T1059.003', 'T1566']);
      expect(tail.mitreTechniques.pageInfo.hasPreviousPage).toBe(true);
      const before = await viewer.request(MitreTechniquesDocument, { last: 2, before: tail.mitreTechniques.pageInfo.startCursor });
      expect(before.mitreTechniques.edges.map((e) => e.node.techniqueId)).toEqual(['T1059', 'T1059.001']);
    });

    it('reads taxonomy entries and versions without variables', async () => {
      await t.db.prisma.taxonomyId.createMany({
        data: ['T1003', 'T1059', 'T1566'].map((id) => ({ techniqueId: id, framework: 'attack', name: id })),
      });
      const entries = await viewer.request(TaxonomyEntriesDocument, { first: 2, filter: { framework: 'ATTACK' } });
      expect(entries.taxonomyEntries.edges.map((e) => e.node.techniqueId)).toEqual(['T1003', 'T1059']);
      const version = await viewer.request(TaxonomyVersionDocument);
      expect(version.taxonomyVersion).toHaveProperty('attackVersion');
    });

    it('throws AluskortClientError with the code and HTTP status', async () => {
      const notFound = await expectClientError(viewer.request(MitreTechniqueDocument, { id: 'T9999' }));
      expect(notFound.codes).toEqual(['NOT_FOUND']);
      expect(notFound.status).toBe(200);

      const forbidden = await expectClientError(viewer.request(CreateApiKeyDocument, { input: { name: 'x', roles: [Role.Viewer] } }));
      expect(forbidden.codes).toEqual(['FORBIDDEN']);

      const badInput = await expectClientError(viewer.request(MitreTechniquesDocument, { first: 501 }));
      expect(badInput.codes).toEqual(['BAD_USER_INPUT']);

      const badKey = await expectClientError(client('alsk_not-a-real-key-000000').request(TaxonomyVersionDocument));
      expect(badKey.codes).toEqual(['UNAUTHENTICATED']);
      expect(badKey.status).toBe(401);

      const unreachable = createAluskortClient({ url: 'http://127.0.0.1:1/graphql', apiKey: 'x' });
      const network = await expectClientError(unreachable.request(TaxonomyVersionDocument));
      expect(network.codes).toEqual(['NETWORK_ERROR']);
    });

    it('creates, lists and revokes API keys through typed mutations', async () => {
      const { createApiKey } = await admin.request(CreateApiKeyDocument, { input: { name: 'sdk', roles: [Role.Analyst] } });
      expect(createApiKey.key.roles).toEqual([Role.Analyst]);
      const fresh = client(createApiKey.secret);
      const raw = await fresh.rawRequest(TaxonomyVersionDocument);
      expect(raw.status).toBe(200);
      expect(raw.extensions?.rateLimit).toMatchObject({ limit: expect.any(Number), remaining: expect.any(Number) });

      const listed = await admin.request(ApiKeysDocument);
      expect(listed.apiKeys.edges.map((e) => e.node.keyId)).toContain(createApiKey.key.keyId);
      const revoked = await admin.request(RevokeApiKeyDocument, { id: createApiKey.key.keyId });
      expect(revoked.revokeApiKey.revokedAt).not.toBeNull();
      expect((await admin.request(ApiKeysDocument, { includeRevoked: false })).apiKeys.edges.map((e) => e.node.keyId)).not.toContain(
        createApiKey.key.keyId,
      );
      const after = await expectClientError(fresh.request(TaxonomyVersionDocument));
      expect(after.status).toBe(401);
    });
  });

  describe('WebSocket (graphql-ws)', () => {
    it('acknowledges connection_init with a valid key', async () => {
      const s = rawSocket(t.wsUrl);
      await s.opened;
      expect(s.socket.protocol).toBe('graphql-transport-ws');
      s.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${viewerKey}` } }));
      expect(await s.firstMessage).toEqual({ type: 'connection_ack' });
      s.socket.close(1000);
      expect((await s.closed).code).toBe(1000);
    });

    it('closes with 4401 without a key and 4403 with a bad key', async () => {
      const none = rawSocket(t.wsUrl);
      await none.opened;
      none.socket.send(JSON.stringify({ type: 'connection_init' }));
      expect((await none.closed).code).toBe(4401);

      const bad = rawSocket(t.wsUrl);
      await bad.opened;
      bad.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer alsk_nope-000000000000' } }));
      expect((await bad.closed).code).toBe(4403);
    });

    it('closes the socket (1009) on a frame larger than 64 KB', async () => {
      // Socket errors go to the structured log, not console.error (graphql-ws's default).
      const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const s = rawSocket(t.wsUrl);
      await s.opened;
      s.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${viewerKey}` } }));
      await s.firstMessage;
      s.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `{ __typename }#${'x'.repeat(70 * 1024)}` } }));
      expect((await s.closed).code).toBe(1009);
      expect(quiet).not.toHaveBeenCalled();
      quiet.mockRestore();
    });

    it('runs an operation end to end through subscribe(): one result, then complete', async () => {
      const events: string[] = [];
      const data = await new Promise<unknown>((resolve, reject) => {
        let got: unknown;
        viewer.subscribe(
          MitreTechniqueDocument,
          { id: 'T1059' },
          {
            onNext: (d) => {
              events.push('next');
              got = d;
            },
            onError: reject,
            onComplete: () => {
              events.push('complete');
              resolve(got);
            },
          },
        );
      });
      expect(events).toEqual(['next', 'complete']);
      expect(data).toMatchObject({ mitreTechnique: { techniqueId: 'T1059', subTechniques: [{ techniqueId: 'T1059.001' }, { techniqueId: 'T1059.003' }] } });
    });

    it('iterates results with iterate() and reports GraphQL errors with their codes', async () => {
      const pages: string[][] = [];
      for await (const page of viewer.iterate(MitreTechniquesDocument, { first: 3, filter: { tactic: 'execution' } })) {
        pages.push(page.mitreTechniques.edges.map((e) => e.node.techniqueId));
      }
      expect(pages).toEqual([['T1059', 'T1059.001', 'T1059.003']]);

      const notFound = await expectClientError(
        (async () => {
          for await (const _ of viewer.iterate(MitreTechniqueDocument, { id: 'T9999' })) void _;
        })(),
      );
      expect(notFound.codes).toEqual(['NOT_FOUND']);

      // Unexpected failures are masked over the socket exactly as over HTTP.
      const spy = jest.spyOn(t.app.services.mitre, 'version').mockRejectedValueOnce(new Error('secret detail: db password'));
      const internal = await expectClientError(
        (async () => {
          for await (const _ of viewer.iterate(TaxonomyVersionDocument, {})) void _;
        })(),
      );
      spy.mockRestore();
      expect(internal.codes).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(internal.message).not.toContain('secret');
      expect(internal.errors[0].extensions?.correlationId).toMatch(/^[0-9a-f-]{36}$/);

      // Validation errors come back as a graphql-ws `error` message (operation rejected in onSubscribe).
      const tooMany = await new Promise<AluskortClientError>((resolve) => {
        viewer.subscribe(MitreTechniquesDocument, { first: 501 }, { onNext: () => undefined, onError: resolve });
      });
      expect(tooMany.codes).toEqual(['BAD_USER_INPUT']);
    });

    it('reports a rejected key as FORBIDDEN with close code 4403 and an oversized payload as 1009', async () => {
      const bad = client('alsk_not-a-real-key-000000');
      const rejected = await new Promise<AluskortClientError>((resolve, reject) => {
        bad.subscribe(TaxonomyVersionDocument, {}, { onNext: () => reject(new Error('unexpected result')), onError: resolve });
      });
      expect(rejected.closeCode).toBe(4403);
      expect(rejected.codes).toEqual(['FORBIDDEN']);

      const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const big = client(viewerKey);
      const tooLarge = await new Promise<AluskortClientError>((resolve, reject) => {
        big.subscribe(
          MitreTechniquesDocument,
          { filter: { search: 'x'.repeat(70 * 1024) } },
          { onNext: () => reject(new Error('unexpected result')), onError: resolve },
        );
      });
      expect(quiet).not.toHaveBeenCalled();
      quiet.mockRestore();
      expect(tooLarge.closeCode).toBe(1009);
      expect(tooLarge.codes).toEqual(['PAYLOAD_TOO_LARGE']);
    });

    it('stops an operation when the returned function is called', async () => {
      const events: string[] = [];
      const stop = viewer.subscribe(TaxonomyVersionDocument, {}, {
        onNext: () => events.push('next'),
        onError: () => events.push('error'),
        onComplete: () => events.push('complete'),
      });
      stop();
      stop();
      await new Promise((r) => setTimeout(r, 200));
      expect(events).toEqual([]);
    });
  });
});

describe('graphql-ws connection_init timeout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ connectionInitWaitTimeoutMs: 400 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('closes a connection that never sends connection_init (4408)', async () => {
    const s = rawSocket(t.wsUrl);
    await s.opened;
    const started = Date.now();
    const closed = await within(s.closed, 5_000);
    expect(closed).not.toBe('timeout');
    expect((closed as { code: number }).code).toBe(4408);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(3_000);
  });
});
