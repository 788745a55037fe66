import type { SchemaSnapshot, TableSchema } from '../schema/snapshot.js';

/** users on MariaDB as introspection shows it (display widths, PRIMARY, database `app`); tests override what they vary. */
export function mysqlUsersTable(over: Partial<TableSchema> = {}): TableSchema {
  return {
    schema: 'app',
    name: 'users',
    columns: [
      { name: 'id', type: 'bigint(20)', nullable: false, default: null },
      { name: 'full_name', type: 'varchar(200)', nullable: true, default: null },
      { name: 'email', type: 'varchar(200)', nullable: true, default: null },
    ],
    indexes: [{ name: 'PRIMARY', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: '' }],
    constraints: [{ name: 'PRIMARY', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true, references: null }],
    triggers: [],
    rowEstimate: 80_000_000,
    sizeBytes: 9_000_000_000,
    ...over,
  };
}

export function mysqlOrdersTable(over: Partial<TableSchema> = {}): TableSchema {
  return {
    schema: 'app',
    name: 'orders',
    columns: [
      { name: 'id', type: 'bigint(20)', nullable: false, default: null },
      { name: 'user_id', type: 'bigint(20)', nullable: true, default: null },
      { name: 'total', type: 'int(11)', nullable: true, default: null },
    ],
    indexes: [{ name: 'PRIMARY', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: '' }],
    constraints: [{ name: 'PRIMARY', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true, references: null }],
    triggers: [],
    rowEstimate: 200_000_000,
    sizeBytes: 30_000_000_000,
    ...over,
  };
}

/** A MariaDB (default 10.11.19) or MySQL snapshot of the given tables (users alone by default). */
export function mysqlSnapshot(engine: { name: 'mysql' | 'mariadb'; version: string } = { name: 'mariadb', version: '10.11.19' }, ...tables: TableSchema[]): SchemaSnapshot {
  const [a, b, c] = engine.version.split('.').map(Number);
  return {
    format: 'liveshift.snapshot',
    version: 1,
    engine: { name: engine.name, version: engine.version, versionNum: a! * 10000 + b! * 100 + c! },
    tables: tables.length ? tables : [mysqlUsersTable()],
  };
}

export const MARIADB_10_11 = { name: 'mariadb', version: '10.11.19' } as const;
export const MYSQL_8_0_36 = { name: 'mysql', version: '8.0.36' } as const;
export const MYSQL_8_0_29 = { name: 'mysql', version: '8.0.29' } as const;
export const MYSQL_8_0_11 = { name: 'mysql', version: '8.0.11' } as const;
