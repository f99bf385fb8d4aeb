import { ConfigError } from './config/config';
import { MigrationError } from './db/migrate';

/** Prints a fatal start-up error (known ones without a stack) and exits non-zero. */
export function reportFatal(err: unknown): never {
  if (err instanceof ConfigError || err instanceof MigrationError) {
    process.stderr.write(`aluskort: ${err.message}\n`);
  } else {
    process.stderr.write(`aluskort: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
}
