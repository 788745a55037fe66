import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.js';
import { runNode } from '../support/scratch-project.js';

/** examples/umzug/walkthrough.mjs is what its README tells a newcomer to run; it must keep working. */
describe('examples/umzug', () => {
  it('the walkthrough renames full_name on a real PostgreSQL with Umzug\'s CLI, deploy by deploy', async () => {
    const dir = path.join(ROOT, 'examples/umzug');
    const result = await runNode(['walkthrough.mjs', '20000'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('step 2 waits for release A+1 to be live');
    expect(result.stdout).toContain('is past the point of no return and cannot be migrated down');
    expect(result.stdout).toContain('users now has: id, email, created_at, display_name; 20000 of 20000 rows have display_name.');
  });
});
