/** The stable error codes clients can rely on (GraphQL `extensions.code`, webhook JSON `code`). */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One invalid input field: `path` is the dotted/indexed path inside the operation's arguments. */
export interface FieldError {
  path: string;
  message: string;
}

export interface DomainErrorDetails {
  fieldErrors?: FieldError[];
  /** Database constraint that rejected the write, when that is the cause. */
  constraint?: string;
  [key: string]: unknown;
}

/**
 * An expected failure with a stable code. Services throw it; the single formatError turns it into the
 * GraphQL error shape; anything that is not a DomainError is masked as INTERNAL_SERVER_ERROR.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const unauthenticated = (message = 'A valid API key is required') => new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Not allowed') => new DomainError('FORBIDDEN', message);
export const notFound = (what: string, id: string) => new DomainError('NOT_FOUND', `${what} ${id} not found`, { id });
export const conflict = (message: string, details: DomainErrorDetails = {}) => new DomainError('CONFLICT', message, details);
export const badInput = (fieldErrors: FieldError[], message?: string) =>
  new DomainError('BAD_USER_INPUT', message ?? fieldErrors.map((f) => `${f.path}: ${f.message}`).join('; '), {
    fieldErrors,
  });

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
