import type { TableSchema } from '../../schema/snapshot.js';

/** A partitioned events table (range on day) and stand-alone tables shaped like its partitions, for unit tests. */

export const columns = [
  { name: 'id', type: 'bigint', nullable: false, default: null },
  { name: 'day', type: 'date', nullable: false, default: null },
  { name: 'kind', type: 'text', nullable: true, default: null },
];
const big = { rowEstimate: 50_000_000, sizeBytes: 8_000_000_000 };

/** events partitioned by range (day), with its primary key and an index; overrides vary the key and strategy. */
export function events(over: Partial<TableSchema> = {}): TableSchema {
  return {
    schema: 'public',
    name: 'events',
    columns,
    indexes: [
      { name: 'events_pkey', columns: ['id', 'day'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: 'CREATE UNIQUE INDEX events_pkey ON ONLY public.events USING btree (id, day)' },
      { name: 'events_kind_idx', columns: ['kind'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: 'CREATE INDEX events_kind_idx ON ONLY public.events USING btree (kind)' },
    ],
    constraints: [{ name: 'events_pkey', type: 'primary_key', columns: ['id', 'day'], definition: 'PRIMARY KEY (id, day)', validated: true, references: null }],
    triggers: [],
    rowEstimate: 0,
    sizeBytes: 0,
    partitioning: { strategy: 'range', key: '(day)' },
    ...over,
  };
}

export function partition(name: string, over: Partial<TableSchema> = {}): TableSchema {
  return { schema: 'public', name, columns, indexes: [], constraints: [], triggers: [], ...big, ...over };
}
