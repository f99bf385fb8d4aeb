import { type AdapterOutcome, type AlertSource } from '../canonical';
import {
  type EnvelopeItem,
  fail,
  isJson,
  isReject,
  joinPath,
  MappingError,
  ok,
  type UnwrapResult,
  type VendorAdapter,
} from './adapter.kit';
import { validateCanonicalInput } from './canonical.adapter';
import { crowdstrikeAdapter } from './crowdstrike.adapter';
import { defenderAdapter } from './defender.adapter';
import { elasticAdapter } from './elastic.adapter';
import { gcpSccAdapter } from './gcp-scc.adapter';
import { googleSecopsAdapter } from './google-secops.adapter';
import { guarddutyAdapter } from './guardduty.adapter';
import { ocsfAdapter } from './ocsf.adapter';
import { securityHubAdapter } from './security-hub.adapter';
import { sentinelAdapter } from './sentinel.adapter';
import { splunkAdapter } from './splunk.adapter';
import { wazuhAdapter } from './wazuh.adapter';

/**
 * The adapter registry: vendor payload → one AdapterOutcome per alert it contains. Pure.
 *
 * `adaptPayload` splits bare arrays (any source, nested arrays too), lets the vendor adapter unwrap
 * its envelopes (Graph `value`, Splunk `results`/`result`, ASFF/GuardDuty `Findings`, Pub/Sub
 * `receivedMessages`, ...), then maps each alert. Errors carry the path inside the submitted
 * payload (`value[3].createdDateTime`); a failing element never affects its siblings. An envelope
 * holding no alerts yields no outcomes.
 */

export { validateCanonicalInput } from './canonical.adapter';
export { parseSplunkRaw } from './splunk.adapter';

const ADAPTERS: Record<Exclude<AlertSource, 'canonical'>, VendorAdapter> = {
  sentinel: sentinelAdapter,
  defender: defenderAdapter,
  elastic: elasticAdapter,
  splunk: splunkAdapter,
  wazuh: wazuhAdapter,
  crowdstrike: crowdstrikeAdapter,
  google_secops: googleSecopsAdapter,
  guardduty: guarddutyAdapter,
  security_hub: securityHubAdapter,
  gcp_scc: gcpSccAdapter,
  ocsf: ocsfAdapter,
};

/** The vendor adapter of a source (undefined for `canonical`, which is validated, not mapped). */
export function adapterFor(source: AlertSource): VendorAdapter | undefined {
  return source === 'canonical' ? undefined : ADAPTERS[source];
}

const MAX_ARRAY_DEPTH = 4;

function split(adapter: VendorAdapter, payload: unknown, path: string, depth: number): UnwrapResult[] {
  if (Array.isArray(payload)) {
    if (depth >= MAX_ARRAY_DEPTH) return [{ path, error: 'arrays nested too deeply' }];
    return payload.flatMap((el, i) => split(adapter, el, joinPath(path, `[${i}]`), depth + 1));
  }
  if (!isJson(payload)) {
    return [{ path, error: `alert must be a JSON object, got ${payload === null ? 'null' : typeof payload}` }];
  }
  return adapter.unwrap(payload, path);
}

function mapItem(adapter: VendorAdapter, item: EnvelopeItem): AdapterOutcome {
  if (!isJson(item.value)) {
    const got = Array.isArray(item.value) ? 'an array' : item.value === null ? 'null' : typeof item.value;
    return fail(item.path, `alert must be a JSON object, got ${got}`);
  }
  try {
    return ok(adapter.map({ ...item, value: item.value }));
  } catch (err) {
    if (err instanceof MappingError) return fail(err.path, err.message);
    // A bug in an adapter must not take the whole batch down; report it against the element.
    const message = err instanceof Error ? err.message : String(err);
    return fail(item.path, `could not map this ${adapter.source} alert: ${message}`);
  }
}

/** One outcome per alert in `payload`, in payload order. */
export function adaptPayload(source: AlertSource, payload: unknown): AdapterOutcome[] {
  if (source === 'canonical') {
    if (Array.isArray(payload)) return payload.map((p, i) => validateCanonicalInput(p, `[${i}]`));
    return [validateCanonicalInput(payload)];
  }
  const adapter = ADAPTERS[source];
  if (!adapter) return [fail('', `unknown alert source ${JSON.stringify(source)}`)];
  return split(adapter, payload, '', 0).map((r) => (isReject(r) ? fail(r.path, r.error) : mapItem(adapter, r)));
}

/**
 * Detection order: the most specific structural markers first (envelopes and vendor-only fields),
 * the loosest last. Canonical input is recognised by its own camelCase field names.
 */
const DETECTION_ORDER: ReadonlyArray<Exclude<AlertSource, 'canonical'>> = [
  'gcp_scc',
  'security_hub',
  'guardduty',
  'ocsf',
  'crowdstrike',
  'google_secops',
  'splunk',
  'wazuh',
  'elastic',
  'sentinel',
  'defender',
];

function isCanonicalLike(o: Record<string, unknown>): boolean {
  return typeof o.alertId === 'string' && o.title !== undefined && o.timestamp !== undefined;
}

/** Best-effort guess of a payload's source from its structure (arrays: the first element). */
export function detectSource(payload: unknown): AlertSource | undefined {
  let p = payload;
  for (let i = 0; i < MAX_ARRAY_DEPTH && Array.isArray(p); i++) p = p[0];
  if (!isJson(p)) return undefined;
  if (isCanonicalLike(p)) return 'canonical';
  for (const source of DETECTION_ORDER) {
    try {
      if (ADAPTERS[source].detect(p)) return source;
    } catch {
      // detection is best effort
    }
  }
  return undefined;
}

