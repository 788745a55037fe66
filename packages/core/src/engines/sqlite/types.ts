import type { EngineInfo, TableSchema } from '../../schema/snapshot.js';
import { PlanningError } from '../../errors.js';
import { parseCreateTable } from './create-statement.js';

/** SQLite's standard type names; from 3.37 (STRICT tables) the schema stores them upper-cased, whatever the spelling. */
const STANDARD_TYPES = new Set(['INT', 'INTEGER', 'REAL', 'TEXT', 'BLOB', 'ANY']);
const NORMALIZES_STANDARD_TYPES = 3_037_000;

/** A declared type as pragma table_xinfo will report it on this version ("text" → "TEXT" on 3.37+). */
export function declaredType(engine: EngineInfo, type: string): string {
  const trimmed = type.trim();
  return engine.versionNum >= NORMALIZES_STANDARD_TYPES && STANDARD_TYPES.has(trimmed.toUpperCase()) ? trimmed.toUpperCase() : trimmed;
}

/** A STRICT table (3.37+) accepts only the standard type names: refused at plan time, not at the ALTER. */
export function requireStrictType(table: TableSchema, type: string, statement: string): void {
  if (!table.definition || !parseCreateTable(table.definition).options.includes('STRICT')) return;
  if (!STANDARD_TYPES.has(type.trim().toUpperCase())) {
    throw new PlanningError(`${table.schema}.${table.name} is a STRICT table: a column's type must be one of ${[...STANDARD_TYPES].join(', ')}, not ${type}`, statement);
  }
}
