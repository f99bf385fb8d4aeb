import { adaptPayload, validateCanonicalInput } from '../../src/ingest/adapters';
import { errorOf } from './samples.helper';

const valid = {
  alertId: 'ext-001',
  timestamp: '2024-05-01T12:00:00+02:00',
  title: 'Suspicious PowerShell',
  severity: 'high',
  tactics: ['Execution', 'TA0005'],
  techniques: ['t1059.001', 'T1059.001', 'AML.T0051'],
  entities: [
    { type: 'host', value: 'ws-17' },
    { type: 'process', value: 'powershell.exe', properties: { commandLine: 'powershell -enc "AAA="; whoami' } },
    { type: 'ip', value: '198.51.100.7', sourceId: 'e1' },
  ],
  product: 'Acme EDR',
  vendorTenantId: 'acme-42',
};

describe('validateCanonicalInput', () => {
  it('accepts a valid alert, normalising time, tactics and techniques', () => {
    const out = validateCanonicalInput(valid);
    if (!out.ok) throw new Error(out.error.message);
    expect(out.alert).toMatchObject({
      alertId: 'ext-001',
      source: 'canonical',
      timestamp: '2024-05-01T10:00:00.000Z',
      title: 'Suspicious PowerShell',
      description: '',
      severity: 'high',
      tactics: ['execution', 'defense-evasion'],
      techniques: ['T1059.001', 'AML.T0051'],
      product: 'Acme EDR',
      vendorTenantId: 'acme-42',
    });
    expect(out.alert.entities[1].properties.commandLine).toBe('powershell -enc "AAA="; whoami');
    expect(out.alert.entities[2].sourceId).toBe('e1');
    expect(out.alert.rawPayload).toBe(valid);
    expect(out.alert.isHeartbeat).toBeUndefined();
  });

  it('fills defaults', () => {
    const out = validateCanonicalInput({ alertId: 'x', timestamp: 1714557600000, title: 't' });
    expect(out).toEqual({
      ok: true,
      alert: {
        alertId: 'x',
        source: 'canonical',
        timestamp: '2024-05-01T10:00:00.000Z',
        title: 't',
        description: '',
        severity: 'medium',
        tactics: [],
        techniques: [],
        entities: [],
        product: 'Custom',
        rawPayload: { alertId: 'x', timestamp: 1714557600000, title: 't' },
      },
    });
  });

  it.each([
    [[], '', 'alert must be a JSON object'],
    [{ ...valid, alertId: undefined }, 'alertId', 'alertId is required'],
    [{ ...valid, alertId: 12 }, 'alertId', 'alertId must be a string'],
    [{ ...valid, alertId: '  ' }, 'alertId', 'alertId must not be empty'],
    [{ ...valid, timestamp: undefined }, 'timestamp', 'timestamp is required'],
    [{ ...valid, timestamp: 'soon' }, 'timestamp', 'unparseable timestamp "soon"'],
    [{ ...valid, timestamp: { at: 1 } }, 'timestamp', 'timestamp must be an ISO 8601 string or an epoch number'],
    [{ ...valid, title: '' }, 'title', 'title must not be empty'],
    [{ ...valid, severity: 'High' }, 'severity', 'severity must be one of critical, high, medium, low, informational'],
    [{ ...valid, source: 'qradar' }, 'source', expect.stringMatching(/^source must be one of canonical, sentinel/)],
    [{ ...valid, tactics: 'Execution' }, 'tactics', 'tactics must be an array of strings'],
    [{ ...valid, tactics: ['Execution', 3] }, 'tactics[1]', 'tactics[1] must be a string'],
    [{ ...valid, techniques: ['T1059', 'Command Line'] }, 'techniques[1]', expect.stringMatching(/must be an ATT&CK or ATLAS technique id/)],
    [{ ...valid, entities: {} }, 'entities', 'entities must be an array'],
    [{ ...valid, entities: [valid.entities[0], 'host'] }, 'entities[1]', 'entity must be an object'],
    [{ ...valid, entities: [{ type: 'server', value: 'a' }] }, 'entities[0].type', expect.stringMatching(/^type must be one of account, host, ip/)],
    [{ ...valid, entities: [{ type: 'ip' }] }, 'entities[0].value', 'value is required'],
    [{ ...valid, entities: [{ type: 'ip', value: '999.1.1.1' }] }, 'entities[0].value', 'value is not a valid ip'],
    [{ ...valid, entities: [{ type: 'host', value: 'h', properties: [] }] }, 'entities[0].properties', 'properties must be an object'],
    [{ ...valid, description: 5 }, 'description', 'description must be a string'],
    [{ ...valid, isHeartbeat: 'yes' }, 'isHeartbeat', 'isHeartbeat must be a boolean'],
    [{ ...valid, rawPayload: 'x' }, 'rawPayload', 'rawPayload must be an object'],
  ])('rejects %#: %s', (input, path, message) => {
    expect(errorOf(validateCanonicalInput(input))).toEqual({ code: 'BAD_USER_INPUT', path, message });
  });

  it('sanitises entity values and accepts an explicit source and heartbeat flag', () => {
    const out = validateCanonicalInput({ ...valid, source: 'sentinel', isHeartbeat: true, entities: [{ type: 'account', value: "bob'; DROP TABLE users;--" }] });
    if (!out.ok) throw new Error(out.error.message);
    expect(out.alert.source).toBe('sentinel');
    expect(out.alert.isHeartbeat).toBe(true);
    expect(out.alert.entities[0].value).toBe('bob DROP TABLE users--');
  });

  it('through adaptPayload: one outcome per element, paths prefixed by the index', () => {
    const outcomes = adaptPayload('canonical', [valid, { ...valid, severity: 'urgent' }]);
    expect(outcomes[0].ok).toBe(true);
    expect(errorOf(outcomes[1]).path).toBe('[1].severity');
    expect(adaptPayload('canonical', valid)).toHaveLength(1);
  });
});
