/**
 * Planner statistics for incident_memory on a young database.
 *
 * The similar-incident search (context_enricher) is cheap when PostgreSQL walks a tenant's recency index
 * and stops after a few hundred incidents. Without statistics (a table that was never analyzed) the
 * planner expects a handful of rows per tenant and reads and sorts all of them instead: O(incidents) per
 * alert, so a new installation taking a backlog of alerts slows down as it fills. Autovacuum analyzes the
 * table eventually (a minute or so after it starts filling); the guard does not wait for that: after every
 * `checkEvery` incidents a runner stores, until the table is known to have statistics, it asks
 * pg_stats and, if there are none, runs ANALYZE in the background. Once statistics exist it stops
 * checking (autovacuum keeps them current). Failures are logged and retried at the next check.
 */
import type { SqlQuery } from '../../db/sql-driver';
import type { Logger } from '../../observability/logger';

export const DEFAULT_STATISTICS_CHECK_EVERY = 200;

export class IncidentMemoryStatistics {
  private stored = 0;
  private known = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly sql: SqlQuery,
    private readonly logger: Logger,
    private readonly checkEvery = DEFAULT_STATISTICS_CHECK_EVERY,
  ) {}

  /** Notes `n` incidents stored; may start a check (never waits for it). */
  noteStored(n = 1): void {
    if (this.known) return;
    this.stored += n;
    if (this.stored < this.checkEvery || this.running) return;
    this.stored = 0;
    this.running = this.ensure().finally(() => (this.running = undefined));
  }

  /** The check in flight, if any (tests). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Whether statistics are known to exist (then no more checks are made). */
  get hasStatistics(): boolean {
    return this.known;
  }

  private async ensure(): Promise<void> {
    try {
      if (await this.exist()) {
        this.known = true;
        return;
      }
      await this.sql('ANALYZE incident_memory');
      this.logger.info({ table: 'incident_memory' }, 'analyzed a table without planner statistics');
      this.known = await this.exist();
    } catch (err) {
      this.logger.warn({ err, table: 'incident_memory' }, 'could not check or gather planner statistics');
    }
  }

  private async exist(): Promise<boolean> {
    const rows = await this.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'incident_memory'",
    );
    return (rows[0]?.n ?? 0) > 0;
  }
}
