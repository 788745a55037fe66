import { findTable, type SchemaSnapshot } from '@liveshift/core';
import { parseTableName } from '../workload/application.js';

/**
 * The parts of tables a rollback must restore, in a form two snapshots can be compared by:
 * columns (name, type, nullability, default), index and constraint names with validity.
 */
export function tableShapes(snapshot: SchemaSnapshot, tables: readonly string[]): string {
  return JSON.stringify(
    tables.map((name) => {
      const t = findTable(snapshot, parseTableName(name));
      if (!t) return { table: name, absent: true };
      return {
        table: name,
        columns: t.columns.map((c) => [c.name, c.type, c.nullable, c.default]),
        indexes: t.indexes.map((i) => [i.name, i.valid]).sort(),
        constraints: t.constraints.map((k) => [k.name, k.validated]).sort(),
      };
    }),
  );
}
