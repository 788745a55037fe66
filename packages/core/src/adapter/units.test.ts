import { describe, expect, it } from 'vitest';
import { planChange } from '../planner.js';
import { snapshotOf, usersTable } from '../intents/fixtures.test-support.js';
import { changeName, migrationUnits, snakeCase, utcStamp } from './units.js';
import { commentBlock, planModuleFile, planModuleSpecifier } from './source.js';

const large = { smallTableBytes: 0 };

describe('migration units shared by every adapter', () => {
  it('one unit per step, stamped one second apart so names sort in step order', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, snapshotOf(180004, usersTable()), large);
    const units = migrationUnits(plan, { now: new Date('2026-11-25T12:34:58Z') });
    expect(units.map((u) => u.step.n)).toEqual(plan.steps.map((s) => s.n));
    expect(units.map((u) => utcStamp(u.stamp))).toEqual(['20261125123458', '20261125123459', '20261125123500', '20261125123501', '20261125123502', '20261125123503']);
    expect(units[0]!.name).toBe('rename_column_users_full_name_display_name_01_add_column_display_name_text_nullable');
    const names = units.map((u) => `${utcStamp(u.stamp)}_${u.name}`);
    expect([...names].sort()).toEqual(names);
  });

  it('names are cut at a word boundary, never after a dangling little word', () => {
    expect(snakeCase('Create index users_email_idx on public.users (email)', 40)).toBe('create_index_users_email_idx_on_public');
    expect(snakeCase('Create index users_email_idx on public.users (email)', 34)).toBe('create_index_users_email_idx');
    expect(snakeCase('Ünïcode — and "quotes"!')).toBe('unicode_and_quotes');
  });

  it('the change name comes from the intent, without the sync mode or the default index method', async () => {
    const plan = await planChange({ sql: 'CREATE INDEX users_email_idx ON users (email)' }, snapshotOf(180004, usersTable()), large);
    expect(changeName(plan)).toBe('create_index_users_email_idx_on_users_email');
    expect(changeName(plan, 'Index emails')).toBe('index_emails');
  });

  it('a comment block cannot be closed early by the text it carries', () => {
    expect(commentBlock(['a */ b', ''])).toBe('/*\n * a *\\/ b\n *\n */');
  });

  it('the plan module: typed for TypeScript, module.exports for CommonJS, export default for ES modules', async () => {
    const plan = await planChange({ sql: 'CREATE INDEX users_email_idx ON users (email)' }, snapshotOf(180004, usersTable()), large);
    const ts = planModuleFile(plan, 'x', { language: 'ts', moduleSystem: 'cjs', typesFrom: '@liveshift/knex' });
    expect(ts.path).toBe('liveshift/x.plan.ts');
    expect(ts.contents).toContain("import type { Plan } from '@liveshift/knex';\n\nconst plan: Plan = {");
    expect(planModuleSpecifier(ts, { language: 'ts', moduleSystem: 'esm' })).toBe('./liveshift/x.plan.js');
    const cjs = planModuleFile(plan, 'x', { language: 'js', moduleSystem: 'cjs', typesFrom: '' });
    expect(cjs.contents).toContain('module.exports = {');
    expect(JSON.parse(cjs.contents.slice(cjs.contents.indexOf('{'), cjs.contents.lastIndexOf('}') + 1))).toEqual(plan);
    const esm = planModuleFile(plan, 'x', { language: 'js', moduleSystem: 'esm', typesFrom: '' });
    expect(esm.contents).toContain('export default {');
  });
});
