import { randomUUID } from 'node:crypto';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { DomainError, type ErrorCode, type FieldError } from '../errors/domain-error';
import { translateDbError } from '../errors/prisma-errors';
import type { Logger } from '../observability/logger';

/** Codes GraphQL itself produces before execution; passed through unchanged. */
const PASS_THROUGH = new Set<string>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
]);

function fromValidation(err: ArgumentValidationError): FieldError[] {
  const out: FieldError[] = [];
  const walk = (errors: ArgumentValidationError['extensions']['validationErrors'], prefix: string) => {
    for (const e of errors ?? []) {
      const p = prefix ? `${prefix}.${e.property}` : e.property;
      for (const msg of Object.values(e.constraints ?? {})) out.push({ path: p, message: msg });
      walk(e.children as typeof errors, p);
    }
  };
  walk(err.extensions.validationErrors, '');
  return out;
}

/** Turns any thrown value into a DomainError (known failure) or undefined (unexpected). */
export function toDomainError(original: unknown): DomainError | undefined {
  if (original instanceof DomainError) return original;
  if (original instanceof ArgumentValidationError) {
    const fieldErrors = fromValidation(original);
    return new DomainError('BAD_USER_INPUT', 'Argument validation failed', { fieldErrors });
  }
  return translateDbError(original);
}

/**
 * The one place errors become their wire shape: DomainErrors keep their message and code (plus field
 * paths); GraphQL's own parse/validation errors pass through; everything else is masked as
 * INTERNAL_SERVER_ERROR with a correlation id that is also logged with the real error.
 */
export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const domain = toDomainError(original);
    if (domain) {
      // Details of a DomainError are written by our own services for the client (ids, field paths,
      // constraint names), so they are passed on; undefined values are dropped.
      const details = Object.fromEntries(Object.entries(domain.details).filter(([, v]) => v !== undefined));
      return {
        message: domain.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...details, code: domain.code satisfies ErrorCode },
      };
    }
    const code = formatted.extensions?.code;
    // graphql-js reports its token limit as a syntax error ("more that N tokens"), and Apollo labels every
    // validation error GRAPHQL_VALIDATION_FAILED; both are operation limits, reported as QUERY_TOO_COMPLEX.
    if (code === ApolloServerErrorCode.GRAPHQL_PARSE_FAILED && /more th\w+ \d+ tokens/.test(formatted.message)) {
      return { ...formatted, extensions: { ...formatted.extensions, code: 'QUERY_TOO_COMPLEX', limit: 'tokens' } };
    }
    if (code === ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED && typeof formatted.extensions?.limit === 'string') {
      return { ...formatted, extensions: { ...formatted.extensions, code: 'QUERY_TOO_COMPLEX' } };
    }
    if (typeof code === 'string' && PASS_THROUGH.has(code) && !(original instanceof Error && !(original instanceof GraphQLError))) {
      return formatted;
    }
    const correlationId = randomUUID();
    logger.error({ err: original, correlationId, path: formatted.path }, 'internal error');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
    };
  };
}
