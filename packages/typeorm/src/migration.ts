import path from 'node:path';
import { ENGINE_LABELS, type Plan } from '@liveshift/core';
import { EXIT_BAD_INPUT, LiveshiftError, migrateStepDown, migrateStepUp, runtimeEngineOf, sessionOverConnection, type EngineSession, type MigrationStepOptions } from '@liveshift/runtime';
import { TYPEORM_TYPES, engineOfTypeormType } from './data-source.js';

/**
 * What an emitted TypeORM migration class delegates to: `up` runs one plan step through the
 * liveshift runtime on the query runner's own connection (PostgreSQL, MySQL/MariaDB or SQLite
 * through better-sqlite3), `down` runs its rollback.
 * The runtime opens its own short transactions (a bounded lock wait with retries needs to roll
 * back and try again; CREATE INDEX CONCURRENTLY refuses any), so the classes set
 * `transaction = false`, and a step TypeORM has wrapped in a transaction anyway is refused with
 * the flag that avoids it: `migration:revert` ignores the class's flag unless run with `-t none`.
 */

/** The part of TypeORM's QueryRunner this needs; TypeORM 1.x's QueryRunner has it. */
export interface QueryRunnerLike {
  readonly dataSource: { readonly options: { readonly type?: unknown } };
  readonly isTransactionActive: boolean;
  /** Resolves to the driver's connection: a pg client, a mysql2 connection from TypeORM's pool, a better-sqlite3 Database. */
  connect(): Promise<unknown>;
}

export interface TypeormMigration {
  up(queryRunner: QueryRunnerLike): Promise<void>;
  down(queryRunner: QueryRunnerLike): Promise<void>;
}

export function typeormMigration(plan: Plan, step: number, options: MigrationStepOptions = {}): TypeormMigration {
  const withDefaults = (): MigrationStepOptions => ({ rerunCommand: rerunCommand(), ...options });
  return {
    up: (queryRunner) =>
      withSession(queryRunner, plan, step, 'up', (session) => migrateStepUp(session, plan, step, withDefaults())).catch(plainMessage),
    down: (queryRunner) => {
      // past the point of no return the refusal says why, whatever the transaction mode
      const irreversible = plan.steps.find((s) => s.n === step)?.rollback.kind === 'irreversible';
      return withSession(queryRunner, plan, step, irreversible ? 'refusal' : 'down', (session) => migrateStepDown(session, plan, step, withDefaults())).catch(plainMessage);
    },
  };
}

async function withSession(queryRunner: QueryRunnerLike, plan: Plan, step: number, direction: 'up' | 'down' | 'refusal', work: (session: EngineSession) => Promise<void>): Promise<void> {
  const type = queryRunner.dataSource.options.type;
  const engine = runtimeEngineOf(plan.engine.name);
  if (engineOfTypeormType(type) !== engine) {
    throw new LiveshiftError(
      `this migration was planned for ${ENGINE_LABELS[plan.engine.name]}, but the TypeORM data source is of type ${JSON.stringify(type)} (expected ${TYPEORM_TYPES[engine].map((t) => `"${t}"`).join(' or ')})`,
      EXIT_BAD_INPUT,
      { step },
    );
  }
  if (queryRunner.isTransactionActive && direction !== 'refusal') {
    throw new LiveshiftError(
      direction === 'down'
        ? `TypeORM opened a transaction around the rollback of liveshift step ${step}: migration:revert does so unless run with -t none ` +
            `(it ignores the class's transaction = false). Revert liveshift steps with: ${typeormCommand('migration:revert', ['-t', 'none'])}`
        : `TypeORM opened a transaction around liveshift step ${step}, which runs its own short ones: run migrations with ` +
            `migrationsTransactionMode: 'each' in the data source, or ${typeormCommand('migration:run', ['-t', 'each'])}`,
      EXIT_BAD_INPUT,
      { step },
    );
  }
  const session = sessionOverConnection(plan.engine.name, await queryRunner.connect());
  if (!session) throw new LiveshiftError(`TypeORM's ${String(type)} driver gave liveshift a connection it cannot drive`, EXIT_BAD_INPUT, { step });
  await work(session);
}

/**
 * The TypeORM command the operator runs again once a release is live: the one this process is
 * (`npx typeorm migration:run -d src/data-source.ts -t each`), else the generic one.
 */
function rerunCommand(): { up: string; down: string } {
  return {
    up: typeormCommand('migration:run', []),
    down: typeormCommand('migration:revert', ['-t', 'none']),
  };
}

/** `npx <this typeorm bin> <command> <this process's options, with `extra` set>`. */
function typeormCommand(command: string, extra: string[]): string {
  const [, script = '', current = '', ...options] = process.argv;
  const bin = /cli-ts-node-esm\.js$/.test(script) ? 'typeorm-ts-node-esm' : /cli-ts-node-commonjs\.js$/.test(script) ? 'typeorm-ts-node-commonjs' : 'typeorm';
  const fromTypeorm = current.startsWith('migration:') && path.basename(path.dirname(script)) === 'typeorm';
  const kept: string[] = [];
  if (fromTypeorm) {
    for (let i = 0; i < options.length; i++) {
      const option = options[i]!;
      // -t / --transaction is replaced by `extra`'s when it has one
      if (extra[0] && ['-t', '--transaction'].includes(option)) i++;
      else if (extra[0] && /^(-t|--transaction)=/.test(option)) continue;
      else kept.push(option);
    }
  } else kept.push('-d', '<data source>');
  return ['npx', bin, command, ...kept, ...extra].join(' ');
}

/**
 * TypeORM's CLI prints the error with console.error (its stack and own properties); for liveshift's
 * own refusals the message is the whole story, so that is all it shows.
 */
function plainMessage(error: unknown): never {
  if (error instanceof LiveshiftError) {
    error.stack = `liveshift: ${error.message}`;
    for (const key of ['exitCode', 'step', 'name']) Object.defineProperty(error, key, { enumerable: false });
  }
  throw error;
}
