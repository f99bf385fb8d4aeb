import { createHash } from 'node:crypto';
import { type TestApp, startTestApp } from '../helpers/app';
import { type TwoTenants, codes, fieldPaths, gql, ok, twoTenants } from './platform.helpers';

const UPSERT_PROVIDER = `mutation($input: UpsertLlmProviderInput!) { upsertLlmProvider(input: $input) { providerId displayName apiBaseUrl hasApiKey enabled } }`;
const UPSERT_MODEL = `mutation($input: UpsertLlmModelInput!) { upsertLlmModel(input: $input) {
  modelId providerId modelName tier maxContext maxTokens temperature costInput costOutput latencySlo tasks fallbackModel enabled extendedThinking } }`;
const SECRET = 'sk-ant-api03-THIS-IS-A-TEST-KEY-1234';

describe('LLM providers and models', () => {
  let t: TestApp;
  let s: TwoTenants;
  let uid: string;
  beforeAll(async () => {
    t = await startTestApp();
    s = await twoTenants(t);
    uid = s.a.slice(2);
  });
  afterAll(async () => {
    await t.close();
  });
  const pid = (name: string) => `${name}-${uid}`;
  const providerKey = (tenantId: string, providerId: string) => ({ tenantId_providerId: { tenantId, providerId } });
  const modelKey = (tenantId: string, modelId: string) => ({ tenantId_modelId: { tenantId, modelId } });

  it('creates a provider without storing the key in clear and never returns it', async () => {
    const r = await ok(t, s.keys.aAdmin, UPSERT_PROVIDER, {
      input: { providerId: pid('anthropic'), displayName: 'Anthropic', apiBaseUrl: 'https://api.anthropic.com', apiKey: SECRET },
    });
    expect(r.upsertLlmProvider).toEqual({ providerId: pid('anthropic'), displayName: 'Anthropic', apiBaseUrl: 'https://api.anthropic.com', hasApiKey: true, enabled: true });
    const stored = await t.db.prisma.llmProvider.findUniqueOrThrow({ where: providerKey(s.a, pid('anthropic')) });
    expect(stored.tenantId).toBe(s.a);
    expect(stored.apiKeyEnc).not.toContain(SECRET);
    expect(stored.apiKeyEnc).not.toContain(SECRET.slice(0, 12));
    expect(stored.apiKeyEnc).toContain('1234');
    expect(stored.apiKeyEnc).toContain(createHash('sha256').update(SECRET).digest('hex'));
    const noField = await gql(t.url, s.keys.aAdmin, `{ llmProvider(id: "${pid('anthropic')}") { apiKeyEnc } }`);
    expect(codes(noField)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('updates only the given fields, removes the key with "", toggles enabled', async () => {
    await ok(t, s.keys.aAdmin, UPSERT_PROVIDER, { input: { providerId: pid('openai'), displayName: 'OpenAI', apiKey: SECRET } });
    const renamed = await ok(t, s.keys.aAdmin, UPSERT_PROVIDER, { input: { providerId: pid('openai'), displayName: 'OpenAI EU' } });
    expect(renamed.upsertLlmProvider).toMatchObject({ displayName: 'OpenAI EU', hasApiKey: true, apiBaseUrl: '' });
    const cleared = await ok(t, s.keys.aAdmin, UPSERT_PROVIDER, { input: { providerId: pid('openai'), apiKey: '' } });
    expect(cleared.upsertLlmProvider.hasApiKey).toBe(false);
    const off = await ok(t, s.keys.aAdmin, `mutation($id: ID!) { setLlmProviderEnabled(id: $id, enabled: false) { enabled } }`, { id: pid('openai') });
    expect(off.setLlmProviderEnabled.enabled).toBe(false);
    const list = await ok(t, s.keys.aViewer, `{ llmProviders(filter: {enabled: false}) { totalCount edges { node { providerId } } } }`);
    expect(list.llmProviders.edges.map((e: { node: { providerId: string } }) => e.node.providerId)).toEqual([pid('openai')]);
    const search = await ok(t, s.keys.aViewer, `{ llmProviders(filter: {search: "anthROPIC"}) { edges { node { providerId } } } }`);
    expect(search.llmProviders.edges.map((e: { node: { providerId: string } }) => e.node.providerId)).toEqual([pid('anthropic')]);
  });

  it('validates provider input with field paths', async () => {
    const bad = await gql(t.url, s.keys.aAdmin, UPSERT_PROVIDER, {
      input: { providerId: 'Bad Id!', displayName: ' ', apiBaseUrl: 'ftp://x', apiKey: 'short' },
    });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(bad).sort()).toEqual(['input.apiBaseUrl', 'input.apiKey', 'input.displayName', 'input.providerId']);
    const noName = await gql(t.url, s.keys.aAdmin, UPSERT_PROVIDER, { input: { providerId: pid('nameless') } });
    expect(fieldPaths(noName)).toEqual(['input.displayName']);
    expect(await t.db.prisma.llmProvider.findUnique({ where: providerKey(s.a, pid('nameless')) })).toBeNull();
  });

  it('creates, filters, pages and relates models; fallback must exist in the tenant and not loop', async () => {
    const base = { providerId: pid('anthropic'), modelName: 'claude-haiku-4-5' };
    const haiku = await ok(t, s.keys.aAdmin, UPSERT_MODEL, {
      input: { ...base, modelId: pid('haiku'), tier: 'TIER_0', maxTokens: 2048, temperature: 0.1, costInput: 0.8, costOutput: 4, latencySlo: '3s', tasks: ['ioc_extraction', 'alert_classification'] },
    });
    expect(haiku.upsertLlmModel).toMatchObject({ tier: 'TIER_0', maxContext: 200000, maxTokens: 2048, fallbackModel: null, enabled: true, extendedThinking: false });
    await ok(t, s.keys.aAdmin, UPSERT_MODEL, { input: { ...base, modelId: pid('sonnet'), modelName: 'claude-sonnet-4-5', tier: 'TIER_1', fallbackModel: pid('haiku') } });
    await ok(t, s.keys.aAdmin, UPSERT_MODEL, { input: { ...base, modelId: pid('opus'), modelName: 'claude-opus', tier: 'TIER_1_PLUS', fallbackModel: pid('sonnet'), extendedThinking: true } });

    const loop = await gql(t.url, s.keys.aAdmin, UPSERT_MODEL, { input: { modelId: pid('haiku'), fallbackModel: pid('opus') } });
    expect(codes(loop)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(loop)).toEqual(['input.fallbackModel']);
    const missing = await gql(t.url, s.keys.aAdmin, UPSERT_MODEL, { input: { modelId: pid('haiku'), fallbackModel: 'nope' } });
    expect(fieldPaths(missing)).toEqual(['input.fallbackModel']);
    const self = await gql(t.url, s.keys.aAdmin, UPSERT_MODEL, { input: { modelId: pid('haiku'), fallbackModel: pid('haiku') } });
    expect(fieldPaths(self)).toEqual(['input.fallbackModel']);

    const tier1 = await ok(t, s.keys.aViewer, `{ llmModels(filter: {tier: TIER_1}) { edges { node { modelId fallback { modelId } provider { providerId hasApiKey } } } } }`);
    expect(tier1.llmModels.edges).toEqual([{ node: { modelId: pid('sonnet'), fallback: { modelId: pid('haiku') }, provider: { providerId: pid('anthropic'), hasApiKey: true } } }]);
    const page1 = await ok(t, s.keys.aViewer, `{ llmModels(first: 2, filter: {providerId: "${pid('anthropic')}", enabled: true}) { totalCount edges { node { modelId } } pageInfo { endCursor hasNextPage } } }`);
    expect(page1.llmModels.totalCount).toBe(3);
    expect(page1.llmModels.edges.map((e: { node: { modelId: string } }) => e.node.modelId)).toEqual([pid('haiku'), pid('opus')]);
    const page2 = await ok(t, s.keys.aViewer, `query($after: String) { llmModels(first: 2, after: $after) { edges { node { modelId } } pageInfo { hasNextPage } } }`, { after: page1.llmModels.pageInfo.endCursor });
    expect(page2.llmModels.edges.map((e: { node: { modelId: string } }) => e.node.modelId)).toEqual([pid('sonnet')]);
    const rel = await ok(t, s.keys.aViewer, `{ llmProvider(id: "${pid('anthropic')}") { models { modelId tier } } }`);
    expect(rel.llmProvider.models.map((m: { modelId: string }) => m.modelId)).toEqual([pid('haiku'), pid('opus'), pid('sonnet')]);
    const one = await ok(t, s.keys.aViewer, `{ llmModel(id: "${pid('opus')}") { tier extendedThinking fallbackModel } }`);
    expect(one.llmModel).toEqual({ tier: 'TIER_1_PLUS', extendedThinking: true, fallbackModel: pid('sonnet') });
  });

  it('validates model input with field paths and requires provider and model name on create', async () => {
    const bad = await gql(t.url, s.keys.aAdmin, UPSERT_MODEL, {
      input: { modelId: pid('bad'), providerId: pid('anthropic'), modelName: 'x', maxContext: 1000, maxTokens: 2000, temperature: 3, costInput: -1, latencySlo: 'fast', tasks: [''] },
    });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(bad).sort()).toEqual(['input.costInput', 'input.latencySlo', 'input.tasks[0]', 'input.temperature']);
    const tokens = await gql(t.url, s.keys.aAdmin, UPSERT_MODEL, { input: { modelId: pid('bad'), providerId: pid('anthropic'), modelName: 'x', maxContext: 1000, maxTokens: 2000 } });
    expect(fieldPaths(tokens)).toEqual(['input.maxTokens']);
    const bare = await gql(t.url, s.keys.aAdmin, UPSERT_MODEL, { input: { modelId: pid('bare') } });
    expect(fieldPaths(bare).sort()).toEqual(['input.modelName', 'input.providerId']);
    const tierEnum = await gql(t.url, s.keys.aAdmin, UPSERT_MODEL, { input: { modelId: pid('bare'), tier: 'TIER_9' } });
    expect(codes(tierEnum)).toEqual(['BAD_USER_INPUT']);
  });

  it('deletes a model unless it is another model’s fallback', async () => {
    const used = await gql(t.url, s.keys.aAdmin, `mutation { deleteLlmModel(id: "${pid('haiku')}") }`);
    expect(codes(used)).toEqual(['CONFLICT']);
    expect(fieldPaths(used)).toEqual(['id']);
    expect(await t.db.prisma.llmModel.findUnique({ where: modelKey(s.a, pid('haiku')) })).not.toBeNull();
    const gone = await ok(t, s.keys.aAdmin, `mutation { deleteLlmModel(id: "${pid('opus')}") }`);
    expect(gone.deleteLlmModel).toBe(pid('opus'));
    expect(await t.db.prisma.llmModel.findUnique({ where: modelKey(s.a, pid('opus')) })).toBeNull();
    const again = await gql(t.url, s.keys.aAdmin, `mutation { deleteLlmModel(id: "${pid('opus')}") }`);
    expect(codes(again)).toEqual(['NOT_FOUND']);
  });

  it('enforces roles: viewers read, only admins write, ingest keys nothing', async () => {
    const input = { providerId: pid('x'), displayName: 'X' };
    for (const key of [s.keys.aViewer, s.keys.aAnalyst, s.keys.aApprover]) {
      expect(codes(await gql(t.url, key, UPSERT_PROVIDER, { input }))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(t.url, key, `mutation { deleteLlmModel(id: "${pid('sonnet')}") }`))).toEqual(['FORBIDDEN']);
    }
    expect(codes(await gql(t.url, s.keys.aIngest, '{ llmModels { totalCount } }'))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(t.url, null, '{ llmProviders { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
  });

  it('cannot see or change another tenant’s providers and models', async () => {
    const aProvider = pid('anthropic');
    const aModel = pid('sonnet');
    const bList = await ok(t, s.keys.bViewer, '{ llmProviders { totalCount } llmModels { totalCount } }');
    expect(bList).toEqual({ llmProviders: { totalCount: 0 }, llmModels: { totalCount: 0 } });
    expect(codes(await gql(t.url, s.keys.bViewer, `{ llmProvider(id: "${aProvider}") { providerId } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, s.keys.bViewer, `{ llmModel(id: "${aModel}") { modelId } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, s.keys.bAdmin, `mutation { setLlmProviderEnabled(id: "${aProvider}", enabled: false) { enabled } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(t.url, s.keys.bAdmin, `mutation { deleteLlmModel(id: "${aModel}") }`))).toEqual(['NOT_FOUND']);
    // B updating "A's id" only ever addresses B's own rows: a model update of an id B does not have is a
    // create (which needs provider and model name); A's rows are untouched.
    const modelTakeover = await gql(t.url, s.keys.bAdmin, UPSERT_MODEL, { input: { modelId: aModel, tier: 'TIER_2' } });
    expect(fieldPaths(modelTakeover).sort()).toEqual(['input.modelName', 'input.providerId']);
    const aStill = await t.db.prisma.llmModel.findUniqueOrThrow({ where: modelKey(s.a, aModel) });
    expect(aStill).toMatchObject({ tenantId: s.a, tier: 'tier_1' });
    expect((await t.db.prisma.llmProvider.findUniqueOrThrow({ where: providerKey(s.a, aProvider) })).displayName).toBe('Anthropic');
    // B cannot attach a model to A's provider or point a fallback at A's model.
    await ok(t, s.keys.bAdmin, UPSERT_PROVIDER, { input: { providerId: pid('b-prov'), displayName: 'B' } });
    const foreignProvider = await gql(t.url, s.keys.bAdmin, UPSERT_MODEL, { input: { modelId: pid('b-model'), providerId: aProvider, modelName: 'm' } });
    expect(fieldPaths(foreignProvider)).toEqual(['input.providerId']);
    const foreignFallback = await gql(t.url, s.keys.bAdmin, UPSERT_MODEL, { input: { modelId: pid('b-model'), providerId: pid('b-prov'), modelName: 'm', fallbackModel: aModel } });
    expect(fieldPaths(foreignFallback)).toEqual(['input.fallbackModel']);
    // Relations stay inside the tenant: B's provider lists none of A's models.
    const bRel = await ok(t, s.keys.bViewer, `{ llmProvider(id: "${pid('b-prov')}") { models { modelId } } }`);
    expect(bRel.llmProvider.models).toEqual([]);
  });

  it('lets two tenants register the same provider and model ids independently', async () => {
    // Plain ids as tenants really use them (no per-run suffix): each test run has fresh tenants.
    const provider = 'anthropic';
    const model = 'claude-sonnet';
    const fields = 'providerId displayName hasApiKey';
    const a = await ok(t, s.keys.aAdmin, `mutation($input: UpsertLlmProviderInput!) { upsertLlmProvider(input: $input) { ${fields} } }`, {
      input: { providerId: provider, displayName: 'Anthropic A', apiKey: SECRET },
    });
    const b = await ok(t, s.keys.bAdmin, `mutation($input: UpsertLlmProviderInput!) { upsertLlmProvider(input: $input) { ${fields} } }`, {
      input: { providerId: provider, displayName: 'Anthropic B' },
    });
    expect(a.upsertLlmProvider).toEqual({ providerId: provider, displayName: 'Anthropic A', hasApiKey: true });
    expect(b.upsertLlmProvider).toEqual({ providerId: provider, displayName: 'Anthropic B', hasApiKey: false });
    await ok(t, s.keys.aAdmin, UPSERT_MODEL, { input: { modelId: model, providerId: provider, modelName: 'claude-sonnet-4-5', tier: 'TIER_1' } });
    await ok(t, s.keys.bAdmin, UPSERT_MODEL, { input: { modelId: model, providerId: provider, modelName: 'claude-sonnet-4', tier: 'TIER_2' } });

    // Updates reach only the caller's rows.
    await ok(t, s.keys.bAdmin, UPSERT_PROVIDER, { input: { providerId: provider, displayName: 'Anthropic B2' } });
    await ok(t, s.keys.bAdmin, `mutation { setLlmProviderEnabled(id: "${provider}", enabled: false) { enabled } }`);
    await ok(t, s.keys.bAdmin, UPSERT_MODEL, { input: { modelId: model, maxTokens: 1024 } });
    expect(await t.db.prisma.llmProvider.findUniqueOrThrow({ where: providerKey(s.a, provider) })).toMatchObject({ displayName: 'Anthropic A', enabled: true });
    expect(await t.db.prisma.llmProvider.findUniqueOrThrow({ where: providerKey(s.b, provider) })).toMatchObject({ displayName: 'Anthropic B2', enabled: false });
    expect(await t.db.prisma.llmModel.findUniqueOrThrow({ where: modelKey(s.a, model) })).toMatchObject({ modelName: 'claude-sonnet-4-5', tier: 'tier_1', maxTokens: 8192 });
    expect(await t.db.prisma.llmModel.findUniqueOrThrow({ where: modelKey(s.b, model) })).toMatchObject({ modelName: 'claude-sonnet-4', tier: 'tier_2', maxTokens: 1024 });

    // Reads and relations resolve within the caller's tenant.
    const aView = await ok(t, s.keys.aViewer, `{ llmModel(id: "${model}") { modelName provider { displayName enabled models { modelId } } } }`);
    expect(aView.llmModel).toEqual({ modelName: 'claude-sonnet-4-5', provider: { displayName: 'Anthropic A', enabled: true, models: [{ modelId: model }] } });
    const bView = await ok(t, s.keys.bViewer, `{ llmProvider(id: "${provider}") { displayName enabled } }`);
    expect(bView.llmProvider).toEqual({ displayName: 'Anthropic B2', enabled: false });

    // Deletes too: B deletes its model, A's stays.
    expect((await ok(t, s.keys.bAdmin, `mutation { deleteLlmModel(id: "${model}") }`)).deleteLlmModel).toBe(model);
    expect(await t.db.prisma.llmModel.findUnique({ where: modelKey(s.b, model) })).toBeNull();
    expect(await t.db.prisma.llmModel.findUnique({ where: modelKey(s.a, model) })).not.toBeNull();
    expect(codes(await gql(t.url, s.keys.bAdmin, `mutation { deleteLlmModel(id: "${model}") }`))).toEqual(['NOT_FOUND']);
    // Deleting a provider row cascades to that tenant's models only (composite foreign key).
    await ok(t, s.keys.bAdmin, UPSERT_MODEL, { input: { modelId: model, providerId: provider, modelName: 'again' } });
    await t.db.prisma.llmProvider.delete({ where: providerKey(s.b, provider) });
    expect(await t.db.prisma.llmModel.count({ where: { modelId: model, tenantId: { in: [s.a, s.b] } } })).toBe(1);
    expect(await t.db.prisma.llmModel.findUnique({ where: modelKey(s.a, model) })).not.toBeNull();
  });
});
