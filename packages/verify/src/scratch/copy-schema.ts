import type pg from 'pg';
import { findTable, qualify, quoteIdent, type SchemaSnapshot, type TableSchema } from '@liveshift/core';
import { parseTableName } from '../workload/application.js';
import { neverWritten, seedExpression, valueFamily } from '../workload/column-values.js';

/**
 * Recreates tables of a snapshot in the scratch database (the tables the plan touches and the
 * tables their foreign keys reference), then fills them with synthesised rows. Triggers are not
 * copied: their functions are not part of a snapshot.
 */

export interface CopiedSchema {
  /** schema.table, in creation order (referenced tables first). */
  tables: string[];
  /** What could not be copied, for the report. */
  notes: string[];
}

/** The tables and every table their foreign keys reference, referenced ones first. */
export function tablesWithReferences(snapshot: SchemaSnapshot, tables: readonly string[]): TableSchema[] {
  const ordered: TableSchema[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    const table = findTable(snapshot, parseTableName(name));
    if (!table) return;
    const key = `${table.schema}.${table.name}`;
    if (visiting.has(key)) return;
    visiting.add(key);
    for (const fk of table.constraints.filter((k) => k.type === 'foreign_key' && k.references)) visit(fk.references!.table);
    ordered.push(table);
  };
  for (const t of tables) visit(t);
  return ordered;
}

export async function copySchema(client: pg.ClientBase, snapshot: SchemaSnapshot, tables: readonly string[]): Promise<CopiedSchema> {
  const ordered = tablesWithReferences(snapshot, tables);
  const notes: string[] = [];
  const schemas = [...new Set(ordered.map((t) => t.schema))];
  for (const schema of schemas) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);

  const usedTypes = new Set(ordered.flatMap((t) => t.columns.map((c) => c.type.replace(/\[\]$/, ''))));
  for (const e of snapshot.enums ?? []) {
    if (!usedTypes.has(e.name) && !usedTypes.has(`${e.schema}.${e.name}`) && !usedTypes.has(qualify(e))) continue;
    await client.query(`CREATE TYPE ${qualify(e)} AS ENUM (${e.values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
  }

  for (const table of ordered) {
    if (table.partitioning || table.partitionOf) {
      throw new Error(`${table.schema}.${table.name} is partitioned (or a partition): verify cannot copy partitioned tables yet`);
    }
    // sequences named by nextval() defaults must exist before the table
    for (const column of table.columns) {
      const sequence = /^nextval\('(.+)'::regclass\)$/.exec(column.default ?? '')?.[1];
      if (sequence) await client.query(`CREATE SEQUENCE IF NOT EXISTS ${sequence.replace(/''/g, "'")}`);
    }
    const columns = table.columns.map((c) => {
      const parts = [quoteIdent(c.name), c.type];
      if (c.identity) parts.push(`GENERATED ${c.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
      else if (c.generated) parts.push(`GENERATED ALWAYS AS (${c.default ?? 'NULL'}) STORED`);
      else if (c.default !== null) parts.push(`DEFAULT ${c.default}`);
      if (!c.nullable) parts.push('NOT NULL');
      return parts.join(' ');
    });
    await client.query(`CREATE TABLE ${qualify(table)} (${columns.join(', ')})`);
    for (const k of table.constraints.filter((k) => k.type !== 'foreign_key')) {
      await client.query(`ALTER TABLE ${qualify(table)} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.definition}`);
    }
    const constraintNames = new Set(table.constraints.map((k) => k.name));
    for (const index of table.indexes) {
      if (constraintNames.has(index.name)) continue;
      if (!index.valid) {
        notes.push(`index ${index.name} on ${table.schema}.${table.name} is INVALID in the source and was not copied`);
        continue;
      }
      await client.query(index.definition);
    }
    if (table.triggers.length) notes.push(`triggers on ${table.schema}.${table.name} were not copied (${table.triggers.map((t) => t.name).join(', ')}): a snapshot does not hold their functions`);
  }
  return { tables: ordered.map((t) => `${t.schema}.${t.name}`), notes };
}

/** Adds the foreign keys, once every table has its rows. */
export async function addForeignKeys(client: pg.ClientBase, snapshot: SchemaSnapshot, tables: readonly string[]): Promise<void> {
  for (const table of tablesWithReferences(snapshot, tables)) {
    for (const k of table.constraints.filter((k) => k.type === 'foreign_key')) {
      await client.query(`ALTER TABLE ${qualify(table)} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.definition}`);
    }
  }
}

/**
 * `rows` rows per table in one INSERT ... SELECT over generate_series, each value made from the
 * row number and the column type (distinct per row for integers, text, timestamps and uuids, so
 * a unique index the plan adds can be built); foreign-key columns get a row number of the
 * referenced table (seeded the same way, first).
 */
export async function seedRows(client: pg.ClientBase, snapshot: SchemaSnapshot, tables: readonly string[], rows: number): Promise<void> {
  for (const table of tablesWithReferences(snapshot, tables)) {
    const foreign = new Set(table.constraints.filter((k) => k.type === 'foreign_key').flatMap((k) => k.columns));
    const labelsOf = (type: string) => snapshot.enums?.find((e) => e.name === type || `${e.schema}.${e.name}` === type || qualify(e) === type)?.values;
    const columns = table.columns.filter((c) => !neverWritten(c) && !c.identity && !(c.default?.startsWith("nextval(") ?? false));
    const values: string[] = [];
    const names: string[] = [];
    for (const c of columns) {
      const family = valueFamily(c.type, labelsOf);
      let expression: string;
      if (foreign.has(c.name) && family === 'integer') expression = `(1 + (g - 1) % ${rows})::${c.type}`;
      else if (foreign.has(c.name)) expression = 'NULL';
      else if (family) expression = seedExpression(family, 'g', c.type, labelsOf(c.type) ?? []);
      else if (c.nullable || c.default !== null) continue;
      else throw new Error(`cannot synthesise values for ${table.schema}.${table.name}.${c.name} of type ${c.type} (NOT NULL, no default)`);
      names.push(quoteIdent(c.name));
      values.push(expression);
    }
    const target = qualify(table);
    try {
      if (names.length === 0) await client.query(`INSERT INTO ${target} SELECT FROM generate_series(1, $1::int) AS g`, [rows]);
      else await client.query(`INSERT INTO ${target} (${names.join(', ')}) SELECT ${values.join(', ')} FROM generate_series(1, $1::int) AS g`, [rows]);
    } catch (error) {
      throw new Error(
        `cannot seed ${rows} synthesised rows into ${table.schema}.${table.name}: ${error instanceof Error ? error.message : String(error)} ` +
          '(values made from the column types do not satisfy every constraint; copy real rows instead with --copy-rows)',
        { cause: error },
      );
    }
    await client.query(`ANALYZE ${target}`);
  }
}
