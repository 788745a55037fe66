import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlanJson, type Step } from '@liveshift/core';
import { RENAME_SQL, USERS_SNAPSHOT, liveshift, scratchDir } from './run-cli.js';

const dir = scratchDir();
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('liveshift plan --snapshot (the DESIGN worked example)', () => {
  it('plans the rename in the order DESIGN gives, over releases A to A+3, as JSON on stdout alone', async () => {
    const r = await liveshift(['plan', RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--sync', 'app', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plan = parsePlanJson(r.stdout);
    // full_name is NOT NULL in the fixture, so the plan may add steps that carry the constraint over;
    // the DESIGN milestones must appear in this order whatever else is between them
    const at = (predicate: (s: Step) => boolean) => plan.steps.findIndex(predicate);
    const add = at((s) => s.kind === 'ddl' && /ADD COLUMN "display_name"/.test(s.sql.join('\n')));
    const dual = at((s) => s.kind === 'app');
    const backfill = at((s) => s.kind === 'backfill');
    const parity = at((s) => s.kind === 'validate' && /IS DISTINCT FROM/.test(s.checkpoint?.sql ?? ''));
    const readSwitch = plan.steps.length - 1 - [...plan.steps].reverse().findIndex((s) => s.kind === 'app');
    const drop = at((s) => /DROP COLUMN "full_name"/.test(s.sql.join('\n')));
    expect([add, dual, backfill, parity, readSwitch, drop].every((i) => i >= 0)).toBe(true);
    expect(add).toBeLessThan(dual);
    expect(dual).toBeLessThan(backfill);
    expect(backfill).toBeLessThan(parity);
    expect(parity).toBeLessThan(readSwitch);
    expect(readSwitch).toBeLessThan(drop);
    expect(plan.steps[add]!.deploy).toBe('A');
    expect(plan.steps[dual]!.deploy).toBe('A+1');
    expect(plan.steps[readSwitch]!.deploy).toBe('A+2');
    expect(plan.steps[drop]!.deploy).toBe('A+3');
    expect(plan.steps[drop]!.rollback.kind).toBe('irreversible');
    expect(plan.pointOfNoReturn?.step).toBe(drop + 1);
    expect(plan.steps.slice(0, drop).every((s) => s.rollback.kind !== 'irreversible')).toBe(true);
    expect(plan.engine.version).toBe('18.4');
    expect(plan.tables.find((t) => t.table === 'public.users')?.rowEstimate).toBe(80_000_000);
  });

  it('is exactly the 6 steps of DESIGN §1 when full_name is nullable', async () => {
    const snapshot = JSON.parse(readFileSync(USERS_SNAPSHOT, 'utf8'));
    snapshot.tables[0].columns.find((c: { name: string }) => c.name === 'full_name').nullable = true;
    const r = await liveshift(['plan', RENAME_SQL, '--snapshot', file('nullable-snapshot.json', JSON.stringify(snapshot)), '--sync', 'app', '--format', 'json']);
    expect(r.code).toBe(0);
    const plan = parsePlanJson(r.stdout);
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'app', 'backfill', 'validate', 'app', 'ddl']);
    expect(plan.steps.map((s) => s.deploy)).toEqual(['A', 'A+1', 'A+1', 'A+1', 'A+2', 'A+3']);
    expect(plan.lastReversibleStep).toBe(5);
    expect(plan.pointOfNoReturn?.step).toBe(6);
  });

  it('with --sync trigger the dual-write deploy disappears', async () => {
    const r = await liveshift(['plan', RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--sync', 'trigger', '--format', 'json']);
    expect(r.code).toBe(0);
    const plan = parsePlanJson(r.stdout);
    expect(plan.steps.filter((s) => s.kind === 'app')).toHaveLength(1);
    expect(plan.pointOfNoReturn).not.toBeNull();
  });

  it('passes --batch-size and --lock-timeout to the plan', async () => {
    const r = await liveshift(['plan', RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--batch-size', '1000', '--lock-timeout', '750', '--format', 'json']);
    expect(r.code).toBe(0);
    const plan = parsePlanJson(r.stdout);
    expect(plan.steps.find((s) => s.backfill)?.backfill?.batchSize).toBe(1000);
    expect(plan.steps[0]!.timeouts?.lockTimeoutMs).toBe(750);
  });

  it('writes markdown when stdout is not a terminal, with the deploy table and the point of no return', async () => {
    const r = await liveshift(['plan', RENAME_SQL, '--snapshot', USERS_SNAPSHOT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# liveshift plan: rename column/);
    expect(r.stdout).toContain('## Deploy sequence');
    expect(r.stdout).toMatch(/### Step \d+: Drop column full_name \(⛔ POINT OF NO RETURN\)/);
  });

  it('--format text is the compact view', async () => {
    const r = await liveshift(['plan', RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--format', 'text']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Step 1  [release A]  ddl');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('--out writes the file and says so on stderr', async () => {
    const out = path.join(dir, 'plan.json');
    const r = await liveshift(['plan', RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--format', 'json', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const plan = parsePlanJson(readFileSync(out, 'utf8'));
    expect(r.stderr).toContain(`wrote the plan (json, ${plan.steps.length} steps) to ${out}`);
  });

  it('reads the change from a .sql file', async () => {
    const r = await liveshift(['plan', '--file', file('change.sql', `${RENAME_SQL};\n`), '--snapshot', USERS_SNAPSHOT, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(parsePlanJson(r.stdout).intents[0]).toMatchObject({ kind: 'rename_column', from: 'full_name', to: 'display_name' });
  });

  it('reads a YAML intent file, a JSON list, and an intents: key', async () => {
    const yaml = file('rename.yaml', 'kind: rename_column\ntable: users\nfrom: full_name\nto: display_name\n');
    const list = file('rename.json', JSON.stringify([{ kind: 'rename_column', table: 'users', from: 'full_name', to: 'display_name' }]));
    const keyed = file('keyed.yml', 'intents:\n  - kind: rename_column\n    table: { schema: public, name: users }\n    from: full_name\n    to: display_name\n    sync: trigger\n');
    for (const f of [yaml, list, keyed]) {
      const r = await liveshift(['plan', '--file', f, '--snapshot', USERS_SNAPSHOT, '--format', 'json']);
      expect(r.stderr, f).toBe('');
      expect(r.code, f).toBe(0);
      expect(parsePlanJson(r.stdout).intents).toHaveLength(1);
    }
  });
});

describe('liveshift plan: bad input exits 2 and says what is wrong', () => {
  it('an unknown table', async () => {
    const r = await liveshift(['plan', 'ALTER TABLE nope RENAME COLUMN a TO b', '--snapshot', USERS_SNAPSHOT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^liveshift: .*nope/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('an unknown column', async () => {
    const r = await liveshift(['plan', 'ALTER TABLE users RENAME COLUMN nickname TO handle', '--snapshot', USERS_SNAPSHOT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^liveshift: .*nickname/);
  });

  it('an unsupported statement', async () => {
    const r = await liveshift(['plan', 'VACUUM users', '--snapshot', USERS_SNAPSHOT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^liveshift: .*not supported/);
    expect(r.stderr).toContain('VACUUM users');
  });

  it('SQL that does not parse', async () => {
    const r = await liveshift(['plan', 'ALTER TABLE users RENAME COLUMN', '--snapshot', USERS_SNAPSHOT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^liveshift: /);
  });

  it('an intent file with an invalid field names the intent and the field', async () => {
    const f = file('bad.yaml', 'intents:\n  - kind: rename_column\n    table: users\n    from: full_name\n    to: display_name\n  - kind: rename_column\n    table: users\n    from: email\n    to: ""\n    colour: blue\n');
    const r = await liveshift(['plan', '--file', f, '--snapshot', USERS_SNAPSHOT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`liveshift: ${f} has invalid intents:`);
    expect(r.stderr).toContain('intent 2 (rename_column): intents[1].to: must not be empty');
    expect(r.stderr).toContain('intent 2 (rename_column): intents[1]: Unrecognized key: "colour"');
    expect(r.stderr).not.toContain('intent 1');
  });

  it('an intent file with an unknown kind lists the supported kinds', async () => {
    const f = file('kind.json', JSON.stringify({ kind: 'vacuum_table', table: 'users' }));
    const r = await liveshift(['plan', '--file', f, '--snapshot', USERS_SNAPSHOT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the intent: kind: must be one of "add_column", "rename_column", "create_index", "set_not_null"');
    expect(r.stderr).toContain('"rename_table"');
  });

  it('an intent file that is not YAML, or holds no intent', async () => {
    const broken = await liveshift(['plan', '--file', file('broken.yaml', 'kind: [unclosed\n'), '--snapshot', USERS_SNAPSHOT]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/is not valid YAML\/JSON/);
    const empty = await liveshift(['plan', '--file', file('empty.yaml', 'intents: []\n'), '--snapshot', USERS_SNAPSHOT]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the file lists no intents');
  });

  it('a file of another kind', async () => {
    const r = await liveshift(['plan', '--file', file('change.txt', RENAME_SQL), '--snapshot', USERS_SNAPSHOT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected a .sql file (statements) or a .yaml/.yml/.json intent file');
  });

  it('no schema source, or both', async () => {
    const none = await liveshift(['plan', RENAME_SQL]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('pass --db <url> (a live database) or --snapshot <file>');
    const both = await liveshift(['plan', RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--db', 'postgres://localhost/x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give either --db or --snapshot, not both');
  });

  it('no change, or SQL and --file together', async () => {
    const none = await liveshift(['plan', '--snapshot', USERS_SNAPSHOT]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('what should be planned?');
    const both = await liveshift(['plan', RENAME_SQL, '--file', file('x.sql', RENAME_SQL), '--snapshot', USERS_SNAPSHOT]);
    expect(both.code).toBe(2);
  });

  it('a snapshot file that is not a snapshot', async () => {
    const r = await liveshift(['plan', RENAME_SQL, '--snapshot', file('not-snapshot.json', '{"format":"liveshift.plan"}')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a liveshift snapshot');
  });

  it('an unsupported database URL', async () => {
    // mysql:// is planned for now; oracle:// is not
    const r = await liveshift(['plan', RENAME_SQL, '--db', 'oracle://root:hunter2@localhost/app']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^liveshift: /);
    expect(r.stderr).not.toContain('hunter2');
  });
});

describe('passwords are never printed', () => {
  it('a failed connection names the server but not the password', async () => {
    // port 1 on localhost: nothing listens there, so the connection is refused at once
    const r = await liveshift(['plan', RENAME_SQL, '--db', 'postgres://app:Sup3rS3cret@127.0.0.1:1/app']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(`${r.stdout}${r.stderr}`).not.toContain('Sup3rS3cret');
  });

  it('nor on a snapshot failure', async () => {
    const r = await liveshift(['snapshot', '--db', 'postgresql://app:Sup3rS3cret@127.0.0.1:1/app?sslmode=disable']);
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).not.toContain('Sup3rS3cret');
  });
});
