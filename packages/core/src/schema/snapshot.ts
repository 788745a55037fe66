/**
 * The schema model: what liveshift knows about a database, either introspected from a live
 * server or read from a snapshot file. Plans are made from it and `applyToSnapshot` evolves it
 * step by step, so a test can compare the real database with the expected one.
 */

export const SNAPSHOT_FORMAT = 'liveshift.snapshot';
export const SNAPSHOT_VERSION = 1;

export const ENGINE_NAMES = ['postgres', 'mysql', 'mariadb', 'sqlite'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface EngineInfo {
  name: EngineName;
  /** Human version, e.g. "18.4", "10.11.19", "3.45.1". */
  version: string;
  /**
   * The version as one comparable number; version gates compare against this.
   * PostgreSQL: server_version_num (180004). MySQL/MariaDB: major*10000 + minor*100 + patch
   * (80029, 101119). SQLite: SQLITE_VERSION_NUMBER, major*1000000 + minor*1000 + patch (3045001).
   */
  versionNum: number;
}

/** How plans and messages name an engine. */
export const ENGINE_LABELS: Record<EngineName, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  sqlite: 'SQLite',
};

export interface ColumnSchema {
  name: string;
  /** The type as the server formats it (format_type), e.g. "character varying(200)". */
  type: string;
  nullable: boolean;
  /** The default expression as the server prints it, or null. */
  default: string | null;
  /** An identity column (its sequence belongs to the column, not to a default); absent for ordinary columns. */
  identity?: 'always' | 'by default';
  /** A generated column; absent for ordinary columns. */
  generated?: 'stored' | 'virtual';
}

export interface IndexSchema {
  name: string;
  /** Plain column names in key order; expression keys appear as their expression text. */
  columns: string[];
  unique: boolean;
  primary: boolean;
  /** false when a CREATE INDEX CONCURRENTLY failed and left the index behind. */
  valid: boolean;
  /** The partial-index predicate, or null. */
  predicate: string | null;
  method: string;
  /** pg_get_indexdef output; informative, not compared. */
  definition: string;
}

export type ConstraintType = 'primary_key' | 'unique' | 'check' | 'foreign_key';

export interface ConstraintSchema {
  name: string;
  type: ConstraintType;
  columns: string[];
  /** pg_get_constraintdef output, e.g. "CHECK ((email IS NOT NULL)) NOT VALID". */
  definition: string;
  validated: boolean;
  references: { table: string; columns: string[] } | null;
}

export interface TriggerSchema {
  name: string;
  /** The trigger function, schema-qualified (SQLite: "inline", the body is part of the trigger). */
  function: string;
  enabled: boolean;
  /** SQLite: the CREATE TRIGGER statement, which a table rebuild runs again (absent elsewhere). */
  definition?: string;
}

export interface TableSchema {
  /** PostgreSQL schema; MySQL/MariaDB database; SQLite attached database name ("main"). */
  schema: string;
  name: string;
  columns: ColumnSchema[];
  indexes: IndexSchema[];
  constraints: ConstraintSchema[];
  triggers: TriggerSchema[];
  /** pg_class.reltuples; -1 when the table was never analyzed (unknown). */
  rowEstimate: number;
  /** Heap + TOAST + indexes, bytes. */
  sizeBytes: number;
  /** A partitioned table: how its rows are split (absent for ordinary tables). */
  partitioning?: { strategy: 'range' | 'list' | 'hash'; /** The key as pg_get_partkeydef prints it after the strategy, e.g. "(created_at)". */ key: string };
  /**
   * SQLite: the CREATE TABLE statement sqlite_schema holds, read for what the model does not carry
   * (STRICT, WITHOUT ROWID, COLLATE, generated columns) before a table rebuild; absent elsewhere.
   */
  definition?: string;
  /** A partition: its partitioned table (schema.table) and bound as pg_get_expr prints it, e.g. "FOR VALUES FROM (1) TO (10)" (absent otherwise). */
  partitionOf?: { table: string; bound: string };
  /** MySQL/MariaDB: the table's storage engine (information_schema.TABLES.ENGINE), e.g. "InnoDB"; absent elsewhere. */
  storageEngine?: string;
}

/** An enum type and its labels in sort order. */
export interface EnumSchema {
  schema: string;
  name: string;
  values: string[];
}

export interface SchemaSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  engine: EngineInfo;
  tables: TableSchema[];
  /** Enum types; absent in snapshots written before liveshift read them (treated as unknown, not as none). */
  enums?: EnumSchema[];
}

export interface TableRef {
  schema: string;
  name: string;
}

export function tableKey(ref: TableRef): string {
  return `${ref.schema}.${ref.name}`;
}

export function findTable(snapshot: SchemaSnapshot, ref: TableRef): TableSchema | undefined {
  return snapshot.tables.find((t) => t.schema === ref.schema && t.name === ref.name);
}

export function findColumn(table: TableSchema, name: string): ColumnSchema | undefined {
  return table.columns.find((c) => c.name === name);
}

/** Sorts every list so two snapshots of the same schema compare equal whatever the catalog order. */
export function normalizeSnapshot(snapshot: SchemaSnapshot): SchemaSnapshot {
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    ...snapshot,
    tables: [...snapshot.tables]
      .map((t) => ({
        ...t,
        // column order is meaningful (it is physical order), keep it
        columns: t.columns.map((c) => ({ ...c })),
        indexes: [...t.indexes].sort(byName),
        constraints: [...t.constraints].sort(byName),
        triggers: [...t.triggers].sort(byName),
      }))
      .sort((a, b) => (tableKey(a) < tableKey(b) ? -1 : tableKey(a) > tableKey(b) ? 1 : 0)),
    ...(snapshot.enums ? { enums: [...snapshot.enums].map((e) => ({ ...e, values: [...e.values] })).sort((a, b) => (tableKey(a) < tableKey(b) ? -1 : tableKey(a) > tableKey(b) ? 1 : 0)) } : {}),
  };
}
