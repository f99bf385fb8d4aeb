import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; secrets and raw payloads never go to info level. */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'aluskort', ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', '*.apiKey', '*.secret', '*.password'], censor: '[redacted]' },
  });
}
