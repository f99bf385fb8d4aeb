import { createHash } from 'node:crypto';
import { DomainError } from '../../src/errors/domain-error';
import { maskApiKey, toProviderNode } from '../../src/modules/llm-config/llm-provider.mapper';
import { isApiKeyShape, isBaseUrl, isLatencySlo, isModelId, isProviderId } from '../../src/modules/llm-config/llm-validation';
import { equalsWhere, parseBigIntId, timeRangeWhere, withStringId } from '../../src/modules/telemetry/time-series.query';

function fieldPathsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return (e.details.fieldErrors ?? []).map((f) => f.path);
    throw e;
  }
  return [];
}

describe('maskApiKey', () => {
  const key = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz-WXYZ';
  it('keeps only the last 4 characters and the sha256 fingerprint', () => {
    const masked = maskApiKey(key);
    expect(masked).toBe(`masked:v1:…WXYZ:sha256:${createHash('sha256').update(key).digest('hex')}`);
    expect(masked).not.toContain('abcdefgh');
    expect(masked).not.toContain('sk-ant');
  });

  it('is what toProviderNode turns into hasApiKey, never returning the stored value', () => {
    const base = { providerId: 'p', tenantId: 't', displayName: 'P', apiBaseUrl: '', enabled: true, createdAt: new Date(), updatedAt: new Date() };
    const withKey = toProviderNode({ ...base, apiKeyEnc: maskApiKey(key) });
    expect(withKey.hasApiKey).toBe(true);
    expect(Object.keys(withKey)).not.toContain('apiKeyEnc');
    expect(Object.keys(withKey)).not.toContain('tenantId');
    expect(toProviderNode({ ...base, apiKeyEnc: '' }).hasApiKey).toBe(false);
  });
});

describe('LLM config field checks', () => {
  it.each([
    ['anthropic', true],
    ['groq.eu-1', true],
    ['Anthropic', false],
    ['', false],
    ['a'.repeat(65), false],
  ])('isProviderId(%p) = %p', (v, want) => expect(isProviderId(v)).toBe(want));

  it('accepts model ids with colons and rejects spaces', () => {
    expect(isModelId('claude-sonnet-4-5:batch')).toBe(true);
    expect(isModelId('has space')).toBe(false);
  });

  it('checks latency SLOs, base URLs and key shapes', () => {
    expect(['500ms', '3s', '5m', '24h'].every(isLatencySlo)).toBe(true);
    expect(['3', 's', '3 s', '1d'].some(isLatencySlo)).toBe(false);
    expect(isBaseUrl('')).toBe(true);
    expect(isBaseUrl('https://api.example.com/v1')).toBe(true);
    expect(isBaseUrl('javascript:alert(1)')).toBe(false);
    expect(isBaseUrl('not a url')).toBe(false);
    expect(isApiKeyShape('')).toBe(true);
    expect(isApiKeyShape('x'.repeat(16))).toBe(true);
    expect(isApiKeyShape('x'.repeat(15))).toBe(false);
    expect(isApiKeyShape(`${'x'.repeat(20)} y`)).toBe(false);
  });
});

describe('time-series query helpers', () => {
  const a = new Date('2026-01-01T00:00:00Z');
  const b = new Date('2026-01-02T00:00:00Z');

  it('builds half-open time ranges and rejects inverted ones at <path>.to', () => {
    expect(timeRangeWhere('ts', { from: a, to: b })).toEqual({ ts: { gte: a, lt: b } });
    expect(timeRangeWhere('ts', { from: a })).toEqual({ ts: { gte: a } });
    expect(timeRangeWhere('ts', null)).toEqual({});
    expect(fieldPathsOf(() => timeRangeWhere('ts', { from: b, to: a }))).toEqual(['filter.to']);
    expect(fieldPathsOf(() => timeRangeWhere('ts', { from: b, to: a }, ''))).toEqual(['to']);
  });

  it('keeps only the listed, set equality keys', () => {
    const filter = { edgeNodeId: 'n1', userId: '', action: null, tenantId: 'other', from: a };
    expect(equalsWhere(filter, ['edgeNodeId', 'userId', 'action'])).toEqual({ edgeNodeId: 'n1' });
  });

  it('parses BigInt ids and maps them to strings', () => {
    expect(parseBigIntId('9007199254740993')).toBe(9007199254740993n);
    expect(fieldPathsOf(() => parseBigIntId('-1'))).toEqual(['id']);
    expect(fieldPathsOf(() => parseBigIntId('1e3'))).toEqual(['id']);
    expect(fieldPathsOf(() => parseBigIntId('9999999999999999999'))).toEqual(['id']);
    expect(withStringId({ id: 12n, ts: a })).toEqual({ id: '12', ts: a });
  });
});
