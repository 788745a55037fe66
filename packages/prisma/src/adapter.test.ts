import { describe, expect, it } from 'vitest';
import { parsePlanJson, planChange } from '@liveshift/core';
import { planId } from '@liveshift/runtime';
import { snapshotOf, usersTable } from '../../core/src/intents/fixtures.test-support.js';
import { prismaAdapter } from './adapter.js';
import { prismaLayout } from './layout.js';
import { lockfileProvider, migrationLockContents } from './lockfile.js';
import { parseFolderMarker } from './sql.js';

const large = { smallTableBytes: 0 };
const now = new Date('2026-11-25T12:34:58Z');

async function plan(sql: string, options = {}) {
  return planChange({ sql }, snapshotOf(180004, usersTable()), { ...large, ...options });
}

/** The statements of a file with its comments removed (PostgreSQL sees comments as whitespace). */
function statements(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .trim();
}

describe('Prisma migration folders', () => {
  it('rename: one folder per database step, stamped one second apart in step order; liveshift runs the deploys and the backfill', async () => {
    const p = await plan('ALTER TABLE users RENAME COLUMN full_name TO display_name');
    const layout = prismaLayout(p, { now });
    expect(layout.folders.map((f) => [f.step.n, f.role])).toEqual([[1, 'step'], [6, 'step']]);
    expect(layout.liveshiftSteps.map((s) => s.n)).toEqual([2, 3, 4, 5]);
    const names = layout.folders.map((f) => f.name);
    expect(names).toEqual([
      '20261125123458_rename_column_users_full_name_display_name_01_add_column_display_name_text_nullable',
      '20261125123459_rename_column_users_full_name_display_name_06_drop_column_full_name',
    ]);
    // the drop waits for: deploy A+1, then the backfill and the parity check; deploy A+2; and the operator's confirmation of A+3
    const gate = layout.folders[1]!.gate!;
    expect(gate).toMatchObject({ liveshiftSteps: [2, 3, 4, 5], newLiveshiftSteps: [2, 3, 4, 5], confirmRelease: 'A+3' });
    expect(gate.runs.map((r) => [r.app?.n, r.through, r.deployed])).toEqual([[2, 4, 'A+1'], [5, 5, 'A+2']]);
    expect(layout.folders[0]!.gate).toBeUndefined();
  });

  it('every folder has migration.sql and down.sql; the plan beside them is the plan, and the guards name its id', async () => {
    const p = await plan('ALTER TABLE users RENAME COLUMN full_name TO display_name');
    const files = prismaAdapter.emit(p, { now, migrationsPath: 'db/migrations' });
    const folders = [...new Set(files.filter((f) => f.path.includes('/')).map((f) => f.path.split('/')[0]))];
    for (const folder of folders) expect(files.filter((f) => f.path.startsWith(`${folder}/`)).map((f) => f.path.split('/')[1]).sort()).toEqual(['down.sql', 'migration.sql']);
    const planFile = files.find((f) => f.path.endsWith('.liveshift.json'))!;
    expect(planFile.path).toBe('20261125123458_rename_column_users_full_name_display_name.liveshift.json');
    expect(JSON.parse(planFile.contents)).toEqual(p);
    const id = planId(parsePlanJson(planFile.contents));
    const drop = files.find((f) => f.path.includes('_06_') && f.path.endsWith('migration.sql'))!.contents;
    expect(drop).toContain(`plan_id = '${id}'`);
    expect(parseFolderMarker(drop)).toEqual({ planFile: planFile.path, step: 6, role: 'step' });
    const deployA1 = drop.indexOf('deploy release A+1');
    const applyA1 = drop.indexOf(`npx liveshift apply db/migrations/${planFile.path} --db "$DATABASE_URL" --through 4 --deployed A+1`);
    const deployA2 = drop.indexOf('deploy release A+2');
    const applyA2 = drop.indexOf(`npx liveshift apply db/migrations/${planFile.path} --db "$DATABASE_URL" --through 5 --deployed A+2`);
    expect(0 < deployA1 && deployA1 < applyA1 && applyA1 < deployA2 && deployA2 < applyA2, 'each deploy, then the run it allows').toBe(true);
    expect(drop).toMatch(/^SET lock_timeout = '2000ms';$/m);
    expect(drop.trimEnd().endsWith('RESET lock_timeout;')).toBe(true);
    expect(drop).not.toMatch(/^(BEGIN|COMMIT|START TRANSACTION);$|SET LOCAL/m);
    const runbook = files.find((f) => f.path.endsWith('.liveshift.md'))!.contents;
    expect(runbook).toContain('`npx prisma migrate resolve --rolled-back 20261125123459_rename_column_users_full_name_display_name_06_drop_column_full_name`');
    // the drop is the point of no return: its down.sql refuses
    const downDrop = files.find((f) => f.path.includes('_06_') && f.path.endsWith('down.sql'))!.contents;
    expect(statements(downDrop)).toMatch(/^DO \$liveshift\$[\s\S]*RAISE EXCEPTION[\s\S]*past the point of no return/);
  }, 20_000);

  it('CREATE INDEX CONCURRENTLY stands alone in its folder; the next folder checks the index is valid and records the step', async () => {
    const p = await plan('CREATE INDEX users_email_idx ON users (email)');
    const files = prismaAdapter.emit(p, { now });
    const migrations = files.filter((f) => f.path.endsWith('/migration.sql'));
    expect(migrations.map((f) => f.path.split('/')[0])).toEqual([
      '20261125123458_create_index_users_email_idx_on_users_email_01_create_index_users_email_idx_on_public',
      '20261125123459_create_index_users_email_idx_on_users_email_01_checkpoint',
    ]);
    expect(statements(migrations[0]!.contents)).toBe('CREATE INDEX CONCURRENTLY "users_email_idx" ON "public"."users" ("email");');
    expect(migrations[1]!.contents).toContain('indisvalid');
    expect(migrations[1]!.contents).toContain("INSERT INTO liveshift.step_state");
    const down = files.find((f) => f.path.endsWith('_01_create_index_users_email_idx_on_public/down.sql'))!;
    expect(statements(down.contents)).toBe('DROP INDEX CONCURRENTLY IF EXISTS "public"."users_email_idx";');
  });

  it('a plan that ends with a step liveshift runs ends with a gate, so no later migration runs before it', async () => {
    const p = await plan("UPDATE users SET email = 'none' WHERE email IS NULL");
    const layout = prismaLayout(p, { now });
    expect(layout.folders).toHaveLength(1);
    expect(layout.folders[0]).toMatchObject({ role: 'gate', closing: true, name: '20261125123458_backfill_users_set_email_none_where_email_is_after_01_gate' });
    expect(layout.folders[0]!.gate).toMatchObject({ liveshiftSteps: [1], runs: [{ through: 1, deployed: 'A' }] });
  });

  it('a release of database steps only is confirmed at the same stop as the deploy before it', async () => {
    const p = await plan('ALTER TABLE users DROP COLUMN email');
    const layout = prismaLayout(p, { now });
    expect(layout.folders.map((f) => [f.step.n, f.role])).toEqual([[3, 'step']]);
    expect(layout.folders[0]!.gate).toMatchObject({ liveshiftSteps: [1, 2], newLiveshiftSteps: [1, 2], confirmRelease: 'A+2' });
    expect(layout.folders[0]!.gate!.runs.map((r) => [r.app?.n, r.through, r.deployed])).toEqual([[undefined, 1, 'A'], [2, 2, 'A+1']]);
    const sql = prismaAdapter.emit(p, { now }).find((f) => f.path.endsWith('/migration.sql'))!.contents;
    expect(sql).toContain('(this also confirms release A+2)');
    expect(sql).toContain("position('[liveshift: confirm release A+2]' in coalesce(logs, '')) > 0");
  });

  it("migration_lock.toml as Prisma writes it, and its provider", () => {
    expect(migrationLockContents()).toBe('# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n');
    expect(lockfileProvider(migrationLockContents())).toBe('postgresql');
    expect(lockfileProvider('provider = "mysql"\n')).toBe('mysql');
    expect(lockfileProvider('# nothing\n')).toBeUndefined();
  });
});
