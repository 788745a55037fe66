import type { ColumnSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { RenameColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { isConstantDefault, refuseGenerated } from '../../engines/mysql/column-definition.js';
import { hasMysqlCapability } from '../../engines/mysql/capabilities.js';
import { mysqlType } from '../../engines/mysql/column-type.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { indexExists } from '../../engines/mysql/catalog-checks.js';
import { addColumnStep } from '../add-column/mysql.js';
import { mysqlBackfillStep, mysqlDistinct } from '../backfill/mysql.js';
import { mysqlCheckStep } from '../read-only-check/mysql.js';
import { mysqlNotNullSteps } from '../set-not-null/mysql.js';
import { addIndexSpec, addIndexSteps, requireFreeIndexName } from '../create-index/mysql.js';
import { dropColumnStep, dropNotNullSteps } from '../drop-column/mysql.js';
import { requireColumn, requireNoColumn, type RecipeContext } from '../context.js';

/**
 * Expand/contract rename on MySQL/MariaDB (recipes.md I-19 option C, the application keeping both
 * columns in sync). RENAME COLUMN itself is instant (MySQL 8.0.28+, MariaDB [E]) — the lock is not
 * the problem — but it breaks every running instance that still uses the old name at that moment,
 * and a rolling deploy always has some. So: add the new column (instant), the application writes
 * both, backfill, check parity, copy the indexes, move the application, drop the old column.
 * (A sync trigger is not planned here: triggers on the table would rule out gh-ost later and
 * slow every write.)
 */
export function renameColumnRecipeMysql(ctx: RecipeContext, intent: RenameColumnIntent): RecipeResult {
  if (intent.sync === 'trigger') {
    throw new PlanningError('on MySQL/MariaDB liveshift plans a rename with the application keeping both columns in sync (--sync app); a sync trigger is not planned there', ctx.statement);
  }
  const old = requireColumn(ctx, intent.from);
  requireNoColumn(ctx, intent.to);
  if (intent.from === intent.to) throw new PlanningError('the new name equals the old one', ctx.statement);
  refuseGenerated(old, ctx.statement);
  const alternative = 'Rename it in the ORM mapping instead (Prisma @map, TypeORM @Column({ name }), a Knex alias), which needs no database change.';
  for (const k of ctx.table.constraints) {
    if (k.columns.includes(old.name) && k.type !== 'unique') throw new PlanningError(`column "${old.name}" is part of ${k.type.replace('_', ' ')} ${k.name}; moving it during a rename is not supported. ${alternative}`, ctx.statement);
  }
  for (const t of ctx.snapshot.tables) {
    for (const k of t.constraints) {
      if (k.type === 'foreign_key' && k.references?.table === ctx.tableName && k.references.columns.includes(old.name)) {
        throw new PlanningError(`column "${old.name}" is referenced by foreign key ${k.name} on ${t.schema}.${t.name}; not supported. ${alternative}`, ctx.statement);
      }
    }
  }
  if (old.default !== null && !isConstantDefault(old.default, ctx.engine)) {
    throw new PlanningError(`column "${old.name}" has an expression default (${old.default}); two columns with a per-row default cannot be kept equal. ${alternative}`, ctx.statement);
  }

  const o = quoteIdent(old.name);
  const n = quoteIdent(intent.to);
  const type = mysqlType(old.type, ctx.engine, ctx.statement);
  const added: ColumnSchema = { name: intent.to, type: old.type, nullable: true, default: old.default };
  const steps: StepDraft[] = [];
  steps.push(addColumnStep(ctx, added, `${n} ${type.sql} NULL${old.default !== null ? ` DEFAULT ${old.default}` : ''}`, `Add column ${intent.to} ${type.sql} (nullable)`));
  steps.push(
    appStep(1, `Application writes both ${old.name} and ${intent.to}`,
      `Deploy the application version that writes the same value to both ${old.name} and ${intent.to} on every INSERT and UPDATE of ${ctx.tableName}, and still reads ${old.name}.`,
      { kind: 'deploy', release: 'A', instruction: `deploy back the version that writes only ${old.name}` }),
  );
  steps.push(
    mysqlBackfillStep(ctx, {
      title: `Backfill ${intent.to} from ${old.name}`,
      set: `${n} = ${o}`,
      predicate: mysqlDistinct(n, o),
      release: 1,
      rollback: { kind: 'none', reason: `only fills ${intent.to}; rolling back the "add column" step removes it with its data` },
    }),
  );
  steps.push(
    mysqlCheckStep(ctx, {
      release: 1,
      title: `Validate parity: ${intent.to} equals ${old.name} on every row`,
      checkpoint: { description: `no row where ${intent.to} differs from ${old.name}`, sql: `SELECT COUNT(*) FROM ${qualify(ctx.ref)} WHERE ${mysqlDistinct(n, o)}`, expected: 0 },
      caveats: [`A non-zero count means something writes ${old.name} without ${intent.to}: fix the writer, run the backfill again, then this check.`],
    }),
  );

  const copies = ctx.table.indexes.filter((i) => !i.primary && i.columns.includes(old.name));
  for (const ix of copies) {
    const name = ix.name.includes(old.name) ? ix.name.replace(old.name, intent.to) : derivedName([ix.name, intent.to], 'idx');
    requireFreeIndexName(ctx, name);
    steps.push(...addIndexSteps(ctx, { name, columns: ix.columns.map((c) => (c === old.name ? intent.to : c)), unique: ix.unique, release: 1, title: `Copy index ${ix.name} onto ${intent.to} as ${name}` }));
  }
  if (!old.nullable) {
    steps.push(...mysqlNotNullSteps(ctx, added, 1));
    steps.push(...dropNotNullSteps(ctx, old, 1));
  }
  steps.push(
    appStep(2, `Application reads and writes ${intent.to} only`,
      `Deploy the application version that reads and writes ${intent.to} only and no longer uses ${old.name} anywhere (queries, ORM mapping, raw SQL).`,
      { kind: 'deploy', release: 'A+1', instruction: `deploy back the version that dual-writes and reads ${old.name}` }),
  );
  // indexes on the old column go first, one step each, so the column drop itself is instant and
  // no multi-column index is silently narrowed by it
  for (const ix of copies) {
    steps.push(
      mysqlDdlStep(ctx, {
        release: 3,
        title: `Drop index ${ix.name} on ${old.name}`,
        spec: `DROP INDEX ${quoteIdent(ix.name)}`,
        algorithm: 'INPLACE',
        lock: 'LOCK=NONE',
        duration: 'brief',
        checkpoint: indexExists(ctx.ref, ix.name, false),
        rollback: { spec: addIndexSpec(ix), algorithm: 'INPLACE', lock: 'LOCK=NONE', note: 'rebuilds the index in place' },
        caveats: ['Metadata only; its copy on the new column serves the same queries.'],
        changes: [{ op: 'drop_index', table: ctx.ref, index: ix.name }, ...(ix.unique ? [{ op: 'drop_constraint' as const, table: ctx.ref, constraint: ix.name }] : [])],
      }),
    );
  }
  const withoutIndexes = { ...ctx, table: { ...ctx.table, indexes: ctx.table.indexes.filter((i) => !copies.includes(i)) } };
  steps.push(dropColumnStep(withoutIndexes, { ...old, nullable: true }, 3, [`Its values equal ${intent.to} as of the parity check, so nothing is lost unless something wrote only ${old.name} since.`]));
  const instant = hasMysqlCapability(ctx.engine, 'instantRenameColumn') && hasMysqlCapability(ctx.engine, 'renameColumnSyntax');
  return {
    steps,
    warnings: [
      `Not a plain RENAME COLUMN: ${instant ? `on ${ctx.engine.version} it would be instant, but` : 'it'} breaks every running application instance that still uses ${old.name} the moment it commits, and a rolling deploy always has some; the plan keeps both columns until the application has moved. To rename in the ORM mapping only, no database change is needed.`,
    ],
  };
}
