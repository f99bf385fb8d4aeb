import type { EnqueueOptions, InvestigationJob, WorkQueue } from '../../src/engine/queue';
import type { AlertSource } from '../../src/ingest/canonical';

/** A queue that records what ingest enqueues and runs nothing: investigations stay RECEIVED. */
export function recordingQueue(): WorkQueue & { jobs: { job: InvestigationJob; opts?: EnqueueOptions }[] } {
  const jobs: { job: InvestigationJob; opts?: EnqueueOptions }[] = [];
  return {
    kind: 'memory',
    jobs,
    async enqueue(job, opts) {
      jobs.push({ job, opts });
    },
    process() {
      // nothing runs: the pipeline runtime is tested elsewhere
    },
    async close() {},
  };
}

/** Sample directory → source, and the expected alert counts per sample (shared with test/ingest). */
export { EXPECTED_COUNTS, SOURCE_OF_DIR } from '../ingest/samples.expectations';

/** The GraphQL enum value of a source (`security_hub` → `SECURITY_HUB`). */
export const gqlSource = (s: AlertSource) => s.toUpperCase();

export const RESULT_FIELDS = 'deduplicated dropped reason error { code message path } investigation { id state severity title source alertId version createdAt }';
