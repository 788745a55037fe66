import { findTable, type SchemaSnapshot } from '@liveshift/core';
import { applicationFromSnapshot, type ApplicationRelease } from '@liveshift/verify';

/**
 * The application under the change is @liveshift/verify's synthetic application (point reads,
 * updates and inserts, the columns of each release derived from the schema it must live with).
 * For the plan, verify derives one release per application step; for the naive statement there
 * are two: today's code and, when today's code cannot survive the statement, the code written
 * for the schema after it.
 */

export const BEFORE = 'before';
export const AFTER = 'after';

/** Today's application and, when it uses a column the statement removes, the one for the schema after it. */
export function naiveReleases(before: SchemaSnapshot, after: SchemaSnapshot, tables: readonly string[]): ApplicationRelease[] {
  const today = applicationFromSnapshot(before, tables, BEFORE);
  return breaksOn(today, after) ? [today, applicationFromSnapshot(after, tables, AFTER)] : [today];
}

/** True when `release` reads or writes a column (or table) that `schema` does not have. */
export function breaksOn(release: ApplicationRelease, schema: SchemaSnapshot): boolean {
  return release.tables.some((t) => {
    const table = findTable(schema, t.ref);
    if (!table) return true;
    const used = [...t.reads, ...t.updates.map((c) => c.name), ...t.inserts.map((c) => c.name)];
    return used.some((column) => !table.columns.some((c) => c.name === column));
  });
}

/** True when two releases send different queries (a deploy between them is more than a restart). */
export function queriesDiffer(a: ApplicationRelease, b: ApplicationRelease): boolean {
  const shape = (r: ApplicationRelease) =>
    JSON.stringify(r.tables.map((t) => [t.table, t.reads, t.updates.map((c) => [c.name, c.type]), t.inserts.map((c) => [c.name, c.type])]));
  return shape(a) !== shape(b);
}
