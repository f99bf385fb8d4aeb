import type { PrismaClient } from '../../generated/prisma/client';

/** `text` as a LIKE pattern matching it literally anywhere. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Ids of the tenant's FP patterns with an alert name containing `text` (case-insensitive). Raw SQL because
 * Prisma has no substring match on elements of a text[] column; parameterised, tenant-filtered.
 */
export async function patternIdsByAlertNameContains(prisma: PrismaClient, tenantId: string, text: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ pattern_id: string }[]>`
    SELECT pattern_id FROM fp_patterns
    WHERE tenant_id = ${tenantId}
      AND EXISTS (SELECT 1 FROM unnest(alert_names) AS n WHERE n ILIKE ${containsPattern(text)})`;
  return rows.map((r) => r.pattern_id);
}
