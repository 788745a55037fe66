import path from 'node:path';
import type pg from 'pg';
import type { Plan } from '@liveshift/core';
import { EXIT_BAD_INPUT, LiveshiftError, migrateStepDown, migrateStepUp, type MigrationStepOptions } from '@liveshift/runtime';

/**
 * What an emitted TypeORM migration class delegates to: `up` runs one plan step through the
 * liveshift runtime on the query runner's own PostgreSQL connection, `down` runs its rollback.
 * The runtime opens its own short transactions (a bounded lock wait with retries needs to roll
 * back and try again; CREATE INDEX CONCURRENTLY refuses any), so the classes set
 * `transaction = false`, and a step TypeORM has wrapped in a transaction anyway is refused with
 * the flag that avoids it: `migration:revert` ignores the class's flag unless run with `-t none`.
 */

/** The part of TypeORM's QueryRunner this needs; TypeORM 1.x's QueryRunner has it. */
export interface QueryRunnerLike {
  readonly dataSource: { readonly options: { readonly type?: unknown } };
  readonly isTransactionActive: boolean;
  /** Resolves to the driver's connection: for PostgreSQL, a pg client from TypeORM's pool. */
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
      withClient(queryRunner, step, 'up', (client) => migrateStepUp(client, plan, step, withDefaults())).catch(plainMessage),
    down: (queryRunner) => {
      // past the point of no return the refusal says why, whatever the transaction mode
      const irreversible = plan.steps.find((s) => s.n === step)?.rollback.kind === 'irreversible';
      return withClient(queryRunner, step, irreversible ? 'refusal' : 'down', (client) => migrateStepDown(client, plan, step, withDefaults())).catch(plainMessage);
    },
  };
}

async function withClient(queryRunner: QueryRunnerLike, step: number, direction: 'up' | 'down' | 'refusal', work: (client: pg.ClientBase) => Promise<void>): Promise<void> {
  const type = queryRunner.dataSource.options.type;
  if (type !== 'postgres') {
    throw new LiveshiftError(`this migration was planned for PostgreSQL, but the TypeORM data source is of type ${JSON.stringify(type)}`, EXIT_BAD_INPUT, { step });
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
  await work((await queryRunner.connect()) as pg.ClientBase);
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
