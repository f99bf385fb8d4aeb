import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus metrics (one registry per app instance, so tests can run several). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'aluskort_' });
  return {
    registry,
    operations: new Counter({
      name: 'aluskort_graphql_operations_total',
      help: 'GraphQL operations by name, type and outcome (success | error).',
      labelNames: ['operation', 'type', 'outcome'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'aluskort_graphql_operation_duration_seconds',
      help: 'GraphQL operation latency.',
      labelNames: ['operation', 'type'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'aluskort_graphql_errors_total',
      help: 'GraphQL errors by code.',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'aluskort_ws_connections',
      help: 'Open graphql-ws connections.',
      registers: [registry],
    }),
    wsSubscriptions: new Gauge({
      name: 'aluskort_ws_subscriptions',
      help: 'Active graphql-ws subscriptions.',
      registers: [registry],
    }),
    wsSharedSources: new Gauge({
      name: 'aluskort_ws_shared_sources',
      help: 'Executions shared by identical live subscriptions (one per tenant, key, document and variables).',
      registers: [registry],
    }),
    dbPool: new Gauge({
      name: 'aluskort_db_pool_connections',
      help: 'Database pool connections by state (total | idle | waiting).',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
