import { normalizeSnapshot, type SchemaSnapshot } from '@liveshift/core';

/**
 * The parts of a snapshot a user checks, with expression text reduced to its tokens: the server
 * prints `(email IS NOT NULL)` and `'x'::text` where the plan says `email IS NOT NULL` and `'x'`.
 * Sizes, row estimates and index definitions are not compared.
 */
export function comparable(snapshot: SchemaSnapshot) {
  return normalizeSnapshot(snapshot).tables.map((t) => ({
    table: `${t.schema}.${t.name}`,
    columns: t.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, default: expr(c.default) })),
    indexes: t.indexes.map((i) => ({ name: i.name, columns: i.columns.map(expr), unique: i.unique, primary: i.primary, valid: i.valid, predicate: expr(i.predicate), method: i.method })),
    constraints: t.constraints.map((k) => ({ name: k.name, type: k.type, columns: k.columns, validated: k.validated, references: k.references })),
    triggers: t.triggers.map((tr) => ({ name: tr.name, function: tr.function, enabled: tr.enabled })),
  }));
}

function expr(text: string | null): string | null {
  if (text === null) return null;
  return text
    .replace(/::[a-z_ ]+(\(\d+(,\d+)?\))?(\[\])?/gi, '')
    .replace(/[^A-Za-z0-9_']+/g, ' ')
    .trim()
    .toLowerCase();
}
