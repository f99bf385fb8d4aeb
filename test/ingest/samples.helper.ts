import * as fs from 'node:fs';
import * as path from 'node:path';
import { type AdapterOutcome, type CanonicalAlert, type EntityType, type VendorEntity } from '../../src/ingest/canonical';

export const SAMPLES_DIR = path.resolve(__dirname, '../../../shared/data/samples');

export function loadSample(rel: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(SAMPLES_DIR, rel), 'utf8'));
}

export function sampleFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(SAMPLES_DIR, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

export function alertsOf(outcomes: AdapterOutcome[]): CanonicalAlert[] {
  return outcomes.map((o, i) => {
    if (!o.ok) throw new Error(`outcome ${i} failed: ${o.error.path}: ${o.error.message}`);
    return o.alert;
  });
}

export function onlyAlert(outcomes: AdapterOutcome[]): CanonicalAlert {
  expect(outcomes).toHaveLength(1);
  return alertsOf(outcomes)[0];
}

export function entity(alert: CanonicalAlert, type: EntityType, value: string): VendorEntity {
  const found = alert.entities.find((e) => e.type === type && e.value === value);
  if (!found) {
    const have = alert.entities.map((e) => `${e.type}:${e.value}`).join(', ');
    throw new Error(`no ${type} entity ${JSON.stringify(value)}; have: ${have}`);
  }
  return found;
}

export function values(alert: CanonicalAlert, type: EntityType): string[] {
  return alert.entities.filter((e) => e.type === type).map((e) => e.value);
}

export function errorOf(outcome: AdapterOutcome): { path: string; message: string } {
  if (outcome.ok) throw new Error(`expected an error, got alert ${outcome.alert.alertId}`);
  expect(outcome.error.code).toBe('BAD_USER_INPUT');
  return outcome.error;
}
