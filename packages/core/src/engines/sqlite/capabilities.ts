import type { EngineInfo } from '../../schema/snapshot.js';

/**
 * What ALTER TABLE can do on each SQLite version (lang_altertable.html; locks.md §4.1), as data:
 * a recipe asks `hasCapability` and falls back to the 12-step table rebuild when the answer is no.
 * Versions are SQLITE_VERSION_NUMBER: major*1000000 + minor*1000 + patch.
 */
export const SQLITE_CAPABILITIES = {
  /** ALTER TABLE … RENAME COLUMN; RENAME also rewrites references in triggers and views. */
  renameColumn: 3_025_000,
  /** RENAME TO also rewrites foreign keys in other tables that reference the renamed table. */
  renameTableRewritesForeignKeys: 3_026_000,
  /** ALTER TABLE … DROP COLUMN (rewrites the table; refused for key, indexed or referenced columns). */
  dropColumn: 3_035_000,
  /** STRICT tables (type-checked columns). */
  strictTables: 3_037_000,
  /** ALTER TABLE … ADD CONSTRAINT … CHECK and ALTER COLUMN … SET NOT NULL (3.53.0); not used yet: the rebuild works on every version. */
  alterConstraints: 3_053_000,
} as const;

export type SqliteCapability = keyof typeof SQLITE_CAPABILITIES;

/** RENAME COLUMN is the oldest form the plans rely on (the rename recipe); older versions are refused. */
export const SQLITE_MIN_SUPPORTED = SQLITE_CAPABILITIES.renameColumn;
/** The newest version these claims were checked on (better-sqlite3 12.11.1 bundles 3.53.x). */
export const SQLITE_MAX_KNOWN = 3_053_999;

export function hasCapability(engine: EngineInfo, capability: SqliteCapability): boolean {
  return engine.versionNum >= SQLITE_CAPABILITIES[capability];
}

/** "3.35.0" from 3035000. */
export function sqliteVersionText(versionNum: number): string {
  return `${Math.floor(versionNum / 1_000_000)}.${Math.floor(versionNum / 1000) % 1000}.${versionNum % 1000}`;
}

/**
 * What ADD COLUMN refuses (lang_altertable §4; locks.md §4.1 [E]); null when the column can be
 * added in place. The reasons are the user's: each names the way out (the table rebuild).
 */
export function addColumnLimit(column: { nullable: boolean; default: string | null; primaryKey?: boolean; unique?: boolean; references?: boolean; storedGenerated?: boolean }, defaultIsConstant: boolean): string | null {
  if (column.primaryKey) return 'ADD COLUMN cannot add a PRIMARY KEY column';
  if (column.unique) return 'ADD COLUMN cannot add a UNIQUE column';
  if (column.storedGenerated) return 'ADD COLUMN cannot add a STORED generated column (VIRTUAL is allowed)';
  if (column.default !== null && !defaultIsConstant) return `ADD COLUMN needs a constant default; ${column.default} is not one (CURRENT_TIME/DATE/TIMESTAMP and parenthesised expressions are refused)`;
  if (!column.nullable && (column.default === null || /^null$/i.test(column.default.trim()))) return 'ADD COLUMN … NOT NULL needs a non-NULL default';
  if (column.references && column.default !== null && !/^null$/i.test(column.default.trim())) return 'with foreign_keys on, ADD COLUMN … REFERENCES needs the default NULL';
  return null;
}
