import type { ConstraintSchema, TableRef, TableSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddForeignKeyIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { findTable } from '../../schema/snapshot.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlType } from '../../engines/mysql/column-type.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { mysqlCheckStep } from '../read-only-check/mysql.js';
import { addIndexSteps, requireFreeIndexName } from '../create-index/mysql.js';
import { requireColumn, resolveTable, type RecipeContext } from '../context.js';

/**
 * recipes.md I-13 (MySQL/MariaDB): there is no NOT VALID. With foreign_key_checks on, ADD FOREIGN KEY
 * copies the table with writes blocked (MariaDB [E]: COPY, SHARED; MySQL manual: INPLACE only when
 * foreign_key_checks is disabled); with it off for the session, the constraint is added in place
 * without reading a row (MariaDB [E]: NOCOPY, NONE) — and without checking the existing rows. So:
 * an index on the referencing columns first (the server would otherwise create one implicitly),
 * an orphan-row check, the ADD with foreign_key_checks = 0 in the runner's session only, and the
 * same orphan check as the ADD's checkpoint: once the constraint exists no new orphan can appear,
 * so a zero then proves every row satisfies it.
 */
export function addForeignKeyRecipeMysql(ctx: RecipeContext, intent: AddForeignKeyIntent): RecipeResult {
  const columns = intent.columns.map((c) => requireColumn(ctx, c));
  const parentRef: TableRef = resolveTable(ctx.snapshot, intent.references.table, ctx.statement);
  const parent = findTable(ctx.snapshot, parentRef)!;
  const parentName = `${parentRef.schema}.${parentRef.name}`;
  const refColumns = intent.references.columns ?? primaryKey(parent, parentName, ctx.statement);
  if (refColumns.length !== columns.length) throw new PlanningError(`${columns.length} referencing column(s) but ${refColumns.length} referenced`, ctx.statement);
  if (!isKey(parent, refColumns)) {
    throw new PlanningError(`(${refColumns.join(', ')}) is neither the primary key nor a unique key of ${parentName}; a foreign key must reference one (MySQL 8.4 refuses anything else by default)`, ctx.statement);
  }
  refColumns.forEach((rc, i) => {
    const target = parent.columns.find((c) => c.name === rc);
    if (!target) throw new PlanningError(`column "${rc}" does not exist in ${parentName}`, ctx.statement);
    const a = mysqlType(columns[i]!.type, ctx.engine, ctx.statement).printed;
    const b = mysqlType(target.type, ctx.engine, ctx.statement).printed;
    if (a !== b) throw new PlanningError(`${columns[i]!.name} is ${a} but ${parentName}.${rc} is ${b}: InnoDB needs the same type and sign on both ends (error 150); change one of them first`, ctx.statement);
  });
  if (intent.onDelete === 'set null' || intent.onUpdate === 'set null') {
    const notNull = columns.find((c) => !c.nullable);
    if (notNull) throw new PlanningError(`ON … SET NULL needs ${notNull.name} to be nullable`, ctx.statement);
  }
  if (intent.onDelete === 'set default' || intent.onUpdate === 'set default') throw new PlanningError('InnoDB does not support SET DEFAULT referential actions', ctx.statement);

  const name = intent.name ?? derivedName([ctx.ref.name, ...intent.columns], 'fkey');
  if (ctx.snapshot.tables.some((t) => t.schema === ctx.ref.schema && t.constraints.some((k) => k.name === name))) {
    throw new PlanningError(`a constraint named "${name}" already exists in ${ctx.ref.schema} (foreign key names are per database)`, ctx.statement);
  }
  const cols = intent.columns.map(quoteIdent);
  const refs = refColumns.map(quoteIdent);
  const steps: StepDraft[] = [];
  if (!ctx.table.indexes.some((i) => intent.columns.every((c, k) => i.columns[k] === c))) {
    const indexName = derivedName([ctx.ref.name, ...intent.columns], 'idx');
    requireFreeIndexName(ctx, indexName);
    steps.push(...addIndexSteps(ctx, { name: indexName, columns: intent.columns, unique: false, release: 0, title: `Index ${intent.columns.join(', ')} for the foreign key` }));
  }
  const orphans = `SELECT COUNT(*) FROM ${qualify(ctx.ref)} AS c LEFT JOIN ${qualify(parentRef)} AS p ON ${cols.map((c, i) => `p.${refs[i]} = c.${c}`).join(' AND ')} ` +
    `WHERE ${cols.map((c) => `c.${c} IS NOT NULL`).join(' AND ')} AND p.${refs[0]} IS NULL`;
  const orphanCheck = { description: `no row of ${ctx.tableName} references a missing ${parentName} row`, sql: orphans, expected: 0 };
  steps.push(
    mysqlCheckStep(ctx, {
      release: 0,
      title: `Check that no row of ${ctx.tableName} is an orphan`,
      checkpoint: orphanCheck,
      tables: [ctx.tableName, parentName],
      caveats: [`The server will not check existing rows when the constraint is added: this is the check. If it fails, delete or fix the orphans (or insert their ${parentName} rows), then run it again.`],
    }),
  );
  const actions = [intent.onDelete ? ` ON DELETE ${intent.onDelete.toUpperCase()}` : '', intent.onUpdate ? ` ON UPDATE ${intent.onUpdate.toUpperCase()}` : ''].join('');
  const constraint: ConstraintSchema = {
    name,
    type: 'foreign_key',
    columns: intent.columns,
    definition: `FOREIGN KEY (${intent.columns.join(', ')}) REFERENCES ${parentName} (${refColumns.join(', ')})${actions}`,
    validated: true,
    references: { table: parentName, columns: refColumns },
  };
  steps.push(
    mysqlDdlStep(ctx, {
      release: 0,
      title: `Add foreign key ${name} (${intent.columns.join(', ')}) → ${parentName} without a table copy`,
      before: ['SET SESSION foreign_key_checks = 0'],
      after: ['SET SESSION foreign_key_checks = 1'],
      spec: `ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${cols.join(', ')}) REFERENCES ${qualify(parentRef)} (${refs.join(', ')})${actions}`,
      algorithm: 'INPLACE',
      lock: 'LOCK=NONE',
      duration: 'brief',
      alsoTables: parentName === ctx.tableName ? [] : [parentName],
      checkpoint: orphanCheck,
      rollback: { spec: `DROP FOREIGN KEY ${quoteIdent(name)}`, algorithm: 'INPLACE', lock: 'LOCK=NONE' },
      caveats: [
        `foreign_key_checks = 0 for the runner's session only, so the server adds the constraint in place without reading a row (with checks on it would copy ${ctx.tableName} with writes blocked, and the stated ALGORITHM=INPLACE makes it refuse instead). Every other session keeps checking: from this step on, no write can create an orphan.`,
        'Residual risk: existing rows are not validated by the server. The orphan check before this step and again as its checkpoint covers them; a row orphaned between the two checks fails the checkpoint, and then the constraint exists over bad data until it is fixed.',
        'foreign_key_checks is a session variable: run this step through liveshift (which restores it), not through a statement-level connection pooler.',
        `Also takes ${parentName}'s metadata lock briefly (the constraint is recorded on both tables).`,
      ],
      changes: [{ op: 'add_constraint', table: ctx.ref, constraint }],
    }),
  );
  return { steps, warnings: [], alsoLocked: parentName === ctx.tableName ? [] : [parentRef] };
}

function primaryKey(parent: TableSchema, name: string, statement: string): string[] {
  const pk = parent.constraints.find((k) => k.type === 'primary_key');
  if (!pk) throw new PlanningError(`${name} has no primary key; name the referenced columns`, statement);
  return pk.columns;
}

function isKey(parent: TableSchema, columns: string[]): boolean {
  const same = (cols: string[]) => cols.length === columns.length && cols.every((c, i) => c === columns[i]);
  return parent.indexes.some((i) => (i.primary || i.unique) && same(i.columns));
}
