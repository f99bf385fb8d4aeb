import { DomainError } from './domain-error';

interface PrismaLikeError {
  code?: string;
  message?: string;
  meta?: {
    target?: unknown;
    modelName?: string;
    driverAdapterError?: { cause?: { originalCode?: string; originalMessage?: string; constraint?: { index?: string; fields?: string[] } } };
  };
}

/**
 * Translates database constraint violations (through Prisma or node-postgres) into DomainErrors that name
 * the constraint, so bad input is reported as BAD_USER_INPUT/CONFLICT rather than an internal error.
 * Returns undefined for anything else.
 */
export function translateDbError(err: unknown): DomainError | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as PrismaLikeError & { constraint?: string; detail?: string };
  const cause = e.meta?.driverAdapterError?.cause;
  const sqlState = cause?.originalCode ?? (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined);
  const text = cause?.originalMessage ?? e.message ?? '';
  const named = /constraint "([^"]+)"/.exec(text)?.[1] ?? e.constraint ?? cause?.constraint?.index;
  if (e.code === 'P2002' || sqlState === '23505') {
    return new DomainError('CONFLICT', `Already exists${named ? ` (${named})` : ''}`, { constraint: named });
  }
  if (e.code === 'P2003' || sqlState === '23503') {
    return new DomainError('BAD_USER_INPUT', `Refers to something that does not exist${named ? ` (${named})` : ''}`, {
      constraint: named,
    });
  }
  if (sqlState === '23514' || sqlState === '23502' || sqlState === '22P02' || sqlState === '22003') {
    return new DomainError('BAD_USER_INPUT', `Rejected by the database${named ? ` (${named})` : ''}`, {
      constraint: named,
    });
  }
  if (e.code === 'P2025') {
    return new DomainError('NOT_FOUND', 'Not found');
  }
  return undefined;
}
