import type { PrismaClient } from '../../generated/prisma/client';
import { mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { type FieldError, badInput } from '../../errors/domain-error';
import { SEVERITIES } from '../../ingest/canonical';
import {
  type ConfidenceMerge,
  type IocCandidate,
  type ParsedFeed,
  type SkippedItem,
  MAX_CONTEXT_LENGTH,
  clipContext,
  dedupeCandidates,
  union,
} from './ioc-candidate';
import { isIocType, normaliseIocValue } from './ioc-values';
import { type Tx, upsertIocRows } from './ioc.queries';
import type { IocRow } from './ioc.service';
import { MispEventError, parseMispEvent } from './misp-event';
import { StixPatternError, parseStixIndicators } from './stix-indicators';

/** At most this many indicators per call (after deduplication for imports). */
export const MAX_IOCS_PER_CALL = 5000;
const DEFAULT_CONFIDENCE = 50;
const MAX_LABEL_LENGTH = 256;
const MAX_LABELS = 200;

/** The fields of one indicator as the upsert mutation takes them. */
export interface IocWrite {
  type: string;
  value: string;
  confidence?: number | null;
  severity?: string | null;
  campaigns?: string[] | null;
  groups?: string[] | null;
  mitreTechniques?: string[] | null;
  tags?: string[] | null;
  sources?: string[] | null;
  context?: string | null;
  firstSeen?: Date | null;
  lastSeen?: Date | null;
  expiry?: Date | null;
}

export interface UpsertResult {
  inserted: number;
  updated: number;
  iocs: IocRow[];
}

export interface ImportResult extends UpsertResult {
  indicators: number;
  skipped: SkippedItem[];
  droppedTechniques: string[];
}

type TechniqueResolution = { ok: true; id: string } | { ok: false; reason: string };

/**
 * Deny-by-default technique check against taxonomy_ids: unknown and deprecated ids fail; revoked ids
 * are replaced by their `revoked_by` successor when that one is valid. Two queries at most.
 */
async function resolveTechniques(tx: Tx, ids: string[]): Promise<Map<string, TechniqueResolution>> {
  const out = new Map<string, TechniqueResolution>();
  if (ids.length === 0) return out;
  const rows = await tx.taxonomyId.findMany({ where: { techniqueId: { in: ids } } });
  const successors = rows.filter((r) => r.revoked && r.revokedBy).map((r) => r.revokedBy!);
  const extra = successors.length ? await tx.taxonomyId.findMany({ where: { techniqueId: { in: successors } } }) : [];
  const by = new Map([...rows, ...extra].map((r) => [r.techniqueId, r]));
  for (const id of ids) {
    const r = by.get(id);
    if (!r) out.set(id, { ok: false, reason: `technique ${id} is not in the taxonomy` });
    else if (r.revoked) {
      const next = r.revokedBy ? by.get(r.revokedBy) : undefined;
      out.set(id, next && !next.deprecated && !next.revoked ? { ok: true, id: next.techniqueId } : { ok: false, reason: `technique ${id} is revoked` });
    } else if (r.deprecated) out.set(id, { ok: false, reason: `technique ${id} is deprecated` });
    else out.set(id, { ok: true, id });
  }
  return out;
}

function cleanLabels(list: string[] | null | undefined, path: string, errors: FieldError[]): string[] {
  const items = list ?? [];
  if (items.length > MAX_LABELS) errors.push({ path, message: `at most ${MAX_LABELS} items` });
  items.forEach((s, j) => {
    if (!s.trim()) errors.push({ path: `${path}[${j}]`, message: 'must not be empty' });
    else if (s.length > MAX_LABEL_LENGTH) errors.push({ path: `${path}[${j}]`, message: `at most ${MAX_LABEL_LENGTH} characters` });
  });
  return union(items, []);
}

/** Validates one mutation input item into a candidate (techniques still raw); records field errors. */
function candidateFromInput(w: IocWrite, path: string, errors: FieldError[]): IocCandidate | undefined {
  const before = errors.length;
  let value = '';
  if (!isIocType(w.type)) errors.push({ path: `${path}.type`, message: 'unknown indicator type' });
  else {
    const checked = normaliseIocValue(w.type, w.value);
    if (checked.ok) value = checked.value;
    else errors.push({ path: `${path}.value`, message: checked.message });
  }
  const confidence = w.confidence ?? DEFAULT_CONFIDENCE;
  if (!Number.isInteger(confidence) || confidence < 0 || confidence > 100) {
    errors.push({ path: `${path}.confidence`, message: 'must be an integer between 0 and 100' });
  }
  if (w.severity != null && !(SEVERITIES as readonly string[]).includes(w.severity)) {
    errors.push({ path: `${path}.severity`, message: `must be one of ${SEVERITIES.join(', ')}` });
  }
  const first = w.firstSeen?.getTime();
  if (first != null && w.lastSeen && w.lastSeen.getTime() < first) errors.push({ path: `${path}.lastSeen`, message: 'must not be before firstSeen' });
  if (first != null && w.expiry && w.expiry.getTime() <= first) errors.push({ path: `${path}.expiry`, message: 'must be after firstSeen' });
  if (w.context && w.context.length > MAX_CONTEXT_LENGTH) errors.push({ path: `${path}.context`, message: `at most ${MAX_CONTEXT_LENGTH} characters` });
  const techniques = cleanLabels(w.mitreTechniques, `${path}.mitreTechniques`, errors).map((t) => t.toUpperCase());
  const candidate: IocCandidate = {
    type: w.type as IocCandidate['type'],
    value,
    confidence,
    severity: w.severity ?? null,
    campaigns: cleanLabels(w.campaigns, `${path}.campaigns`, errors),
    groups: cleanLabels(w.groups, `${path}.groups`, errors),
    techniques,
    tags: cleanLabels(w.tags, `${path}.tags`, errors),
    sources: cleanLabels(w.sources, `${path}.sources`, errors),
    context: clipContext(w.context),
    firstSeen: w.firstSeen ?? null,
    lastSeen: w.lastSeen ?? null,
    expiry: w.expiry ?? null,
  };
  if (candidate.sources.length === 0) candidate.sources = ['manual'];
  return errors.length === before ? candidate : undefined;
}

/** One `knowledge.indexed` record per bulk write, with counts (indicator values are not repeated). */
function importEvent(action: string, feed: string, counts: Record<string, number>) {
  return mutationEvent('knowledge.indexed', { entity: 'threat_intel_ioc', entityId: null, action, counts, context: { feed } });
}

/**
 * Writes to threat_intel_iocs: the bulk upsert mutation and the STIX/MISP feed imports. Each call is one
 * transaction (technique check, one upsert statement, read-back), so nothing is half-written on error.
 */
export class IocImportService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /**
   * Inserts or merges up to 5,000 indicators for the caller's tenant, deduplicated on (type, value).
   * Invalid items fail the whole call with BAD_USER_INPUT naming `input.iocs[i].<field>`. Merge: arrays
   * are unioned; confidence, expiry, severity and context given in the input replace the stored ones
   * (an analyst's assertion is authoritative); first/last seen widen.
   */
  async upsert(scope: Scope, input: { iocs: IocWrite[] }): Promise<UpsertResult> {
    if (input.iocs.length === 0) throw badInput([{ path: 'input.iocs', message: 'at least one indicator' }]);
    if (input.iocs.length > MAX_IOCS_PER_CALL) throw badInput([{ path: 'input.iocs', message: `at most ${MAX_IOCS_PER_CALL} indicators per call` }]);
    const errors: FieldError[] = [];
    const items = input.iocs.map((w, i) => ({ c: candidateFromInput(w, `input.iocs[${i}]`, errors), i }));
    if (errors.length) throw badInput(errors);
    return this.audit.run(scope, async (tx) => {
      const resolved = await resolveTechniques(tx, union(items.flatMap((x) => x.c!.techniques), []));
      for (const { c, i } of items) {
        c!.techniques = c!.techniques.map((t, j) => {
          const r = resolved.get(t)!;
          if (!r.ok) errors.push({ path: `input.iocs[${i}].mitreTechniques[${j}]`, message: r.reason });
          return r.ok ? r.id : t;
        });
        c!.techniques = union(c!.techniques, []);
      }
      if (errors.length) throw badInput(errors);
      const written = await this.write(tx, scope, items.map((x) => x.c!), 'replace');
      return { result: written, events: [importEvent('upserted', 'manual', { submitted: input.iocs.length, inserted: written.inserted, updated: written.updated })] };
    }, { timeout: 60_000 });
  }

  /**
   * Imports the indicators of a STIX 2.x bundle (or array of STIX objects) for the caller's tenant.
   * Unsupported or invalid indicators are skipped and reported; technique ids unknown to the taxonomy
   * are dropped and reported. Merge: confidence and expiry never decrease.
   */
  async importStix(scope: Scope, bundle: unknown): Promise<ImportResult> {
    let parsed: ParsedFeed;
    try {
      parsed = parseStixIndicators(bundle);
    } catch (err) {
      if (err instanceof StixPatternError) throw badInput([{ path: 'bundle', message: err.message }]);
      throw err;
    }
    return this.importParsed(scope, parsed, 'bundle', 'stix');
  }

  /** Imports the attributes of a MISP event (`{"Event": …}` or bare) for the caller's tenant; as importStix. */
  async importMisp(scope: Scope, event: unknown): Promise<ImportResult> {
    let parsed: ParsedFeed;
    try {
      parsed = parseMispEvent(event);
    } catch (err) {
      if (err instanceof MispEventError) throw badInput([{ path: 'event', message: err.message }]);
      throw err;
    }
    return this.importParsed(scope, parsed, 'event', 'misp');
  }

  private async importParsed(scope: Scope, parsed: ParsedFeed, argPath: string, feed: 'stix' | 'misp'): Promise<ImportResult> {
    const candidates = dedupeCandidates(parsed.candidates, 'max');
    if (candidates.length > MAX_IOCS_PER_CALL) {
      throw badInput([{ path: argPath, message: `at most ${MAX_IOCS_PER_CALL} distinct indicators per import` }]);
    }
    return this.audit.run(scope, async (tx) => {
      const resolved = await resolveTechniques(tx, union(candidates.flatMap((c) => c.techniques), []));
      const dropped = [...resolved.entries()].filter(([, r]) => !r.ok).map(([id]) => id);
      for (const c of candidates) {
        c.techniques = union(c.techniques.flatMap((t) => {
          const r = resolved.get(t);
          return r?.ok ? [r.id] : [];
        }), []);
      }
      const written = await this.write(tx, scope, candidates, 'max');
      const counts = {
        indicators: parsed.examined,
        inserted: written.inserted,
        updated: written.updated,
        skipped: parsed.skipped.length,
        dropped_techniques: dropped.length,
      };
      return {
        result: { ...written, indicators: parsed.examined, skipped: parsed.skipped, droppedTechniques: dropped },
        events: [importEvent('imported', feed, counts)],
      };
    }, { timeout: 60_000 });
  }

  private async write(tx: Tx, scope: Scope, list: IocCandidate[], mode: ConfidenceMerge): Promise<UpsertResult> {
    const candidates = dedupeCandidates(list, mode);
    const rows = await upsertIocRows(tx, scope.tenantId, candidates, mode);
    const stored = await tx.threatIntelIoc.findMany({ where: { tenantId: scope.tenantId, docId: { in: rows.map((r) => r.doc_id) } } });
    const byKey = new Map(stored.map((r) => [`${r.indicatorType}\u0000${r.indicatorValue}`, r]));
    const inserted = rows.filter((r) => r.inserted).length;
    return {
      inserted,
      updated: rows.length - inserted,
      iocs: candidates.map((c) => byKey.get(`${c.type}\u0000${c.value}`)).filter((r): r is IocRow => r !== undefined),
    };
  }
}
