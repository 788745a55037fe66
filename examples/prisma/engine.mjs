// Prisma's CLI runs a native schema engine for migrate and db commands, which it downloads on
// first use. Where that download is impossible (no access to Prisma's binaries server, like this
// repository's CI), the tests serve the CLI with Prisma's engine compiled to WebAssembly instead:
// test/prisma/schema-engine-shim.mjs. This picks, in order: PRISMA_SCHEMA_ENGINE_BINARY if set;
// the engine Prisma downloaded; that shim, with a note.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const shim = path.resolve(here, '../../test/prisma/schema-engine-shim.mjs');

export function schemaEngineEnv() {
  if (process.env.PRISMA_SCHEMA_ENGINE_BINARY) return {};
  try {
    const require = createRequire(path.join(here, 'node_modules/prisma/package.json'));
    const engines = path.dirname(require.resolve('@prisma/engines/package.json'));
    if (readdirSync(engines).some((f) => f.startsWith('schema-engine'))) return {};
  } catch {
    // no @prisma/engines to look into: fall through
  }
  if (!existsSync(shim)) return {};
  console.log(`(Prisma's native schema engine is not downloaded here: its CLI runs with ${path.relative(process.cwd(), shim)}, Prisma's engine compiled to WebAssembly)`);
  return { PRISMA_SCHEMA_ENGINE_BINARY: shim };
}
