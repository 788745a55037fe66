import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, onTestFinished } from 'vitest';

/**
 * A throwaway application project for framework tests, inside test/ so that Node resolves the
 * test package's dependencies (knex, umzug, pg, @liveshift/*) from its files, as an installed
 * project would. Removed after the test (or, when made outside one, after the test file).
 */

export const TEST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ScratchProject {
  dir: string;
  write(file: string, contents: string): void;
}

export function scratchProject(prefix: string, files: Record<string, string>): ScratchProject {
  const dir = mkdtempSync(path.join(TEST_DIR, `.tmp-${prefix}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  // inside a test, afterAll() registers nothing (the folder would stay); there, clean up when the test ends
  try {
    onTestFinished(remove);
  } catch {
    afterAll(remove);
  }
  const write = (file: string, contents: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), contents);
  };
  for (const [file, contents] of Object.entries(files)) write(file, contents);
  return { dir, write };
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` in `cwd`, the way a user runs a framework's CLI, and collects its output. */
export function runNode(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', LIVESHIFT_DEPLOYED: undefined, ...options.env };
    const child = spawn(process.execPath, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
