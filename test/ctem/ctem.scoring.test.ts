import { createHash } from 'node:crypto';
import {
  EXPOSURE_TRANSITIONS,
  PHYSICAL_CONSEQUENCES,
  ZONE_CONSEQUENCES,
  adjustedScore,
  canTransition,
  consequenceForZone,
  ctemScore,
  detectionRate,
  exposureKey,
  isStale,
  levelForScore,
  mergedSlaDeadline,
  scoreExposure,
  severityFor,
  slaDeadline,
  slaStatus,
  triagePriority,
} from '../../src/modules/ctem/ctem.scoring';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const H = 3_600_000;

describe('CTEM scoring (spec §4.1)', () => {
  it('TC-CTM-001: Wiz CRITICAL in Zone1_EdgeInference → CRITICAL, equipment, 0.9', () => {
    const s = scoreExposure({ originalSeverity: 'CRITICAL', assetZone: 'Zone1_EdgeInference' });
    expect(s).toEqual({
      severity: 'CRITICAL',
      exploitabilityLevel: 'high',
      exploitabilityScore: 0.9,
      physicalConsequence: 'equipment',
      ctemScore: 7.2,
    });
  });

  it('applies every cell of the severity matrix; a missing key gives MEDIUM', () => {
    const expected: Record<string, string[]> = {
      high: ['CRITICAL', 'CRITICAL', 'HIGH', 'MEDIUM'],
      medium: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'],
      low: ['HIGH', 'MEDIUM', 'LOW', 'LOW'],
    };
    for (const [level, row] of Object.entries(expected)) {
      PHYSICAL_CONSEQUENCES.forEach((c, i) => expect([level, c, severityFor(level, c)]).toEqual([level, c, row[i]]));
    }
    expect(severityFor('extreme', 'equipment')).toBe('MEDIUM');
    expect(severityFor('high', 'reputation')).toBe('MEDIUM');
  });

  it('computes ctem_score = round(score × weight × 10, 2) with data_loss as the default weight', () => {
    expect(ctemScore(0.9, 'safety_life')).toBe(9);
    expect(ctemScore(0.9, 'equipment')).toBe(7.2);
    expect(ctemScore(0.5, 'downtime')).toBe(2.5);
    expect(ctemScore(0.2, 'data_loss')).toBe(0.6);
    expect(ctemScore(0.333, 'equipment')).toBe(2.66);
    expect(ctemScore(0.5, 'unknown')).toBe(1.5);
    expect(ctemScore(1, 'safety_life')).toBe(10);
    expect(ctemScore(0, 'safety_life')).toBe(0);
  });

  it('sets SLA deadlines by severity (unknown → 720 h)', () => {
    expect(slaDeadline('CRITICAL', NOW).getTime() - NOW.getTime()).toBe(24 * H);
    expect(slaDeadline('HIGH', NOW).getTime() - NOW.getTime()).toBe(72 * H);
    expect(slaDeadline('MEDIUM', NOW).getTime() - NOW.getTime()).toBe(336 * H);
    expect(slaDeadline('LOW', NOW).getTime() - NOW.getTime()).toBe(720 * H);
    expect(slaDeadline('WHATEVER', NOW).getTime() - NOW.getTime()).toBe(720 * H);
  });

  it('derives the exposure key from sha256("{tool}:{title}:{asset}")', () => {
    const key = exposureKey('wiz', 'Public S3 bucket', 'arn:aws:s3:::x');
    expect(key).toBe(createHash('sha256').update('wiz:Public S3 bucket:arn:aws:s3:::x').digest('hex').slice(0, 16));
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(exposureKey('wiz', 'Public S3 bucket', 'arn:aws:s3:::y')).not.toBe(key);
    // UTF-8, not Latin-1
    expect(exposureKey('snyk', 'Übergroße Datei', 'a')).toBe(
      createHash('sha256').update(Buffer.from('snyk:Übergroße Datei:a', 'utf8')).digest('hex').slice(0, 16),
    );
  });

  it('maps every zone of the zone table to its consequence; unknown zones → data_loss', () => {
    for (const [consequence, zones] of Object.entries(ZONE_CONSEQUENCES)) {
      for (const z of zones) expect([z, consequenceForZone(z)]).toEqual([z, consequence]);
    }
    expect(Object.values(ZONE_CONSEQUENCES).flat()).toHaveLength(30);
    expect(consequenceForZone('Zone0_Safety')).toBe('safety_life');
    expect(consequenceForZone('Zone2_SCADA')).toBe('downtime');
    expect(consequenceForZone('Zone3_5_DMZ')).toBe('data_loss');
    expect(consequenceForZone('Mars_Base')).toBe('data_loss');
  });

  it('derives exploitability from level, score or vendor severity in that order', () => {
    expect(scoreExposure({ originalSeverity: 'LOW', assetZone: 'Zone0_Safety', exploitabilityLevel: 'high' })).toMatchObject({
      severity: 'CRITICAL',
      exploitabilityScore: 0.9,
      ctemScore: 9,
    });
    expect(scoreExposure({ originalSeverity: 'CRITICAL', assetZone: 'Zone2_HMI', exploitabilityScore: 0.4 })).toMatchObject({
      exploitabilityLevel: 'medium',
      severity: 'MEDIUM',
      physicalConsequence: 'downtime',
      ctemScore: 2,
    });
    expect(scoreExposure({ originalSeverity: 'INFORMATIONAL', assetZone: 'Zone4_External' })).toMatchObject({
      exploitabilityLevel: 'low',
      exploitabilityScore: 0.2,
      severity: 'LOW',
    });
    expect(scoreExposure({ originalSeverity: 'MEDIUM', assetZone: 'Zone4_External', physicalConsequence: 'safety_life' })).toMatchObject({
      severity: 'CRITICAL',
      physicalConsequence: 'safety_life',
      ctemScore: 5,
    });
    expect([levelForScore(0.7), levelForScore(0.69), levelForScore(0.3), levelForScore(0.29)]).toEqual(['high', 'medium', 'medium', 'low']);
  });

  it('reports SLA status BREACHED / AT_RISK / ON_TRACK / NONE', () => {
    expect(slaStatus(new Date(NOW.getTime() - 1), 'Open', NOW)).toBe('BREACHED');
    expect(slaStatus(new Date(NOW.getTime() + 23 * H), 'InProgress', NOW)).toBe('AT_RISK');
    expect(slaStatus(new Date(NOW.getTime() + 24 * H), 'Open', NOW)).toBe('ON_TRACK');
    expect(slaStatus(null, 'Open', NOW)).toBe('NONE');
    expect(slaStatus(new Date(NOW.getTime() - H), 'Verified', NOW)).toBe('NONE');
    expect(slaStatus(new Date(NOW.getTime() - H), 'FixDeployed', NOW)).toBe('NONE');
  });

  it('flags data older than 24 h as stale', () => {
    expect(isStale(new Date(NOW.getTime() - 25 * H), NOW)).toBe(true);
    expect(isStale(new Date(NOW.getTime() - 23 * H), NOW)).toBe(false);
  });

  it('TC-CTM-016: score 6.0 with a runtime alert → 9.0', () => {
    expect(adjustedScore(6, true)).toBe(9);
    expect(adjustedScore(6, false)).toBe(6);
  });

  it('TC-CTM-017: 3 red-team tests, 2 detected → 66.7%', () => {
    expect(detectionRate([{ detectionEvaded: false }, { detectionEvaded: true }, { detectionEvaded: false }])).toBe(66.7);
    expect(detectionRate([])).toBe(0);
  });

  it('TC-CTM-020: triage ordering gives priorities 1, 2, 3, 4, 6', () => {
    const items = [
      { name: 'medium', severity: 'MEDIUM', breached: true },
      { name: 'high-runtime', severity: 'HIGH', breached: false, runtimeAlert: true },
      { name: 'critical', severity: 'CRITICAL', breached: false },
      { name: 'high-breached', severity: 'HIGH', breached: true },
      { name: 'critical-breached', severity: 'CRITICAL', breached: true },
    ];
    const ranked = items.map((i) => ({ name: i.name, p: triagePriority(i) })).sort((a, b) => a.p - b.p);
    expect(ranked.map((r) => r.p)).toEqual([1, 2, 3, 4, 6]);
    expect(ranked.map((r) => r.name)).toEqual(['critical-breached', 'critical', 'high-breached', 'high-runtime', 'medium']);
    expect(triagePriority({ severity: 'HIGH', breached: false })).toBe(5);
    expect(triagePriority({ severity: 'LOW', breached: true })).toBe(7);
  });

  it('allows only the forward status path and never reopens Verified/Closed', () => {
    expect(canTransition('Open', 'InProgress')).toBe(true);
    expect(canTransition('InProgress', 'FixDeployed')).toBe(true);
    expect(canTransition('FixDeployed', 'Verified')).toBe(true);
    expect(canTransition('FixDeployed', 'InProgress')).toBe(true);
    expect(canTransition('Verified', 'Closed')).toBe(true);
    expect(canTransition('Open', 'Verified')).toBe(false);
    for (const to of Object.keys(EXPOSURE_TRANSITIONS)) {
      expect(canTransition('Closed', to)).toBe(false);
      if (to !== 'Closed') expect(canTransition('Verified', to)).toBe(false);
    }
  });

  it('never extends an SLA deadline on re-sighting, but shortens it on escalation', () => {
    const existing = new Date(NOW.getTime() + 10 * H);
    expect(mergedSlaDeadline(existing, 'LOW', NOW)).toEqual(existing);
    const far = new Date(NOW.getTime() + 700 * H);
    expect(mergedSlaDeadline(far, 'CRITICAL', NOW)).toEqual(new Date(NOW.getTime() + 24 * H));
    expect(mergedSlaDeadline(null, 'HIGH', NOW)).toEqual(new Date(NOW.getTime() + 72 * H));
  });
});
