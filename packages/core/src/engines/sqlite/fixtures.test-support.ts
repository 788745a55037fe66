import type { SchemaSnapshot, TableSchema } from '../../schema/snapshot.js';

/** SQLite fixtures for the recipes' unit tests, shaped like what the SQLite introspection returns. */

export function sqliteUsers(over: Partial<TableSchema> = {}): TableSchema {
  return {
    schema: 'main',
    name: 'users',
    columns: [
      { name: 'id', type: 'INTEGER', nullable: false, default: null },
      { name: 'full_name', type: 'TEXT', nullable: true, default: null },
      { name: 'email', type: 'TEXT', nullable: true, default: null },
    ],
    indexes: [],
    constraints: [{ name: 'users_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY ("id")', validated: true, references: null }],
    triggers: [],
    rowEstimate: 20_000,
    sizeBytes: 1_000_000,
    ...over,
  };
}

export function sqliteOrders(over: Partial<TableSchema> = {}): TableSchema {
  return {
    schema: 'main',
    name: 'orders',
    columns: [
      { name: 'id', type: 'INTEGER', nullable: false, default: null },
      { name: 'user_id', type: 'INTEGER', nullable: true, default: null },
      { name: 'qty', type: 'INTEGER', nullable: true, default: null },
    ],
    indexes: [{ name: 'orders_user_idx', columns: ['user_id'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: 'CREATE INDEX "orders_user_idx" ON "orders" ("user_id")' }],
    constraints: [{ name: 'orders_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY ("id")', validated: true, references: null }],
    triggers: [{ name: 'orders_touch', function: 'inline', enabled: true, definition: 'CREATE TRIGGER "orders_touch" AFTER UPDATE ON "orders" BEGIN SELECT 1; END' }],
    rowEstimate: 50_000,
    sizeBytes: 2_000_000,
    ...over,
  };
}

/** versionNum as SQLITE_VERSION_NUMBER, e.g. 3045001. */
export function sqliteSnapshot(versionNum: number, ...tables: TableSchema[]): SchemaSnapshot {
  const version = `${Math.floor(versionNum / 1_000_000)}.${Math.floor(versionNum / 1000) % 1000}.${versionNum % 1000}`;
  return { format: 'liveshift.snapshot', version: 1, engine: { name: 'sqlite', version, versionNum }, tables: tables.length ? tables : [sqliteUsers(), sqliteOrders()] };
}
