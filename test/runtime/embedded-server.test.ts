import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedPostgres } from '@liveshift/runtime';
import { binDirFor, pgMajorsUnderTest } from '../support/postgres.js';

describe('startEmbeddedPostgres', () => {
  for (const major of pgMajorsUnderTest()) {
    it(`runs PostgreSQL ${major} on 127.0.0.1 with trust auth, and stop() removes its data`, async () => {
      const lines: string[] = [];
      const server = await startEmbeddedPostgres({ binDir: binDirFor(major), log: (line) => lines.push(line) });
      let dataDir: string;
      try {
        expect(server.version).toMatch(new RegExp(`^${major}\\.\\d+$`));
        expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        const { rows } = await client.query(`SELECT current_setting('server_version_num')::int AS num, current_setting('data_directory') AS dir`);
        await client.end();
        expect(Math.floor(rows[0].num / 10000)).toBe(major);
        dataDir = rows[0].dir;
        expect(existsSync(dataDir)).toBe(true);
        expect(lines.join('\n')).toMatch(/server started/);
      } finally {
        await server.stop();
      }
      expect(existsSync(dataDir)).toBe(false);
      await server.stop(); // a second stop is harmless
    });
  }
});
