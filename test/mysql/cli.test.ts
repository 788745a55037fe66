import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { liveshift, scratchDir } from '../cli/run-cli.js';
import { seedUsers, withMariadb } from './mariadb.js';

describe('liveshift plan / apply --db mysql:// on MariaDB', () => {
  const server = withMariadb();
  const dir = scratchDir();

  it('plans against the live MariaDB schema (a mariadb:// URL), applies a step, re-runs it as a no-op, rolls it back; a type change plan carries the pt-online-schema-change command', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const url = db.url.replace(/^mysql:/, 'mariadb:');
    const out = path.join(dir, 'plan.json');
    const planned = await liveshift(['plan', 'ALTER TABLE users ADD COLUMN nickname varchar(40)', '--db', url, '--format', 'json', '--out', out]);
    expect(planned.stderr).toContain(`reading the schema from ${url}`);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(readFileSync(out, 'utf8'));
    expect(plan.engine).toMatchObject({ name: 'mariadb', version: expect.stringMatching(/^10\.11\./) });
    expect(plan.steps[0].sql).toEqual([`ALTER TABLE \`${db.name}\`.\`users\` ADD COLUMN \`nickname\` varchar(40) NULL, ALGORITHM=INSTANT, LOCK=NONE`]);

    const md = await liveshift(['plan', 'ALTER TABLE users MODIFY score bigint NOT NULL', '--db', db.url, '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('pt-online-schema-change');

    const applied = await liveshift(['apply', out, '--db', db.url, '--step', '1']);
    expect(applied.stderr).toMatch(/step 1 \(Add column nickname varchar\(40\)\): done/);
    expect(applied.code).toBe(0);
    const again = await liveshift(['apply', out, '--db', db.url, '--step', '1']);
    expect(again.stderr).toContain('step 1 already done');
    const [cols] = await c.query("SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'nickname'");
    expect(Number((cols as { n: unknown }[])[0]!.n)).toBe(1);
    const rolledBack = await liveshift(['apply', out, '--db', db.url, '--rollback', '1']);
    expect(rolledBack.code).toBe(0);
    const [gone] = await c.query("SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'nickname'");
    expect(Number((gone as { n: unknown }[])[0]!.n)).toBe(0);
  });
});
