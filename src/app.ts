import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Database } from './db/database';
import type { Logger } from './observability/logger';

export interface AppDeps {
  db: Database;
  logger: Logger;
  /** Migration count known at boot (avoids a query per health check). */
  migrationsApplied: number;
}

export interface App {
  server: http.Server;
  /** Listens and resolves with the bound port (0 picks a free one). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, drains in-flight requests, then closes the database. */
  close(): Promise<void>;
}

/** Wires the HTTP surface. Tests call it with their own database and a random port. */
export function createApp(deps: AppDeps): App {
  const { db, logger } = deps;
  const app = express();
  app.disable('x-powered-by');

  // Liveness: the process is up and knows which database it runs on.
  app.get('/healthz', (_req, res) => {
    res.json({
      status: 'ok',
      database: { kind: db.kind, migrations: deps.migrationsApplied },
      uptimeSeconds: Math.round(process.uptime()),
    });
  });

  // Readiness: the database answers and every migration is applied.
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; error?: string }> = {};
    try {
      const rows = await db.prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
      const n = rows[0]?.n ?? 0;
      checks.database = n >= deps.migrationsApplied ? { ok: true } : { ok: false, error: 'migrations missing' };
    } catch (err) {
      checks.database = { ok: false, error: (err as Error).message };
    }
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  });

  const server = http.createServer(app);
  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          logger.info({ port: addr.port, database: db.kind }, 'aluskort listening');
          resolve(addr.port);
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await db.close();
    },
  };
}
