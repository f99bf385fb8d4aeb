import { DateTimeISOResolver, JSONObjectResolver, JSONResolver } from 'graphql-scalars';

/** ISO 8601 date-time in UTC (`2026-11-26T01:02:03.456Z`). */
export const DateTimeScalar = DateTimeISOResolver;
/** Any JSON value. */
export const JSONScalar = JSONResolver;
/** A JSON object. */
export const JSONObjectScalar = JSONObjectResolver;
