import type pg from 'pg';
import { qualify, quoteIdent, type SchemaSnapshot, type TableSchema } from '@liveshift/core';
import { tablesWithReferences } from './copy-schema.js';

/**
 * Copies up to `rows` real rows of each table from the source database into the scratch one,
 * referenced tables first, keeping only rows whose foreign keys point at rows that were copied
 * (so the foreign keys can be added afterwards). Values travel as text and are cast back to the
 * column type, so every type round-trips. Sequences are moved past the copied values.
 */
export async function copyRows(source: pg.ClientBase, target: pg.ClientBase, snapshot: SchemaSnapshot, tables: readonly string[], rows: number): Promise<void> {
  const ordered = tablesWithReferences(snapshot, tables);
  const copied = new Set<string>();
  for (const table of ordered) {
    const key = `${table.schema}.${table.name}`;
    const columns = table.columns.filter((c) => c.generated === undefined);
    const filters: string[] = [];
    const values: unknown[] = [];
    for (const fk of table.constraints.filter((k) => k.type === 'foreign_key' && k.references)) {
      const referenced = fk.references!;
      // a reference to a table not copied (or to itself) cannot be narrowed; adding the key will say if it fails
      if (!copied.has(referenced.table) || referenced.table === key) continue;
      const [refSchema, refName] = splitName(referenced.table);
      const { rows: keys } = await target.query<{ k: string }>(
        `SELECT ROW(${referenced.columns.map(quoteIdent).join(', ')})::text AS k FROM ${qualify({ schema: refSchema, name: refName })}`,
      );
      values.push(keys.map((r) => r.k));
      // MATCH SIMPLE: a key with a NULL in it is not checked
      filters.push(`(${fk.columns.map((c) => `${quoteIdent(c)} IS NULL`).join(' OR ')} OR ROW(${fk.columns.map(quoteIdent).join(', ')})::text = ANY($${values.length}::text[]))`);
    }
    const primary = table.indexes.find((i) => i.primary);
    const select =
      // aliased, so ORDER BY sorts by the key column itself and not by its text form
      `SELECT ${columns.map((c, i) => `${quoteIdent(c.name)}::text AS c${i}`).join(', ')} FROM ${qualify(table)}` +
      (filters.length ? ` WHERE ${filters.join(' AND ')}` : '') +
      (primary ? ` ORDER BY ${primary.columns.map(quoteIdent).join(', ')}` : '') +
      ` LIMIT ${Math.floor(rows)}`;
    const { rows: data } = await source.query<unknown[]>({ text: select, values, rowMode: 'array' });
    await insertAsText(target, table, columns, data as (string | null)[][]);
    await moveSequences(target, table);
    await target.query(`ANALYZE ${qualify(table)}`);
    copied.add(key);
  }
}

async function insertAsText(target: pg.ClientBase, table: TableSchema, columns: TableSchema['columns'], data: (string | null)[][]): Promise<void> {
  const overriding = columns.some((c) => c.identity === 'always') ? ' OVERRIDING SYSTEM VALUE' : '';
  const aliases = columns.map((_, i) => `c${i}`);
  const text = `INSERT INTO ${qualify(table)} (${columns.map((c) => quoteIdent(c.name)).join(', ')})${overriding}
    SELECT ${columns.map((c, i) => `u.${aliases[i]}::${c.type}`).join(', ')} FROM unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${aliases.join(', ')})`;
  for (let start = 0; start < data.length; start += 5000) {
    const batch = data.slice(start, start + 5000);
    await target.query(text, columns.map((_, i) => batch.map((row) => row[i] ?? null)));
  }
}

/** Serial and identity sequences continue after the largest copied value, so inserts do not collide. */
async function moveSequences(target: pg.ClientBase, table: TableSchema): Promise<void> {
  for (const column of table.columns) {
    const serial = /^nextval\('(.+)'::regclass\)$/.exec(column.default ?? '')?.[1];
    const sequence = serial
      ? `'${serial.replace(/'/g, "''")}'::regclass`
      : column.identity
        ? `pg_get_serial_sequence('${qualify(table).replace(/'/g, "''")}', '${column.name.replace(/'/g, "''")}')::regclass`
        : undefined;
    if (!sequence) continue;
    await target.query(`SELECT setval(${sequence}, coalesce((SELECT max(${quoteIdent(column.name)}) FROM ${qualify(table)}), 0) + 1, false)`);
  }
}

function splitName(name: string): [string, string] {
  const dot = name.indexOf('.');
  return dot < 0 ? ['public', name] : [name.slice(0, dot), name.slice(dot + 1)];
}
