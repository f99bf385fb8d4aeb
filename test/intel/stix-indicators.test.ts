import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseStixIndicators, parseStixPattern, StixPatternError } from '../../src/modules/threat-intel/stix-indicators';

const SAMPLES = path.resolve(__dirname, '../../../shared/data/samples/stix');
const sample = (name: string): unknown => JSON.parse(readFileSync(path.join(SAMPLES, name), 'utf8'));

describe('STIX pattern parser', () => {
  it('reads single, OR-ed and IN comparisons with quoted hash keys and escapes', () => {
    expect(parseStixPattern("[ipv4-addr:value = '1.2.3.4']")).toEqual([{ path: 'ipv4-addr:value', value: '1.2.3.4' }]);
    expect(parseStixPattern("[file:hashes.'SHA-256' = 'ab' OR file:hashes.MD5 = 'cd']")).toEqual([
      { path: "file:hashes.'SHA-256'", value: 'ab' },
      { path: 'file:hashes.MD5', value: 'cd' },
    ]);
    expect(parseStixPattern("[domain-name:value = 'a.com'] OR ([url:value = 'http://x/it\\'s'])")).toEqual([
      { path: 'domain-name:value', value: 'a.com' },
      { path: 'url:value', value: "http://x/it's" },
    ]);
    expect(parseStixPattern("[ipv4-addr:value IN ('1.1.1.1', '8.8.8.8')]").map((c) => c.value)).toEqual(['1.1.1.1', '8.8.8.8']);
  });

  it('rejects what an exact-match indicator cannot express', () => {
    for (const p of [
      "[x509-certificate:issuer = 'CN=A' AND x509-certificate:serial_number = '01']",
      "[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'a.com']",
      "[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'a.com']",
      "[ipv4-addr:value = '1.2.3.4'] WITHIN 300 SECONDS",
      "[url:value MATCHES '^http']",
      "[ipv4-addr:value != '1.2.3.4']",
      "[ipv4-addr:value = '1.2.3.4'",
      "[ipv4-addr:value = '1.2.3.4",
    ]) {
      expect(() => parseStixPattern(p)).toThrow(StixPatternError);
    }
  });
});

describe('parseStixIndicators on the shared samples', () => {
  it('imports the STIX 2.1 C2 bundle with relationship-derived campaigns and the identity as source', () => {
    const r = parseStixIndicators(sample('stix21-indicators-c2-with-coa.json'));
    expect(r.examined).toBe(2);
    expect(r.skipped).toEqual([]);
    expect(r.candidates.map((c) => [c.type, c.value])).toEqual([
      ['ipv4', '10.0.0.0'],
      ['sha256', 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c'],
    ]);
    const ip = r.candidates[0];
    expect(ip.sources).toEqual(['stix:identity--f690c992-8e7d-4b9a-9303-3312616c0220']);
    expect(ip.campaigns).toEqual(['Poison Ivy']);
    expect(ip.confidence).toBe(50);
    expect(ip.firstSeen?.toISOString()).toBe('2014-05-08T09:00:00.000Z');
    expect(ip.expiry).toBeNull();
    expect(ip.tags).toEqual(['malicious-activity']);
    expect(ip.context).toBe('IP Address for known C2 channel: Test description.');
  });

  it('maps the APT1 report: CIDR networks, domains linked to a threat actor, md5s; skips AND patterns', () => {
    const r = parseStixIndicators(sample('stix21-apt1-report.json'));
    expect(r.examined).toBe(12);
    expect(r.candidates).toHaveLength(10);
    const byValue = new Map(r.candidates.map((c) => [c.value, c]));
    expect(byValue.get('223.166.0.0/15')).toMatchObject({ type: 'cidr', campaigns: ['HUC Packet Transmit Tool (HTRAN)'] });
    expect(byValue.get('223.166.0.0/15')!.tags).toEqual(['malicious-activity', 'phase:establish-foothold']);
    expect(byValue.get('hugesoft.org')).toMatchObject({ type: 'domain', groups: ['Ugly Gorilla'], campaigns: [] });
    expect(byValue.get('001dd76872d80801692ff942308c64e6')).toMatchObject({ type: 'md5' });
    expect(r.candidates.every((c) => c.sources[0] === 'stix:bundle--cf20f99b-3ed2-4a9f-b4f1-d660a7fc8241')).toBe(true);
    expect(r.skipped.map((s) => s.ref)).toEqual([
      'indicator--b3b6b540-d838-41e2-853b-005056c00008',
      'indicator--b3b7035e-d838-41e2-8d38-005056c00008',
    ]);
    expect(r.skipped[0].reason).toMatch(/AND/);
  });

  it('reads STIX 2.0 bundles (no pattern_type) and their malware relationship', () => {
    const url = parseStixIndicators(sample('stix20-indicator-malicious-url.json'));
    expect(url.candidates).toHaveLength(1);
    expect(url.candidates[0]).toMatchObject({ type: 'url', value: 'http://x4z9arb.cn/4712/', campaigns: ['x4z9arb backdoor'] });
    const hash = parseStixIndicators(sample('stix20-malware-indicator-file-hash.json'));
    expect(hash.candidates[0]).toMatchObject({ type: 'sha256', campaigns: ['Poison Ivy'] });
    expect(hash.candidates[0].firstSeen?.toISOString()).toBe('2014-02-20T09:00:00.000Z');
  });

  it('skips revoked OpenCTI indicators (a bare array of objects) with a reason', () => {
    const r = parseStixIndicators(sample('stix21-opencti-indicators-array.json'));
    expect(r.examined).toBe(2);
    expect(r.candidates).toEqual([]);
    expect(r.skipped).toEqual([
      { ref: 'indicator--86d9fae0-300e-54a8-9b7e-041e303406ad', reason: 'revoked by its producer' },
      { ref: 'indicator--4099edd7-1efd-54aa-9736-7bcd7219b78b', reason: 'revoked by its producer' },
    ]);
  });

  it('takes confidence, valid_until, labels and ATT&CK attack-patterns; a bundle of SCOs has no indicators', () => {
    const [o] = (sample('stix21-opencti-indicators-array.json') as Record<string, unknown>[]);
    const live = { ...o, revoked: false, pattern: "[domain-name:value = 'WWW.Xolod-Teplo.RU'] OR [email-addr:value = 'a@b.example']" };
    const bundle = {
      type: 'bundle',
      id: 'bundle--1',
      objects: [
        live,
        { type: 'attack-pattern', id: 'attack-pattern--1', name: 'Web Protocols', external_references: [{ source_name: 'mitre-attack', external_id: 'T1071.001' }] },
        { type: 'intrusion-set', id: 'intrusion-set--1', name: 'APT28' },
        { type: 'relationship', relationship_type: 'indicates', source_ref: o.id, target_ref: 'attack-pattern--1' },
        { type: 'relationship', relationship_type: 'indicates', source_ref: o.id, target_ref: 'intrusion-set--1' },
        { type: 'indicator', id: 'indicator--pcre', pattern_type: 'pcre', pattern: '/x/' },
        { type: 'indicator', id: 'indicator--bad', pattern: "[ipv4-addr:value = '999.1.1.1']" },
      ],
    };
    const r = parseStixIndicators(bundle);
    expect(r.candidates.map((c) => [c.type, c.value])).toEqual([
      ['domain', 'www.xolod-teplo.ru'],
      ['email', 'a@b.example'],
    ]);
    expect(r.candidates[0]).toMatchObject({ confidence: 75, techniques: ['T1071.001'], groups: ['APT28'], tags: ['indicator'] });
    expect(r.candidates[0].sources).toEqual(['stix:identity--4f347cc9-4658-59ee-9707-134f434f9d1c']);
    expect(r.candidates[0].expiry?.toISOString()).toBe('2017-09-09T05:58:03.000Z');
    expect(r.skipped.map((s) => s.ref)).toEqual(['indicator--pcre', 'indicator--bad']);
    expect(r.skipped[0].reason).toContain('pcre');
    expect(parseStixIndicators(sample('stix21-infrastructure-ip-domain.json'))).toEqual({ examined: 0, candidates: [], skipped: [] });
  });

  it('rejects documents that are not STIX', () => {
    expect(() => parseStixIndicators({ hello: 'world' })).toThrow(StixPatternError);
    expect(() => parseStixIndicators('x')).toThrow(StixPatternError);
  });
});
