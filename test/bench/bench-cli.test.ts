import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BENCH_CASES } from '../../bench/src/cases/index.js';

/** The `pnpm bench` command line, run from its source with tsx (the test command does not build bench/). */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = path.join(root, 'test', 'node_modules', '.bin', 'tsx');
const main = path.join(root, 'bench', 'src', 'main.ts');

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tsx, [main, ...args], { cwd: root, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('pnpm bench command line', () => {
  it('--help explains what is compared, the options and every case, and exits 0', async () => {
    const { code, stdout } = await bench(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: pnpm bench/);
    for (const flag of ['--sizes', '--cases', '--out', '--blocker-ms', '--no-backfill']) expect(stdout).toContain(flag);
    for (const c of BENCH_CASES) expect(stdout).toContain(c.name);
    expect(stdout).toMatch(/machine/);
  });

  it('refuses a size that is not a positive whole number, before starting anything (exit 2)', async () => {
    const { code, stderr } = await bench(['--sizes', '100000,0']);
    expect(code).toBe(2);
    expect(stderr).toContain('--sizes: "0" is not a positive whole number');
  });

  it('refuses an unknown case and lists the known ones (exit 2)', async () => {
    const { code, stderr } = await bench(['--cases', 'lock-queue,drop-everything']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown case "drop-everything"');
    expect(stderr).toContain(BENCH_CASES.map((c) => c.name).join(', '));
  });

  it('refuses an unknown option (exit 2)', async () => {
    const { code, stderr } = await bench(['--rows', '5']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--rows/);
  });
});
