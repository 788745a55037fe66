import type { ColumnSchema, IndexSchema, TableRef } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { Checkpoint, SchemaChange } from '../../plan/types.js';
import type { DropColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { qualify, quoteIdent, quoteLiteral } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { columnExists } from '../../engines/postgres/catalog-checks.js';
import { formatCount } from '../../render/describe.js';
import { collectNodes, funcName, parseExpression, referencedColumns } from '../../input/pg-parser.js';
import { requireColumn, type RecipeContext } from '../context.js';
import { dropNotNullStep } from '../drop-not-null/postgres.js';

/**
 * recipes.md I-21: the application stops reading and writing the column first (a release of its
 * own), then DROP COLUMN — brief ACCESS EXCLUSIVE, catalog only (locks.md §1.2 [E]) — is the point
 * of no return. Before anything, a catalog check fails the plan early if a view, trigger, policy or
 * foreign key outside the table depends on the column (DROP COLUMN would refuse it at the end).
 * A NOT NULL column without a default first becomes nullable, or inserts from the new release fail.
 */
export function dropColumnRecipe(ctx: RecipeContext, intent: DropColumnIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  refuseKeyColumn(ctx, col.name);
  const outgoing = ctx.table.constraints.filter((k) => k.type === 'foreign_key' && k.columns.includes(col.name));
  const referenced = outgoing.flatMap((k) => referencedTable(ctx, k.references!.table));
  const others = referenced.filter((r) => !(r.schema === ctx.ref.schema && r.name === ctx.ref.name));
  const lostIndexes = ctx.table.indexes.filter((ix) => indexUses(ctx, ix, col.name));
  const lostConstraints = ctx.table.constraints.filter((k) => k.columns.includes(col.name));

  const steps: StepDraft[] = [dependencyCheckStep(ctx, col.name)];
  if (!col.nullable && col.default === null) {
    steps.push(
      dropNotNullStep(ctx, col.name, 0, [`${col.name} is NOT NULL without a default: once the next release stops writing it, every INSERT would fail (SQLSTATE 23502). Nullable, it takes NULL until it is dropped.`]),
    );
  }
  steps.push(
    appStep(
      1,
      `Application stops reading and writing ${col.name}`,
      `Deploy the application version that no longer uses ${ctx.tableName}.${col.name} anywhere: not in SELECT lists (including SELECT * whose consumers expect it), WHERE or ORDER BY clauses, INSERTs or UPDATEs, and not in raw SQL or reports. ` +
        `Remove it from the ORM model too (Prisma: delete the field and regenerate the client; TypeORM: remove the @Column; Rails: ignored_columns), since ORMs that list columns explicitly fail once it is gone.`,
      { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${col.name}` },
    ),
  );
  steps.push(dropColumnStep(ctx, col, { lostIndexes, lostConstraints, others }));
  return { steps, warnings: [], alsoLocked: others };
}

function refuseKeyColumn(ctx: RecipeContext, column: string): void {
  const pk = ctx.table.constraints.find((k) => k.type === 'primary_key' && k.columns.includes(column));
  if (pk) {
    throw new PlanningError(
      `column "${column}" is part of the primary key ${pk.name} of ${ctx.tableName}; dropping it would drop the table's primary key with it. Replace or drop the primary key first (planned on its own), then drop the column`,
      ctx.statement,
    );
  }
  for (const t of ctx.snapshot.tables) {
    for (const k of t.constraints) {
      if (k.type === 'foreign_key' && k.references?.table === ctx.tableName && k.references.columns.includes(column)) {
        throw new PlanningError(
          `column "${column}" of ${ctx.tableName} is referenced by foreign key ${k.name} on ${t.schema}.${t.name}, so PostgreSQL refuses to drop it (CASCADE would drop the foreign key silently). ` +
            `Drop the foreign key first (ALTER TABLE ${qualify(t)} DROP CONSTRAINT ${quoteIdent(k.name)}, planned on its own)`,
          ctx.statement,
        );
      }
    }
  }
}

function referencedTable(ctx: RecipeContext, name: string): TableRef[] {
  const t = ctx.snapshot.tables.find((x) => `${x.schema}.${x.name}` === name);
  return t ? [{ schema: t.schema, name: t.name }] : [];
}

/** An index depends on the column through a key, an expression key or its predicate. */
function indexUses(ctx: RecipeContext, ix: IndexSchema, column: string): boolean {
  const plain = new Set(ctx.table.columns.map((c) => c.name));
  if (ix.columns.includes(column)) return true;
  const inExpression = ix.columns.some((key) => !plain.has(key) && referencedColumns(parseExpression(key, `index ${ix.name}`)).includes(column));
  const inPredicate = ix.predicate !== null && referencedColumns(parseExpression(ix.predicate, `index ${ix.name} predicate`)).includes(column);
  return inExpression || inPredicate;
}

/**
 * Objects outside the table that depend on the column (views, triggers with a column list,
 * policies, foreign keys of other tables): pg_depend 'n' entries, which make DROP COLUMN refuse.
 */
function dependents(ctx: RecipeContext, column: string, select: string): string {
  const rel = `to_regclass(${quoteLiteral(qualify(ctx.ref))})`;
  return (
    `SELECT ${select} FROM pg_catalog.pg_depend d WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ${rel} AND d.deptype = 'n' ` +
    `AND d.refobjsubid = (SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = ${rel} AND attname = ${quoteLiteral(column)} AND NOT attisdropped)`
  );
}

function dependencyCheckStep(ctx: RecipeContext, column: string): StepDraft {
  const checkpoint: Checkpoint = {
    description: `nothing outside ${ctx.tableName} depends on ${column} (views, triggers on the column, policies, foreign keys)`,
    sql: dependents(ctx, column, 'count(*)'),
    expected: 0,
  };
  return {
    release: 0,
    title: `Check that no view, trigger, policy or foreign key depends on ${column}`,
    kind: 'validate',
    instruction: '',
    sql: [],
    transactional: true,
    // a catalog query: it reads pg_depend and pg_attribute, and locks no table of the application
    lock: lockClaim('ACCESS SHARE', ['pg_catalog.pg_depend', 'pg_catalog.pg_attribute'], 'brief'),
    timeouts: null,
    checkpoint,
    rollback: { kind: 'none', reason: 'read-only check' },
    caveats: [
      `The schema snapshot does not list views, policies or triggers' column lists, so the catalog is asked now rather than letting DROP COLUMN refuse at the end. If this fails, list the dependents with ${dependents(ctx, column, 'pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)')}; change them to stop using ${column}, then run this step again.`,
    ],
    changes: [],
  };
}

function dropColumnStep(ctx: RecipeContext, col: ColumnSchema, lost: { lostIndexes: IndexSchema[]; lostConstraints: { name: string; type: string; references: { table: string } | null }[]; others: TableRef[] }): StepDraft {
  const t = qualify(ctx.ref);
  const rows = ctx.table.rowEstimate >= 0 ? `~${formatCount(ctx.rows)} rows` : 'every row';
  const ownsSequence = col.default !== null && collectNodes(parseExpression(col.default, `default of ${col.name}`), 'FuncCall').some((c) => funcName(c) === 'nextval');
  const withIt = [
    ...lost.lostIndexes.map((ix) => `index ${ix.name}${ix.columns.length > 1 || !ix.columns.includes(col.name) ? ` (the whole index, on ${ix.columns.join(', ')}${ix.predicate ? ` WHERE ${ix.predicate}` : ''})` : ''}`),
    ...lost.lostConstraints.filter((k) => !lost.lostIndexes.some((ix) => ix.name === k.name)).map((k) => `${k.type.replace('_', ' ')} constraint ${k.name}`),
    ...(ownsSequence ? [`the sequence behind its default (${col.default}), if the column owns it (serial)`] : []),
  ];
  const fkTables = lost.others.map((r) => `${r.schema}.${r.name}`);
  const plainIndexes = lost.lostIndexes.filter((ix) => ix.columns.includes(col.name));
  const changes: SchemaChange[] = [
    // indexes PostgreSQL drops because an expression or predicate uses the column (the others go with drop_column)
    ...lost.lostIndexes.filter((ix) => !plainIndexes.includes(ix)).map((ix) => ({ op: 'drop_index' as const, table: ctx.ref, index: ix.name })),
    { op: 'drop_column', table: ctx.ref, column: col.name },
  ];
  return {
    release: 2,
    title: `Drop column ${col.name}`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${t} DROP COLUMN ${quoteIdent(col.name)}`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName, ...fkTables], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: columnExists(ctx.ref, col.name, false),
    rollback: {
      kind: 'irreversible',
      reason: `DROP COLUMN removes ${col.name} from ${ctx.tableName}; adding a column of the same name later does not bring the values back, only a restore from backup does`,
      dataLost: `the ${col.name} values of ${rows}${withIt.length ? `; dropped with it: ${withIt.join(', ')}` : ''}`,
    },
    caveats: [
      'Catalog-only: the column is marked dropped (its space is reclaimed as rows are rewritten, or by VACUUM FULL); ACCESS EXCLUSIVE for milliseconds once granted, the wait for it bounded by lock_timeout and retried.',
      `Only once every running instance is on release A+1 or later: an older instance that still selects or writes ${col.name} fails from here on.`,
      ...(withIt.length ? [`Dropped with it: ${withIt.join(', ')}.`] : []),
      ...(fkTables.length
        ? [`It also drops foreign key ${lost.lostConstraints.filter((k) => k.type === 'foreign_key').map((k) => k.name).join(', ')}, which takes ACCESS EXCLUSIVE on the referenced ${fkTables.join(', ')} too: reads and writes of ${fkTables.length > 1 ? 'those tables' : 'it'} wait for the same moment.`]
        : []),
      `Fails, changing nothing, if a view, trigger or policy started depending on ${col.name} after step 1's check.`,
    ],
    changes,
  };
}
