import type { EngineInfo } from '../../schema/snapshot.js';

/** SQLite's standard type names; from 3.37 (STRICT tables) the schema stores them upper-cased, whatever the spelling. */
const STANDARD_TYPES = new Set(['INT', 'INTEGER', 'REAL', 'TEXT', 'BLOB', 'ANY']);
const NORMALIZES_STANDARD_TYPES = 3_037_000;

/** A declared type as pragma table_xinfo will report it on this version ("text" → "TEXT" on 3.37+). */
export function declaredType(engine: EngineInfo, type: string): string {
  const trimmed = type.trim();
  return engine.versionNum >= NORMALIZES_STANDARD_TYPES && STANDARD_TYPES.has(trimmed.toUpperCase()) ? trimmed.toUpperCase() : trimmed;
}
