import type Database from 'better-sqlite3';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  derivedConstraintName,
  mentionedColumns,
  normalizeSnapshot,
  parseCreateIndex,
  parseCreateTable,
  quoteSqliteIdent,
  type ColumnSchema,
  type ConstraintSchema,
  type EngineInfo,
  type IndexSchema,
  type ParsedCreateTable,
  type SchemaSnapshot,
  type SqliteClause,
  type TableSchema,
} from '@liveshift/core';

/**
 * The schema of the main database as liveshift models it: tables from sqlite_schema, columns from
 * pragma table_xinfo, indexes from index_list / index_xinfo (with their CREATE INDEX text),
 * foreign keys from foreign_key_list, triggers with their CREATE TRIGGER text; constraint names and
 * CHECK expressions, which no pragma reports, from the CREATE TABLE text read by its tokens.
 * Unnamed constraints get PostgreSQL-style names (users_pkey, users_email_key, …), the names a
 * liveshift rebuild then writes out. liveshift_* tables are liveshift's own and left out.
 */
export function sqliteEngineInfo(db: Database.Database): EngineInfo {
  const version = String(db.prepare('SELECT sqlite_version()').pluck().get());
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return { name: 'sqlite', version, versionNum: major * 1_000_000 + minor * 1000 + patch };
}

export function introspectSqlite(db: Database.Database): SchemaSnapshot {
  const tables = db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'liveshift\\_%' ESCAPE '\\' ORDER BY name`)
    .all() as { name: string; sql: string | null }[];
  const dbstat = hasDbstat(db);
  return normalizeSnapshot({
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    engine: sqliteEngineInfo(db),
    tables: tables.filter((t) => t.sql && !/^CREATE\s+VIRTUAL/i.test(t.sql)).map((t) => tableSchema(db, t.name, t.sql!, dbstat)),
  });
}

interface XInfo {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

function pragma<T>(db: Database.Database, name: string, arg: string): T[] {
  return db.prepare(`SELECT * FROM pragma_${name}(?)`).all(arg) as T[];
}

function tableSchema(db: Database.Database, name: string, sql: string, dbstat: boolean): TableSchema {
  const parsed = parseCreateTable(sql);
  const xinfo = pragma<XInfo>(db, 'table_xinfo', name).filter((c) => c.hidden !== 1);
  const columnNames = xinfo.map((c) => c.name);
  const columns: ColumnSchema[] = xinfo.map((c) => ({
    name: c.name,
    type: c.type,
    nullable: c.notnull === 0,
    default: c.dflt_value,
    ...(c.hidden === 2 ? { generated: 'virtual' as const } : c.hidden === 3 ? { generated: 'stored' as const } : {}),
  }));
  const clauses = allClauses(parsed);
  const names = new Set<string>();
  const claim = (given: string | null, fallback: string) => {
    let n = given ?? fallback;
    for (let i = 1; !given && names.has(n); i++) n = `${fallback}${i}`;
    names.add(n);
    return n;
  };
  const constraints: ConstraintSchema[] = [];

  const pk = xinfo.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  if (pk.length) {
    const clause = clauses.find((k) => k.kind === 'primary_key');
    const auto = parsed.columns.some((c) => c.autoincrement && pk.length === 1 && c.name === pk[0]);
    const list = pk.map((c, i) => `${quoteSqliteIdent(c)}${auto && i === 0 ? ' AUTOINCREMENT' : ''}`).join(', ');
    constraints.push({ name: claim(clause?.name ?? null, derivedConstraintName(name, 'primary_key', pk)), type: 'primary_key', columns: pk, definition: `PRIMARY KEY (${list})`, validated: true, references: null });
  }

  const indexes: IndexSchema[] = [];
  const indexList = pragma<{ name: string; unique: number; origin: string; partial: number }>(db, 'index_list', name);
  for (const ix of indexList) {
    const keys = pragma<{ cid: number; name: string | null; key: number }>(db, 'index_xinfo', ix.name).filter((k) => k.key === 1);
    if (ix.origin === 'u') {
      const cols = keys.map((k) => k.name!);
      const clause = clauses.find((k) => k.kind === 'unique' && sameColumns(k.columns, cols));
      constraints.push({ name: claim(clause?.name ?? null, derivedConstraintName(name, 'unique', cols)), type: 'unique', columns: cols, definition: `UNIQUE (${cols.map(quoteSqliteIdent).join(', ')})`, validated: true, references: null });
    } else if (ix.origin === 'c') {
      const definition = String(db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`).pluck().get(ix.name));
      const parsedIndex = parseCreateIndex(definition);
      indexes.push({
        name: ix.name,
        columns: keys.map((k, i) => k.name ?? parsedIndex.keys[i]?.text ?? '?'),
        unique: ix.unique === 1,
        primary: false,
        valid: true,
        predicate: parsedIndex.predicate,
        method: 'btree',
        definition,
      });
    }
  }

  const fks = pragma<{ id: number; seq: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }>(db, 'foreign_key_list', name);
  for (const id of [...new Set(fks.map((f) => f.id))].sort((a, b) => a - b)) {
    const parts = fks.filter((f) => f.id === id).sort((a, b) => a.seq - b.seq);
    const cols = parts.map((p) => p.from);
    const parent = parts[0]!.table;
    const parentColumns = parts.some((p) => p.to === null) ? parentKey(db, parent) : parts.map((p) => p.to!);
    const clause = clauses.find((k) => k.kind === 'foreign_key' && sameColumns(k.columns, cols) && k.references!.table.toLowerCase() === parent.toLowerCase());
    const actions = `${parts[0]!.on_delete !== 'NO ACTION' ? ` ON DELETE ${parts[0]!.on_delete}` : ''}${parts[0]!.on_update !== 'NO ACTION' ? ` ON UPDATE ${parts[0]!.on_update}` : ''}`;
    constraints.push({
      name: claim(clause?.name ?? null, derivedConstraintName(name, 'foreign_key', cols)),
      type: 'foreign_key',
      columns: cols,
      definition: `FOREIGN KEY (${cols.map(quoteSqliteIdent).join(', ')}) REFERENCES ${quoteSqliteIdent(parent)} (${parentColumns.map(quoteSqliteIdent).join(', ')})${actions}`,
      validated: true,
      references: { table: `main.${parent}`, columns: parentColumns },
    });
  }

  for (const check of clauses.filter((k) => k.kind === 'check')) {
    const cols = mentionedColumns(check.expression!, columnNames);
    constraints.push({ name: claim(check.name, derivedConstraintName(name, 'check', cols)), type: 'check', columns: cols, definition: `CHECK (${check.expression})`, validated: true, references: null });
  }

  const triggers = (db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? ORDER BY name`).all(name) as { name: string; sql: string }[]).map((t) => ({
    name: t.name,
    function: 'inline',
    enabled: true,
    definition: t.sql,
  }));

  const rows = Number(db.prepare(`SELECT count(*) FROM ${quoteSqliteIdent(name)}`).pluck().get());
  return { schema: 'main', name, columns, indexes, constraints, triggers, rowEstimate: rows, sizeBytes: tableBytes(db, name, indexes, rows, dbstat), definition: sql };
}

/** Column and table constraints in the order written. */
function allClauses(parsed: ParsedCreateTable): SqliteClause[] {
  return [...parsed.columns.flatMap((c) => c.clauses), ...parsed.constraints];
}

function sameColumns(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x.toLowerCase() === b[i]!.toLowerCase());
}

function parentKey(db: Database.Database, parent: string): string[] {
  return pragma<XInfo>(db, 'table_xinfo', parent)
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

function hasDbstat(db: Database.Database): boolean {
  try {
    db.prepare('SELECT 1 FROM dbstat LIMIT 1').get();
    return true;
  } catch {
    return false;
  }
}

/** Pages of the table and its indexes (dbstat), or ~100 bytes a row where dbstat is not compiled in. */
function tableBytes(db: Database.Database, name: string, indexes: IndexSchema[], rows: number, dbstat: boolean): number {
  if (!dbstat) return rows * 100;
  const autoindexes = (pragma<{ name: string; origin: string }>(db, 'index_list', name)).map((i) => i.name);
  const objects = [name, ...indexes.map((i) => i.name), ...autoindexes];
  const placeholders = objects.map(() => '?').join(', ');
  return Number(db.prepare(`SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (${placeholders})`).pluck().get(...objects));
}
