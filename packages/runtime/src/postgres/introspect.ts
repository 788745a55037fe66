import type pg from 'pg';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  normalizeSnapshot,
  type ColumnSchema,
  type ConstraintSchema,
  type ConstraintType,
  type EngineInfo,
  type IndexSchema,
  type SchemaSnapshot,
  type TableSchema,
  type TriggerSchema,
} from '@liveshift/core';
import { STATE_SCHEMA } from '../state.js';

/*
 * Catalog queries only (no information_schema: it hides objects the role does not own), written
 * to run unchanged on PostgreSQL 11 through 18.
 */

const TABLES_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name,
       c.reltuples::float8 AS row_estimate, pg_total_relation_size(c.oid)::int8 AS size_bytes,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       (SELECT pn.nspname || '.' || p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
          JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE c.relispartition AND i.inhrelid = c.oid) AS partition_of
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1)
  AND n.nspname NOT LIKE 'pg\\_toast%'
  AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

const COLUMNS_SQL = `
SELECT a.attrelid::int8 AS table_oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default,
       a.attidentity AS identity, to_jsonb(a) ->> 'attgenerated' AS generated
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`;

// indkey is an int2vector (0-based); a 0 entry is an expression key
const INDEXES_SQL = `
SELECT i.indrelid::int8 AS table_oid, ic.relname AS name, i.indisunique AS unique, i.indisprimary AS primary,
       i.indisvalid AS valid, pg_get_expr(i.indpred, i.indrelid) AS predicate, am.amname AS method,
       pg_get_indexdef(i.indexrelid) AS definition,
       ARRAY(
         SELECT CASE WHEN i.indkey[k - 1] <> 0
                     THEN (SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1])
                     ELSE pg_get_indexdef(i.indexrelid, k, true) END
         FROM generate_series(1, i.indnkeyatts::int) AS k
         ORDER BY k
       ) AS columns
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE i.indrelid = ANY($1::oid[])`;

// contype 'n' (NOT NULL, stored here from 18) and 'x' (exclusion) are not in the model
const CONSTRAINTS_SQL = `
SELECT c.conrelid::int8 AS table_oid, c.conname AS name, c.contype AS contype,
       pg_get_constraintdef(c.oid) AS definition, c.convalidated AS validated,
       ARRAY(
         SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
         ORDER BY k.ord
       ) AS columns,
       (SELECT rn.nspname || '.' || r.relname FROM pg_class r JOIN pg_namespace rn ON rn.oid = r.relnamespace
         WHERE r.oid = c.confrelid) AS ref_table,
       ARRAY(
         SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
         ORDER BY k.ord
       ) AS ref_columns
FROM pg_constraint c
WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('p', 'u', 'c', 'f')`;

const TRIGGERS_SQL = `
SELECT t.tgrelid::int8 AS table_oid, t.tgname AS name, pn.nspname || '.' || p.proname AS function,
       t.tgenabled <> 'D' AS enabled
FROM pg_trigger t
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal`;

// enum types outside the system schemas, labels in sort order (an enum may have none)
const ENUMS_SQL = `
SELECT n.nspname AS schema, t.typname AS name,
       coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FILTER (WHERE e.enumlabel IS NOT NULL), '{}') AS values
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e' AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1)
GROUP BY n.nspname, t.typname`;

const IDENTITY: Record<string, ColumnSchema['identity']> = { a: 'always', d: 'by default' };
const GENERATED: Record<string, ColumnSchema['generated']> = { s: 'stored', v: 'virtual' };
const STRATEGIES: Record<string, 'range' | 'list' | 'hash'> = { RANGE: 'range', LIST: 'list', HASH: 'hash' };

const CONSTRAINT_TYPES: Record<string, ConstraintType> = {
  p: 'primary_key',
  u: 'unique',
  c: 'check',
  f: 'foreign_key',
};

type Queryable = Pick<pg.Client, 'query'>;

/** The schema of every user table (ordinary and partitioned), normalized for comparison. */
export async function introspectPostgres(client: Queryable): Promise<SchemaSnapshot> {
  const engine = await engineInfo(client);
  const tableRows = (await client.query(TABLES_SQL, [STATE_SCHEMA])).rows as {
    oid: string;
    schema: string;
    name: string;
    row_estimate: number;
    size_bytes: string;
    partition_key: string | null;
    partition_bound: string | null;
    partition_of: string | null;
  }[];
  const oids = tableRows.map((t) => t.oid);
  // one after the other: a pg.Client runs one query at a time anyway
  const columns = await client.query(COLUMNS_SQL, [oids]);
  const indexes = await client.query(INDEXES_SQL, [oids]);
  const constraints = await client.query(CONSTRAINTS_SQL, [oids]);
  const triggers = await client.query(TRIGGERS_SQL, [oids]);
  const enums = await client.query(ENUMS_SQL, [STATE_SCHEMA]);

  const tables = new Map<string, TableSchema>();
  for (const row of tableRows) {
    tables.set(row.oid, {
      schema: row.schema,
      name: row.name,
      columns: [],
      indexes: [],
      constraints: [],
      triggers: [],
      rowEstimate: row.row_estimate,
      sizeBytes: Number(row.size_bytes),
      ...partitionFacts(row),
    });
  }
  const tableOf = (oid: string): TableSchema => {
    const table = tables.get(oid);
    if (!table) throw new Error(`catalog row for unknown table oid ${oid}`);
    return table;
  };

  for (const row of columns.rows) {
    const column: ColumnSchema = { name: row.name, type: row.type, nullable: row.nullable, default: row.default };
    if (IDENTITY[row.identity]) column.identity = IDENTITY[row.identity];
    if (GENERATED[row.generated]) column.generated = GENERATED[row.generated];
    tableOf(row.table_oid).columns.push(column);
  }
  for (const row of indexes.rows) {
    const index: IndexSchema = {
      name: row.name,
      columns: row.columns,
      unique: row.unique,
      primary: row.primary,
      valid: row.valid,
      predicate: row.predicate,
      method: row.method,
      definition: row.definition,
    };
    tableOf(row.table_oid).indexes.push(index);
  }
  for (const row of constraints.rows) {
    const type = CONSTRAINT_TYPES[row.contype as string];
    if (!type) continue;
    const constraint: ConstraintSchema = {
      name: row.name,
      type,
      columns: row.columns,
      definition: row.definition,
      validated: row.validated,
      references: type === 'foreign_key' ? { table: row.ref_table, columns: row.ref_columns } : null,
    };
    tableOf(row.table_oid).constraints.push(constraint);
  }
  for (const row of triggers.rows) {
    const trigger: TriggerSchema = { name: row.name, function: row.function, enabled: row.enabled };
    tableOf(row.table_oid).triggers.push(trigger);
  }

  return normalizeSnapshot({
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    engine,
    tables: [...tables.values()],
    enums: enums.rows.map((row) => ({ schema: row.schema, name: row.name, values: row.values })),
  });
}

/** "RANGE (created_at)" → { strategy: 'range', key: '(created_at)' }; a partition's parent and bound. */
function partitionFacts(row: { partition_key: string | null; partition_bound: string | null; partition_of: string | null }): Pick<TableSchema, 'partitioning' | 'partitionOf'> {
  const facts: Pick<TableSchema, 'partitioning' | 'partitionOf'> = {};
  const m = row.partition_key === null ? null : /^(\w+)\s*(.*)$/s.exec(row.partition_key);
  if (m && STRATEGIES[m[1]!]) facts.partitioning = { strategy: STRATEGIES[m[1]!]!, key: m[2]!.trim() };
  if (row.partition_of !== null && row.partition_bound !== null) facts.partitionOf = { table: row.partition_of, bound: row.partition_bound };
  return facts;
}

/** The server's version, as plans and version gates use it. */
export async function engineInfo(client: Queryable): Promise<EngineInfo> {
  const { rows } = await client.query(
    `SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS version_num`,
  );
  const row = rows[0] as { version: string; version_num: number };
  // "12.22 (Debian 12.22-1.pgdg120+1)" → "12.22"; "18beta1" → "18.0"
  const match = /^(\d+)(?:\.(\d+))?/.exec(row.version);
  return {
    name: 'postgres',
    version: match ? `${match[1]}.${match[2] ?? '0'}` : row.version,
    versionNum: row.version_num,
  };
}
