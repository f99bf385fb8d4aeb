import { ALERT_SOURCES, SEVERITIES } from '../../src/ingest/canonical';
import { AlertSeverity, AlertSource, InvestigationStateEnum } from '../../src/modules/investigations/investigation.type';

describe('investigation API vocabularies', () => {
  it('AlertSource and AlertSeverity carry exactly the ingest vocabularies', () => {
    expect(Object.values(AlertSource).sort()).toEqual([...ALERT_SOURCES].sort());
    expect(Object.values(AlertSeverity).sort()).toEqual([...SEVERITIES].sort());
  });

  it('InvestigationState has the 8 states of spec §3.1', () => {
    expect(Object.values(InvestigationStateEnum)).toEqual([
      'received', 'parsing', 'enriching', 'reasoning', 'awaiting_human', 'responding', 'closed', 'failed',
    ]);
  });
});
