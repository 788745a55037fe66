import type { ConstraintSchema, TableRef } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { Rollback, SchemaChange } from '../../plan/types.js';
import type { DropConstraintIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { constraintState } from '../../engines/postgres/catalog-checks.js';
import { foreignKeysReferencing, indexBuildSql } from '../../engines/postgres/index-definition.js';
import { hasCapability } from '../../engines/postgres/capabilities.js';
import { isSmallTable } from '../../engines/postgres/size.js';
import { parseStatements } from '../../input/pg-parser.js';
import type { RecipeContext } from '../context.js';

/**
 * DROP CONSTRAINT is a catalog change under a brief ACCESS EXCLUSIVE on the table (locks.md §1.2
 * [E]); for a foreign key also on the referenced table. What differs per kind is the way back:
 * - CHECK and FOREIGN KEY: re-added NOT VALID (brief), then validated in its own transaction;
 * - PRIMARY KEY and UNIQUE: the index is built again CONCURRENTLY and the constraint re-attached
 *   with ADD CONSTRAINT … USING INDEX (brief), so no long lock either (recipes.md I-11/I-12).
 * A key that a foreign key references cannot be dropped without dropping that foreign key.
 */
export function dropConstraintRecipe(ctx: RecipeContext, intent: DropConstraintIntent): RecipeResult {
  const k = ctx.table.constraints.find((c) => c.name === intent.name);
  if (!k) {
    const names = ctx.table.constraints.map((c) => c.name);
    throw new PlanningError(
      `constraint "${intent.name}" does not exist on ${ctx.tableName} (${names.length ? `constraints: ${names.join(', ')}` : 'it has no constraints'}); a NOT NULL is removed with ALTER TABLE … ALTER COLUMN … DROP NOT NULL`,
      ctx.statement,
    );
  }
  switch (k.type) {
    case 'check':
      return { steps: [checkStep(ctx, k)], warnings: [] };
    case 'foreign_key':
      return foreignKeyResult(ctx, k);
    case 'primary_key':
    case 'unique':
      return { steps: [keyStep(ctx, k)], warnings: [] };
  }
}

const dropSql = (ctx: RecipeContext, k: ConstraintSchema) => `ALTER TABLE ${qualify(ctx.ref)} DROP CONSTRAINT ${quoteIdent(k.name)}`;
const addSql = (ctx: RecipeContext, k: ConstraintSchema, body: string) => `ALTER TABLE ${qualify(ctx.ref)} ADD CONSTRAINT ${quoteIdent(k.name)} ${body}`;

/** pg_get_constraintdef prints " NOT VALID" last for a constraint that was never validated. */
function validatedBody(k: ConstraintSchema): string {
  return k.definition.replace(/\s+NOT VALID$/, '');
}

/** Re-adds a CHECK or FOREIGN KEY as it was: NOT VALID, then validated in its own transaction (unless it was NOT VALID, or every table is small). */
function reAddRollback(ctx: RecipeContext, k: ConstraintSchema, allSmall: boolean, lockedWhileValidating: string): Rollback {
  const body = validatedBody(k);
  if (!k.validated) return { kind: 'sql', sql: [addSql(ctx, k, `${body} NOT VALID`)], transactional: true, note: 'the constraint was NOT VALID: it comes back NOT VALID' };
  if (allSmall) return { kind: 'sql', sql: [addSql(ctx, k, body)], transactional: true, note: 'small tables: re-added and checked in one statement' };
  return {
    kind: 'sql',
    // the DROP … IF EXISTS lets the rollback run again after a failed VALIDATE left the constraint NOT VALID
    sql: [`ALTER TABLE ${qualify(ctx.ref)} DROP CONSTRAINT IF EXISTS ${quoteIdent(k.name)}`, addSql(ctx, k, `${body} NOT VALID`), `ALTER TABLE ${qualify(ctx.ref)} VALIDATE CONSTRAINT ${quoteIdent(k.name)}`],
    transactional: false,
    note: `each statement in its own transaction: re-added NOT VALID (brief), then validated under ${lockedWhileValidating} while reads and writes continue; if rows written meanwhile break it, the validation fails and leaves it NOT VALID (checking new writes): fix those rows and run the rollback again`,
  };
}

function baseStep(ctx: RecipeContext, k: ConstraintSchema, tables: string[], rollback: Rollback, caveats: string[], changes: SchemaChange[]): StepDraft {
  return {
    release: 0,
    title: `Drop ${describeType(k)} ${k.name} on ${ctx.tableName}`,
    kind: 'ddl',
    instruction: '',
    sql: [dropSql(ctx, k)],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', tables, 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: constraintState(ctx.ref, k.name, 'absent'),
    rollback,
    caveats,
    changes,
  };
}

function checkStep(ctx: RecipeContext, k: ConstraintSchema): StepDraft {
  return baseStep(
    ctx,
    k,
    [ctx.tableName],
    reAddRollback(ctx, k, ctx.small, 'SHARE UPDATE EXCLUSIVE'),
    [
      `Catalog-only: ACCESS EXCLUSIVE on ${ctx.tableName} for milliseconds once granted (the wait for it is bounded by lock_timeout and retried).`,
      `From now on rows that break ${validatedBody(k)} can be written; anything that relied on the rule (application code, reports) must no longer need it.`,
    ],
    [{ op: 'drop_constraint', table: ctx.ref, constraint: k.name }],
  );
}

function foreignKeyResult(ctx: RecipeContext, k: ConstraintSchema): RecipeResult {
  const refName = k.references!.table;
  const refTable = ctx.snapshot.tables.find((t) => `${t.schema}.${t.name}` === refName);
  if (!refTable) throw new PlanningError(`foreign key ${k.name} references ${refName}, which is not in the schema snapshot; take a fresh snapshot`, ctx.statement);
  const ref: TableRef = { schema: refTable.schema, name: refTable.name };
  const self = ref.schema === ctx.ref.schema && ref.name === ctx.ref.name;
  const allSmall = ctx.small && isSmallTable(refTable, ctx.options.smallTableBytes);
  const both = self ? ctx.tableName : `${ctx.tableName} and on the referenced ${refName}`;
  const step = baseStep(
    ctx,
    k,
    self ? [ctx.tableName] : [ctx.tableName, refName],
    reAddRollback(ctx, k, allSmall, `SHARE UPDATE EXCLUSIVE on ${ctx.tableName} and ROW SHARE on ${refName}`),
    [
      `Takes ACCESS EXCLUSIVE on ${both}: reads and writes of ${self ? 'it' : 'both'} wait while it is held, for a catalog change only (milliseconds once granted; the wait for it is bounded by lock_timeout and retried). On a busy referenced table, pick a quiet moment.`,
      `From now on ${ctx.tableName} rows may reference ${refName} rows that do not exist, and deletes or key updates in ${refName} no longer check (or cascade to) ${ctx.tableName}.`,
    ],
    [{ op: 'drop_constraint', table: ctx.ref, constraint: k.name }],
  );
  return { steps: [step], warnings: [], alsoLocked: self ? [] : [ref] };
}

function keyStep(ctx: RecipeContext, k: ConstraintSchema): StepDraft {
  const fks = foreignKeysReferencing(ctx.snapshot, ctx.ref, k.columns);
  if (fks.length) {
    const list = fks.map((f) => `${f.constraint.name} on ${f.table}`).join(', ');
    throw new PlanningError(
      `foreign key ${list} references ${ctx.tableName} (${k.columns.join(', ')}) through ${describeType(k)} ${k.name}, so PostgreSQL refuses to drop it (CASCADE would drop the foreign key${fks.length > 1 ? 's' : ''} silently). ` +
        `Drop the foreign key${fks.length > 1 ? 's' : ''} first (ALTER TABLE … DROP CONSTRAINT, planned on ${fks.length > 1 ? 'their' : 'its'} own), or give ${fks.length > 1 ? 'them' : 'it'} another unique index on those columns`,
      ctx.statement,
    );
  }
  const index = ctx.table.indexes.find((ix) => ix.name === k.name);
  const cols = k.columns.join(', ');
  const caveats = [
    `Catalog-only: ACCESS EXCLUSIVE on ${ctx.tableName} for milliseconds once granted (the wait for it is bounded by lock_timeout and retried); the index ${k.name} goes with it.`,
    `From now on duplicate (${cols}) values can be written, and INSERT … ON CONFLICT (${cols}) fails for want of a unique index to use. Queries that used the index ${k.name} fall back to other plans.`,
    ...(k.type === 'primary_key'
      ? [`Without a primary key, logical replication has no replica identity for ${ctx.tableName} (UPDATE and DELETE fail on a table that is published), and tools that need a key (ORMs, liveshift's own backfills) can no longer use one.`]
      : []),
  ];
  const changes: SchemaChange[] = [{ op: 'drop_constraint', table: ctx.ref, constraint: k.name }, ...(index ? [{ op: 'drop_index' as const, table: ctx.ref, index: k.name }] : [])];
  return baseStep(ctx, k, [ctx.tableName], keyRollback(ctx, k), caveats, changes);
}

/**
 * The index built again CONCURRENTLY under the constraint's name, then attached with USING INDEX
 * (ACCESS EXCLUSIVE, brief; the columns are still NOT NULL, so a primary key needs no scan).
 */
function keyRollback(ctx: RecipeContext, k: ConstraintSchema): Rollback {
  const index = ctx.table.indexes.find((ix) => ix.name === k.name);
  const kind = k.type === 'primary_key' ? 'PRIMARY KEY' : 'UNIQUE';
  const duplicates = `fails if ${k.type === 'primary_key' ? 'duplicates or NULLs' : 'duplicates'} were written since the drop: remove them, then run it again`;
  if (!index || ctx.small || hasCapability(ctx.engine, 'concurrentIndexCorruptionBug')) {
    return {
      kind: 'sql',
      sql: [addSql(ctx, k, validatedBody(k))],
      transactional: true,
      note: `${ctx.small ? 'small table: ' : ''}re-adds the constraint, building its index under ACCESS EXCLUSIVE${ctx.small ? ' for milliseconds' : ` for the whole build (${!index ? 'the snapshot has no index definition' : `PostgreSQL ${ctx.engine.version} could corrupt concurrently built indexes`})`}; ${duplicates}`,
    };
  }
  return {
    kind: 'sql',
    sql: [indexBuildSql(ctx.ref, index, { concurrently: true, ifNotExists: true }, ctx.statement), addSql(ctx, k, `${kind} USING INDEX ${quoteIdent(k.name)}${deferrability(k)}`)],
    transactional: false,
    note: `each statement on its own: the index is built again CONCURRENTLY (reads and writes continue), then attached as the constraint (ACCESS EXCLUSIVE, brief); ${duplicates}`,
  };
}

/** DEFERRABLE / INITIALLY DEFERRED as the constraint had them, read from its definition by the parser. */
function deferrability(k: ConstraintSchema): string {
  const [stmt] = parseStatements(`ALTER TABLE t ADD CONSTRAINT c ${k.definition}`);
  const c = stmt?.node.cmds?.[0]?.AlterTableCmd?.def?.Constraint;
  if (!c?.deferrable) return '';
  return c.initdeferred ? ' DEFERRABLE INITIALLY DEFERRED' : ' DEFERRABLE';
}

function describeType(k: ConstraintSchema): string {
  return { check: 'CHECK constraint', foreign_key: 'foreign key', primary_key: 'primary key', unique: 'unique constraint' }[k.type];
}
