/**
 * Vendor timestamps → ISO 8601 UTC with milliseconds. Pure.
 *
 * Accepted: ISO 8601 / RFC 3339 with any number of fractional digits (nanoseconds are truncated,
 * not rounded), `T` or space separator, `Z`, `±HH:MM`, `±HHMM` or `±HH` offsets (no offset = UTC:
 * Wazuh `scan_date`, Splunk exports), date-only (midnight UTC); epoch numbers or numeric strings
 * in seconds, milliseconds, microseconds or nanoseconds (by magnitude: OCSF `time` is specified in
 * ms but the Okta sample carries seconds). Everything else (`xyz`, `none`, RFC 2822 prose) is
 * rejected: `Date.parse` is deliberately not used because it accepts nonsense such as `"1"`.
 * Instants before 1990 or after 9999 are rejected too: a 1970 alert time is a zeroed placeholder
 * (`time: 0`, `"1"`), never a real detection.
 */

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC_RE = /^-?\d+(?:\.\d+)?$/;

/** Earliest and latest instants we accept (guards against placeholder and garbage epochs). */
const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function fromEpoch(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const abs = Math.abs(n);
  let ms: number;
  if (abs < 1e11) ms = n * 1000; // seconds (until year 5138)
  else if (abs < 1e14) ms = n; // milliseconds
  else if (abs < 1e17) ms = n / 1000; // microseconds
  else ms = n / 1e6; // nanoseconds
  ms = Math.trunc(ms);
  if (ms < MIN_MS || ms > MAX_MS) return undefined;
  return new Date(ms).toISOString();
}

function fromIso(s: string): string | undefined {
  const m = ISO_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', tz] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number((frac + '000').slice(0, 3));
  let offsetMin = 0;
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMin * 60_000;
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return undefined;
  return new Date(ms).toISOString();
}

/** Returns the ISO UTC millisecond form, or undefined when `value` is not a recognisable instant. */
export function normaliseTimestamp(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (!s) return undefined;
  if (NUMERIC_RE.test(s)) return fromEpoch(Number(s));
  return fromIso(s);
}
