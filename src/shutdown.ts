import type { Logger } from './observability/logger';

/**
 * Graceful stop of a long-running process (API server, worker): on the first SIGTERM or SIGINT, logs,
 * runs `close` once and exits 0, or 1 when closing failed. Later signals are ignored while it closes.
 */
export function closeOnSignals(logger: Logger, what: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${what} shutting down`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, `${what} shutdown failed`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
