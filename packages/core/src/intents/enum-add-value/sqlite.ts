import type { AddEnumValueIntent, RemoveEnumValueIntent } from '../types.js';
import { PlanningError } from '../../errors.js';

/**
 * add_enum_value and remove_enum_value name a PostgreSQL enum *type* (CREATE TYPE … AS ENUM).
 * SQLite has no enum types (no CREATE TYPE at all): the SQLite way to hold a column to a list of
 * values is a CHECK (col IN (…)) constraint, and changing the list means replacing that constraint,
 * which on SQLite is a table rebuild — planned by add_check, then drop_constraint. Refused, saying so.
 */
export function enumValueRefusalSqlite(intent: AddEnumValueIntent | RemoveEnumValueIntent, statement: string): PlanningError {
  const type = typeof intent.type === 'string' ? intent.type : `${intent.type.schema}.${intent.type.name}`;
  const what = intent.kind === 'add_enum_value' ? `adding '${intent.value}' to` : `removing '${intent.value}' from`;
  return new PlanningError(
    `${intent.kind} is not planned on SQLite: it names an enum type (${type}), which is PostgreSQL's; SQLite has no enum types (nor CREATE TYPE). ` +
      `The SQLite way is a CHECK (column IN ('a', 'b', …)) constraint on the column, so ${what} the list means replacing that constraint: ` +
      `plan add_check with the new list first (a check that every row passes it, then a table rebuild${intent.kind === 'remove_enum_value' ? `; it finds any row still holding '${intent.value}'` : ''}), then drop_constraint of the old CHECK (a rebuild), so the column is never unchecked in between. ` +
      `Each rebuild holds the database write lock for the copy and is refused above the small-table threshold.`,
    statement,
  );
}
