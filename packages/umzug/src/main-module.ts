import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** For an ES-module migrator: true when this file is the script Node was started with (`node migrate ...`), false when imported. */
export function isMainModule(moduleUrl: string): boolean {
  const main = process.argv[1];
  if (!main) return false;
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      // `node migrate` names the script without its extension: resolve its folder only
      try {
        return path.join(realpathSync(path.dirname(p)), path.basename(p));
      } catch {
        return path.resolve(p);
      }
    }
  };
  const withoutExtension = (p: string) => p.replace(/\.[cm]?[jt]s$/, '');
  return withoutExtension(real(fileURLToPath(moduleUrl))) === withoutExtension(real(main));
}
