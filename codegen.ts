/**
 * Typed client generation (`npm run codegen`, also run by `postinstall`).
 *
 * - Offline: the schema is the committed `schema.graphql` (written by `npm run schema:emit`), never a live
 *   server, so generation needs neither a database nor the network.
 * - Input: every operation and fragment in `src/client/operations/*.graphql`. Adding a module's operations
 *   means adding one `.graphql` file there; nothing here changes.
 * - Output: the client preset's TypedDocumentNodes in `src/client/generated/` (git-ignored, regenerated on
 *   install). No `typescript`/`typescript-operations` plugins next to the preset: it already runs them, and
 *   adding them again produces duplicate identifiers.
 * - Deterministic: no timestamps, documents in sorted file order, so the same inputs give byte-identical files.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

const OPERATIONS_DIR = 'src/client/operations';

/** Sorted explicitly: the output order (and so the bytes) must not depend on the file system's listing order. */
const documents = readdirSync(path.join(__dirname, OPERATIONS_DIR))
  .filter((f) => f.endsWith('.graphql'))
  .sort()
  .map((f) => `${OPERATIONS_DIR}/${f}`);

const config: CodegenConfig = {
  overwrite: true,
  schema: './schema.graphql',
  documents,
  ignoreNoDocuments: false,
  generates: {
    'src/client/generated/': {
      preset: 'client',
      presetConfig: {
        // The SDK hands plain result objects to callers; masked fragments would force `useFragment` everywhere.
        fragmentMasking: false,
      },
      config: {
        // Plain `as const` objects plus union types: a runtime value (Role.Admin) that needs no TS-only
        // `const enum` support, so swc (isolated modules) compiles it like any other object.
        enumType: 'const',
        useTypeImports: true,
        // Scalars as they travel in JSON. New scalars other modules add fall back to `unknown` instead of
        // breaking the install; map them here when they get a more precise type.
        scalars: {
          DateTimeISO: 'string',
          DateTime: 'string',
          JSON: 'unknown',
          JSONObject: 'Record<string, unknown>',
        },
        defaultScalarType: 'unknown',
        strictScalars: false,
      },
    },
  },
};

export default config;
