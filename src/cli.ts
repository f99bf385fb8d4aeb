import 'reflect-metadata';
import { runAuditExportCli, runAuditVerifyCli } from './audit/audit.cli';
import { reportFatal } from './cli-errors';
import { loadConfig } from './config/config';
import { seedDatabase } from './db/seed';
import { openMigrated, serve } from './main';
import { runWorker } from './worker';
import { createLogger } from './observability/logger';
import { runTaxonomyImportCli } from './taxonomy/import';

const USAGE = `usage: aluskort <command>
  serve                    run pending migrations, seed, and serve the API (default)
  migrate                  apply pending migrations
  seed                     load the default taxonomy, playbooks and FP patterns (idempotent)
  taxonomy-import <file>…  import a MITRE ATT&CK STIX 2.1 bundle or an ATLAS.yaml
  worker                   run pipeline workers only (needs REDIS_URL)
  audit-verify [--tenant T] [--from N] [--to M]          verify audit chains (0 intact, 1 broken, 2 usage)
  audit-verify --offline <export.jsonl> --public-key <pem>
  audit-export --tenant T --out <file.jsonl> [--from N] [--to M]`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...args] = argv;
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  switch (command) {
    case 'serve':
      await serve(config, logger);
      return -1; // keep running
    case 'migrate': {
      const { db, migrations } = await openMigrated(config, logger);
      await db.close();
      process.stdout.write(`${migrations} migrations applied (${db.kind} database)\n`);
      return 0;
    }
    case 'seed': {
      const { db } = await openMigrated(config, logger);
      try {
        const counts = await seedDatabase(db.prisma, { tenantId: 'default' });
        process.stdout.write(`${JSON.stringify(counts)}\n`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'taxonomy-import': {
      if (args.length === 0) {
        process.stderr.write('taxonomy-import needs at least one file\n');
        return 2;
      }
      const { db } = await openMigrated(config, logger);
      try {
        return await runTaxonomyImportCli(db.prisma, args, process.stdout);
      } finally {
        await db.close();
      }
    }
    case 'worker':
      await runWorker(config, logger);
      return -1; // keep running
    case 'audit-verify':
    case 'audit-export': {
      const deps = { openDatabase: async () => (await openMigrated(config, logger)).db };
      return command === 'audit-verify'
        ? runAuditVerifyCli(args, process.stdout, deps)
        : runAuditExportCli(args, process.stdout, deps);
    }
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
}, reportFatal);
