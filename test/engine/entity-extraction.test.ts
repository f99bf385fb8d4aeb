import * as fs from 'node:fs';
import * as path from 'node:path';
import { adaptPayload } from '../../src/ingest/adapters';
import type { AlertSource, CanonicalAlert } from '../../src/ingest/canonical';
import {
  executableOf,
  extractEntities,
  ipScope,
  normaliseIp,
  type NormalizedEntity,
} from '../../src/engine/agents/entity-extraction';

const SAMPLES = path.resolve(__dirname, '../../../shared/data/samples');

function sample(source: AlertSource, rel: string): CanonicalAlert[] {
  const out = adaptPayload(source, JSON.parse(fs.readFileSync(path.join(SAMPLES, rel), 'utf8')));
  return out.map((o) => {
    if (!o.ok) throw new Error(`${rel}: ${o.error.path} ${o.error.message}`);
    return o.alert;
  });
}

function alert(over: Partial<CanonicalAlert> = {}): CanonicalAlert {
  return {
    alertId: 'a-1',
    source: 'canonical',
    timestamp: '2025-01-01T00:00:00.000Z',
    title: '',
    description: '',
    severity: 'medium',
    tactics: [],
    techniques: [],
    entities: [],
    product: 'test',
    rawPayload: {},
    ...over,
  };
}

const find = (es: NormalizedEntity[], type: string, value: string) => es.find((e) => e.entityType === type && e.primaryValue === value);

describe('entity extraction: regex fallback', () => {
  const text = [
    'Beacon to 185.220.101.4 and 10.1.2.3 (bad octet 300.1.2.3), v6 2001:4860:4860::8888 and fe80::1:2:3.',
    'Hashes: sha256 E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855,',
    'sha1 3395856ce81f2b7382dee72602f798b642f14140, md5 44d88612fea8a8f36de82e1278abb02f.',
    'Domain evil-c2.example.ru contacted via hxxps://evil-c2[.]example.ru/payload.bin?x=1; mail from phish@bad-mail.co.uk.',
    'CVE-2024-3400 exploited; key HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater written;',
    'dropped C:\\Program Files\\Evil Corp\\agent.exe and /tmp/.x/miner; also ran mimikatz.exe. Version 1.2.3.4.5 is not an IP.',
  ].join(' ');
  const x = extractEntities(alert({ description: text }));
  const es = x.entities;

  it('IPv4 with octet check (0.7), IPv6, private flagged not dropped', () => {
    expect(find(es, 'ip', '185.220.101.4')).toMatchObject({ confidence: 0.7, origin: 'regex', properties: { ipScope: 'public', nonRoutable: false } });
    expect(find(es, 'ip', '10.1.2.3')).toMatchObject({ properties: { ipScope: 'private', nonRoutable: true } });
    expect(find(es, 'ip', '300.1.2.3')).toBeUndefined();
    expect(x.buckets.parseErrors.some((e) => e.includes('300.1.2.3'))).toBe(true);
    expect(find(es, 'ip', '2001:4860:4860::8888')).toMatchObject({ confidence: 0.7, properties: { ipVersion: 6 } });
    expect(find(es, 'ip', 'fe80::1:2:3')).toMatchObject({ properties: { ipScope: 'link-local' } });
    expect(es.filter((e) => e.entityType === 'ip').map((e) => e.primaryValue)).not.toContain('2.3.4.5');
  });

  it('hashes with their confidences, lower-cased', () => {
    expect(find(es, 'filehash', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toMatchObject({ confidence: 0.8, properties: { algorithm: 'sha256' } });
    expect(find(es, 'filehash', '3395856ce81f2b7382dee72602f798b642f14140')).toMatchObject({ confidence: 0.7, properties: { algorithm: 'sha1' } });
    expect(find(es, 'filehash', '44d88612fea8a8f36de82e1278abb02f')).toMatchObject({ confidence: 0.6, properties: { algorithm: 'md5' } });
  });

  it('domains (dns 0.6), refanged URLs, e-mail, CVE, registry key, paths, file names', () => {
    expect(find(es, 'dns', 'evil-c2.example.ru')).toMatchObject({ confidence: 0.6 });
    expect(find(es, 'url', 'https://evil-c2.example.ru/payload.bin?x=1')).toMatchObject({ confidence: 0.8 });
    expect(x.buckets.rawIocs).toContain('https://evil-c2.example.ru/payload.bin?x=1'); // refanged from hxxps://evil-c2[.]example.ru
    expect(find(es, 'mailbox', 'phish@bad-mail.co.uk')).toMatchObject({ confidence: 0.7 });
    expect(find(es, 'dns', 'bad-mail.co.uk')).toBeUndefined();
    expect(find(es, 'registry-key', 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater')).toBeDefined();
    expect(find(es, 'file', 'C:\\Program Files\\Evil Corp\\agent.exe')).toMatchObject({ confidence: 0.5, properties: { name: 'agent.exe' } });
    expect(find(es, 'file', '/tmp/.x/miner')).toBeDefined();
    expect(find(es, 'file', 'mimikatz.exe')).toMatchObject({ confidence: 0.4 });
    expect(find(es, 'file', 'agent.exe')).toBeUndefined();
    expect(find(es, 'dns', 'mimikatz.exe')).toBeUndefined();
    expect(find(es, 'dns', 'payload.bin')).toBeUndefined();
  });

  it('IOC candidates in the threat_intel_iocs vocabulary', () => {
    const c = x.iocCandidates;
    expect(c).toEqual(
      expect.arrayContaining([
        { type: 'ipv4', value: '185.220.101.4' },
        { type: 'ipv4', value: '10.1.2.3', nonRoutable: true },
        { type: 'ipv6', value: '2001:4860:4860::8888' },
        { type: 'domain', value: 'evil-c2.example.ru' },
        { type: 'url', value: 'https://evil-c2.example.ru/payload.bin?x=1' },
        { type: 'email', value: 'phish@bad-mail.co.uk' },
        { type: 'sha256', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
        { type: 'sha1', value: '3395856ce81f2b7382dee72602f798b642f14140' },
        { type: 'md5', value: '44d88612fea8a8f36de82e1278abb02f' },
        { type: 'cve', value: 'CVE-2024-3400' },
        { type: 'registry_key', value: 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater' },
        { type: 'file_path', value: 'C:\\Program Files\\Evil Corp\\agent.exe' },
        { type: 'file_name', value: 'mimikatz.exe' },
      ]),
    );
    const keys = c.map((i) => `${i.type}:${i.value}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('structured entities win with 1.0 and dedupe against regex hits', () => {
    const y = extractEntities(
      alert({
        title: 'Connection to 185.220.101.4',
        entities: [
          { type: 'ip', value: '185.220.101.4', properties: { direction: 'outbound' }, sourceId: '3' },
          { type: 'host', value: 'web-01.corp.example.com', properties: {} },
        ],
        description: 'host web-01.corp.example.com beaconed',
      }),
    );
    const ips = y.entities.filter((e) => e.entityType === 'ip');
    expect(ips).toHaveLength(1);
    expect(ips[0]).toMatchObject({ confidence: 1, origin: 'structured', sourceId: '3', properties: { direction: 'outbound', ipScope: 'public' } });
    expect(find(y.entities, 'dns', 'web-01.corp.example.com')).toBeUndefined();
    expect(y.iocCandidates).toContainEqual({ type: 'hostname', value: 'web-01.corp.example.com' });
  });

  it('hashes in raw payload only under hash-named keys; process from command lines', () => {
    const y = extractEntities(
      alert({
        rawPayload: {
          findingId: '16afba5c5c43e07c9e3e5e2e544e95df',
          file: { md5: 'cdf9cfebb400ce89d5b6032bfcdc693b' },
          process: { command_line: '"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -enc SQBFAFgA; whoami | more' },
        },
      }),
    );
    expect(find(y.entities, 'filehash', '16afba5c5c43e07c9e3e5e2e544e95df')).toBeUndefined();
    expect(find(y.entities, 'filehash', 'cdf9cfebb400ce89d5b6032bfcdc693b')).toBeDefined();
    const p = find(y.entities, 'process', 'powershell.exe');
    expect(p).toMatchObject({ confidence: 0.6 });
    expect(p?.properties.commandLine).toContain('; whoami | more'); // command lines keep their characters
    expect(y.iocCandidates).toContainEqual({ type: 'process_name', value: 'powershell.exe' });
  });

  it('sanitises per §4.5: dangerous characters stripped outside command lines, 2,048 cap', () => {
    const y = extractEntities(
      alert({ entities: [{ type: 'account', value: 'x'.repeat(5000), properties: {} }], description: 'see https://a.example.com/p;$(rm)' }),
    );
    expect(y.entities.find((e) => e.entityType === 'account')?.primaryValue).toHaveLength(2048);
    expect(find(y.entities, 'url', 'https://a.example.com/p;$(rm)')).toBeUndefined();
    expect(y.entities.find((e) => e.entityType === 'url')?.primaryValue).toBe('https://a.example.com/p');
  });

  it('buckets all 15 entity types', () => {
    const types = ['account', 'host', 'ip', 'file', 'process', 'url', 'dns', 'filehash', 'mailbox', 'mailmessage', 'registry-key', 'registry-value', 'security-group', 'cloud-application', 'malware'] as const;
    const values: Record<string, string> = { ip: '8.8.8.8', filehash: '44d88612fea8a8f36de82e1278abb02f', dns: 'a.example.com', mailbox: 'a@example.com' };
    const y = extractEntities(alert({ entities: types.map((t) => ({ type: t, value: values[t] ?? `v-${t}`, properties: {} })) }));
    expect(new Set(y.entities.map((e) => e.entityType))).toEqual(new Set(types));
    const b = y.buckets;
    expect([b.accounts, b.hosts, b.ips, b.files, b.processes, b.urls, b.dnsRecords, b.fileHashes, b.mailboxes].map((l) => l.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(b.other.map((e) => e.entityType).sort()).toEqual(['cloud-application', 'mailmessage', 'malware', 'registry-key', 'registry-value', 'security-group']);
  });

  it('invalid structured values become parse errors', () => {
    const y = extractEntities(alert({ entities: [{ type: 'ip', value: '999.1.1.1', properties: {} }, { type: 'filehash', value: 'xyz', properties: {} }] }));
    expect(y.entities).toEqual([]);
    expect(y.buckets.parseErrors).toEqual(['entities[0]: invalid ip "999.1.1.1"', 'entities[1]: invalid filehash "xyz"']);
  });
});

describe('address helpers', () => {
  it('ipScope', () => {
    expect(ipScope('8.8.8.8')).toBe('public');
    expect(ipScope('192.168.1.1')).toBe('private');
    expect(ipScope('127.0.0.1')).toBe('loopback');
    expect(ipScope('100.64.1.1')).toBe('shared');
    expect(ipScope('192.0.2.1')).toBe('documentation');
    expect(ipScope('0.0.0.0')).toBe('unspecified');
    expect(ipScope('::ffff:10.0.0.1')).toBe('private');
    expect(ipScope('fd12::1')).toBe('private');
    expect(ipScope('ff02::1')).toBe('multicast');
    expect(ipScope('2606:4700::1111')).toBe('public');
    expect(ipScope('nope')).toBeUndefined();
  });
  it('normaliseIp', () => {
    expect(normaliseIp('010.001.2.3')).toBe('10.1.2.3');
    expect(normaliseIp('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(normaliseIp('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(normaliseIp('::ffff:1.2.3.4')).toBe('::ffff:102:304');
    expect(normaliseIp('256.1.1.1')).toBeUndefined();
  });
  it('executableOf', () => {
    expect(executableOf('"C:\\Program Files\\x\\a b.exe" /c')).toBeUndefined();
    expect(executableOf('"C:\\Program Files\\x\\ab.exe" /c')).toBe('ab.exe');
    expect(executableOf('/usr/bin/curl -s http://x')).toBe('curl');
    expect(executableOf('   ')).toBeUndefined();
  });
});

describe('entity extraction on vendor samples', () => {
  it('GuardDuty Tor/IAM finding: public ip (flagged), private ip, account', () => {
    const [a] = sample('guardduty', 'guardduty/guardduty-finding-iamuser-toripcaller.json');
    const x = extractEntities(a);
    expect(find(x.entities, 'ip', '81.2.69.144')).toMatchObject({ confidence: 1, properties: { nonRoutable: false } });
    expect(find(x.entities, 'ip', '10.0.0.1')).toMatchObject({ properties: { ipScope: 'private', nonRoutable: true } });
    expect(find(x.entities, 'account', 'GeneratedFindingUserName')).toMatchObject({ confidence: 1, origin: 'structured' });
    expect(x.buckets.accounts).toHaveLength(1);
    expect(x.iocCandidates).toEqual(expect.arrayContaining([{ type: 'ipv4', value: '81.2.69.144' }, { type: 'account', value: 'GeneratedFindingUserName' }]));
  });

  it('Wazuh VirusTotal: file path, md5 and sha1; vendor portal link ignored', () => {
    const [a] = sample('wazuh', 'wazuh/wazuh-alert-virustotal-malicious-87105.json');
    const x = extractEntities(a);
    expect(new Set(x.entities.map((e) => e.entityType))).toEqual(new Set(['host', 'ip', 'file', 'filehash']));
    expect(x.iocCandidates).toEqual(
      expect.arrayContaining([
        { type: 'md5', value: '44d88612fea8a8f36de82e1278abb02f' },
        { type: 'sha1', value: '3395856ce81f2b7382dee72602f798b642f14140' },
        { type: 'file_path', value: '/media/user/software/eicar.com' },
      ]),
    );
    expect(x.entities.some((e) => e.primaryValue.includes('virustotal.com'))).toBe(false);
  });

  it('Defender MDE hidden file: registry key, process, hashes, account', () => {
    const [a] = sample('defender', 'defender_graph/graph-alerts-v2-list-mde-hidden-file.json');
    const types = new Set(extractEntities(a).entities.map((e) => e.entityType));
    for (const t of ['host', 'ip', 'file', 'filehash', 'process', 'account', 'registry-key']) expect(types).toContain(t);
  });

  it('Google SecOps UDM: many entity types, processes from command lines', () => {
    const [a] = sample('google_secops', 'google_secops/secops-rule-detection-multi-event-udm.json');
    const x = extractEntities(a);
    const types = new Set(x.entities.map((e) => e.entityType));
    for (const t of ['host', 'ip', 'account', 'mailbox', 'process', 'file', 'filehash', 'url', 'registry-key', 'registry-value', 'cloud-application', 'dns']) {
      expect(types).toContain(t);
    }
    expect(x.buckets.parseErrors).toEqual([]);
  });

  it('Security Hub Inspector: CVE becomes an IOC candidate', () => {
    const [a] = sample('security_hub', 'asff/asff-inspector-openssl-cve.json');
    expect(extractEntities(a).iocCandidates).toContainEqual({ type: 'cve', value: 'CVE-2023-1255' });
  });

  it('every sample extracts without errors and only valid candidates', () => {
    const dirs: [string, AlertSource][] = [
      ['sentinel', 'sentinel'], ['guardduty', 'guardduty'], ['elastic', 'elastic'], ['splunk', 'splunk'], ['wazuh', 'wazuh'],
      ['crowdstrike', 'crowdstrike'], ['defender_graph', 'defender'], ['google_secops', 'google_secops'], ['asff', 'security_hub'],
      ['gcp_scc', 'gcp_scc'], ['ocsf', 'ocsf'],
    ];
    let n = 0;
    for (const [dir, source] of dirs) {
      for (const f of fs.readdirSync(path.join(SAMPLES, dir)).filter((x) => x.endsWith('.json'))) {
        const outcomes = adaptPayload(source, JSON.parse(fs.readFileSync(path.join(SAMPLES, dir, f), 'utf8')));
        for (const o of outcomes) {
          if (!o.ok) continue;
          const x = extractEntities(o.alert);
          n++;
          for (const e of x.entities) {
            expect(e.confidence).toBeGreaterThan(0);
            expect(e.confidence).toBeLessThanOrEqual(1);
            expect(e.primaryValue.length).toBeLessThanOrEqual(2048);
          }
          for (const c of x.iocCandidates) expect(c.value).not.toBe('');
        }
      }
    }
    expect(n).toBeGreaterThan(30);
  });
});

describe('entity extraction is linear on hostile input', () => {
  it.each([
    ['path-like', 'C:\\' + 'a '.repeat(4000)],
    ['dotted digits', '1.'.repeat(8000)],
    ['colons', 'ab:'.repeat(6000)],
    ['labels', 'a-'.repeat(4000) + '.' + 'b.'.repeat(3000)],
    ['emails', 'a@'.repeat(8000)],
    ['hex', 'f'.repeat(16000)],
    ['registry', 'HKLM\\' + 'x'.repeat(16000)],
  ])('%s', (_name, text) => {
    const start = Date.now();
    extractEntities(alert({ description: text, rawPayload: { message: text, command_line: text } }));
    expect(Date.now() - start).toBeLessThan(1500);
  });
});
