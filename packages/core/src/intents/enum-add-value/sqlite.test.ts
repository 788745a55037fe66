import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';

describe('enum values on SQLite', () => {
  it('add_enum_value (also from ALTER TYPE … ADD VALUE) is refused: SQLite has no enum types; the way is a CHECK (col IN (…)) replaced by add_check then drop_constraint', async () => {
    const refusal = planChange({ sql: "ALTER TYPE mood ADD VALUE 'ecstatic'" }, sqliteSnapshot(3045001));
    await expect(refusal).rejects.toThrow(/^add_enum_value is not planned on SQLite: it names an enum type \(mood\), which is PostgreSQL's; SQLite has no enum types/);
    await expect(refusal).rejects.toThrow(/CHECK \(column IN \('a', 'b', …\)\).*adding 'ecstatic' to the list.*add_check with the new list first.*then drop_constraint of the old CHECK/s);
  });

  it('remove_enum_value is refused the same way, saying add_check finds rows still holding the value', async () => {
    const refusal = planChange({ intents: [{ kind: 'remove_enum_value', type: 'mood', value: 'sad' }] }, sqliteSnapshot(3045001));
    await expect(refusal).rejects.toThrow(/^remove_enum_value is not planned on SQLite: .*SQLite has no enum types.*removing 'sad' from the list.*it finds any row still holding 'sad'.*drop_constraint/s);
  });
});
