import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationName } from './resolve.js';

/** For an ES-module migrator: true when this file is the script Node was started with (`node migrate ...`), false when imported. */
export function isMainModule(moduleUrl: string): boolean {
  const main = process.argv[1];
  if (!main) return false;
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p); // `node migrate` names the script without its extension
    }
  };
  return migrationName(real(fileURLToPath(moduleUrl))) === migrationName(real(main));
}
