import { ENTITY_TYPES, SEVERITIES } from '../../src/ingest/canonical';
import { adaptPayload, detectSource } from '../../src/ingest/adapters';
import { alertsOf, entity, errorOf, loadSample, onlyAlert, sampleFiles, values } from './samples.helper';
import { EXPECTED_COUNTS, SOURCE_OF_DIR } from './samples.expectations';

/**
 * Every shared sample of the alert formats, mapped through the registry. Expected values were read
 * from the sample files by hand (not generated from adapter output).
 */

const ALL_FILES = Object.keys(SOURCE_OF_DIR).flatMap((d) => sampleFiles(d));
const DANGEROUS = /[;|&`$(){}[\]<>'"]/;

function run(file: string) {
  return adaptPayload(SOURCE_OF_DIR[file.split('/')[0]], loadSample(file));
}

describe('every shared sample of the alert formats', () => {
  it('has an expectation here (a new sample file must be added to this test)', () => {
    expect(ALL_FILES.sort()).toEqual(Object.keys(EXPECTED_COUNTS).sort());
  });

  it.each(ALL_FILES)('%s: outcome count, canonical invariants, detected source', (file) => {
    const outcomes = run(file);
    const [count, okCount] = EXPECTED_COUNTS[file];
    expect(outcomes).toHaveLength(count);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(okCount);
    for (const o of outcomes) {
      if (!o.ok) {
        expect(o.error.code).toBe('BAD_USER_INPUT');
        expect(o.error.message.length).toBeGreaterThan(10);
        continue;
      }
      const a = o.alert;
      expect(a.source).toBe(SOURCE_OF_DIR[file.split('/')[0]]);
      expect(a.alertId).toEqual(expect.any(String));
      expect(a.alertId.length).toBeGreaterThan(0);
      expect(a.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(a.title.length).toBeGreaterThan(0);
      expect(SEVERITIES).toContain(a.severity);
      for (const t of a.techniques) expect(t).toMatch(/^(AML\.)?T\d{4}(\.\d{3})?$/);
      expect(new Set(a.techniques).size).toBe(a.techniques.length);
      for (const t of a.tactics) expect(t).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(a.product.length).toBeGreaterThan(0);
      expect(typeof a.rawPayload).toBe('object');
      for (const e of a.entities) {
        expect(ENTITY_TYPES).toContain(e.type);
        expect(e.value.length).toBeGreaterThan(0);
        expect(e.value.length).toBeLessThanOrEqual(2048);
        expect(e.value).not.toMatch(DANGEROUS);
        for (const [k, v] of Object.entries(e.properties)) {
          if (typeof v === 'string' && !/command_?line/i.test(k)) expect(v).not.toMatch(DANGEROUS);
        }
      }
    }
    expect(detectSource(loadSample(file))).toBe(SOURCE_OF_DIR[file.split('/')[0]]);
  });
});

describe('Microsoft Sentinel', () => {
  it('maps the REST/ARM SecurityAlert entity', () => {
    const a = onlyAlert(run('sentinel/securityalert-arm-entity-01.json'));
    expect(a).toMatchObject({
      alertId: 'abcdef-6fde-4ab7-a093-d09f7b75c58c',
      timestamp: '2020-07-20T18:21:53.615Z', // 18:21:53.6158361Z truncated to ms
      title: 'myAlert',
      description: '',
      severity: 'low',
      tactics: ['abc'],
      techniques: [],
      product: 'AzureSecurityCenter',
      vendorTenantId: 'abcdefg-985d-4e4e-8e91-fb3466cd0e5b',
    });
    expect(a.isHeartbeat).toBeUndefined();
    expect((a.rawPayload as { kind: string }).kind).toBe('SecurityAlert');
  });

  it('maps the Log Analytics row, parsing the JSON-encoded Entities string', () => {
    const a = onlyAlert(run('sentinel/securityalert-loganalytics-row-01.json'));
    expect(a.alertId).toBe('jnfjrdnkr-7cbd-5454-9c61-455cc9818f50');
    expect(a.timestamp).toBe('2024-09-26T05:23:30.559Z');
    expect(a.severity).toBe('high');
    expect(a.title).toBe('Incident for Entity Type account with Entity ID: 302.0 and Tags: ["MDR - Customer Escalation"]');
    expect(a.description.startsWith('Incident has been created for Entity AWS:44512121212')).toBe(true);
    expect(a.tactics).toEqual([]); // "Unknown" is a placeholder, not a tactic
    expect(a.product).toBe('Azure Sentinel');
    expect(a.vendorTenantId).toBe('55fd4svd5-45a7-437d-82fd-54sdv44svf');
    expect(a.entities).toEqual([
      { type: 'account', value: 'AWS:44512121212/us-east-1/ec2:i-42f44fdfvdf5d', properties: {}, sourceId: '2' },
    ]);
  });

  it('rejects the incident sample: incidents are not alerts', () => {
    const [o] = run('sentinel/securityincident-arm-01.json');
    expect(errorOf(o).path).toBe('');
    expect(errorOf(o).message).toMatch(/incident is not an alert/);
  });
});

describe('Microsoft Defender XDR / Graph', () => {
  it('splits the alerts_v2 envelope and maps evidence (customTI + AIR sample)', () => {
    const [first, second] = alertsOf(run('defender_graph/graph-alerts-v2-linux-customti-and-air.json'));
    expect(first).toMatchObject({
      alertId: 'pid',
      timestamp: '2022-10-03T03:39:21.756Z',
      title: 'test alert',
      description: 'Created for test',
      severity: 'medium',
      tactics: [], // category "None"
      techniques: [],
      product: 'Microsoft Defender for Endpoint',
      vendorTenantId: 'tenantId',
    });
    expect(first.isHeartbeat).toBeUndefined(); // heartbeat names are a Sentinel rule only
    const crond = entity(first, 'process', 'crond');
    expect(crond.properties).toMatchObject({ processId: 21399, commandLine: '/usr/sbin/crond -n', imagePath: '/usr/sbin' });
    expect(crond.sourceId).toBe('evidence#0');
    entity(first, 'filehash', '7caea94896efb829044127483469607c6a36bdcdfab162f57b4ed650b9e3449e');
    entity(first, 'filehash', 'fdfe0bb4de45bf0bf213b4edd1526162066bcd7e');
    entity(first, 'account', 'root');
    entity(first, 'ip', '0.0.0.0');
    entity(first, 'host', 'msde-agent-host-centos7.c.dmst-integrations.internal');
    expect(values(first, 'process')).toEqual(['crond']); // the second, identical processEvidence is merged

    expect(second).toMatchObject({
      alertId: 'pid', // the sample reuses the placeholder id: ingest will deduplicate it
      timestamp: '2022-10-16T01:48:05.865Z',
      title: 'Automated investigation started manually',
      severity: 'informational',
      tactics: [], // "SuspiciousActivity" is not an ATT&CK tactic
    });
    expect(values(second, 'host')).toEqual(['desktop-s2455r8']);
  });

  it('maps the documented alerts_v2 example with its MITRE technique and evidence kinds', () => {
    const a = onlyAlert(run('defender_graph/graph-alerts-v2-list-mde-hidden-file.json'));
    expect(a).toMatchObject({
      alertId: 'da637551227677560813_-961444813',
      timestamp: '2021-04-27T12:19:27.721Z',
      title: 'Suspicious execution of hidden file',
      severity: 'low',
      tactics: ['defense-evasion'],
      techniques: ['T1564.001'],
      vendorTenantId: 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c',
    });
    expect(entity(a, 'host', 'tempDns').properties.mdeDeviceId).toBe('73e7e2de709dff64ef64b1d0c30e67fab63279db');
    entity(a, 'ip', '1.1.1.1');
    // the command line keeps its quotes (spec §4.5 exception)
    expect(entity(a, 'process', 'MsSense.exe').properties.commandLine).toBe('"MsSense.exe"');
    expect(entity(a, 'account', 'SYSTEM').properties).toMatchObject({ domain: 'NT AUTHORITY', sid: 'S-1-5-18' });
    entity(a, 'filehash', '8963a19fb992ad9a76576c5638fd68292cffb9aaac29eb8285f9abf6196a7dec');
    entity(a, 'registry-key', 'HKEY_LOCAL_MACHINE\\SYSTEM\\CONTROLSET001\\CONTROL\\WMI\\AUTOLOGGER\\SENSEAUDITLOGGER');
  });

  it('rejects an incident without expanded alerts at value[0].alerts', () => {
    const [o] = run('defender_graph/graph-incidents-list-multistage.json');
    expect(errorOf(o).path).toBe('value[0].alerts');
    expect(errorOf(o).message).toMatch(/\$expand=alerts/);
  });

  it('maps every contained alert of an incident listed with $expand=alerts', () => {
    const list = loadSample('defender_graph/graph-incidents-list-multistage.json') as { value: Record<string, unknown>[] };
    const v2 = loadSample('defender_graph/graph-alerts-v2-list-mde-hidden-file.json') as { value: unknown[] };
    const expanded = { value: [{ ...list.value[0], alerts: [v2.value[0], { ...(v2.value[0] as object), id: 'second' }] }] };
    const outcomes = adaptPayload('defender', expanded);
    expect(alertsOf(outcomes).map((a) => a.alertId)).toEqual(['da637551227677560813_-961444813', 'second']);
  });

  it('maps the legacy v1 alerts list', () => {
    const alerts = alertsOf(run('defender_graph/graph-legacy-v1-security-alerts-list.json'));
    expect(alerts.map((a) => a.alertId)).toEqual([
      'da637229984903196572_-755436942',
      'da637218501473413212_-1554891308',
      'da637226278996299656_1986871053',
    ]);
    const [a] = alerts;
    expect(a).toMatchObject({
      timestamp: '2020-04-20T16:54:50.272Z',
      title: 'test alert',
      severity: 'medium',
      product: 'Microsoft Defender ATP',
    });
    expect(entity(a, 'host', 'desktop-s2455r8').properties.os).toBe('Windows10');
    entity(a, 'ip', '127.0.0.1');
  });
});

describe('Elastic Security', () => {
  it('maps the 8.x alert (flat dotted kibana.alert.* keys mixed with nested ECS)', () => {
    const a = onlyAlert(run('elastic/kibana-alert-8.1-indicator-match-esarchive.json'));
    expect(a).toMatchObject({
      alertId: '30a75fe46d3dbdfab55982036f77a8d60e2d1112e96f277c3b8c22f9bb57817a',
      timestamp: '2022-03-19T02:48:12.634Z',
      title: 'threat-match-rule',
      description: 'a simple threat match rule',
      severity: 'low',
      tactics: [],
      techniques: [],
      product: 'Elastic Security',
      vendorTenantId: 'default',
    });
    expect(entity(a, 'host', 'security-linux-1').properties).toMatchObject({ os: 'Debian GNU/Linux', matchedIndicatorField: 'host.name' });
    entity(a, 'ip', '11.200.0.194');
  });

  it('maps the 7.x signal (id from the document, space from the index name)', () => {
    const a = onlyAlert(run('elastic/siem-signal-7.16-indicator-match-esarchive.json'));
    expect(a).toMatchObject({
      alertId: '0bb0c0d5488d757907f6be6e4c27ff698666948e2cf01d53e8fa43958b36c6a8',
      timestamp: '2022-03-23T16:50:51.493Z',
      title: 'threat-match-rule',
      severity: 'low',
      vendorTenantId: 'default',
    });
    entity(a, 'host', 'security-linux-1');
  });
});

describe('Splunk ES notables', () => {
  it('maps the identity notable (event_id, urgency, rule_title)', () => {
    const a = onlyAlert(run('splunk/es-notable-identity-root-su-ossec.json'));
    expect(a).toMatchObject({
      alertId: '5E6DE97D-B137-47AB-8905-8C4F42998937@@notable@@e4f07602f507975e9f7ba47c4ae0c417',
      timestamp: '2024-06-05T09:15:24.000Z',
      title: 'Root user use',
      description: 'user=root AND (action=success OR action=failure)',
      severity: 'informational',
      product: 'Splunk Enterprise Security',
    });
    entity(a, 'account', 'root');
    // redacted upstream values ("xxx", "xxx.xxx.x.x") do not become entities
    expect(a.entities.some((e) => /^[x.]+$/.test(e.value))).toBe(false);
  });

  it('splits the result array and derives distinct ids for notables without event_id', () => {
    const [a, b] = alertsOf(run('splunk/es-notables-recurring-malware-array.json'));
    expect(a.timestamp).toBe('2020-08-24T19:10:17.000Z'); // 12:10:17-07:00
    expect(b.timestamp).toBe('2020-08-24T20:30:17.000Z');
    expect(a.alertId).toBe('notable~668~66D21DF4-F4FD-4886-A986-82E72ADCBFE9|668:17198|2020-08-24T19:10:17.000Z');
    expect(b.alertId).not.toBe(a.alertId);
    expect(a).toMatchObject({ title: 'Endpoint - Recurring Malware Infection - Rule', severity: 'low' });
    entity(a, 'host', 'ACME-workstation-012');
    entity(a, 'ip', '192.168.3.12');
    // deterministic: the same notable maps to the same id again
    expect(alertsOf(run('splunk/es-notables-recurring-malware-array.json'))[0].alertId).toBe(a.alertId);
  });

  it('recovers fields only present in _raw', () => {
    const a = onlyAlert(run('splunk/notable-raw-excessive-failed-logins.json'));
    expect(a).toMatchObject({
      timestamp: '2025-02-10T06:20:16.000Z', // 11:50:16+05:30
      title: 'Access - Excessive Failed Logins - Rule',
      severity: 'medium', // no urgency anywhere: spec default
      tactics: [], // annotations.mitre_attack.* in _raw are the placeholder "mite"
      techniques: [],
    });
    expect(entity(a, 'ip', '89.160.20.112').properties.field).toBe('src'); // src="..." inside _raw
  });
});

describe('Wazuh', () => {
  it('maps the FIM alert (level 5 → low, +0200 offset, syscheck hashes)', () => {
    const a = onlyAlert(run('wazuh/wazuh-alert-fim-file-added-554.json'));
    expect(a).toMatchObject({
      alertId: '1668705462.50453',
      timestamp: '2022-11-17T17:17:42.694Z',
      title: 'File added to the system.',
      severity: 'low',
      product: 'Wazuh',
    });
    expect(a.description).toBe("File '/media/user/software/suspicious-file.exe' added\nMode: realtime");
    entity(a, 'file', '/media/user/software/suspicious-file.exe');
    entity(a, 'filehash', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    entity(a, 'host', 'Ubuntu');
    entity(a, 'ip', '10.0.2.15');
  });

  it('maps the VirusTotal detection (level 12 → high, rule.mitre)', () => {
    const a = onlyAlert(run('wazuh/wazuh-alert-virustotal-malicious-87105.json'));
    expect(a).toMatchObject({
      alertId: '1668706225.104492',
      timestamp: '2022-11-17T17:30:25.085Z',
      severity: 'high',
      tactics: ['execution'],
      techniques: ['T1203'],
    });
    entity(a, 'filehash', '44d88612fea8a8f36de82e1278abb02f');
    entity(a, 'file', '/media/user/software/eicar.com');
  });

  it('maps the no-positives alert (level 3 → informational)', () => {
    const a = onlyAlert(run('wazuh/wazuh-alert-virustotal-no-positives-87104.json'));
    expect(a).toMatchObject({ alertId: '1668705727.84464', severity: 'informational', timestamp: '2022-11-17T17:22:07.974Z' });
  });
});

describe('CrowdStrike Falcon', () => {
  it('maps the EPP ML detection: CS-private tactic/technique ids are not ATT&CK ids', () => {
    const a = onlyAlert(run('crowdstrike/falcon-alert-epp-ldt-ml-pup-quarantine.json'));
    expect(a).toMatchObject({
      alertId: '92012896127c4a8236ba7601b886b0:ind:2ce412d17b334ad4adc8c1c54dbfec4b:399748687993-5761-42627600',
      timestamp: '2023-11-03T18:01:23.995Z', // created_timestamp, nanoseconds truncated
      title: 'PrewittPupAdwareSensorDetect-Lowest',
      severity: 'low', // 30
      tactics: ['machine-learning'],
      techniques: [], // CST0000
      product: 'CrowdStrike Falcon Insight',
      vendorTenantId: '92012896127c4a948236ba7601b886b0',
    });
    expect(entity(a, 'host', 'ABC709-1175').properties.domain).toBe('ABC.LOCAL');
    entity(a, 'ip', '81.2.69.142');
    entity(a, 'filehash', 'b26a6791b72753d2317efd5e1363d93fdd33e611c8b9e08a3b24ea4d755b81fd');
    expect(values(a, 'filehash')).not.toContain('0000000000000000000000000000000000000000');
    const proc = entity(a, 'process', 'openvpn-abc-pfSense-UDP4-1194-pfsense-install-2.6.5-I001-amd64.exe');
    expect(String(proc.properties.commandLine).startsWith('"C:\\Users\\yuvraj.mahajan')).toBe(true);
    entity(a, 'process', 'explorer.exe');
    entity(a, 'account', 'mohit.jha');
  });

  it('maps the identity detection (severity_name High, TA0006/T1110, source/target)', () => {
    const a = onlyAlert(run('crowdstrike/falcon-alert-idp-identity-verification-denied.json'));
    expect(a).toMatchObject({
      timestamp: '2024-08-16T18:45:02.987Z',
      title: 'Identity verification denied',
      severity: 'high',
      tactics: ['credential-access'],
      techniques: ['T1110'],
      product: 'CrowdStrike Falcon Identity Protection',
    });
    entity(a, 'account', 'admin.abcdef@example.com');
    entity(a, 'host', 'ABDC454.net.example.com');
    entity(a, 'ip', '81.2.69.144');
    entity(a, 'account', 'HFJFJFFFFFFF'); // "HFJFJFFFFFFF$": '$' is stripped per §4.5
  });

  it('splits the Alerts API v2 entities envelope (resources[])', () => {
    const [a, b] = alertsOf(run('crowdstrike/falcon-alerts-v2-entities-cloud-ioa.json'));
    expect(a).toMatchObject({
      alertId: '00000000000000000000000000000001:fcs:ioa-211:00000000-0000-0000-0000-000000000002',
      timestamp: '2026-04-20T22:49:16.583Z',
      severity: 'high',
      tactics: ['defense-evasion'],
      techniques: ['T1562.007'],
      product: 'CrowdStrike Falcon Cloud Security',
    });
    entity(a, 'security-group', 'sg-0000000000000dummy');
    entity(a, 'ip', '192.0.2.1');
    expect(b).toMatchObject({ title: 'Another IOA', severity: 'low', timestamp: '2026-04-20T22:50:16.583Z' });
  });
});

describe('Google SecOps', () => {
  it('maps the object-shaped detection with its UDM event', () => {
    const a = onlyAlert(run('google_secops/secops-rule-detection-multi-event-udm.json'));
    expect(a).toMatchObject({
      alertId: 'de_865d9c87-6c5f-cfc1-2d41-aaee29499057',
      timestamp: '2025-02-05T09:00:00.000Z',
      title: 'suspicious_USER_LOGIN_2',
      description: 'Generate Alert with dummy data when event_type is USER_LOGIN',
      severity: 'medium', // ruleLabels severity=Medium beats the event's securityResult "high"
      product: 'Google SecOps',
    });
    entity(a, 'host', 'principal-hostname.example.com');
    entity(a, 'ip', '216.160.83.56');
    expect(entity(a, 'account', 'jdoe').properties.sid).toBe('S-1-5-21-1234567890-0987654321-1029384756-1001');
    entity(a, 'registry-key', 'HKEY_LOCAL_MACHINE\\Software\\SuspiciousKey');
    entity(a, 'mailbox', 'sender@example.com');
    entity(a, 'dns', 'example.com');
    // the only well-formed hash of the process tree survives; the sample's malformed ones do not
    entity(a, 'filehash', '7b01b4f3e509566e6e9bdf26a6a46fb8aad099a3e586b53a0753a3bb9b4646b9');
    expect(values(a, 'filehash')).not.toContain('k3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('maps the array-shaped detection (riskScore 40 → medium)', () => {
    const a = onlyAlert(run('google_secops/secops-rule-detection-v2-greynoise-ip-match.json'));
    expect(a).toMatchObject({
      alertId: 'de_0bf8b566-6501-ec41-b9a7-d0140edd6a79',
      timestamp: '2026-07-10T11:00:00.000Z',
      title: 'greynoise_intelligence_ip_match',
      severity: 'medium',
    });
    expect(values(a, 'ip')).toEqual(['175.16.199.0', '216.160.83.56']);
  });
});

describe('Amazon GuardDuty', () => {
  it('maps the EC2 WinRM brute-force finding (severity 2 → low, type → impact/T1110)', () => {
    const a = onlyAlert(run('guardduty/guardduty-finding-ec2-winrm-bruteforce-actor.json'));
    expect(a).toMatchObject({
      alertId: '02bf27df0abb1d745f5d88cda8529329',
      timestamp: '2022-01-12T19:22:44.470Z',
      severity: 'low',
      tactics: ['impact'],
      techniques: ['T1110'],
      product: 'Amazon GuardDuty',
      vendorTenantId: '973743533182',
    });
    expect(a.title.startsWith('EC2 Instance i-99999999 is performing a Windows Remote Management brute force')).toBe(true);
    expect(entity(a, 'host', 'i-99999999').properties.resourceRole).toBe('ACTOR'); // the instance is the attacker
    entity(a, 'ip', '81.2.69.144');
    entity(a, 'ip', '10.0.0.23');
  });

  it('maps TorIPCaller (severity 5 → medium, T1090.003)', () => {
    const a = onlyAlert(run('guardduty/guardduty-finding-iamuser-toripcaller.json'));
    expect(a).toMatchObject({ alertId: '02bf27df0ab845eb066903f3edef806e', severity: 'medium', tactics: [], techniques: ['T1090.003'] });
    expect(entity(a, 'account', 'GeneratedFindingUserName').properties.accessKeyId).toBe('GeneratedFindingAccessKeyId');
  });

  it('maps Impact:S3/MaliciousIPCaller (severity 8 → high, no technique)', () => {
    const a = onlyAlert(run('guardduty/guardduty-finding-impact-s3-maliciousipcaller.json'));
    expect(a).toMatchObject({ severity: 'high', tactics: ['impact'], techniques: [], timestamp: '2022-01-12T19:22:44.454Z' });
    expect(entity(a, 'cloud-application', 'bucketName').properties.arn).toBe('arn:aws:s3:::bucketName');
  });
});

describe('AWS Security Hub (ASFF)', () => {
  it('maps the GuardDuty-produced finding (TTPs type → tactic, GuardDuty table → T1562.008)', () => {
    const a = onlyAlert(run('asff/asff-guardduty-cloudtrail-logging-disabled.json'));
    expect(a).toMatchObject({
      alertId: 'arn:aws:guardduty:us-east-2:111111111111:detector/1ac1bfceda6679698215d5d0EXAMPLE/finding/a6c556fcbc9bea427a19f8b787099a0b',
      timestamp: '2023-09-19T15:05:22.487Z',
      title: 'AWS CloudTrail trail arn:aws:cloudtrail:us-east-2:111111111111:trail/delete-me was disabled.',
      severity: 'low',
      tactics: ['defense-evasion'],
      techniques: ['T1562.008'],
      product: 'Amazon GuardDuty',
      vendorTenantId: '111111111111',
    });
    expect(entity(a, 'account', 'Admin').properties.principalType).toBe('AssumedRole');
    entity(a, 'ip', '52.94.133.131');
    entity(a, 'cloud-application', 'arn:aws:cloudtrail:us-east-2:111111111111:trail/delete-me');
  });

  it('maps the Inspector CVE finding', () => {
    const a = onlyAlert(run('asff/asff-inspector-openssl-cve.json'));
    expect(a).toMatchObject({
      alertId: 'arn:aws:inspector2:us-east-2:111111111111:finding/faa0d54609b94871badcc83ac7c2add5',
      timestamp: '2023-04-21T15:59:04.000Z',
      title: 'CVE-2023-1255 - openssl',
      severity: 'medium',
      product: 'Amazon Inspector',
    });
  });

  it('maps the FSBP control finding (INFORMATIONAL, security group, malware)', () => {
    const a = onlyAlert(run('asff/asff-securityhub-fsbp-ec2-19.json'));
    expect(a).toMatchObject({ alertId: 'test', severity: 'informational', product: 'AWS Security Hub', vendorTenantId: '522536594833' });
    expect(entity(a, 'security-group', 'sg-0daf160f08dfed499').properties.groupName).toBe('eks-cluster-sg-detective-test-486840310');
    entity(a, 'malware', 'Stringler');
  });
});

describe('GCP Security Command Center', () => {
  it('maps a ListFindingsResult element', () => {
    const a = onlyAlert(run('gcp_scc/scc-listfindings-result-critical-application.json'));
    expect(a).toMatchObject({
      alertId: 'organizations/515665165161/sources/98481484454154454545/findings/414rfrhjebhrbhjbr444454hv54545',
      timestamp: '2023-06-02T05:17:41.936Z', // eventTime, not createTime
      title: 'application',
      severity: 'critical',
      vendorTenantId: 'organizations/515665165161',
    });
    entity(a, 'cloud-application', '//cloudresourcemanager.googleapis.com/projects/45455445554');
  });

  it('decodes base64 Pub/Sub messages; the bad createTime fails alone, with its path', () => {
    const outcomes = run('gcp_scc/scc-pubsub-pull-notifications-base64.json');
    const ok = alertsOf(outcomes.slice(0, 3));
    expect(ok.map((a) => a.timestamp)).toEqual(['2020-03-19T13:37:43.858Z', '2020-04-19T13:37:43.858Z', '2020-05-19T13:37:43.858Z']);
    expect(ok[0]).toMatchObject({
      alertId: 'organizations/5957152576/sources/10134421585261057824/findings/0000169c53a92c70050569353d4',
      title: 'SCC finding 0000169c53a92c70050569353d4',
      severity: 'medium',
    });
    const err = errorOf(outcomes[3]);
    expect(err.path).toBe('receivedMessages[3].message.data.finding.createTime');
    expect(err.message).toMatch(/xyz/);
  });
});

describe('OCSF', () => {
  it('maps the Okta Detection Finding (severity_id 0 → default medium)', () => {
    const a = onlyAlert(run('ocsf/detection-finding-2004-okta.json'));
    expect(a).toMatchObject({
      alertId: 'dc9fd3c0-598c-11ef-8478-2b7584bf8d5a',
      timestamp: '2024-08-13T15:58:20.000Z',
      title: 'Login Failures',
      description: 'Request from suspicious actor',
      severity: 'medium',
      product: 'Okta System Log',
    });
    entity(a, 'ip', '10.0.0.1');
  });

  it('maps the Security Hub/GuardDuty Detection Finding', () => {
    const a = onlyAlert(run('ocsf/detection-finding-2004-sechub-guardduty.json'));
    expect(a).toMatchObject({
      timestamp: '2023-09-19T15:05:22.487Z', // 11:05:22.487-04:00
      severity: 'low',
      tactics: ['defense-evasion'],
      techniques: ['T1562.008'],
      product: 'Amazon GuardDuty',
      vendorTenantId: '111111111111',
    });
    entity(a, 'ip', '52.94.133.131');
    entity(a, 'account', 'Admin');
  });

  it('maps the Falco Security Finding (epoch-ms time, hostname observable)', () => {
    const a = onlyAlert(run('ocsf/security-finding-2001-falco.json'));
    expect(a).toMatchObject({
      alertId: 'ec834826-90c1-458a-8eec-a014e7266754',
      timestamp: '2023-01-03T15:11:39.558Z',
      title: 'Linux Kernel Module Injection Detected',
      severity: 'medium',
    });
    entity(a, 'host', 'host0.local');
  });

  it('maps the 1.0-rc.2 Security Finding (finding.*, cloud.account_uid)', () => {
    const a = onlyAlert(run('ocsf/security-finding-2001-sechub-rc2.json'));
    expect(a).toMatchObject({
      alertId: 'test',
      timestamp: '2022-08-04T18:09:19.100Z',
      severity: 'informational',
      vendorTenantId: '522536594833',
    });
    entity(a, 'security-group', 'arn:aws:ec2:us-east-1:522536594833:security-group/sg-0daf160f08dfed499');
    entity(a, 'malware', 'Stringler');
  });

  it.each([
    ['ocsf/vulnerability-finding-2002-inspector.json', /Vulnerability Finding is not an alert/],
    ['ocsf/compliance-finding-2003-sechub-pci.json', /Compliance Finding is not an alert/],
  ])('rejects %s at class_uid', (file, message) => {
    const [o] = run(file);
    expect(errorOf(o).path).toBe('class_uid');
    expect(errorOf(o).message).toMatch(message);
  });
});
