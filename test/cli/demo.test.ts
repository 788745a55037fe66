import { describe, expect, it } from 'vitest';
import { liveshift } from './run-cli.js';

/** The demo end to end: embedded PostgreSQL 18, the plan applied under live traffic, zero failed queries. */
describe('liveshift demo', () => {
  for (const sync of ['app', 'trigger']) {
    it(`renames full_name under traffic with --sync ${sync} and no failed query`, async () => {
      const r = await liveshift(['demo', '--rows', '20000', '--sync', sync]);
      expect(r.stderr).toContain('failed queries:   0\n');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^liveshift plan: rename column users\.full_name → display_name/);
      expect(r.stderr).toMatch(/PostgreSQL 18\.\d+ is listening at postgres:\/\//);
      expect(r.stderr).toMatch(/deploying release A\+1: /);
      expect(r.stderr).toContain('users now has:   id, email, created_at, display_name');
      expect(r.stderr).toMatch(/rows: +[\d,]+ \(20,000 seeded \+ [\d,]+ inserted during the run\), every one with display_name/);
      expect(r.stderr).toContain('demo server stopped and its data deleted');
    });
  }
});
