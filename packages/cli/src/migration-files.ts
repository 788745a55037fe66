import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmittedFile, SourceStyle } from '@liveshift/core';
import { UsageError } from './errors.js';
import { info } from './output.js';

/** File-system side of every `liveshift <framework> make`: the adapters themselves are pure. */

/**
 * ES modules or CommonJS for `.js` files in `dir`: the nearest package.json's "type", as Node
 * decides. TypeScript files are always written with import/export.
 */
export function moduleSystemOf(dir: string): SourceStyle['moduleSystem'] {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const manifest = path.join(d, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module' ? 'esm' : 'cjs';
      } catch {
        return 'cjs';
      }
    }
    if (path.dirname(d) === d) return 'cjs';
  }
}

/**
 * Writes every file or none: an existing file is never overwritten, and a failure half-way
 * removes what this call wrote, so a migrations folder never holds half a plan.
 */
export async function writeMigrationFiles(dir: string, files: EmittedFile[]): Promise<string[]> {
  const targets = files.map((f) => path.join(dir, ...f.path.split('/')));
  const taken = targets.filter((t) => existsSync(t));
  if (taken.length > 0) {
    throw new UsageError(`${taken.map((t) => path.relative(process.cwd(), t)).join(', ')} already exist${taken.length === 1 ? 's' : ''}; nothing was written`);
  }
  const written: string[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const target = targets[i]!;
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.contents, { flag: 'wx' });
      written.push(target);
    }
  } catch (error) {
    await Promise.all(written.map((w) => rm(w, { force: true })));
    throw error;
  }
  return written;
}

/** Lists what was written, one line per step, with the runner command to use next. */
export function reportWritten(files: EmittedFile[], written: string[], next: string[]): void {
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  info(`wrote ${files.filter((f) => f.step !== undefined).length} migrations (one per plan step) and ${files.filter((f) => f.step === undefined).length} support file(s):`);
  files.forEach((file, i) => info(`  ${file.step !== undefined ? `step ${String(file.step).padStart(2)}` : 'plan   '}  ${rel(written[i]!)}`));
  if (next.length) info(['', ...next].join('\n'));
}
