import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.js';
import { runNode } from '../support/scratch-project.js';

/** examples/typeorm/walkthrough.mjs is what its README tells a newcomer to run; it must keep working. */
describe('examples/typeorm', () => {
  it('the walkthrough turns an entity change into safe steps run by the TypeORM CLI on a real PostgreSQL, deploy by deploy', async () => {
    const dir = path.join(ROOT, 'examples/typeorm');
    const result = await runNode(['walkthrough.mjs', '20000'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('ALTER TABLE "users" ADD "locale" text NOT NULL');
    expect(result.stdout).toContain('step 2 waits for release A+1 to be live');
    expect(result.stdout).toContain('Revert liveshift steps with: npx typeorm migration:revert -d data-source.js -t none');
    expect(result.stdout).toContain('No changes in database schema were found');
    expect(result.stdout).toContain('users.locale is NOT NULL; 20000 of 20000 rows have locale = en; users_created_at_idx exists.');
  });
});
