import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmittedFile } from '@liveshift/core';
import { EXIT_BAD_INPUT, LiveshiftError } from '@liveshift/runtime';

/**
 * Writes every file or none (the generator's side of what `liveshift <framework> make` does):
 * an existing file is never overwritten, and a failure half-way removes what was written, so a
 * migrations folder never holds half a plan.
 */
export async function writeAllOrNothing(dir: string, files: EmittedFile[]): Promise<string[]> {
  const targets = files.map((f) => path.join(dir, ...f.path.split('/')));
  const taken = targets.filter((t) => existsSync(t));
  if (taken.length > 0) throw new LiveshiftError(`${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}; nothing was written`, EXIT_BAD_INPUT);
  const written: string[] = [];
  try {
    for (const [i, file] of files.entries()) {
      await mkdir(path.dirname(targets[i]!), { recursive: true });
      await writeFile(targets[i]!, file.contents, { flag: 'wx' });
      written.push(targets[i]!);
    }
  } catch (error) {
    await Promise.all(written.map((w) => rm(w, { force: true })));
    throw error;
  }
  return written;
}
