import type { IndexSchema, SchemaSnapshot } from '../../schema/snapshot.js';
import type { SchemaChange } from '../../plan/types.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { CreateIndexIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { indexExists } from '../../engines/mysql/catalog-checks.js';
import { mysqlCheckStep } from '../read-only-check/mysql.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-08/I-11 (MySQL/MariaDB): ALTER TABLE … ADD [UNIQUE] INDEX, ALGORITHM=INPLACE,
 * LOCK=NONE — built without copying the table, reads and writes going on (MariaDB [E]: NOCOPY, NONE;
 * INPLACE is the lower bound MariaDB then meets with NOCOPY). A unique index gets a duplicate check
 * first. No partial or expression indexes here (MySQL has no partial indexes).
 */
export function createIndexRecipeMysql(ctx: RecipeContext, intent: CreateIndexIntent): RecipeResult {
  if (intent.where !== undefined) throw new PlanningError('MySQL and MariaDB have no partial indexes (WHERE)', ctx.statement);
  if (intent.method !== 'btree') throw new PlanningError(`index method ${intent.method} is PostgreSQL's; InnoDB indexes are B-trees`, ctx.statement);
  for (const c of intent.columns) {
    if (c.trim().startsWith('(')) throw new PlanningError('indexes on expressions are not planned on MySQL/MariaDB', ctx.statement);
    requireColumn(ctx, c);
  }
  const name = intent.name ?? derivedName([ctx.ref.name, ...intent.columns], intent.unique ? 'key' : 'idx');
  requireFreeIndexName(ctx, name);
  return { steps: addIndexSteps(ctx, { name, columns: intent.columns, unique: intent.unique, release: 0 }), warnings: [] };
}

export function requireFreeIndexName(ctx: RecipeContext, name: string): void {
  // index (and key) names are per table on MySQL/MariaDB
  if (ctx.table.indexes.some((i) => i.name.toLowerCase() === name.toLowerCase()) || ctx.table.constraints.some((k) => k.name.toLowerCase() === name.toLowerCase())) {
    throw new PlanningError(`${ctx.tableName} already has an index or constraint named "${name}"`, ctx.statement);
  }
}

export function indexSchema(ctx: RecipeContext, name: string, columns: string[], unique: boolean): IndexSchema {
  return {
    name,
    columns,
    unique,
    primary: false,
    valid: true,
    predicate: null,
    method: 'btree',
    definition: `${unique ? 'UNIQUE ' : ''}KEY ${quoteIdent(name)} (${columns.map(quoteIdent).join(', ')})`,
  };
}

/** MySQL lists a unique index among the table's constraints too (TABLE_CONSTRAINTS, type UNIQUE). */
export function indexChanges(ctx: RecipeContext, index: IndexSchema): SchemaChange[] {
  return [
    { op: 'add_index', table: ctx.ref, index },
    ...(index.unique
      ? [{ op: 'add_constraint' as const, table: ctx.ref, constraint: { name: index.name, type: 'unique' as const, columns: index.columns, definition: `UNIQUE (${index.columns.join(', ')})`, validated: true, references: null } }]
      : []),
  ];
}

export function addIndexSpec(index: Pick<IndexSchema, 'name' | 'columns' | 'unique'>): string {
  return `ADD ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} (${index.columns.map(quoteIdent).join(', ')})`;
}

export function addIndexSteps(ctx: RecipeContext, spec: { name: string; columns: string[]; unique: boolean; release: number; title?: string }): StepDraft[] {
  const index = indexSchema(ctx, spec.name, spec.columns, spec.unique);
  const steps: StepDraft[] = [];
  if (spec.unique) {
    const keys = spec.columns.map(quoteIdent);
    steps.push(
      mysqlCheckStep(ctx, {
        release: spec.release,
        title: `Check that no duplicates of (${spec.columns.join(', ')}) exist`,
        checkpoint: {
          description: 'no duplicate keys (the unique build would fail on the first one)',
          sql: `SELECT COUNT(*) FROM (SELECT 1 FROM ${qualify(ctx.ref)} WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')} GROUP BY ${keys.join(', ')} HAVING COUNT(*) > 1 LIMIT 1) AS duplicates`,
          expected: 0,
        },
        caveats: ['The application must stop producing duplicates before this step, or the build can still fail on a new one (it then changes nothing).'],
      }),
    );
  }
  steps.push(
    mysqlDdlStep(ctx, {
      release: spec.release,
      title: spec.title ?? `Create ${spec.unique ? 'unique ' : ''}index ${spec.name} on ${ctx.tableName} (${spec.columns.join(', ')})`,
      spec: addIndexSpec(index),
      algorithm: 'INPLACE',
      lock: 'LOCK=NONE',
      duration: 'scan',
      checkpoint: indexExists(ctx.ref, spec.name, true),
      rollback: { spec: `DROP INDEX ${quoteIdent(spec.name)}`, algorithm: 'INPLACE', lock: 'LOCK=NONE' },
      caveats: [
        'Built in place without copying the table (ALGORITHM=INPLACE, LOCK=NONE): reads and writes continue; concurrent writes go to an online log applied at the end. The statement finishes only once transactions already using the table have ended.',
        'On a replicated server the replicas build the index only after it finished here: expect replica lag as long as the build.',
      ],
      changes: indexChanges(ctx, index),
    }),
  );
  return steps;
}

/** The one table of the snapshot's schema with an index of that name, or an error naming them. */
export function requireUniqueIndexName(snapshot: SchemaSnapshot, schema: string, name: string, statement: string): void {
  const owners = snapshot.tables.filter((t) => t.schema === schema && t.indexes.some((i) => i.name === name));
  if (owners.length > 1) {
    throw new PlanningError(`index "${name}" exists on several tables (${owners.map((t) => t.name).join(', ')}): name the table, DROP INDEX ${name} ON <table>`, statement);
  }
}
