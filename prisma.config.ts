import { defineConfig } from 'prisma/config';

// Prisma's schema engine cannot be downloaded on our machines, so migrations are hand-written SQL
// applied by src/db/migrate.ts; this file only tells the CLI where the schema and migrations live.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/aluskort' },
});
