import { ALERT_SOURCES } from '../../src/ingest/canonical';
import { AlertSource } from '../../src/modules/investigations/investigation.type';
import { MASK, maskSecrets, restoreMaskedSecrets } from '../../src/modules/connectors/connector-config';
import type { FieldError } from '../../src/errors/domain-error';
import { dedupeCandidates, type IocCandidate } from '../../src/modules/threat-intel/ioc-candidate';
import { IOC_TYPES, normaliseIocValue } from '../../src/modules/threat-intel/ioc-values';
import { IocType } from '../../src/modules/threat-intel/ioc.type';

const norm = (t: Parameters<typeof normaliseIocValue>[0], v: string) => normaliseIocValue(t, v);

describe('IOC value normalisation', () => {
  it('normalises case-insensitive types and keeps case where it matters', () => {
    expect(norm('domain', ' Evil.Example.COM. ')).toEqual({ ok: true, value: 'evil.example.com' });
    expect(norm('sha256', 'AB'.repeat(32))).toEqual({ ok: true, value: 'ab'.repeat(32) });
    expect(norm('email', 'Bob@Example.org')).toEqual({ ok: true, value: 'bob@example.org' });
    expect(norm('cve', 'cve-2024-3094')).toEqual({ ok: true, value: 'CVE-2024-3094' });
    expect(norm('asn', '13335')).toEqual({ ok: true, value: 'AS13335' });
    expect(norm('url', 'HTTP://Evil.Example/Path?Q=A')).toEqual({ ok: true, value: 'http://evil.example/Path?Q=A' });
    expect(norm('ipv6', '2001:DB8::1')).toEqual({ ok: true, value: '2001:db8::1' });
    expect(norm('file_path', ' C:\\Temp\\X.exe ')).toEqual({ ok: true, value: 'C:\\Temp\\X.exe' });
  });

  it('rejects malformed values per type', () => {
    for (const [t, v] of [
      ['ipv4', '256.1.1.1'],
      ['ipv4', '1.2.3'],
      ['ipv6', '2001:::1'],
      ['cidr', '10.0.0.0/33'],
      ['md5', 'a'.repeat(31)],
      ['sha1', 'g'.repeat(40)],
      ['sha512', 'a'.repeat(127)],
      ['domain', 'not a domain'],
      ['domain', 'localhost'],
      ['url', 'evil.example/path'],
      ['email', 'nobody'],
      ['cve', 'CVE-24-1'],
      ['file_name', 'dir/x.exe'],
      ['bitcoin_address', '0xdeadbeef'],
      ['account', '   '],
    ] as const) {
      expect(norm(t, v).ok).toBe(false);
    }
  });

  it('has one GraphQL enum value per DB indicator type, and connector adapters follow the ingest sources', () => {
    expect(Object.values(IocType).sort()).toEqual([...IOC_TYPES].sort());
    expect(Object.values(AlertSource).sort()).toEqual([...ALERT_SOURCES].sort());
  });

  it('merges duplicates: arrays unioned, confidence by mode, seen range widened', () => {
    const base: IocCandidate = {
      type: 'ipv4', value: '1.2.3.4', confidence: 80, severity: null, campaigns: ['A'], groups: [], techniques: [], tags: ['x'],
      sources: ['s1'], context: null, firstSeen: new Date('2024-01-02'), lastSeen: null, expiry: new Date('2025-01-01'),
    };
    const next = { ...base, confidence: 30, campaigns: ['B', 'A'], tags: ['y'], sources: ['s2'], firstSeen: new Date('2024-01-01'), expiry: new Date('2024-06-01') };
    const [max] = dedupeCandidates([base, next], 'max');
    expect(max).toMatchObject({ confidence: 80, campaigns: ['A', 'B'], tags: ['x', 'y'], sources: ['s1', 's2'] });
    expect(max.firstSeen?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(max.expiry?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    const [replace] = dedupeCandidates([base, next], 'replace');
    expect(replace.confidence).toBe(30);
    expect(replace.expiry?.toISOString()).toBe('2024-06-01T00:00:00.000Z');
  });
});

describe('connector config secrets', () => {
  const config = { url: 'https://siem', apiKey: 'k1', auth: { password: 'p', user: 'u', client_secret: 's' }, tokens: [{ refreshToken: 'r' }], empty_token: '' };

  it('masks every value under a secret-named key, at any depth', () => {
    expect(maskSecrets(config)).toEqual({
      url: 'https://siem',
      apiKey: MASK,
      auth: { password: MASK, user: 'u', client_secret: MASK },
      tokens: MASK,
      empty_token: '',
    });
    expect(JSON.stringify(maskSecrets(config))).not.toMatch(/k1|"p"|"s"|"r"/);
  });

  it('restores masked placeholders from the stored config and reports placeholders with nothing behind them', () => {
    const errors: FieldError[] = [];
    const back = restoreMaskedSecrets({ url: 'https://new', apiKey: MASK, auth: { password: 'new', user: 'u' } }, config, 'input.config', errors);
    expect(back).toEqual({ url: 'https://new', apiKey: 'k1', auth: { password: 'new', user: 'u' } });
    expect(errors).toEqual([]);
    restoreMaskedSecrets({ secretKey: MASK }, config, 'input.config', errors);
    expect(errors).toEqual([{ path: 'input.config.secretKey', message: expect.any(String) }]);
  });
});
