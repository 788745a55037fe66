import { loadParser, planChange, PlanningError, sqlToIntents, type IntentInput, type Plan, type PlanOptions, type SchemaSnapshot } from '@liveshift/core';
import { EXIT_BAD_INPUT, LiveshiftError, errorMessage } from '@liveshift/runtime';
import type { SchemaQuery, TypeormProject } from './data-source.js';

/**
 * The hook around `typeorm migration:generate`: TypeORM decides *what* changed, with the very
 * machinery migration:generate uses (`dataSource.driver.createSchemaBuilder().log()`, the
 * entities against the database); liveshift decides *how*. Each of TypeORM's up queries becomes
 * intents, and the plan of all of them is written as safe migration classes instead of the one
 * unsafe migration. TypeORM's down queries are not used: every plan step carries its own rollback.
 * Anything liveshift cannot plan stops the whole change, naming the statement, and nothing is written.
 */

export interface EntityChange {
  /** TypeORM's up queries, as it would write them into a migration. */
  statements: string[];
  intents: IntentInput[];
  /** What the user should know before running the plan (a drop and an add that may be a rename). */
  warnings: string[];
  /** Where liveshift departs from TypeORM's statements (a type change kept in place). */
  notes: string[];
}

export interface PlannedEntityChange extends EntityChange {
  plan: Plan;
}

/** TypeORM's pending change for the data source's entities, planned against the database's schema (or `snapshot`). */
export async function planEntityChange(
  project: TypeormProject,
  options: { snapshot?: SchemaSnapshot; planOptions?: PlanOptions; /** Called with TypeORM's change before it is planned (so a refusal can be read beside it). */ onChange?: (change: EntityChange) => void } = {},
): Promise<PlannedEntityChange> {
  if (project.engine !== 'postgres') {
    // TypeORM's statements are read with the PostgreSQL parser and its PostgreSQL patterns (a rename as drop + add, ...)
    throw new LiveshiftError(
      `liveshift typeorm generate reads TypeORM's PostgreSQL statements; this data source is of type "${project.type}": ` +
        'write the change as a statement or intent file with liveshift typeorm make instead',
      EXIT_BAD_INPUT,
    );
  }
  const { queries, schema } = await project.withDataSource(async (dataSource, session) => {
    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    return { queries: upQueries, schema: options.snapshot ?? (await session.introspect()) };
  });
  const change = await entityChange(queries);
  options.onChange?.(change);
  // as for a statement: --backfill gives existing rows their value where a column becomes NOT NULL without a default
  const backfill = options.planOptions?.backfill;
  const intents = backfill === undefined ? change.intents : change.intents.map((intent) => withBackfill(intent, backfill));
  const plan = await planChange({ intents }, schema, options.planOptions ?? {});
  return { ...change, plan };
}

/** TypeORM's up queries → intents; every statement liveshift cannot plan is named, at once. */
export async function entityChange(queries: readonly SchemaQuery[]): Promise<EntityChange> {
  if (queries.length === 0) {
    throw new PlanningError('no changes in the database schema were found: the entities and the database agree, so there is nothing to generate');
  }
  await loadParser();
  const statements = queries.map((q) => q.query.trim().replace(/;$/, ''));
  const intents: IntentInput[] = [];
  const refused: string[] = [];
  for (const [i, query] of queries.entries()) {
    if (query.parameters && query.parameters.length > 0) {
      refused.push(`  - ${statements[i]}\n    it carries parameters (TypeORM's own metadata table), which liveshift does not plan`);
      continue;
    }
    try {
      intents.push(...sqlToIntents(statements[i]!).map((s) => s.intent));
    } catch (error) {
      refused.push(`  - ${statements[i]}\n    ${errorMessage(error).split('\n')[0]}`);
    }
  }
  if (refused.length > 0) {
    throw new PlanningError(
      `TypeORM's change has ${refused.length} statement${refused.length === 1 ? '' : 's'} liveshift cannot make safe, so nothing was written:\n${refused.join('\n')}\n` +
        'Make those changes separately (liveshift typeorm make "<statement>" for the supported ones, typeorm migration:generate or by hand for the rest), then run liveshift typeorm generate again for what is left.',
    );
  }
  const { intents: inPlace, notes } = typeChangesInPlace(intents);
  return { statements, intents: inPlace, warnings: renameWarnings(inPlace), notes };
}

/**
 * TypeORM changes a column's type by dropping the column and adding it again, which loses every
 * value in it; the same change as ALTER COLUMN ... TYPE keeps them (and liveshift plans it online).
 */
function typeChangesInPlace(intents: IntentInput[]): { intents: IntentInput[]; notes: string[] } {
  const result: IntentInput[] = [];
  const notes: string[] = [];
  for (let i = 0; i < intents.length; i++) {
    const drop = intents[i]!;
    const add = intents[i + 1];
    if (drop.kind !== 'drop_column' || add?.kind !== 'add_column' || tableName(add.table) !== tableName(drop.table) || add.column.name !== drop.column) {
      result.push(drop);
      continue;
    }
    const { table, column } = { table: add.table, column: add.column.name };
    result.push({ kind: 'change_column_type', table, column, type: add.column.type });
    if (add.column.nullable === false) result.push({ kind: 'set_not_null', table, column, ...(add.column.backfill ? { backfill: add.column.backfill } : {}) });
    if (add.column.default) result.push({ kind: 'set_default', table, column, default: add.column.default.expr });
    notes.push(
      `${tableName(table)}.${column}: TypeORM changes its type to ${add.column.type} by dropping the column and adding it again, which loses its data; ` +
        'liveshift changes the type in place instead (ALTER COLUMN ... TYPE, planned online), keeping every value.',
    );
    i++;
  }
  return { intents: result, notes };
}

function withBackfill(intent: IntentInput, backfill: string): IntentInput {
  if ((intent.kind === 'add_column' || intent.kind === 'add_reference_column') && intent.column.nullable === false && !intent.column.default && !intent.column.backfill) {
    return { ...intent, column: { ...intent.column, backfill } } as IntentInput;
  }
  if (intent.kind === 'set_not_null' && !intent.backfill) return { ...intent, backfill };
  return intent;
}

function tableName(table: unknown): string {
  return typeof table === 'string' ? table : (table as { name: string }).name;
}

/** TypeORM writes a renamed property as a drop and an add, which loses the column's data. */
function renameWarnings(intents: IntentInput[]): string[] {
  const warnings: string[] = [];
  for (const drop of intents) {
    if (drop.kind !== 'drop_column') continue;
    for (const add of intents) {
      if (add.kind !== 'add_column' || tableName(add.table) !== tableName(drop.table)) continue;
      warnings.push(
        `${tableName(drop.table)}: TypeORM drops ${drop.column} and adds ${add.column.name}. If that is a rename, do not run this plan (it loses ${drop.column}'s data): ` +
          `plan the rename instead, liveshift typeorm make "ALTER TABLE ${tableName(drop.table)} RENAME COLUMN ${drop.column} TO ${add.column.name}", and generate again.`,
      );
    }
  }
  return warnings;
}
