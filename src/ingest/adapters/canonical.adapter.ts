import {
  type AdapterOutcome,
  ALERT_SOURCES,
  type AlertSource,
  DEFAULT_SEVERITY,
  ENTITY_TYPES,
  isAlertSource,
  isEntityType,
  isSeverity,
  SEVERITIES,
  type Severity,
} from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { MitreCollector, techniqueIdsIn } from '../normalise/mitre.normaliser';
import { normaliseTimestamp } from '../normalise/timestamp.normaliser';
import { buildAlert, fail, isJson, type Json, joinPath, ok } from './adapter.kit';

/**
 * Validation of a CanonicalAlert-like object submitted directly (`ingestAlert`, source `canonical`).
 * Strict on types and vocabularies, with the field path of the first problem:
 * - required: `alertId` (non-empty string), `timestamp` (ISO 8601 or epoch; normalised to UTC ms),
 *   `title` (non-empty string);
 * - `severity` one of the five lower-case SeverityLevels (spec §3.6 vocabularies are
 *   case-sensitive), default medium;
 * - `source` one of ALERT_SOURCES, default `canonical` (a caller may say which vendor it mapped);
 * - `tactics` strings (normalised like vendor tactics); `techniques` strings that are ATT&CK/ATLAS
 *   ids (anything else is rejected: deny-by-default starts here);
 * - `entities[]` of {type: one of the 15 EntityTypes, value: non-empty string, properties?: object,
 *   sourceId?: string}, sanitised per §4.5 (an entity whose value fails its format check, e.g. an
 *   invalid IP, is rejected with its path rather than silently dropped);
 * - `description`, `product` (default `Custom`), `vendorTenantId` strings; `isHeartbeat` boolean;
 *   `rawPayload` object (default: the submitted object itself). Unknown keys are ignored.
 */

const TECHNIQUE_ID = /^(AML\.T\d{4}(\.\d{3})?|T\d{4}(\.\d{3})?)$/i;

class InputError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function requiredString(o: Json, key: string, base: string): string {
  const v = o[key];
  if (v === undefined || v === null) throw new InputError(joinPath(base, key), `${key} is required`);
  if (typeof v !== 'string') throw new InputError(joinPath(base, key), `${key} must be a string`);
  if (!v.trim()) throw new InputError(joinPath(base, key), `${key} must not be empty`);
  return v.trim();
}

function optionalString(o: Json, key: string, base: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InputError(joinPath(base, key), `${key} must be a string`);
  return v;
}

function stringArray(o: Json, key: string, base: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InputError(joinPath(base, key), `${key} must be an array of strings`);
  return v.map((x, i) => {
    if (typeof x !== 'string') throw new InputError(joinPath(base, `${key}[${i}]`), `${key}[${i}] must be a string`);
    return x;
  });
}

function validate(input: unknown, base: string): AdapterOutcome {
  if (!isJson(input)) throw new InputError(base, 'alert must be a JSON object');
  const o = input;
  const alertId = requiredString(o, 'alertId', base);
  const rawTs = o.timestamp;
  if (rawTs === undefined || rawTs === null) throw new InputError(joinPath(base, 'timestamp'), 'timestamp is required');
  if (typeof rawTs !== 'string' && typeof rawTs !== 'number') {
    throw new InputError(joinPath(base, 'timestamp'), 'timestamp must be an ISO 8601 string or an epoch number');
  }
  const timestamp = normaliseTimestamp(rawTs);
  if (!timestamp) throw new InputError(joinPath(base, 'timestamp'), `unparseable timestamp ${JSON.stringify(rawTs)}`);
  const title = requiredString(o, 'title', base);
  const description = optionalString(o, 'description', base) ?? '';

  let severity: Severity = DEFAULT_SEVERITY;
  if (o.severity !== undefined && o.severity !== null) {
    if (!isSeverity(o.severity)) {
      throw new InputError(joinPath(base, 'severity'), `severity must be one of ${SEVERITIES.join(', ')}`);
    }
    severity = o.severity;
  }

  let source: AlertSource = 'canonical';
  if (o.source !== undefined && o.source !== null) {
    if (!isAlertSource(o.source)) throw new InputError(joinPath(base, 'source'), `source must be one of ${ALERT_SOURCES.join(', ')}`);
    source = o.source;
  }

  const mitre = new MitreCollector();
  mitre.tactic(stringArray(o, 'tactics', base));
  stringArray(o, 'techniques', base).forEach((t, i) => {
    if (!TECHNIQUE_ID.test(t.trim())) {
      throw new InputError(joinPath(base, `techniques[${i}]`), `techniques[${i}] must be an ATT&CK or ATLAS technique id (T1059.001, AML.T0051)`);
    }
    mitre.technique(techniqueIdsIn(t.trim()));
  });

  const entities = new EntityCollector();
  if (o.entities !== undefined && o.entities !== null) {
    if (!Array.isArray(o.entities)) throw new InputError(joinPath(base, 'entities'), 'entities must be an array');
    o.entities.forEach((e, i) => {
      const p = joinPath(base, `entities[${i}]`);
      if (!isJson(e)) throw new InputError(p, 'entity must be an object');
      if (!isEntityType(e.type)) throw new InputError(joinPath(p, 'type'), `type must be one of ${ENTITY_TYPES.join(', ')}`);
      const value = requiredString(e, 'value', p);
      if (e.properties !== undefined && e.properties !== null && !isJson(e.properties)) {
        throw new InputError(joinPath(p, 'properties'), 'properties must be an object');
      }
      const sourceId = optionalString(e, 'sourceId', p);
      // Values are sanitised; a command line belongs in properties.commandLine (kept verbatim).
      const added = entities.add(e.type, value, isJson(e.properties) ? e.properties : {}, { sourceId });
      if (!added) throw new InputError(joinPath(p, 'value'), `value is not a valid ${e.type}`);
    });
  }

  const product = optionalString(o, 'product', base)?.trim() || 'Custom';
  const vendorTenantId = optionalString(o, 'vendorTenantId', base);
  if (o.isHeartbeat !== undefined && o.isHeartbeat !== null && typeof o.isHeartbeat !== 'boolean') {
    throw new InputError(joinPath(base, 'isHeartbeat'), 'isHeartbeat must be a boolean');
  }
  if (o.rawPayload !== undefined && o.rawPayload !== null && !isJson(o.rawPayload)) {
    throw new InputError(joinPath(base, 'rawPayload'), 'rawPayload must be an object');
  }
  return ok(
    buildAlert({
      alertId,
      source,
      timestamp,
      title,
      description,
      severity,
      tactics: mitre.tactics,
      techniques: mitre.techniques,
      entities: entities.list(),
      product,
      vendorTenantId,
      isHeartbeat: o.isHeartbeat === true,
      rawPayload: isJson(o.rawPayload) ? o.rawPayload : o,
    }),
  );
}

/** Validates one CanonicalAlert-like input; `basePath` prefixes error paths (e.g. `[2]`). */
export function validateCanonicalInput(input: unknown, basePath = ''): AdapterOutcome {
  try {
    return validate(input, basePath);
  } catch (err) {
    if (err instanceof InputError) return fail(err.path, err.message);
    throw err;
  }
}
