import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { type TestDatabase, createTestDatabase } from '../helpers/db';

// Drift between prisma/schema.prisma and the database the hand-written migrations build.
// The schema is parsed here (model blocks, @map/@@map, scalar types, `?`, `[]`, @db.*, ids, named indexes)
// so the test depends on neither Prisma internals nor a generated client.

const SCHEMA_PATH = path.resolve(__dirname, '../../prisma/schema.prisma');

/** Tables with no model: the runner's bookkeeping table. Partitions of audit_records are skipped too. */
const TABLES_WITHOUT_MODEL = new Set(['_prisma_migrations']);
const PARTITIONED_PARENTS_WITHOUT_PARTITION_MODELS = new Set(['audit_records']);

// ---------------------------------------------------------------------------------------------------------
// Parser

interface FieldDef {
  name: string;
  column: string;
  type: string;
  list: boolean;
  optional: boolean;
  nativeType?: string;
  nativeArgs?: string;
  isId: boolean;
  uniqueName?: string;
  /** `Unsupported("tsvector")` → tsvector */
  unsupported?: string;
}

interface IndexDef {
  kind: 'unique' | 'index';
  name: string;
  columns: string[];
}

interface ModelDef {
  name: string;
  table: string;
  fields: FieldDef[];
  primaryKey: string[];
  indexes: IndexDef[];
}

/** Removes `//` comments (including `///` docs) outside string literals. */
function stripComments(src: string): string {
  return src
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (ch === '"' && line[i - 1] !== '\\') inString = !inString;
        if (!inString && ch === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

function stringArg(attrs: string, attr: string): string | undefined {
  const m = new RegExp(`${attr.replace(/[.@]/g, '\\$&')}\\(\\s*(?:map:\\s*)?"([^"]*)"`).exec(attrs);
  return m?.[1];
}

/** `[a, b(sort: Desc)]` -> ['a', 'b'] */
function fieldList(src: string): string[] {
  return src
    .split(',')
    .map((s) => s.trim().replace(/\(.*$/, ''))
    .filter(Boolean);
}

function parseSchema(source: string): ModelDef[] {
  const src = stripComments(source);
  const modelNames = new Set<string>();
  for (const m of src.matchAll(/^\s*model\s+(\w+)\s*\{/gm)) modelNames.add(m[1]);
  const enumNames = new Set<string>();
  for (const m of src.matchAll(/^\s*enum\s+(\w+)\s*\{/gm)) enumNames.add(m[1]);

  const models: ModelDef[] = [];
  for (const block of src.matchAll(/^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm)) {
    const [, name, body] = block;
    const fields: FieldDef[] = [];
    const blockAttrs: string[] = [];
    for (const raw of body.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      if (line.startsWith('@@')) {
        blockAttrs.push(line);
        continue;
      }
      const fm = /^(\w+)\s+(\w+)(?:\("([^"]+)"\))?(\[\])?(\?)?(.*)$/.exec(line);
      if (!fm) throw new Error(`cannot parse line in model ${name}: ${line}`);
      const [, fieldName, type, unsupported, list, optional, attrs] = fm;
      if (modelNames.has(type)) continue; // relation field: no column
      if (enumNames.has(type)) throw new Error(`enum fields are not supported by this drift test (${name}.${fieldName})`);
      const native = /@db\.(\w+)(?:\(([^)]*)\))?/.exec(attrs);
      const isUnique = /@unique\b/.test(attrs);
      const column = stringArg(attrs, '@map') ?? fieldName;
      fields.push({
        name: fieldName,
        column,
        type,
        list: Boolean(list),
        optional: Boolean(optional),
        nativeType: native?.[1],
        nativeArgs: native?.[2],
        ...(type === 'Unsupported' && unsupported ? { unsupported } : {}),
        isId: /@id\b/.test(attrs),
        uniqueName: isUnique ? (stringArg(attrs, '@unique') ?? '') : undefined,
      });
    }
    const table = blockAttrs.map((a) => /^@@map\(\s*"([^"]+)"/.exec(a)?.[1]).find(Boolean) ?? name;
    const columnOf = (f: string) => {
      const field = fields.find((x) => x.name === f);
      if (!field) throw new Error(`model ${name} references unknown field ${f}`);
      return field.column;
    };
    let primaryKey = fields.filter((f) => f.isId).map((f) => f.column);
    const indexes: IndexDef[] = [];
    for (const f of fields) {
      if (f.uniqueName !== undefined) {
        indexes.push({ kind: 'unique', name: f.uniqueName || `${table}_${f.column}_key`, columns: [f.column] });
      }
    }
    for (const a of blockAttrs) {
      const m = /^@@(id|unique|index)\(\s*\[([^\]]*)\]\s*(.*)\)\s*$/.exec(a);
      if (!m) continue;
      const [, kind, list, rest] = m;
      const columns = fieldList(list).map(columnOf);
      if (kind === 'id') {
        primaryKey = columns;
        continue;
      }
      const mapName = /map:\s*"([^"]+)"/.exec(rest)?.[1];
      const suffix = kind === 'unique' ? 'key' : 'idx';
      indexes.push({
        kind: kind as 'unique' | 'index',
        name: mapName ?? `${table}_${columns.join('_')}_${suffix}`,
        columns,
      });
    }
    models.push({ name, table, fields, primaryKey, indexes });
  }
  return models;
}

// ---------------------------------------------------------------------------------------------------------
// Database snapshot

interface ColumnRow {
  table: string;
  column: string;
  dataType: string; // information_schema.columns.data_type
  udt: string; // information_schema.columns.udt_name (e.g. text, int4, _text)
  nullable: boolean;
  datetimePrecision: number | null;
}

interface DbSnapshot {
  tables: string[];
  columns: ColumnRow[];
  primaryKeys: Map<string, string[]>;
  indexes: Map<string, { table: string; columns: string[]; unique: boolean }>;
}

type Queryable = Pick<Pool | PoolClient, 'query'>;

async function snapshot(db: Queryable): Promise<DbSnapshot> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT t.table_name
       FROM information_schema.tables t
       JOIN pg_class c ON c.relname = t.table_name AND c.relnamespace = 'public'::regnamespace
      WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        AND NOT (c.relispartition AND EXISTS (
              SELECT 1 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
               WHERE i.inhrelid = c.oid AND p.relname = ANY($1)))
      ORDER BY 1`,
    [[...PARTITIONED_PARENTS_WITHOUT_PARTITION_MODELS]],
  );
  const columns = await db.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
    datetime_precision: number | null;
  }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, datetime_precision
       FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const pks = await db.query<{ table_name: string; cols: string[] }>(
    `SELECT t.relname AS table_name, array_agg(a.attname::text ORDER BY k.ord) AS cols
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE con.contype = 'p' AND t.relnamespace = 'public'::regnamespace
      GROUP BY t.relname`,
  );
  const idx = await db.query<{ index_name: string; table_name: string; cols: string[]; is_unique: boolean }>(
    `SELECT i.relname AS index_name, t.relname AS table_name, x.indisunique AS is_unique,
            array_agg(a.attname::text ORDER BY k.ord) AS cols
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE t.relnamespace = 'public'::regnamespace
      GROUP BY i.relname, t.relname, x.indisunique`,
  );
  return {
    tables: tables.rows.map((r) => r.table_name),
    columns: columns.rows.map((r) => ({
      table: r.table_name,
      column: r.column_name,
      dataType: r.data_type,
      udt: r.udt_name,
      nullable: r.is_nullable === 'YES',
      datetimePrecision: r.datetime_precision,
    })),
    primaryKeys: new Map(pks.rows.map((r) => [r.table_name, r.cols])),
    indexes: new Map(
      idx.rows.map((r) => [r.index_name, { table: r.table_name, columns: r.cols, unique: r.is_unique }]),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Comparator

/** The PostgreSQL udt_name a Prisma scalar maps to (element type for lists). */
function expectedUdt(f: Pick<FieldDef, 'type' | 'nativeType'> & { unsupported?: string }): string {
  // `Unsupported("tsvector")`: the database type is spelled out
  if (f.type === 'Unsupported' && f.unsupported) return f.unsupported;
  const native: Record<string, string> = {
    Text: 'text',
    Uuid: 'uuid',
    Inet: 'inet',
    VarChar: 'varchar',
    Char: 'bpchar',
    Citext: 'citext',
    Real: 'float4',
    DoublePrecision: 'float8',
    Integer: 'int4',
    SmallInt: 'int2',
    BigInt: 'int8',
    Timestamptz: 'timestamptz',
    Timestamp: 'timestamp',
    Date: 'date',
    JsonB: 'jsonb',
    Json: 'json',
  };
  if (f.nativeType) {
    const udt = native[f.nativeType];
    if (!udt) throw new Error(`unsupported native type @db.${f.nativeType}`);
    return udt;
  }
  const defaults: Record<string, string> = {
    String: 'text',
    Int: 'int4',
    BigInt: 'int8',
    Float: 'float8',
    Boolean: 'bool',
    DateTime: 'timestamp', // Prisma's default; ALUSKORT always says @db.Timestamptz(3)
    Json: 'jsonb',
    Decimal: 'numeric',
    Bytes: 'bytea',
  };
  const udt = defaults[f.type];
  if (!udt) throw new Error(`unsupported Prisma type ${f.type}`);
  return udt;
}

/** Every difference between the models and the database, as readable lines; empty when in sync. */
function compareSchema(models: ModelDef[], db: DbSnapshot): string[] {
  const problems: string[] = [];
  const modelTables = new Set(models.map((m) => m.table));
  const dbTables = new Set(db.tables);

  for (const t of db.tables) {
    if (!modelTables.has(t) && !TABLES_WITHOUT_MODEL.has(t)) problems.push(`table ${t} has no Prisma model`);
  }
  for (const m of models) {
    if (!dbTables.has(m.table)) {
      problems.push(`model ${m.name}: table ${m.table} does not exist`);
      continue;
    }
    const cols = new Map(db.columns.filter((c) => c.table === m.table).map((c) => [c.column, c]));
    const fieldCols = new Set(m.fields.map((f) => f.column));
    for (const f of m.fields) {
      const where = `${m.name}.${f.name} (${m.table}.${f.column})`;
      const col = cols.get(f.column);
      if (!col) {
        problems.push(`${where}: column does not exist`);
        continue;
      }
      const elem = expectedUdt(f);
      const wantUdt = f.list ? `_${elem}` : elem;
      if (col.udt !== wantUdt || (f.list && col.dataType !== 'ARRAY')) {
        problems.push(`${where}: type ${f.type}${f.list ? '[]' : ''} expects ${wantUdt}, column is ${col.dataType} (${col.udt})`);
      }
      // Prisma lists are never null; a scalar is nullable exactly when it is optional.
      const wantNullable = f.list ? false : f.optional;
      if (col.nullable !== wantNullable) {
        problems.push(`${where}: field is ${wantNullable ? 'optional' : 'required'}, column is ${col.nullable ? 'NULL' : 'NOT NULL'}`);
      }
      if (f.nativeType === 'Timestamptz' && f.nativeArgs && col.datetimePrecision !== Number(f.nativeArgs)) {
        problems.push(`${where}: precision ${f.nativeArgs} expected, column has ${col.datetimePrecision}`);
      }
    }
    for (const c of cols.keys()) {
      if (!fieldCols.has(c)) problems.push(`${m.table}.${c}: column has no field in model ${m.name}`);
    }
    const pk = db.primaryKeys.get(m.table) ?? [];
    if (pk.join(',') !== m.primaryKey.join(',')) {
      problems.push(`model ${m.name}: primary key (${m.primaryKey.join(', ')}) but table has (${pk.join(', ')})`);
    }
    for (const ix of m.indexes) {
      const found = db.indexes.get(ix.name);
      if (!found) {
        problems.push(`model ${m.name}: ${ix.kind} ${ix.name} does not exist`);
      } else if (found.table !== m.table || found.columns.join(',') !== ix.columns.join(',')) {
        problems.push(`model ${m.name}: ${ix.kind} ${ix.name} is on ${found.table}(${found.columns.join(', ')}), expected (${ix.columns.join(', ')})`);
      } else if (found.unique !== (ix.kind === 'unique')) {
        problems.push(`model ${m.name}: ${ix.name} uniqueness differs`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------

describe('Prisma schema vs migrated database (drift)', () => {
  let db: TestDatabase;
  let models: ModelDef[];

  beforeAll(async () => {
    db = await createTestDatabase();
    models = parseSchema(await fs.readFile(SCHEMA_PATH, 'utf8'));
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('parses every model of prisma/schema.prisma', () => {
    const names = models.map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining(['Tenant', 'ThreatIntelIoc', 'AuditRecord', 'CtemExposure', 'InvestigationState', 'LlmModel']),
    );
    expect(models.length).toBeGreaterThanOrEqual(39);
    expect(new Set(models.map((m) => m.table)).size).toBe(models.length);
    const audit = models.find((m) => m.name === 'AuditRecord')!;
    expect(audit.table).toBe('audit_records');
    expect(audit.primaryKey).toEqual(['tenant_id', 'sequence_number', 'timestamp']);
  });

  it('has no drift: every model and field matches information_schema and every table has a model', async () => {
    const snap = await snapshot(db.pool);
    expect(compareSchema(models, snap)).toEqual([]);
    // The partitions exist but are deliberately not models.
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'audit_records'::regclass`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(5);
    expect(snap.tables).not.toContain('audit_records_default');
    expect(snap.tables).toContain('audit_records');
  });

  it('reports drift that is introduced into a real database (DDL rolled back afterwards)', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE tenants ALTER COLUMN name DROP NOT NULL');
      await client.query('ALTER TABLE threat_intel_iocs ALTER COLUMN confidence TYPE bigint');
      await client.query('ALTER TABLE alerts ADD COLUMN surprise text');
      await client.query('ALTER TABLE kill_switches DROP COLUMN reason');
      await client.query('CREATE TABLE stray_table (id int)');
      await client.query('DROP INDEX idx_alerts_tenant_ts');
      const problems = compareSchema(models, await snapshot(client));
      expect(problems).toEqual(
        expect.arrayContaining([
          'Tenant.name (tenants.name): field is required, column is NULL',
          'ThreatIntelIoc.confidence (threat_intel_iocs.confidence): type Int expects int4, column is bigint (int8)',
          'alerts.surprise: column has no field in model Alert',
          'KillSwitch.reason (kill_switches.reason): column does not exist',
          'table stray_table has no Prisma model',
          'model Alert: index idx_alerts_tenant_ts does not exist',
        ]),
      );
      expect(problems).toHaveLength(6);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    // and the rollback restored a clean state
    expect(compareSchema(models, await snapshot(db.pool))).toEqual([]);
  });
});

describe('drift comparator (unit)', () => {
  const schema = `
    model Owner {
      id    String  @id @map("owner_id") // trailing comment with "quotes"
      pets  Pet[]
      @@map("owners")
    }
    /// doc comment
    model Pet {
      id        BigInt    @id @default(autoincrement())
      ownerId   String    @map("owner_id")
      name      String?   @default("a // not a comment")
      weight    Float     @db.Real
      tags      String[]  @default([])
      bornAt    DateTime  @map("born_at") @db.Timestamptz(6)
      ip        String?   @db.Inet
      owner     Owner     @relation(fields: [ownerId], references: [id])

      @@unique([ownerId, name], map: "pets_owner_name_key")
      @@index([ownerId, bornAt(sort: Desc)])
      @@map("pets")
    }`;

  const col = (table: string, column: string, udt: string, nullable: boolean): ColumnRow => ({
    table,
    column,
    udt,
    nullable,
    dataType: udt.startsWith('_') ? 'ARRAY' : udt,
    datetimePrecision: udt === 'timestamptz' ? 6 : null,
  });

  function matchingDb(): DbSnapshot {
    return {
      tables: ['owners', 'pets'],
      columns: [
        col('owners', 'owner_id', 'text', false),
        col('pets', 'id', 'int8', false),
        col('pets', 'owner_id', 'text', false),
        col('pets', 'name', 'text', true),
        col('pets', 'weight', 'float4', false),
        col('pets', 'tags', '_text', false),
        col('pets', 'born_at', 'timestamptz', false),
        col('pets', 'ip', 'inet', true),
      ],
      primaryKeys: new Map([
        ['owners', ['owner_id']],
        ['pets', ['id']],
      ]),
      indexes: new Map([
        ['pets_owner_name_key', { table: 'pets', columns: ['owner_id', 'name'], unique: true }],
        ['pets_owner_id_born_at_idx', { table: 'pets', columns: ['owner_id', 'born_at'], unique: false }],
      ]),
    };
  }

  it('parses maps, optionality, lists, native types, relations and comments', () => {
    const [owner, pet] = parseSchema(schema);
    expect(owner).toMatchObject({ name: 'Owner', table: 'owners', primaryKey: ['owner_id'] });
    expect(owner.fields.map((f) => f.column)).toEqual(['owner_id']);
    expect(pet.fields.map((f) => [f.column, f.type, f.list, f.optional, f.nativeType ?? null])).toEqual([
      ['id', 'BigInt', false, false, null],
      ['owner_id', 'String', false, false, null],
      ['name', 'String', false, true, null],
      ['weight', 'Float', false, false, 'Real'],
      ['tags', 'String', true, false, null],
      ['born_at', 'DateTime', false, false, 'Timestamptz'],
      ['ip', 'String', false, true, 'Inet'],
    ]);
    expect(pet.indexes).toEqual([
      { kind: 'unique', name: 'pets_owner_name_key', columns: ['owner_id', 'name'] },
      { kind: 'index', name: 'pets_owner_id_born_at_idx', columns: ['owner_id', 'born_at'] },
    ]);
  });

  it('accepts a matching database', () => {
    expect(compareSchema(parseSchema(schema), matchingDb())).toEqual([]);
  });

  it('flags wrong types, nullability, missing and extra columns, tables, keys and indexes', () => {
    const snap = matchingDb();
    snap.columns = snap.columns
      .filter((c) => c.column !== 'ip')
      .map((c) => {
        if (c.column === 'weight') return { ...c, udt: 'float8', dataType: 'double precision' };
        if (c.column === 'name') return { ...c, nullable: false };
        if (c.column === 'tags') return { ...c, udt: 'text', dataType: 'text' };
        if (c.column === 'born_at') return { ...c, udt: 'timestamp', dataType: 'timestamp without time zone' };
        return c;
      });
    snap.columns.push(col('pets', 'extra', 'text', true));
    snap.tables.push('orphans');
    snap.primaryKeys.set('pets', ['owner_id']);
    snap.indexes.delete('pets_owner_id_born_at_idx');
    snap.indexes.set('pets_owner_name_key', { table: 'pets', columns: ['name', 'owner_id'], unique: true });
    expect(compareSchema(parseSchema(schema), snap).sort()).toEqual(
      [
        'table orphans has no Prisma model',
        'Pet.name (pets.name): field is optional, column is NOT NULL',
        'Pet.weight (pets.weight): type Float expects float4, column is double precision (float8)',
        'Pet.tags (pets.tags): type String[] expects _text, column is text (text)',
        'Pet.bornAt (pets.born_at): type DateTime expects timestamptz, column is timestamp without time zone (timestamp)',
        'Pet.ip (pets.ip): column does not exist',
        'pets.extra: column has no field in model Pet',
        'model Pet: primary key (id) but table has (owner_id)',
        'model Pet: unique pets_owner_name_key is on pets(name, owner_id), expected (owner_id, name)',
        'model Pet: index pets_owner_id_born_at_idx does not exist',
      ].sort(),
    );
  });

  it('flags a model whose table is missing', () => {
    const snap = matchingDb();
    snap.tables = ['owners'];
    snap.columns = snap.columns.filter((c) => c.table === 'owners');
    expect(compareSchema(parseSchema(schema), snap)).toEqual(['model Pet: table pets does not exist']);
  });

  it('maps Prisma types to PostgreSQL types', () => {
    expect(expectedUdt({ type: 'String' })).toBe('text');
    expect(expectedUdt({ type: 'Int' })).toBe('int4');
    expect(expectedUdt({ type: 'BigInt' })).toBe('int8');
    expect(expectedUdt({ type: 'Float' })).toBe('float8');
    expect(expectedUdt({ type: 'Float', nativeType: 'Real' })).toBe('float4');
    expect(expectedUdt({ type: 'Boolean' })).toBe('bool');
    expect(expectedUdt({ type: 'DateTime', nativeType: 'Timestamptz' })).toBe('timestamptz');
    expect(expectedUdt({ type: 'Json' })).toBe('jsonb');
    expect(expectedUdt({ type: 'String', nativeType: 'Uuid' })).toBe('uuid');
    expect(() => expectedUdt({ type: 'Unsupported' })).toThrow(/unsupported/);
    expect(expectedUdt({ type: 'Unsupported', unsupported: 'tsvector' })).toBe('tsvector');
  });
});
