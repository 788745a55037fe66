import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyToSnapshot, type SchemaSnapshot, type Step } from '@liveshift/core';
import { liveshift, RENAME_SQL } from '../cli/run-cli.js';
import { KNEX_CLI, emittedPlan } from '../knex/knex-project.js';
import { TYPEORM_CLI } from '../typeorm/typeorm-project.js';
import { comparable } from '../support/schema-compare.js';
import { runNode, scratchProject, type ProcessResult, type ScratchProject } from '../support/scratch-project.js';
import { OTHER_ENGINES, USERS_ROWS, seededTarget, withoutTables, type Target } from './targets.js';

/**
 * The Knex, Umzug and TypeORM adapters on MariaDB and SQLite, run by the frameworks' own runners
 * (issues #6 and #7): `liveshift <framework> make` reads the schema through the project's own connection
 * settings, then the runner applies the steps one at a time — each checked against the plan's
 * predicted schema and the runner's own record — takes them back down to the start, and finally
 * runs them all; the data is checked at both ends.
 */

interface Framework {
  name: 'knex' | 'umzug' | 'typeorm';
  /** The runner's bookkeeping tables, not part of the application's schema. */
  ownTables: string[];
  project(target: Target): ScratchProject;
  make(project: ScratchProject, target: Target, change: string): Promise<{ code: number | null; stderr: string }>;
  up(project: ScratchProject, target: Target, deployed: string): Promise<ProcessResult>;
  down(project: ScratchProject, target: Target, deployed: string): Promise<ProcessResult>;
  all(project: ScratchProject, target: Target, deployed: string): Promise<ProcessResult>;
  executed(target: Target): Promise<string[]>;
}

const KNEX: Framework = {
  name: 'knex',
  ownTables: ['knex_migrations', 'knex_migrations_lock'],
  project: (target) =>
    scratchProject(`knex-${target.engine}`, {
      'package.json': JSON.stringify({ name: 'app', private: true }),
      'knexfile.js': `module.exports = ${JSON.stringify({ ...target.knexConfig, migrations: { directory: './migrations' } }, null, 2)};\n`,
    }),
  make: (project, _target, change) => liveshift(['knex', 'make', change], { cwd: project.dir }),
  up: (project, _target, deployed) => runNode([KNEX_CLI, 'migrate:up'], { cwd: project.dir, env: { LIVESHIFT_DEPLOYED: deployed } }),
  down: (project, _target, deployed) => runNode([KNEX_CLI, 'migrate:down'], { cwd: project.dir, env: { LIVESHIFT_DEPLOYED: deployed } }),
  all: (project, _target, deployed) => runNode([KNEX_CLI, 'migrate:latest'], { cwd: project.dir, env: { LIVESHIFT_DEPLOYED: deployed } }),
  executed: async (target) => (await target.rows('SELECT name FROM knex_migrations ORDER BY id').catch(() => [])).map((r) => String(r[0])),
};

const UMZUG: Framework = {
  name: 'umzug',
  ownTables: ['umzug_migrations'],
  project: (target) => scratchProject(`umzug-${target.engine}`, { 'package.json': JSON.stringify({ name: 'app', private: true, type: 'module' }) }),
  make: (project, target, change) => liveshift(['umzug', 'make', change], { cwd: project.dir, env: { DATABASE_URL: target.url } }),
  up: (project, target, deployed) => runNode(['migrate', 'up', '--step', '1'], { cwd: project.dir, env: { DATABASE_URL: target.url, LIVESHIFT_DEPLOYED: deployed } }),
  down: (project, target, deployed) => runNode(['migrate', 'down', '--step', '1'], { cwd: project.dir, env: { DATABASE_URL: target.url, LIVESHIFT_DEPLOYED: deployed } }),
  all: (project, target, deployed) => runNode(['migrate', 'up'], { cwd: project.dir, env: { DATABASE_URL: target.url, LIVESHIFT_DEPLOYED: deployed } }),
  executed: async (target) => (await target.rows('SELECT name FROM umzug_migrations ORDER BY executed_at, name').catch(() => [])).map((r) => String(r[0])),
};

/**
 * TypeORM's migration:run runs every pending class, so one step at a time means one class at a
 * time in the migrations folder: the others wait in held/ (outside the glob), as if each had been
 * written and deployed on its own. Reverting a liveshift class needs `-t none` (TypeORM ignores the
 * class's transaction = false on revert).
 */
const TYPEORM: Framework = {
  name: 'typeorm',
  ownTables: ['migrations'],
  project: (target) =>
    scratchProject(`typeorm-${target.engine}`, {
      'package.json': JSON.stringify({ name: 'app', private: true }),
      'data-source.js':
        "const { DataSource } = require('typeorm');\n" +
        `module.exports = new DataSource(${JSON.stringify(
          target.engine === 'mariadb' ? { type: 'mariadb', url: target.url, migrations: ['migrations/*.js'], migrationsTransactionMode: 'each' } : { type: 'better-sqlite3', database: new URL(`file:${target.url.slice('sqlite:'.length)}`).pathname, migrations: ['migrations/*.js'], migrationsTransactionMode: 'each' },
          null,
          2,
        )});\n`,
    }),
  make: async (project, _target, change) => {
    const made = await liveshift(['typeorm', 'make', change, '-d', 'data-source.js'], { cwd: project.dir });
    if (made.code === 0) {
      mkdirSync(path.join(project.dir, 'held'));
      for (const file of classFiles(path.join(project.dir, 'migrations'))) renameSync(path.join(project.dir, 'migrations', file), path.join(project.dir, 'held', file));
    }
    return made;
  },
  up: (project, _target, deployed) => {
    const [next] = classFiles(path.join(project.dir, 'held'));
    if (next) renameSync(path.join(project.dir, 'held', next), path.join(project.dir, 'migrations', next));
    return runNode([TYPEORM_CLI, 'migration:run', '-d', 'data-source.js'], { cwd: project.dir, env: { LIVESHIFT_DEPLOYED: deployed } });
  },
  down: (project, _target, deployed) => runNode([TYPEORM_CLI, 'migration:revert', '-d', 'data-source.js', '-t', 'none'], { cwd: project.dir, env: { LIVESHIFT_DEPLOYED: deployed } }),
  all: (project, _target, deployed) => {
    for (const file of classFiles(path.join(project.dir, 'held'))) renameSync(path.join(project.dir, 'held', file), path.join(project.dir, 'migrations', file));
    return runNode([TYPEORM_CLI, 'migration:run', '-d', 'data-source.js'], { cwd: project.dir, env: { LIVESHIFT_DEPLOYED: deployed } });
  },
  executed: async (target) => (await target.rows('SELECT name FROM migrations ORDER BY id').catch(() => [])).map((r) => String(r[0])),
};

function classFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^\d{13}-\w+\.js$/.test(f)).sort();
}

const CHANGES = [
  { name: 'rename column', sql: RENAME_SQL },
  { name: 'create index', sql: 'CREATE INDEX users_email_idx ON users (email)' },
];

const said = (r: ProcessResult) => `${r.stdout}\n${r.stderr}`;

/** The release to confirm for undoing a step: the one its deploy rollback goes back to, else its own. */
function releaseForDown(step: Step): string {
  return step.rollback.kind === 'deploy' ? step.rollback.release : step.deploy;
}

describe.each([KNEX, UMZUG, TYPEORM])('the $name adapter on MariaDB and SQLite, run by its own runner', (framework) => {
  describe.each(OTHER_ENGINES)('%s', (engine) => {
    it.each(CHANGES)('$name: make, up step by step, down to the start, then all the way', async ({ sql }) => {
      const target = await seededTarget(engine);
      const project = framework.project(target);
      const schema = (s: SchemaSnapshot) => comparable(withoutTables(s, framework.ownTables));
      const original = await target.introspect();
      const originalRows = await target.rows('SELECT id, full_name, email FROM users ORDER BY id');

      const made = await framework.make(project, target, sql);
      expect(made.code, made.stderr).toBe(0);
      const plan = await emittedPlan(project);
      expect(plan.engine.name).toBe(engine);
      const reversible = plan.steps.filter((s) => !plan.pointOfNoReturn || s.n < plan.pointOfNoReturn.step);
      expect(reversible.length).toBeGreaterThan(0);

      // up, one step at a time, to the last reversible step
      const predicted: SchemaSnapshot[] = [original];
      for (const step of reversible) {
        const up = await framework.up(project, target, step.deploy);
        expect(up.code, `${framework.name} up, step ${step.n} (${step.title}):\n${said(up)}`).toBe(0);
        predicted.push(applyToSnapshot(predicted[predicted.length - 1]!, step));
        expect(schema(await target.introspect()), `schema after step ${step.n} (${step.title})`).toEqual(schema(predicted[step.n]!));
        expect(await framework.executed(target), `${framework.name}'s record after step ${step.n}`).toHaveLength(step.n);
      }

      // down, one step at a time, back to the start
      for (const step of [...reversible].reverse()) {
        const down = await framework.down(project, target, releaseForDown(step));
        expect(down.code, `${framework.name} down, step ${step.n} (${step.title}):\n${said(down)}`).toBe(0);
        expect(schema(await target.introspect()), `schema after undoing step ${step.n}`).toEqual(schema(predicted[step.n - 1]!));
        expect(await framework.executed(target)).toHaveLength(step.n - 1);
      }
      expect(await target.rows('SELECT id, full_name, email FROM users ORDER BY id')).toEqual(originalRows);

      // everything, with the last release confirmed
      const last = plan.steps[plan.steps.length - 1]!;
      const all = await framework.all(project, target, last.deploy);
      expect(all.code, said(all)).toBe(0);
      const final = plan.steps.reduce((s, step) => applyToSnapshot(s, step), original);
      expect(schema(await target.introspect())).toEqual(schema(final));
      expect(await framework.executed(target)).toHaveLength(plan.steps.length);
      if (sql === RENAME_SQL) {
        const renamed = await target.rows('SELECT id, display_name, email FROM users ORDER BY id');
        expect(renamed).toHaveLength(USERS_ROWS);
        expect(renamed).toEqual(originalRows);
      } else {
        expect(await target.rows('SELECT id, full_name, email FROM users ORDER BY id')).toEqual(originalRows);
      }
    });
  });
});

describe('liveshift typeorm generate on another engine', () => {
  it('refuses, writing nothing: it reads TypeORM\'s PostgreSQL statements; make is the way on SQLite and MariaDB', async () => {
    const target = await seededTarget('sqlite');
    const project = TYPEORM.project(target);
    const generated = await liveshift(['typeorm', 'generate', 'AddLocale', '-d', 'data-source.js'], { cwd: project.dir });
    expect(generated.code).toBe(2);
    expect(generated.stderr).toContain('liveshift typeorm generate reads TypeORM\'s PostgreSQL statements; this data source is of type "better-sqlite3"');
    expect(readdirSync(project.dir).sort()).toEqual(['data-source.js', 'package.json']);
  });
});
