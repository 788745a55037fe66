import type { ColumnSchema, TableSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { DropColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { hasCapability } from '../../engines/sqlite/capabilities.js';
import { mentionedColumns } from '../../engines/sqlite/create-statement.js';
import { rebuildStatements, rebuildStep, requireSmallEnough } from '../../engines/sqlite/rebuild.js';
import { columnExists, writeStep } from '../../engines/sqlite/steps.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-21 on SQLite: the application stops using the column (a release of its own), then
 * the column goes — ALTER TABLE … DROP COLUMN from 3.35 when nothing but the column's own CHECK
 * or REFERENCES depends on it, the 12-step rebuild otherwise (older versions, indexed or keyed
 * columns). Both rewrite the whole table under the database write lock, so both need a small table.
 * A NOT NULL column without a default first becomes nullable (a rebuild), or the new release's inserts fail.
 */
export function dropColumnRecipe(ctx: RecipeContext, intent: DropColumnIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  refuseDependents(ctx, col.name);
  requireSmallEnough(ctx, `dropping column ${col.name}`);
  const steps: StepDraft[] = [];
  if (!col.nullable && col.default === null) {
    const nullable = ctx.table.columns.map((c) => (c.name === col.name ? { ...c, nullable: true } : c));
    steps.push(
      rebuildStep(ctx, {
        title: `Make ${col.name} nullable (table rebuild), so inserts that omit it keep working`,
        release: 0,
        target: { columns: nullable, constraints: ctx.table.constraints },
        changes: [{ op: 'set_nullable', table: ctx.ref, column: col.name, nullable: true }],
        checkpoint: null,
        caveats: [`${col.name} is NOT NULL without a default: once the next release stops writing it, every INSERT would fail. Nullable, it takes NULL until it is dropped.`],
      }),
    );
  }
  steps.push(
    appStep(
      1,
      `Application stops reading and writing ${col.name}`,
      `Deploy the application version that no longer uses ${ctx.tableName}.${col.name} anywhere: not in SELECT lists, WHERE or ORDER BY clauses, INSERTs or UPDATEs, raw SQL or reports; remove it from the ORM model too.`,
      { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${col.name}` },
    ),
  );
  const table = steps.length > 1 ? { ...ctx.table, columns: ctx.table.columns.map((c) => (c.name === col.name ? { ...c, nullable: true } : c)) } : ctx.table;
  steps.push(dropColumnStep(ctx, table, col, 2));
  return { steps, warnings: [] };
}

/** What SQLite's DROP COLUMN refuses and a rebuild could not recreate: triggers that use the column, other tables' foreign keys to it. */
function refuseDependents(ctx: RecipeContext, column: string): void {
  if (ctx.table.constraints.some((k) => k.type === 'primary_key' && k.columns.includes(column))) {
    throw new PlanningError(`column "${column}" is part of the primary key of ${ctx.tableName}; liveshift does not plan dropping a key column`, ctx.statement);
  }
  for (const tr of ctx.table.triggers) {
    if (tr.definition && mentionedColumns(tr.definition, [column]).length) {
      throw new PlanningError(`trigger ${tr.name} on ${ctx.tableName} uses column "${column}"; drop or change the trigger first (SQLite refuses to drop a column a trigger uses)`, ctx.statement);
    }
  }
  for (const t of ctx.snapshot.tables) {
    for (const k of t.constraints) {
      if (k.type === 'foreign_key' && k.references?.table === ctx.tableName && k.references.columns.includes(column)) {
        throw new PlanningError(`column "${column}" of ${ctx.tableName} is referenced by foreign key ${k.name} on ${t.schema}.${t.name}; drop that foreign key first`, ctx.statement);
      }
    }
  }
}

/** DROP COLUMN where SQLite allows it (3.35+, nothing but its own CHECK/REFERENCES on it), else the rebuild without it. */
export function dropColumnStatements(ctx: RecipeContext, table: TableSchema, column: string): { sql: string[]; transactional: boolean; how: string } {
  const dependents = [
    ...table.indexes.filter((ix) => ix.columns.includes(column) || (ix.predicate !== null && mentionedColumns(ix.predicate, [column]).length) || mentionedColumns(ix.columns.join(' '), [column]).length),
    // conservative: the snapshot does not say whether a CHECK or REFERENCES is the column's own (which DROP COLUMN drops with it)
    ...table.constraints.filter((k) => k.columns.includes(column)),
  ];
  if (hasCapability(ctx.engine, 'dropColumn') && dependents.length === 0) {
    return { sql: [`ALTER TABLE ${tableSql(ctx.ref)} DROP COLUMN ${quoteIdent(column)}`], transactional: true, how: 'ALTER TABLE … DROP COLUMN' };
  }
  const why = hasCapability(ctx.engine, 'dropColumn') ? `${dependents.map((d) => d.name).join(', ')} use${dependents.length === 1 ? 's' : ''} it` : `SQLite ${ctx.engine.version} has no DROP COLUMN (3.35.0+)`;
  return {
    sql: rebuildStatements(ctx, table, {
      columns: table.columns.filter((c) => c.name !== column),
      constraints: table.constraints.filter((k) => !k.columns.includes(column)),
      indexes: table.indexes.filter((ix) => !dependents.includes(ix)),
    }),
    transactional: false,
    how: `a table rebuild (${why})`,
  };
}

function dropColumnStep(ctx: RecipeContext, table: TableSchema, col: ColumnSchema, release: number): StepDraft {
  const drop = dropColumnStatements(ctx, table, col.name);
  const step = writeStep(ctx, {
    title: `Drop column ${col.name}`,
    release,
    sql: drop.sql,
    duration: 'rewrite',
    rollback: {
      kind: 'irreversible',
      reason: `dropping ${col.name} removes its values from ${ctx.tableName}; only a restore from backup brings them back`,
      dataLost: `the ${col.name} values of every row, and the indexes and constraints on it`,
    },
    changes: [{ op: 'drop_column', table: ctx.ref, column: col.name }],
    checkpoint: columnExists(ctx.ref, col.name, false),
    caveats: [
      `Done with ${drop.how}: the whole table is rewritten to purge the column, under the database write lock.`,
      `Only once every running instance is on release A+1 or later: an older instance that still uses ${col.name} fails from here on.`,
      `Fails, changing nothing, if a view or another table's trigger uses ${col.name} (the snapshot does not list views; SQLite checks them when the schema changes): change those, then run the step again.`,
    ],
  });
  return { ...step, transactional: drop.transactional };
}
