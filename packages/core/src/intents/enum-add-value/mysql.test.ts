import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, MYSQL_8_0_36, mysqlSnapshot } from '../mysql-fixtures.test-support.js';

describe('enum value intents on MySQL/MariaDB', () => {
  it('add_enum_value is refused: an enum type is PostgreSQL\'s; the MySQL ENUM is a column type, appended to in place, changed through change_column_type', async () => {
    const error = await planChange({ intents: [{ kind: 'add_enum_value', type: 'mood', value: 'ecstatic' }] }, mysqlSnapshot(MARIADB_10_11)).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^add_enum_value is not planned on MySQL\/MariaDB: it names an enum type \(mood\), which is PostgreSQL's/);
    expect((error as Error).message).toMatch(/adding 'ecstatic' to a list means changing that column's type: give it as change_column_type/);
    expect((error as Error).message).toMatch(/Appending values at the end of the list.* is instant on both servers/);
  });

  it('remove_enum_value is refused the same way, saying removal copies the table', async () => {
    await expect(planChange({ intents: [{ kind: 'remove_enum_value', type: { schema: 'app', name: 'mood' }, value: 'sad' }] }, mysqlSnapshot(MYSQL_8_0_36))).rejects.toThrow(
      /remove_enum_value is not planned on MySQL\/MariaDB: it names an enum type \(app\.mood\).*removing 'sad' from a list.*removing, reordering or inserting a value in the middle copies the table/s,
    );
  });
});
