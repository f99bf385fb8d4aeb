/**
 * Similar-incident candidates (context_enricher): of a tenant's incidents that match the alert's words or
 * techniques, the 200 most recent, best 50 by full-text rank. The search spells out its plan (a walk of
 * the recency index, then the GIN indexes for matches past the walked window); these tests compare it
 * with the plain statement of that rule on real PostgreSQL, on tables without and with statistics, for
 * tenants whose matches are dense, sparse, mixed around the window, tied on timestamps at the window's
 * edge, and smaller than the window.
 */
import { type TestDatabase, createTestDatabase } from '../helpers/db';
import { HEAD_WINDOW, MAX_CANDIDATES, RECENT_POOL, type SimilarSearchLimits, similarCandidates } from '../../src/engine/runtime/agents/context-enricher';
import type { SqlQuery } from '../../src/db/sql-driver';

let db: TestDatabase;
let sql: SqlQuery;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = async <T,>(text: string, params: unknown[] = []) => (await db.pool.query(text, params)).rows as T[];
});
afterAll(async () => {
  await db.drop();
});

const WORDS = ['powershell', 'download', 'cradle'];
const TECHNIQUES = ['T1059.001'];
const BASE = Date.UTC(2026, 9, 1);

/**
 * Inserts incidents g = from..to of `tenant` (in reverse order if `reverse`), g minutes before BASE unless
 * `sameMinute` (then all at BASE − `sameMinute` minutes): matching ones (by `matches(g)`, an SQL boolean over g) carry the searched words,
 * some only the technique; the others are about something else.
 */
async function incidents(tenant: string, from: number, to: number, matches: string, sameMinute?: number, reverse = false): Promise<void> {
  await db.pool.query(
    `INSERT INTO incident_memory (doc_id, incident_id, "timestamp", tenant_id, alert_name, alert_source, severity, entities,
                                  investigation_summary, outcome, mitre_techniques)
     SELECT $1 || '-' || lpad(g::text, 6, '0'), $1 || '-inc-' || g,
            to_timestamp($2::double precision / 1000) - make_interval(mins => COALESCE($5::int, g)),
            $1,
            CASE WHEN ${matches} THEN (CASE g % 3 WHEN 0 THEN 'PowerShell download cradle on host ' WHEN 1 THEN 'Encoded PowerShell ' ELSE 'Suspicious process ' END) || g
                 ELSE 'Benign scheduled task update ' || g END,
            'canonical', 'medium', '{}'::jsonb,
            CASE WHEN ${matches} AND g % 5 = 0 THEN 'cradle fetched a payload' ELSE 'closed after review' END,
            'closed',
            CASE WHEN ${matches} AND g % 3 = 2 THEN ARRAY['T1059.001'] ELSE ARRAY['T1053.005'] END
       FROM ${reverse ? 'generate_series($4::int, $3::int, -1)' : 'generate_series($3::int, $4::int)'} g`,
    [tenant, BASE, from, to, sameMinute ?? null],
  );
}

/** The rule, stated plainly (PostgreSQL picks whatever plan it likes). */
async function reference(tenant: string, exclude: string, limits: SimilarSearchLimits): Promise<string[]> {
  const { rows } = await db.pool.query<{ doc_id: string }>(
    `WITH q AS (SELECT to_tsquery('english', $3) AS q),
          m AS (SELECT doc_id, "timestamp", search_document FROM incident_memory, q
                 WHERE tenant_id = $1 AND incident_id <> $2 AND (search_document @@ q.q OR mitre_techniques && $4::text[])
                 ORDER BY "timestamp" DESC, doc_id ASC LIMIT $5)
     SELECT doc_id FROM m, q ORDER BY ts_rank(search_document, q.q) DESC, "timestamp" DESC, doc_id ASC LIMIT $6`,
    [tenant, exclude, WORDS.join(' | '), TECHNIQUES, limits.pool, limits.candidates],
  );
  return rows.map((r) => r.doc_id);
}

/** The product's sizes; the whole pool (every rank); a small window and pool, so more scenarios cross them. */
const LIMITS: SimilarSearchLimits[] = [
  { pool: RECENT_POOL, candidates: MAX_CANDIDATES, window: HEAD_WINDOW },
  { pool: RECENT_POOL, candidates: 10_000, window: HEAD_WINDOW },
  { pool: 40, candidates: 10_000, window: 150 },
];

async function tenant(id: string): Promise<string> {
  await db.pool.query('INSERT INTO tenants (tenant_id, name) VALUES ($1, $1)', [id]);
  return id;
}

const scenarios: [string, () => Promise<string>][] = [
  ['every incident matches (the walk fills the pool)', async () => {
    const t = await tenant('dense');
    await incidents(t, 1, 1500, 'true');
    return t;
  }],
  ['matches only beyond the walked window (sparse)', async () => {
    const t = await tenant('sparse');
    await incidents(t, 1, HEAD_WINDOW + 300, `g > ${HEAD_WINDOW} AND g % 7 = 0`);
    return t;
  }],
  ['some matches in the window, the rest of the pool beyond it', async () => {
    const t = await tenant('mixed');
    await incidents(t, 1, HEAD_WINDOW + 800, `(g <= ${HEAD_WINDOW} AND g % 9 = 0) OR (g > ${HEAD_WINDOW} AND g % 2 = 0)`);
    return t;
  }],
  ['the window ends inside a run of equal timestamps', async () => {
    const t = await tenant('ties');
    await incidents(t, 1, HEAD_WINDOW - 50, 'false');
    // 150 incidents in one minute, stored in the reverse of their doc_id order
    await incidents(t, HEAD_WINDOW - 49, HEAD_WINDOW + 100, 'g % 4 = 0', HEAD_WINDOW, true);
    await incidents(t, HEAD_WINDOW + 101, HEAD_WINDOW + 400, 'g % 3 = 0');
    return t;
  }],
  ['fewer incidents than the window', async () => {
    const t = await tenant('small');
    await incidents(t, 1, 300, 'g % 2 = 0');
    return t;
  }],
  ['no match at all', async () => {
    const t = await tenant('none');
    await incidents(t, 1, HEAD_WINDOW + 20, 'false');
    return t;
  }],
];

describe('similar-incident candidates', () => {
  const tenants: string[] = [];
  beforeAll(async () => {
    await tenant('other');
    await incidents('other', 1, 400, 'true'); // another tenant's matches, newer than anything else
    for (const [, make] of scenarios) tenants.push(await make());
  });

  const check = async () => {
    for (const limits of LIMITS) {
      for (const [i, [name]] of scenarios.entries()) {
        const t = tenants[i]!;
        const exclude = `${t}-inc-${HEAD_WINDOW + 14}`;
        const expected = await reference(t, exclude, limits);
        const got = await similarCandidates(sql, t, exclude, WORDS, TECHNIQUES, limits);
        expect({ name, limits, ids: got.map((r) => r.doc_id) }).toEqual({ name, limits, ids: expected });
        expect(got.every((r) => r.tenant_id === t && r.incident_id !== exclude)).toBe(true);
      }
    }
  };

  it('equal the plain rule on a table without statistics', async () => {
    const { rows } = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'incident_memory'",
    );
    if (rows[0]!.n === 0) {
      await check();
    } else {
      // autovacuum got there first: drop the statistics it gathered and check again
      await db.pool.query("DELETE FROM pg_statistic WHERE starelid = 'incident_memory'::regclass");
      await check();
    }
  });

  it('equal the plain rule once the table has statistics', async () => {
    await db.pool.query('ANALYZE incident_memory');
    await check();
  });

  it('are non-empty where the scenario has matches, including the ones only the index part finds', async () => {
    const sparse = await similarCandidates(sql, 'sparse', 'x', WORDS, TECHNIQUES);
    expect(await similarCandidates(sql, 'sparse', 'sparse-inc-1050', WORDS, TECHNIQUES)).not.toContainEqual(expect.objectContaining({ incident_id: 'sparse-inc-1050' }));
    expect(sparse.length).toBeGreaterThan(0);
    expect(sparse.every((r) => Number(r.doc_id.split('-')[1]) > HEAD_WINDOW)).toBe(true);
    expect(await similarCandidates(sql, 'none', 'x', WORDS, TECHNIQUES)).toEqual([]);
  });
});
