import type { ColumnSchema } from '@liveshift/core';

/**
 * Values for a column, chosen from its type alone, used both by the workload (a query parameter
 * cast to the column's type) and by the scratch database seeding (a SQL expression of the row
 * number). Every column of one family gets the same value in one row, so two columns that a plan
 * keeps in sync (full_name and display_name during a rename) hold equal values, as an application
 * writing both would write them.
 */

export type ValueFamily = 'integer' | 'number' | 'text' | 'boolean' | 'timestamp' | 'date' | 'time' | 'uuid' | 'json' | 'bytea' | 'enum' | 'array';

/** The family of a type as format_type prints it, or undefined when liveshift cannot make values for it. */
export function valueFamily(type: string, enumLabels?: (type: string) => string[] | undefined): ValueFamily | undefined {
  const t = type.toLowerCase().trim();
  if (t.endsWith('[]')) return 'array';
  if (/^(smallint|integer|bigint|int[248]?|smallserial|serial|bigserial)$/.test(t)) return 'integer';
  if (/^(numeric|decimal)(\(.*\))?$/.test(t) || t === 'real' || t === 'double precision' || t === 'money') return 'number';
  if (/^(text|citext|name|character varying|varchar|character|char|bpchar)(\(\d+\))?$/.test(t)) return 'text';
  if (t === 'boolean' || t === 'bool') return 'boolean';
  if (/^timestamp(\(\d\))?( with(out)? time zone)?$/.test(t) || t === 'timestamptz') return 'timestamp';
  if (t === 'date') return 'date';
  if (/^time(\(\d\))?( with(out)? time zone)?$/.test(t)) return 'time';
  if (t === 'uuid') return 'uuid';
  if (t === 'json' || t === 'jsonb') return 'json';
  if (t === 'bytea') return 'bytea';
  if (enumLabels?.(type)?.length) return 'enum';
  return undefined;
}

/** A parameter value (a string PostgreSQL casts to the column type) for row number `n`. */
export function parameterValue(family: ValueFamily, n: number, labels: readonly string[] = []): string | null {
  switch (family) {
    case 'integer':
      // stays inside smallint so any integer column accepts it
      return String(1 + (n % 32_000));
    case 'number':
      return `${n % 100_000}.5`;
    case 'text':
      return `v${n}`;
    case 'boolean':
      return n % 2 === 0 ? 'true' : 'false';
    case 'timestamp':
      // one second per row number: seeded rows (small n) and the workload's (n from 10^9) never meet
      return new Date(Date.UTC(2020, 0, 1) + n * 1000).toISOString();
    case 'date':
      return new Date(Date.UTC(2020, 0, 1) + (n % 10_000) * 86_400_000).toISOString().slice(0, 10);
    case 'time':
      return `${String(n % 24).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:00`;
    case 'uuid':
      return uuidFor(n);
    case 'json':
      return JSON.stringify({ n });
    case 'bytea':
      return `\\x${(n >>> 0).toString(16).padStart(8, '0')}`;
    case 'enum':
      return labels.length ? labels[n % labels.length]! : null;
    case 'array':
      return '{}';
  }
}

/** A SQL expression of the integer row number `g` giving the same values as parameterValue, for seeding. */
export function seedExpression(family: ValueFamily, g: string, type: string, labels: readonly string[] = []): string {
  switch (family) {
    case 'integer':
      // the row number itself (distinct, so a unique index the plan adds can be built), wrapped for smallint
      return /^(smallint|int2|smallserial)$/i.test(type.trim()) ? `(1 + (${g} % 32000))::${type}` : `${g}::${type}`;
    case 'number':
      return `((${g} % 100000) + 0.5)::${type}`;
    case 'text':
      return `('v' || ${g})::${type}`;
    case 'boolean':
      return `(${g} % 2 = 0)`;
    case 'timestamp':
      return `(timestamptz '2020-01-01 00:00:00+00' + make_interval(secs => (${g})::double precision))::${type}`;
    case 'date':
      return `(date '2020-01-01' + (${g} % 10000)::int)`;
    case 'time':
      return `make_time((${g} % 24)::int, (${g} % 60)::int, 0)::${type}`;
    case 'uuid':
      return `md5(${g}::text)::uuid`;
    case 'json':
      return `json_build_object('n', ${g})::${type}`;
    case 'bytea':
      return `decode(lpad(to_hex(${g}), 8, '0'), 'hex')`;
    case 'enum':
      return labels.length ? `(ARRAY[${labels.map((l) => `'${l.replace(/'/g, "''")}'`).join(', ')}])[1 + (${g} % ${labels.length})]::${type}` : 'NULL';
    case 'array':
      return `'{}'::${type}`;
  }
}

/** Unique per n (so unique columns accept it) and a valid UUID. */
function uuidFor(n: number): string {
  const hex = (n >>> 0).toString(16).padStart(12, '0').slice(-12);
  const hi = Math.floor(n / 2 ** 32).toString(16).padStart(8, '0').slice(-8);
  return `${hi}-0000-4000-8000-${hex}`;
}

/** Columns the database fills by itself (an insert may leave them out). */
export function databaseFills(column: ColumnSchema): boolean {
  return column.default !== null || column.identity !== undefined || column.generated !== undefined;
}

/** Columns no statement may write. */
export function neverWritten(column: ColumnSchema): boolean {
  return column.identity === 'always' || column.generated !== undefined;
}
