import type { FieldError } from '../../errors/domain-error';

/**
 * Secret handling for connector `config` JSON (pure). Values under keys that name a secret are never
 * echoed: GraphQL output shows them as `********`. On update, a `********` value under a secret key means
 * "keep the stored secret", so a client can send back the (masked) config it read without wiping secrets.
 */

export const MASK = '********';

/** Key names treated as secrets (case-insensitive, anywhere in the key; over-masking is the safe side). */
export const SECRET_KEY = /secret|passw(or)?d|passphrase|token|api[-_]?key|credential|private[-_]?key|connection[-_]?string|sas[-_]?key|auth(orization)?[-_]?header|cookie/i;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of `value` with every non-empty value under a secret-named key replaced by `********`. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== null && v !== '' ? MASK : maskSecrets(v);
  }
  return out;
}

/**
 * Replaces `********` placeholders under secret keys in an incoming config by the stored values at the
 * same path. A placeholder with nothing stored behind it is a field error (the secret would be lost).
 */
export function restoreMaskedSecrets(incoming: unknown, stored: unknown, path: string, errors: FieldError[]): unknown {
  if (Array.isArray(incoming)) {
    const prev = Array.isArray(stored) ? stored : [];
    return incoming.map((v, i) => restoreMaskedSecrets(v, prev[i], `${path}[${i}]`, errors));
  }
  if (!isPlainObject(incoming)) return incoming;
  const prev = isPlainObject(stored) ? stored : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(incoming)) {
    const p = `${path}.${k}`;
    if (SECRET_KEY.test(k) && v === MASK) {
      if (prev[k] === undefined || prev[k] === null || prev[k] === '') errors.push({ path: p, message: 'masked value but no stored secret to keep' });
      out[k] = prev[k];
    } else {
      out[k] = restoreMaskedSecrets(v, prev[k], p, errors);
    }
  }
  return out;
}
