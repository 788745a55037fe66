import type { TableRef } from '../../schema/snapshot.js';

/** Always-quoted identifier: safe for mixed case, spaces, quotes and reserved words. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error(`identifier ${JSON.stringify(name)} contains a NUL byte`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** "schema"."table" */
export function qualify(ref: TableRef): string {
  return `${quoteIdent(ref.schema)}.${quoteIdent(ref.name)}`;
}

/** A SQL string literal, standard-conforming ('' doubling). */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('string literal contains a NUL byte');
  return `'${value.replace(/'/g, "''")}'`;
}

/** The unquoted, human form used in messages and lock claims: schema.table */
export function displayName(ref: TableRef): string {
  return `${ref.schema}.${ref.name}`;
}

/**
 * A name derived from parts and kept within PostgreSQL's 63-byte limit, deterministic:
 * long names are cut and suffixed with a short hash so two long names do not collide.
 */
export function derivedName(parts: string[], suffix: string): string {
  const base = `${parts.join('_')}_${suffix}`;
  if (Buffer.byteLength(base, 'utf8') <= 63) return base;
  let h = 0;
  for (const ch of base) h = (Math.imul(h, 31) + ch.codePointAt(0)!) >>> 0;
  const tag = h.toString(36).padStart(7, '0').slice(0, 7);
  let head = base;
  while (Buffer.byteLength(`${head}_${tag}`, 'utf8') > 63) head = [...head].slice(0, -1).join('');
  return `${head}_${tag}`;
}
