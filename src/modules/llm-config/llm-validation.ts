import type { FieldError } from '../../errors/domain-error';

const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const LATENCY_SLO = /^\d{1,6}(ms|s|m|h)$/;

/** Collects field errors of one input; `path` prefixes every field (e.g. `input`). */
export class FieldErrors {
  readonly list: FieldError[] = [];
  constructor(private readonly prefix: string) {}

  add(field: string, message: string): void {
    this.list.push({ path: `${this.prefix}.${field}`, message });
  }

  check(ok: boolean, field: string, message: string): void {
    if (!ok) this.add(field, message);
  }
}

export function isProviderId(v: string): boolean {
  return PROVIDER_ID.test(v);
}

export function isModelId(v: string): boolean {
  return MODEL_ID.test(v);
}

export function isLatencySlo(v: string): boolean {
  return LATENCY_SLO.test(v);
}

/** '' or an absolute http(s) URL of at most 2,048 characters. */
export function isBaseUrl(v: string): boolean {
  if (v === '') return true;
  if (v.length > 2048) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** '' (remove) or 16–512 characters without whitespace. */
export function isApiKeyShape(v: string): boolean {
  return v === '' || (v.length >= 16 && v.length <= 512 && !/\s/.test(v));
}

/** A display name: not blank, at most 200 characters. */
export function isDisplayName(v: string): boolean {
  return v.trim().length > 0 && v.length <= 200;
}
