import type { SchemaSnapshot, TableSchema } from '../schema/snapshot.js';

/** A users table as production might have it; tests override what they vary. */
export function usersTable(over: Partial<TableSchema> = {}): TableSchema {
  return {
    schema: 'public',
    name: 'users',
    columns: [
      { name: 'id', type: 'bigint', nullable: false, default: null },
      { name: 'full_name', type: 'text', nullable: true, default: null },
      { name: 'email', type: 'text', nullable: true, default: null },
    ],
    indexes: [{ name: 'users_pkey', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: '' }],
    constraints: [{ name: 'users_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true, references: null }],
    triggers: [],
    rowEstimate: 80_000_000,
    sizeBytes: 9_000_000_000,
    ...over,
  };
}

/** orders(id, user_id bigint, tenant_id, note): large, no foreign keys yet; tests override what they vary. */
export function ordersTable(over: Partial<TableSchema> = {}): TableSchema {
  return {
    schema: 'public',
    name: 'orders',
    columns: [
      { name: 'id', type: 'bigint', nullable: false, default: null },
      { name: 'user_id', type: 'bigint', nullable: true, default: null },
      { name: 'tenant_id', type: 'integer', nullable: true, default: null },
      { name: 'note', type: 'text', nullable: true, default: null },
    ],
    indexes: [{ name: 'orders_pkey', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: '' }],
    constraints: [{ name: 'orders_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true, references: null }],
    triggers: [],
    rowEstimate: 200_000_000,
    sizeBytes: 30_000_000_000,
    ...over,
  };
}

export function snapshotOf(versionNum: number, ...tables: TableSchema[]): SchemaSnapshot {
  const major = Math.floor(versionNum / 10000);
  return {
    format: 'liveshift.snapshot',
    version: 1,
    engine: { name: 'postgres', version: `${major}.${versionNum % 100}`, versionNum },
    tables: tables.length ? tables : [usersTable()],
  };
}
