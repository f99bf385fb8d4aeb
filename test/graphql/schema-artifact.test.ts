import { promises as fs } from 'node:fs';
import { SCHEMA_FILE } from '../../src/graphql/emit-schema';
import { printAppSchema } from '../../src/graphql/schema';

describe('schema.graphql', () => {
  it('matches the schema built from the code (run `npm run schema:emit` after changing types)', async () => {
    const committed = await fs.readFile(SCHEMA_FILE, 'utf8');
    expect(committed).toBe(await printAppSchema());
  });

  it('describes every type and field', async () => {
    const sdl = await printAppSchema();
    const undocumented: string[] = [];
    const lines = sdl.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const isDef = /^(type|input|enum|interface|union) \w+/.test(line) && !/^type (Query|Mutation|Subscription) /.test(line);
      const isField = /^ {2}\w+(\(|:)/.test(line);
      if (!isDef && !isField) continue;
      const prev = lines[i - 1]?.trim() ?? '';
      if (!prev.endsWith('"""') && !prev.startsWith('"')) undocumented.push(line.trim());
    }
    expect(undocumented).toEqual([]);
  });
});
