import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MispEventError, mispAttributeValues, parseMispEvent } from '../../src/modules/threat-intel/misp-event';

const SAMPLES = path.resolve(__dirname, '../../../shared/data/samples/misp');
const sample = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(SAMPLES, name), 'utf8'));

describe('parseMispEvent on the shared samples', () => {
  it('maps the Xorist event: hashes, file name, regkey|value; skips link/comment/text', () => {
    const r = parseMispEvent(sample('misp-event-xorist-ransomware.json'));
    expect(r.examined).toBe(9);
    expect(r.candidates.map((c) => [c.type, c.value])).toEqual([
      ['file_name', '3Z4wnG9603it23y.exe'],
      ['md5', '0749bae92ca336a02c83d126e04ec628'],
      ['sha1', '77b0c41b7d340b8a3d903f21347bbf06aa766b5b'],
      ['sha256', 'b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68'],
      ['registry_key', 'Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Run'],
    ]);
    const md5 = r.candidates[1];
    expect(md5).toMatchObject({
      confidence: 75,
      severity: 'low',
      campaigns: ['Ransomware - Xorist'],
      sources: ['misp:57c4445b-c548-4654-af0b-4be3950d210f'],
      context: 'Imported via the Freetext Import Tool',
    });
    expect(md5.tags).toEqual(expect.arrayContaining(['tlp:white', 'ms-caro-malware:malware-type="Ransom"']));
    expect(md5.firstSeen?.toISOString()).toBe('2016-08-29T00:00:00.000Z');
    expect(r.skipped.map((s) => s.reason).sort()).toEqual([
      'attribute type comment is not an indicator type',
      'attribute type link is not an indicator type',
      'attribute type link is not an indicator type',
      'attribute type text is not an indicator type',
    ]);
  });

  it('reads Object[].Attribute[] (ip-port objects), galaxy tags and to_ids=false confidence', () => {
    const r = parseMispEvent(sample('misp-event-qakbot-emotet-objects.json'));
    expect(r.examined).toBe(48 + 48);
    const ips = r.candidates.filter((c) => c.type === 'ipv4').map((c) => c.value);
    expect(ips).toContain('64.183.173.170'); // only inside an ip-port object
    expect(ips).toContain('104.236.252.178'); // a top-level attribute
    expect(r.skipped.filter((s) => s.reason === 'attribute type port is not an indicator type')).toHaveLength(24);
    const regkey = r.candidates.find((c) => c.type === 'registry_key' && c.value === 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run');
    expect(regkey?.confidence).toBe(40); // to_ids false
    expect(r.candidates[0].campaigns).toEqual([
      'OSINT - Mitigating and eliminating info-stealing Qakbot and Emotet in corporate networks',
      'Emotet',
      'Qakbot',
    ]);
    expect(r.candidates.find((c) => c.value === '%APPDATA%\\Microsoft\\Cexpalgxx\\Cexpalgxx.exe')?.type).toBe('file_path');
  });

  it('takes last_seen from sightings and hostnames/domains as such (bare event accepted)', () => {
    const ursnif = parseMispEvent(sample('misp-event-ursnif-sightings.json').Event);
    const d = ursnif.candidates.find((c) => c.value === 'diqjwhebseqhbasdh.com');
    expect(d?.type).toBe('domain');
    expect(d?.lastSeen?.toISOString()).toBe(new Date(1551253976 * 1000).toISOString());
    expect(d?.campaigns).toEqual(['Ursnif, MALWAREMESSIAGH', 'Gozi']);
    const sun = parseMispEvent(sample('misp-event-sunorcal-osint.json'));
    expect(sun.candidates.filter((c) => c.type === 'hostname').map((c) => c.value)).toEqual([
      'www.fyoutside.com',
      'www.tashdqdxp.com',
      'www.weryhstui.com',
      'www.olinaodi.com',
    ]);
    expect(sun.candidates.find((c) => c.value === '104.148.70.217')?.context).toBe('C2');
  });

  it('maps ATT&CK galaxy tags to techniques, actor galaxies to groups, threat level to severity', () => {
    const r = parseMispEvent({
      uuid: 'e1',
      info: 'Test',
      threat_level_id: '1',
      Tag: [{ name: 'misp-galaxy:mitre-attack-pattern="Command and Scripting Interpreter - T1059"' }, { name: 'misp-galaxy:threat-actor="Sofacy"' }],
      Attribute: [
        { uuid: 'a1', type: 'ip-dst|port', value: '203.0.113.9|443', to_ids: true },
        { uuid: 'a2', type: 'filename|sha256', value: 'x.exe|' + 'A'.repeat(64), to_ids: true },
        { uuid: 'a3', type: 'email-src', value: 'Bad@Example.COM', to_ids: false },
        { uuid: 'a4', type: 'md5', value: 'nothex', to_ids: true },
        { uuid: 'a5', type: 'domain', value: 'gone.example', deleted: true },
      ],
    });
    expect(r.candidates.map((c) => [c.type, c.value])).toEqual([
      ['ipv4', '203.0.113.9'],
      ['sha256', 'a'.repeat(64)],
      ['email', 'bad@example.com'],
    ]);
    expect(r.candidates[0]).toMatchObject({ techniques: ['T1059'], groups: ['Sofacy'], severity: 'high', sources: ['misp:e1'] });
    expect(r.skipped.map((s) => s.ref)).toEqual(['a4', 'a5']);
    expect(mispAttributeValues('domain|ip', 'a.example|10.1.2.3')).toEqual([
      { type: 'domain', value: 'a.example' },
      { type: 'ipv4', value: '10.1.2.3' },
    ]);
  });

  it('rejects documents that are not MISP events', () => {
    expect(() => parseMispEvent([1, 2])).toThrow(MispEventError);
    expect(() => parseMispEvent({ foo: 1 })).toThrow(MispEventError);
  });
});
