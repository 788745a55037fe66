import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, liveshift } from './run-cli.js';

describe('liveshift --help and --version', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'packages/cli/package.json'), 'utf8'));
    const r = await liveshift(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('--help lists every command, examples and the exit codes', async () => {
    const r = await liveshift(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['plan', 'snapshot', 'apply', 'demo']) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('Exit codes: 0 done, 1 failed, 2 bad input, 3 waiting for a release to be confirmed.');
  });

  const teaches: Record<string, string[]> = {
    plan: ['liveshift plan "ALTER TABLE users RENAME COLUMN full_name TO display_name" --snapshot schema.json', '--sync trigger', 'kind: rename_column', '--format <format>'],
    snapshot: ['liveshift snapshot --db postgres://readonly@db.internal/app --out schema.json', 'the password is never written'],
    apply: ['--through 4 --deployed A+1', 'LIVESHIFT_DEPLOYED=A+1', '--rollback 3', '3 stopped: waiting for a release'],
    demo: ['--rows <n>', '--sync <who>', '--keep', 'Needs no database installed'],
  };
  for (const [command, snippets] of Object.entries(teaches)) {
    it(`${command} --help teaches with examples`, async () => {
      const r = await liveshift([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: liveshift ${command}`);
      expect(r.stdout).toContain('Examples:');
      for (const s of snippets) expect(r.stdout).toContain(s);
    });
  }
});

describe('usage errors exit 2 with a one-line message', () => {
  it('no command prints the help on stderr', async () => {
    const r = await liveshift([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: liveshift');
    expect(r.stdout).toBe('');
  });

  it('an unknown command', async () => {
    const r = await liveshift(['plna']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^liveshift: unknown command 'plna'/);
  });

  it('an unknown option', async () => {
    const r = await liveshift(['plan', '--snapshott', 'x.json', 'SELECT 1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^liveshift: unknown option '--snapshott'/);
  });

  it('an invalid option value', async () => {
    const r = await liveshift(['plan', 'SELECT 1', '--snapshot', 'x.json', '--batch-size', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("liveshift: option '--batch-size <rows>' argument 'lots' is invalid. expected a whole number >= 1");
    const f = await liveshift(['plan', 'SELECT 1', '--snapshot', 'x.json', '--format', 'html']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('Allowed choices are md, json, text');
  });

  it('no stack traces', async () => {
    const r = await liveshift(['plan', RENAME, '--snapshot', 'does-not-exist.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('liveshift: cannot read snapshot does-not-exist.json: no such file\n');
  });
});

const RENAME = 'ALTER TABLE users RENAME COLUMN full_name TO display_name';
