import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { printAppSchema } from './schema';

/** Where the reviewed SDL artifact lives. */
export const SCHEMA_FILE = path.resolve(__dirname, '../../schema.graphql');

if (require.main === module) {
  printAppSchema()
    .then((sdl) => fs.writeFile(SCHEMA_FILE, sdl))
    .then(() => process.stdout.write(`wrote ${SCHEMA_FILE}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
}
