/**
 * The FP short-circuit matcher (spec §4.3). Pure and synchronous; the caller loads the tenant's
 * patterns and active kill switches and compiles the patterns once (`compileFpPatterns`).
 *
 * Order (spec §4.3):
 * 0. Safety-relevant alerts never match (spec §4.4: never `false_positive`).
 * 1. An active kill switch on the tenant, one of the alert's techniques or its datasource → no match.
 * 2./3. Only patterns in `approved` or `active` status (never `shadow`, `pending_review`, …), with
 *    `autoClose` on and not past their expiry date.
 * 4. A pattern with its own kill switch is skipped.
 * 5. Blast-radius scope: scopeRuleFamily / scopeTenantId / scopeAssetClass must equal the alert's value
 *    when set (an empty field matches everything; an alert without the value does not match a scoped
 *    pattern).
 * 6. alert_score = 1 if `alertNameRegex` matches the title (case-insensitive, anchored at the start);
 *    entity_score = share of entity patterns matched by some alert entity of the pattern's type
 *    (`valueRegex`: case-insensitive search; `valueCidr`: IPv4/IPv6 subnet membership);
 *    confidence = (alert_score + entity_score) / 2, or alert_score without entity patterns.
 * 7. Match when confidence ≥ max(pattern threshold (default 0.90), `minThreshold` (drift: 0.95)).
 *    Several matches: highest confidence wins, then the lower pattern id.
 *
 * Regex safety: pattern regexes go through the governance validator (`validateRegex`: length ≤ 500,
 * compiles, no nested quantifiers or backreferences); one that fails is never evaluated (the pattern
 * is skipped with a reason). Inputs are capped (title 1,024 chars, entity values 2,048, 200 entities).
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { FieldError } from '../../errors/domain-error';
import { isCidr, validateRegex } from '../../modules/fp-patterns/fp-pattern.validation';

export const DEFAULT_FP_THRESHOLD = 0.9;
const MAX_TITLE_CHARS = 1024;
const MAX_ENTITY_VALUE_CHARS = 2048;
const MAX_ENTITIES = 200;
const ELIGIBLE_STATUSES = new Set(['approved', 'active']);

/** An fp_patterns row as the matcher needs it. */
export interface FpPatternInput {
  patternId: string;
  status: string;
  confidenceThreshold?: number | null;
  autoClose?: boolean;
  expiryDate?: Date | string | null;
  conditions: {
    alertNameRegex: string;
    entityPatterns?: ReadonlyArray<{ entityType: string; valueRegex?: string | null; valueCidr?: string | null }>;
  };
  scopeRuleFamily?: string | null;
  scopeTenantId?: string | null;
  scopeAssetClass?: string | null;
}

interface CompiledEntityPattern {
  entityType: string;
  regex?: RegExp;
  cidr?: { list: BlockList; text: string };
}

/** A pattern ready for matching, or the reason it can never match. */
export interface CompiledFpPattern {
  source: FpPatternInput;
  alertName?: RegExp;
  entityPatterns: CompiledEntityPattern[];
  invalid?: string;
}

/** One active kill switch (kill_switches row). */
export interface KillSwitch {
  dimension: 'tenant' | 'pattern' | 'technique' | 'datasource';
  value: string;
}

/** The alert facts the matcher reads. */
export interface FpAlertContext {
  tenantId: string;
  title: string;
  /** Data source (alert source, e.g. `sentinel`). */
  source: string;
  techniques: readonly string[];
  entities: ReadonlyArray<{ type: string; value: string }>;
  ruleFamily?: string | null;
  assetClass?: string | null;
  /** Safety-relevant alerts (spec §4.4) never short-circuit. */
  safetyRelevant: boolean;
}

export interface FpMatchOptions {
  /** Drift/autonomy-guard floor on every threshold (0.95 under drift). */
  minThreshold?: number;
  now?: Date;
}

export interface FpPatternEvaluation {
  patternId: string;
  confidence: number | null;
  threshold: number | null;
  skipped?: string;
}

export interface FpMatchResult {
  matched: boolean;
  patternId: string | null;
  confidence: number;
  threshold: number | null;
  reasons: string[];
  evaluations: FpPatternEvaluation[];
}

function parseCidr(text: string): { list: BlockList; text: string } | undefined {
  if (!isCidr(text)) return undefined;
  const [net, bits] = text.split('/');
  const list = new BlockList();
  list.addSubnet(net, Number(bits), isIPv4(net) ? 'ipv4' : 'ipv6');
  return { list, text };
}

function safeRegex(errors: FieldError[], path: string, src: string, anchored: boolean): RegExp | undefined {
  validateRegex(errors, path, src);
  if (errors.length) return undefined;
  return new RegExp(anchored ? `^(?:${src})` : src, 'i');
}

/** Compiles one pattern (never throws; an unusable pattern carries `invalid`). */
export function compileFpPattern(p: FpPatternInput): CompiledFpPattern {
  const errors: FieldError[] = [];
  const alertName = safeRegex(errors, 'conditions.alertNameRegex', p.conditions?.alertNameRegex ?? '', true);
  const entityPatterns: CompiledEntityPattern[] = [];
  (p.conditions?.entityPatterns ?? []).forEach((ep, i) => {
    const at = `conditions.entityPatterns[${i}]`;
    if (ep.valueRegex != null && ep.valueCidr == null) {
      const re = safeRegex(errors, `${at}.valueRegex`, ep.valueRegex, false);
      if (re) entityPatterns.push({ entityType: ep.entityType, regex: re });
    } else if (ep.valueCidr != null && ep.valueRegex == null) {
      const cidr = parseCidr(ep.valueCidr);
      if (cidr) entityPatterns.push({ entityType: ep.entityType, cidr });
      else errors.push({ path: `${at}.valueCidr`, message: 'is not a valid CIDR' });
    } else {
      errors.push({ path: at, message: 'exactly one of valueRegex and valueCidr' });
    }
  });
  if (errors.length) {
    return { source: p, entityPatterns: [], invalid: errors.map((e) => `${e.path}: ${e.message}`).join('; ') };
  }
  return { source: p, alertName, entityPatterns };
}

/** Compiles every pattern (cache the result per tenant and pattern version). */
export function compileFpPatterns(patterns: readonly FpPatternInput[]): CompiledFpPattern[] {
  return patterns.map(compileFpPattern);
}

function entityMatches(ep: CompiledEntityPattern, entities: FpAlertContext['entities']): boolean {
  for (const e of entities) {
    if (e.type !== ep.entityType || typeof e.value !== 'string') continue;
    const v = e.value.slice(0, MAX_ENTITY_VALUE_CHARS);
    if (ep.regex) {
      ep.regex.lastIndex = 0;
      if (ep.regex.test(v)) return true;
    } else if (ep.cidr) {
      const ip = v.trim();
      if (isIPv4(ip) && ep.cidr.list.check(ip, 'ipv4')) return true;
      if (isIPv6(ip) && ep.cidr.list.check(ip, 'ipv6')) return true;
    }
  }
  return false;
}

function scopeMismatch(p: FpPatternInput, alert: FpAlertContext): string | undefined {
  const checks: ReadonlyArray<readonly [string, string | null | undefined, string | null | undefined]> = [
    ['rule family', p.scopeRuleFamily, alert.ruleFamily],
    ['tenant', p.scopeTenantId, alert.tenantId],
    ['asset class', p.scopeAssetClass, alert.assetClass],
  ];
  for (const [name, want, have] of checks) {
    if (want && want !== (have ?? '')) return `scope ${name} ${JSON.stringify(want)} does not cover ${JSON.stringify(have ?? '')}`;
  }
  return undefined;
}

function expired(p: FpPatternInput, now: Date): boolean {
  if (!p.expiryDate) return false;
  const t = new Date(p.expiryDate).getTime();
  return Number.isFinite(t) && t <= now.getTime();
}

const noMatch = (reasons: string[], evaluations: FpPatternEvaluation[] = []): FpMatchResult => ({
  matched: false,
  patternId: null,
  confidence: 0,
  threshold: null,
  reasons,
  evaluations,
});

/** Runs the short-circuit check of spec §4.3 for one alert. */
export function matchFpPatterns(
  alert: FpAlertContext,
  patterns: readonly CompiledFpPattern[],
  killSwitches: readonly KillSwitch[] = [],
  opts: FpMatchOptions = {},
): FpMatchResult {
  if (alert.safetyRelevant) return noMatch(['safety-relevant alert: the FP short-circuit never applies']);

  const active = (dim: KillSwitch['dimension'], value: string): boolean =>
    killSwitches.some((k) => k.dimension === dim && (k.value === value || k.value === '*'));
  if (active('tenant', alert.tenantId)) return noMatch([`kill switch active for tenant ${alert.tenantId}`]);
  if (active('datasource', alert.source)) return noMatch([`kill switch active for datasource ${alert.source}`]);
  const killedTechnique = alert.techniques.find((t) => active('technique', t));
  if (killedTechnique) return noMatch([`kill switch active for technique ${killedTechnique}`]);

  const now = opts.now ?? new Date();
  const title = (alert.title ?? '').slice(0, MAX_TITLE_CHARS);
  const entities = alert.entities.slice(0, MAX_ENTITIES);
  const evaluations: FpPatternEvaluation[] = [];
  let best: { patternId: string; confidence: number; threshold: number; detail: string } | undefined;

  const sorted = [...patterns].sort((a, b) => (a.source.patternId < b.source.patternId ? -1 : a.source.patternId > b.source.patternId ? 1 : 0));
  for (const c of sorted) {
    const p = c.source;
    const skip = (why: string): void => {
      evaluations.push({ patternId: p.patternId, confidence: null, threshold: null, skipped: why });
    };
    if (!ELIGIBLE_STATUSES.has(p.status)) {
      skip(`status ${p.status} is not approved/active`);
      continue;
    }
    if (p.autoClose === false) {
      skip('auto_close is off');
      continue;
    }
    if (expired(p, now)) {
      skip('expired');
      continue;
    }
    if (active('pattern', p.patternId)) {
      skip('pattern kill switch active');
      continue;
    }
    const scope = scopeMismatch(p, alert);
    if (scope) {
      skip(scope);
      continue;
    }
    if (c.invalid || !c.alertName) {
      skip(`invalid pattern: ${c.invalid ?? 'no alert name regex'}`);
      continue;
    }
    const alertScore = c.alertName.test(title) ? 1 : 0;
    const n = c.entityPatterns.length;
    const matchedEntities = c.entityPatterns.filter((ep) => entityMatches(ep, entities)).length;
    const confidence = n === 0 ? alertScore : (alertScore + matchedEntities / n) / 2;
    const own = typeof p.confidenceThreshold === 'number' && Number.isFinite(p.confidenceThreshold) ? p.confidenceThreshold : DEFAULT_FP_THRESHOLD;
    const threshold = Math.max(own, opts.minThreshold ?? 0);
    evaluations.push({ patternId: p.patternId, confidence, threshold });
    if (confidence >= threshold && (!best || confidence > best.confidence)) {
      const detail = `title ${alertScore ? 'matches' : 'does not match'} the alert name regex` + (n ? `; ${matchedEntities}/${n} entity patterns matched` : '');
      best = { patternId: p.patternId, confidence, threshold, detail };
    }
  }

  if (!best) {
    const top = evaluations.filter((e) => e.confidence !== null).sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0))[0];
    return noMatch(
      [top ? `best pattern ${top.patternId} reached ${top.confidence} < threshold ${top.threshold}` : 'no eligible pattern'],
      evaluations,
    );
  }
  return {
    matched: true,
    patternId: best.patternId,
    confidence: best.confidence,
    threshold: best.threshold,
    reasons: [`pattern ${best.patternId} matched with confidence ${best.confidence} ≥ ${best.threshold}: ${best.detail}`],
    evaluations,
  };
}
