import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveshift, scratchDir } from '../cli/run-cli.js';
import { scratchDatabase, tableRows } from './support/sqlite.js';

/** `liveshift plan --db sqlite:…` and `liveshift apply` through the built CLI, as a user runs them. */
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

describe('liveshift CLI on SQLite', () => {
  const dir = scratchDir();

  it('plans from the file, applies step by step with releases, and rolls back', async () => {
    const db = scratchDatabase("CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT); INSERT INTO users (full_name) VALUES ('a'), ('b'), (NULL);");
    cleanups.push(db.cleanup);
    const planned = await liveshift(['plan', '--db', db.url, '--format', 'json', '--backfill', "'unknown'", 'ALTER TABLE users ALTER COLUMN full_name SET NOT NULL']);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout);
    expect(plan.engine.name).toBe('sqlite');
    expect(plan.steps.map((s: { kind: string; deploy: string }) => `${s.kind}@${s.deploy}`)).toEqual(['app@A+1', 'backfill@A+1', 'validate@A+1', 'ddl@A+1']);
    const file = path.join(dir, 'plan.json');
    writeFileSync(file, planned.stdout);

    const waiting = await liveshift(['apply', file, '--db', db.url, '--all']);
    expect(waiting.code, waiting.stderr).toBe(3);
    expect(waiting.stderr).toMatch(/A\+1/);

    const applied = await liveshift(['apply', file, '--db', db.url, '--all', '--deployed', 'A+1']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/journal_mode is wal/);
    expect(tableRows(db.path, "SELECT full_name FROM users ORDER BY id")).toBe('[{"full_name":"a"},{"full_name":"b"},{"full_name":"unknown"}]');
    expect(tableRows(db.path, "SELECT \"notnull\" FROM pragma_table_info('users') WHERE name = 'full_name'")).toBe('[{"notnull":1}]');

    const again = await liveshift(['apply', file, '--db', db.url, '--step', '4', '--deployed', 'A+1']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already done/);

    const rolledBack = await liveshift(['apply', file, '--db', db.url, '--rollback', '4', '--deployed', 'A+1']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(tableRows(db.path, "SELECT \"notnull\" FROM pragma_table_info('users') WHERE name = 'full_name'")).toBe('[{"notnull":0}]');
  });

  it('a missing file is a failure that names it, not a new empty database', async () => {
    const missing = path.join(dir, 'missing.db');
    const result = await liveshift(['plan', '--db', `sqlite:${missing}`, 'ALTER TABLE users ADD COLUMN x text']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not open SQLite database ${missing}`);
  });

  it('an intent naming what SQLite does not have is refused, saying so (exit 2)', async () => {
    const db = scratchDatabase('CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT);');
    cleanups.push(db.cleanup);
    const result = await liveshift(['plan', '--db', db.url, "ALTER TYPE mood ADD VALUE 'ecstatic'"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/add_enum_value is not planned on SQLite: .*SQLite has no enum types/s);
  });

  it('REINDEX plans on SQLite from the CLI: one REINDEX step under the database write lock', async () => {
    const db = scratchDatabase('CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT); CREATE INDEX users_name_idx ON users (full_name);');
    cleanups.push(db.cleanup);
    const result = await liveshift(['plan', '--db', db.url, '--format', 'json', 'REINDEX TABLE users']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).steps.map((s: { sql: string[]; lock: { mode: string } }) => [s.sql, s.lock.mode])).toEqual([[['REINDEX "users_name_idx"'], 'DATABASE WRITE']]);
  });
});
