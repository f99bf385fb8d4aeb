import { compositeScore, rankSimilar, recencyScore, techniqueJaccard } from '../../src/engine/agents/similarity';

const base = { similarity: 0.8, sameTenant: true, alertTechniques: ['T1110', 'T1078'] };

describe('incident memory composite score (spec §4.2)', () => {
  it('dual decay recency', () => {
    expect(recencyScore(0)).toBeCloseTo(1, 6);
    expect(recencyScore(30)).toBeCloseTo(0.7 * Math.exp(-0.69) + 0.3 / (1 + Math.log(1 + 30 / 365)), 9);
    expect(recencyScore(30)).toBeGreaterThan(0.5);
    expect(recencyScore(365)).toBeCloseTo(0.1773, 3);
    expect(recencyScore(-5)).toBeCloseTo(1, 6);
  });

  it('rare_important floors recency at 0.1', () => {
    expect(recencyScore(3000)).toBeLessThan(0.1);
    expect(recencyScore(3000, true)).toBe(0.1);
    expect(recencyScore(0, true)).toBeCloseTo(1, 6);
    const rare = compositeScore({ ...base, ageDays: 5000, rareImportant: true, incidentTechniques: ['T1110'] });
    const plain = compositeScore({ ...base, ageDays: 5000, incidentTechniques: ['T1110'] });
    expect(rare.score).toBeGreaterThan(plain.score);
    expect(rare.reasons[1]).toContain('rare_important floor');
  });

  it('weights 0.4 / 0.3 / 0.15 / 0.15', () => {
    const s = compositeScore({ ...base, ageDays: 0, incidentTechniques: ['T1110', 'T1078'] });
    expect(s.score).toBeCloseTo(0.4 * 0.8 + 0.3 + 0.15 + 0.15, 9);
    const other = compositeScore({ ...base, sameTenant: false, ageDays: 0, incidentTechniques: [] });
    expect(other.score).toBeCloseTo(0.4 * 0.8 + 0.3, 9);
    expect(other.components).toEqual({ similarity: 0.8, recency: 1, tenantMatch: 0, techniqueOverlap: 0 });
  });

  it('spec test 1: a recent incident beats a 6-month-old one at equal similarity', () => {
    const recent = compositeScore({ ...base, ageDays: 3, incidentTechniques: ['T1110'] });
    const old = compositeScore({ ...base, ageDays: 182, incidentTechniques: ['T1110'] });
    expect(recent.score).toBeGreaterThan(old.score);
  });

  it('spec test 2: a 1-year-old incident with matching techniques beats a recent non-matching one', () => {
    const yearOld = compositeScore({ ...base, ageDays: 365, incidentTechniques: ['T1110', 'T1078'] });
    const recent = compositeScore({ ...base, ageDays: 30, incidentTechniques: ['T1566'] });
    expect(yearOld.score).toBeGreaterThan(recent.score);
    expect(yearOld.reasons[3]).toBe('techniques T1110, T1078 shared: Jaccard 1 × 0.15 = 0.15');
    expect(recent.reasons[3]).toBe('no shared techniques: +0');
  });

  it('pins the crossover: with the spec weights a 1-week-old non-matching incident still wins at equal similarity', () => {
    // documented limitation (see similarity.ts): the technique term (≤ 0.15) cannot offset the recency gap
    const yearOld = compositeScore({ ...base, ageDays: 365, incidentTechniques: ['T1110', 'T1078'] });
    const weekOld = compositeScore({ ...base, ageDays: 7, incidentTechniques: ['T1566'] });
    expect(weekOld.score).toBeGreaterThan(yearOld.score);
    const at = (d: number) => compositeScore({ ...base, ageDays: d, incidentTechniques: ['T1566'] }).score;
    expect(at(24)).toBeGreaterThan(yearOld.score);
    expect(at(26)).toBeLessThan(yearOld.score);
  });

  it('explains every component', () => {
    const s = compositeScore({ ...base, ageDays: 10, incidentTechniques: ['T1110'] });
    expect(s.reasons).toHaveLength(4);
    expect(s.reasons[0]).toBe('similarity 0.8 × 0.4 = 0.32');
    expect(s.reasons[1]).toMatch(/^recency 0\.\d+ × 0\.3 = 0\.\d+ \(10 days old, dual decay\)$/);
    expect(s.reasons[2]).toBe('same tenant: +0.15');
    expect(s.reasons[3]).toContain('Jaccard 0.5');
  });

  it('Jaccard is case-insensitive and 0 for two empty sets', () => {
    expect(techniqueJaccard(['t1110'], ['T1110'])).toBe(1);
    expect(techniqueJaccard([], [])).toBe(0);
    expect(techniqueJaccard(['T1', 'T2', 'T3'], ['T3', 'T4'])).toBe(0.25);
  });

  it('rankSimilar keeps the top 5 with a deterministic tie-break', () => {
    const mk = (id: string, ageDays: number) => ({ id, score: compositeScore({ ...base, ageDays, incidentTechniques: [] }) });
    const ranked = rankSimilar([mk('b', 1), mk('a', 1), mk('c', 400), mk('d', 2), mk('e', 3), mk('f', 4)]);
    expect(ranked.map((r) => r.id)).toEqual(['a', 'b', 'd', 'e', 'f']);
  });
});
