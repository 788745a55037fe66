import { describe, expect, it } from 'vitest';
import { planChange, type Plan } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { namesById, seedUsers, SEED_ROWS } from '../support/seed.js';
import { runStepByStep } from '../support/step-by-step.js';
import { renameApplication } from '../support/rename-application.js';
import { Workload } from '../support/workload.js';

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`rename column on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    for (const [sync, fullNameNotNull] of [['app', false], ['trigger', false], ['app', true]] as const) {
      it(`--sync ${sync}${fullNameNotNull ? ', NOT NULL column' : ''}: every step under live traffic, locks as claimed, rollbacks restore, no query fails`, async () => {
        const db = await pg.database();
        const client = await db.client();
        await seedUsers(client, { fullNameNotNull });
        const original = await namesById(client);
        const plan: Plan = await planChange(
          { sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' },
          await introspectPostgres(client),
          { sync, smallTableBytes: 0, batchSize: 3000, pauseMs: 0, lockTimeoutMs: 5000 },
        );
        const workload = new Workload(db.url, renameApplication(sync), () => SEED_ROWS);
        await workload.start();
        let stats;
        try {
          await runStepByStep({
            url: db.url,
            plan,
            blockingSql: `UPDATE users SET email = email WHERE id = 1`,
            onRelease: (r) => workload.setRelease(r),
          });
        } finally {
          stats = await workload.stop();
        }
        expect(stats.failures, JSON.stringify(stats.failures.slice(0, 3))).toEqual([]);
        expect(stats.queries).toBeGreaterThan(50);

        const users = (await introspectPostgres(client)).tables.find((t) => t.name === 'users')!;
        expect(users.columns.map((c) => c.name)).toEqual(['id', 'email', 'created_at', 'display_name']);
        // PostgreSQL 11 cannot SET NOT NULL without a scan under ACCESS EXCLUSIVE: the plan keeps the validated CHECK instead
        const catalogNotNull = fullNameNotNull && major >= 12;
        expect(users.columns.find((c) => c.name === 'display_name')).toMatchObject({ type: 'text', nullable: !catalogNotNull });
        const check = users.constraints.find((k) => k.name === 'users_display_name_not_null');
        if (fullNameNotNull && major < 12) {
          expect(check).toMatchObject({ type: 'check', validated: true });
          expect(plan.warnings.join(' ')).toMatch(/cannot use the validated CHECK/);
        } else {
          expect(check).toBeUndefined();
        }
        expect(await namesById(client, 'display_name')).toEqual(original);
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM users WHERE display_name IS NULL`);
        expect(rows[0].n).toBe([...original.values()].filter((v) => v === null).length);
      });
    }
  });
}
