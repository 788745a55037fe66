import type { AddEnumValueIntent, RemoveEnumValueIntent } from '../types.js';
import { PlanningError } from '../../errors.js';

/**
 * recipes.md I-26 (MySQL/MariaDB): add_enum_value and remove_enum_value name a PostgreSQL enum *type*
 * (CREATE TYPE … AS ENUM). MySQL and MariaDB have no enum types: ENUM('a','b') is a column type, and
 * changing its list is changing that column's type. Refused with the MySQL way: appending at the end
 * is instant (MySQL manual "Modifying the definition of an ENUM or SET column"; MariaDB [E] INSTANT),
 * anything else is a column type change that copies the table — planned through change_column_type.
 */
export function enumValueRefusalMysql(intent: AddEnumValueIntent | RemoveEnumValueIntent, statement: string): PlanningError {
  const type = typeof intent.type === 'string' ? intent.type : `${intent.type.schema}.${intent.type.name}`;
  const what = intent.kind === 'add_enum_value' ? `adding '${intent.value}' to` : `removing '${intent.value}' from`;
  return new PlanningError(
    `${intent.kind} is not planned on MySQL/MariaDB: it names an enum type (${type}), which is PostgreSQL's; MySQL and MariaDB have none. ` +
      `There ENUM('a','b',…) is the type of a column, so ${what} a list means changing that column's type: give it as change_column_type (ALTER TABLE t MODIFY c ENUM(…) with the full new list). ` +
      `Appending values at the end of the list, without the list growing past 255 values, is instant on both servers (MySQL manual "Modifying the definition of an ENUM or SET column"; measured INSTANT on MariaDB 10.11); ` +
      `removing, reordering or inserting a value in the middle copies the table with writes blocked, which change_column_type plans through an online schema change tool.`,
    statement,
  );
}
