/**
 * Rendering for `npm run taxonomy:import`: the summary lines and a carriage-return progress bar.
 * No runtime dependency on the importer (types only), so import.ts can use it without a cycle.
 */
import type { AtlasStats } from './atlas';
import type { TableCounts, TaxonomyImportProgress, TaxonomyImportSummary } from './import';
import type { AttackStats } from './stix';

/** The subset of a NodeJS.WriteStream the CLI needs (tests pass a fake). */
export type CliOut = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

/** A progress bar redrawn in place with '\r'; throttled to ~20 redraws a second. */
export function progressBar(out: CliOut, label: string) {
  let lastDrawn = -1;
  let lastTime = 0;
  return {
    update(p: TaxonomyImportProgress) {
      const pct = p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : 0;
      const t = Date.now();
      if (pct === lastDrawn || (t - lastTime < 50 && pct < 100)) return;
      lastDrawn = pct;
      lastTime = t;
      const width = Math.max(10, Math.min(40, (out.columns ?? 80) - label.length - 30));
      const filled = Math.round((pct / 100) * width);
      const phase = p.phase === 'parse' ? 'parsing' : p.phase;
      out.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${phase.padEnd(17)}`);
    },
    clear() {
      if (lastDrawn >= 0) out.write(`\r${' '.repeat(Math.min(120, (out.columns ?? 80) - 1))}\r`);
    },
  };
}

function counts(c: TableCounts): string {
  const parts = [`inserted ${c.inserted}`, `updated ${c.updated}`, `unchanged ${c.unchanged}`];
  if (c.deleted > 0) parts.push(`deleted ${c.deleted}`);
  return parts.join(', ');
}

/** Human-readable summary lines for one import. */
export function formatImportSummary(s: TaxonomyImportSummary): string[] {
  const lines: string[] = [];
  if (s.framework === 'attack') {
    const st = s.stats as AttackStats;
    lines.push(
      `${s.source}: MITRE ATT&CK ${s.version ?? '(version unknown)'} - ${st.attackPatterns} techniques ` +
        `(${st.active} active of which ${st.activeSubtechniques} sub-techniques, ${st.deprecated} deprecated, ${st.revoked} revoked), ` +
        `${st.tactics} tactics, ${st.intrusionSets} groups (${st.activeGroups} active)`,
    );
    const r = st.revokedResolution;
    lines.push(
      `  revoked techniques remapped: ${r.relationship} by revoked-by relationship, ${r.nameMatch} by name, ${r.unresolved} without a replacement`,
    );
    if (st.parentMismatches.length > 0) lines.push(`  warning: ${st.parentMismatches.length} sub-technique parent mismatches`);
  } else {
    const st = s.stats as AtlasStats;
    lines.push(
      `${s.source}: MITRE ATLAS ${s.version ?? '(version unknown)'} - ${st.techniques} techniques ` +
        `(${st.subtechniques} sub-techniques, ${st.withAttackReference} cross-walked to ATT&CK), ${st.tactics} tactics`,
    );
  }
  lines.push(`  mitre_techniques:  ${counts(s.tables.mitreTechniques)}`);
  if (s.framework === 'attack') lines.push(`  mitre_groups:      ${counts(s.tables.mitreGroups)}`);
  lines.push(`  taxonomy_ids:      ${counts(s.tables.taxonomyIds)}`);
  lines.push(`  taxonomy_metadata: ${s.framework}_version=${s.version ?? '-'}, last_sync=${s.lastSync.toISOString()}`);
  lines.push(`  done in ${(s.durationMs / 1000).toFixed(1)} s`);
  return lines;
}
