import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withPostgres } from '../support/postgres.js';
import { renameApplication } from '../support/rename-application.js';
import { namesById, seedUsers, SEED_ROWS } from '../support/seed.js';
import { Workload } from '../support/workload.js';
import { deployThroughGuards } from './drive-prisma.js';
import { baseline, DATASOURCE, emittedPlan, INIT_MIGRATION, migrationFolders, output, prisma, prismaProject, usersInit, type PrismaProject } from './prisma-project.js';

/**
 * The Prisma generator (generator liveshift { provider = "liveshift-prisma" }) run by the real
 * `prisma generate`: schema.prisma against the schema the migrations produce, renames declared in
 * the schema, the safe folders written, and the database equal to schema.prisma (by Prisma's own
 * diff) once they are deployed.
 */

const GENERATOR = '\ngenerator liveshift {\n  provider        = "liveshift-prisma"\n  smallTableBytes = "0"\n  batchSize       = "3000"\n  lockTimeout     = "5000"\n}\n';

function editSchema(project: PrismaProject, edit: (schema: string) => string): void {
  const file = path.join(project.dir, 'prisma/schema.prisma');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

async function generate(project: PrismaProject) {
  const result = await prisma(project, ['generate']);
  expect(result.code, output(result)).toBe(0);
  return output(result);
}

describe('the liveshift Prisma generator, run by prisma generate', () => {
  const pg = withPostgres(18);

  it('turns a declared rename and a new index in schema.prisma into safe folders; deployed, the database is what schema.prisma says', async () => {
    const db = await pg.database();
    const client = await db.client();
    await seedUsers(client);
    const project = prismaProject(db.url, { init: usersInit(false), schema: DATASOURCE });
    await baseline(project);
    // the schema as Prisma reads the database, plus the generator
    const pulled = await prisma(project, ['db', 'pull']);
    expect(pulled.code, output(pulled)).toBe(0);
    editSchema(project, (schema) => schema + GENERATOR);

    // in step with the migrations: nothing to write
    expect(await generate(project)).toContain('liveshift: schema.prisma and prisma/migrations agree; no migration to write');
    expect(migrationFolders(project)).toEqual([INIT_MIGRATION]);

    // rename full_name (declared, so never a drop and an add) and index email
    editSchema(project, (schema) => {
      expect(schema).toMatch(/^\s+full_name\s+String\?$/m);
      return schema
        .replace(/^(\s+)full_name(\s+)String\?$/m, '$1/// @liveshift.renamedFrom(full_name)\n$1display_name String?')
        .replace(/^(\s+created_at .*)$/m, '$1\n\n  @@index([email])');
    });
    const generated = await generate(project);
    expect(generated).toContain('renames (declared with @liveshift.renamedFrom): users.full_name → display_name');
    const { plan } = emittedPlan(project);
    expect(plan.intents.map((i) => i.kind)).toEqual(['rename_column', 'create_index']);
    const folders = migrationFolders(project).filter((f) => f !== INIT_MIGRATION);
    expect(folders.map((f) => f.replace(/^\d{14}_/, ''))).toEqual([
      'rename_column_users_full_name_display_name_01_add_column_display_name_text_nullable',
      'rename_column_users_full_name_display_name_06_drop_column_full_name',
      'rename_column_users_full_name_display_name_07_create_index_users_email_idx_on_public',
      'rename_column_users_full_name_display_name_07_checkpoint',
    ]);

    // the folders are what the migrations produce now: generating again writes nothing
    expect(await generate(project)).toContain('no migration to write');
    expect(migrationFolders(project).filter((f) => f !== INIT_MIGRATION)).toEqual(folders);

    const original = await namesById(client);
    const workload = new Workload(db.url, renameApplication('app'), () => SEED_ROWS);
    await workload.start();
    try {
      const stops = await deployThroughGuards(project, workload);
      expect(stops).toEqual([folders[1]]);
    } finally {
      const stats = await workload.stop();
      expect(stats.failures, JSON.stringify(stats.failures.slice(0, 3))).toEqual([]);
    }
    expect(await namesById(client, 'display_name')).toEqual(original);
    // Prisma's own verdict: the database is exactly what schema.prisma describes
    const diff = await prisma(project, ['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--exit-code']);
    expect(diff.code, output(diff)).toBe(0);
    const status = await prisma(project, ['migrate', 'status']);
    expect(status.stdout).toContain('Database schema is up to date!');
  });

  it('an undeclared drop and add is planned as such, with a warning; a required column gets the declared backfill', async () => {
    const db = await pg.database();
    const client = await db.client();
    await seedUsers(client);
    const project = prismaProject(db.url, { init: usersInit(false), schema: DATASOURCE });
    await baseline(project);
    expect((await prisma(project, ['db', 'pull'])).code).toBe(0);
    editSchema(project, (schema) =>
      schema
        .replace(/^(\s+)email(\s+)String\?$/m, '$1contact String?')
        .replace(/^(\s+created_at .*)$/m, "$1\n  /// @liveshift.backfill('en')\n  locale String") + GENERATOR,
    );
    const generated = await generate(project);
    expect(generated).toContain('users: email is dropped and contact added. If that is a rename, declare it above the field, /// @liveshift.renamedFrom(email)');
    const { plan } = emittedPlan(project);
    expect(plan.intents).toEqual([
      expect.objectContaining({ kind: 'drop_column', column: 'email' }),
      expect.objectContaining({ kind: 'add_column', column: expect.objectContaining({ name: 'contact' }) }),
      expect.objectContaining({ kind: 'add_column', column: expect.objectContaining({ name: 'locale', nullable: false, backfill: "'en'" }) }),
    ]);
  });
});
