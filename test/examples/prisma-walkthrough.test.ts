import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.js';
import { SCHEMA_ENGINE_SHIM } from '../prisma/prisma-project.js';
import { runNode } from '../support/scratch-project.js';

/** examples/prisma/walkthrough.mjs is what its README tells a newcomer to run; it must keep working. */
describe('examples/prisma', () => {
  it('the walkthrough renames full_name through schema.prisma, the generator and prisma migrate deploy, stop by stop', async () => {
    const dir = path.join(ROOT, 'examples/prisma');
    // Prisma cannot download its native engine here: the test shim serves its CLI (the walkthrough would pick it too)
    const result = await runNode(['walkthrough.mjs', '20000'], { cwd: dir, env: { PRISMA_SCHEMA_ENGINE_BINARY: SCHEMA_ENGINE_SHIM } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('liveshift: schema.prisma and prisma/migrations agree; no migration to write');
    expect(result.stdout).toContain('renames (declared with @liveshift.renamedFrom): users.full_name → display_name');
    expect(result.stdout).toContain('cannot run yet: these steps of the plan are not done yet: 2, 3, 4');
    expect(result.stdout).toContain('is past the point of no return and cannot be migrated down');
    expect(result.stdout).toContain('No difference detected.');
    expect(result.stdout).toContain('users now has: id, email, created_at, display_name; 20000 of 20000 rows have display_name.');
  });
});
