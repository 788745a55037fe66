import type { ColumnSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { DropColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { releaseName } from '../../plan/types.js';
import { appStep } from '../app-step/postgres.js';
import { quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { mysqlType } from '../../engines/mysql/column-type.js';
import { columnDefinitionSql, refuseGenerated } from '../../engines/mysql/column-definition.js';
import { definitionGuard } from '../../engines/mysql/definition-guard.js';
import { columnExists, columnNotNull } from '../../engines/mysql/catalog-checks.js';
import { formatCount } from '../../render/describe.js';
import { instantColumnAlgorithm } from '../add-column/mysql.js';
import { mysqlCheckStep } from '../read-only-check/mysql.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-21 (MySQL/MariaDB): the application stops reading and writing the column (a release
 * of its own), then DROP COLUMN — INSTANT on MySQL 8.0.29+ (not 8.0.29 itself) and MariaDB 10.4+,
 * else an in-place rebuild — is the point of no return. A NOT NULL column without a default first
 * becomes nullable, or inserts from the new release fail (error 1364).
 */
export function dropColumnRecipeMysql(ctx: RecipeContext, intent: DropColumnIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  refuseDependents(ctx, col.name);
  const steps: StepDraft[] = [];
  if (!col.nullable && col.default === null) steps.push(...dropNotNullSteps(ctx, col, 0));
  steps.push(
    appStep(
      1,
      `Application stops reading and writing ${col.name}`,
      `Deploy the application version that no longer uses ${ctx.tableName}.${col.name} anywhere: not in SELECT lists (including SELECT * whose consumers expect it), WHERE or ORDER BY clauses, INSERTs or UPDATEs, and not in raw SQL or reports. ` +
        'Remove it from the ORM model too (Prisma: delete the field and regenerate the client; TypeORM: remove the @Column), since ORMs that list columns explicitly fail once it is gone.',
      { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${col.name}` },
    ),
  );
  steps.push(dropColumnStep(ctx, col, 2));
  return { steps, warnings: [] };
}

export function dropColumnStep(ctx: RecipeContext, col: ColumnSchema, release: number, extraCaveats: string[] = []): StepDraft {
  const indexed = ctx.table.indexes.filter((i) => i.columns.includes(col.name));
  // an instant DROP COLUMN does not touch indexes: a column in one is dropped in place (MariaDB [E]: NOCOPY)
  const algorithm = indexed.length ? 'INPLACE' : instantColumnAlgorithm(ctx, 'instantDropColumn');
  const rows = ctx.table.rowEstimate >= 0 ? `~${formatCount(ctx.rows)} rows` : 'every row';
  return mysqlDdlStep(ctx, {
    release,
    title: `Drop column ${col.name}`,
    spec: `DROP COLUMN ${quoteIdent(col.name)}`,
    algorithm,
    lock: 'LOCK=NONE',
    duration: algorithm === 'INSTANT' || indexed.length ? 'brief' : 'rewrite',
    checkpoint: columnExists(ctx.ref, col.name, false),
    rollback: {
      kind: 'irreversible',
      reason: `DROP COLUMN removes ${col.name} from ${ctx.tableName}; adding a column of the same name later does not bring the values back, only a restore from backup does`,
      dataLost: `the ${col.name} values of ${rows}${indexed.length ? `; dropped with it: index ${indexed.map((i) => i.name).join(', ')}` : ''}`,
    },
    caveats: [
      algorithm === 'INSTANT'
        ? 'ALGORITHM=INSTANT: the column disappears from the data dictionary; rows keep their bytes until rewritten. Counts toward the 64 instant row versions per table on MySQL 8.0.29+.'
        : indexed.length
          ? `The column is in index ${indexed.map((i) => i.name).join(', ')}, which goes with it: dropped in place (ALGORITHM=INPLACE, LOCK=NONE), reads and writes continue.`
          : `ALGORITHM=INPLACE: ${ctx.engine.version} has no instant DROP COLUMN (or has the 8.0.29 defect), so the table is rebuilt in place while reads and writes continue.`,
      `Only once every running instance is on release ${releaseName(release - 1)} or later: an older instance that still selects or writes ${col.name} fails from here on.`,
      ...extraCaveats,
    ],
    changes: [{ op: 'drop_column', table: ctx.ref, column: col.name }],
  });
}

/** MODIFY … NULL in place, after the guard that MODIFY restates all of the column. */
export function dropNotNullSteps(ctx: RecipeContext, col: ColumnSchema, release: number, why?: { title: string; caveat: string }): StepDraft[] {
  refuseGenerated(col, ctx.statement);
  const printed = mysqlType(col.type, ctx.engine, ctx.statement).printed;
  return [
    mysqlCheckStep(ctx, {
      release,
      title: `Check that MODIFY restates all of ${col.name}`,
      checkpoint: definitionGuard(ctx.ref, col, printed),
      caveats: [`A 0 means ${col.name} has a comment, ON UPDATE clause or collation of its own that MODIFY would silently drop.`],
    }),
    mysqlDdlStep(ctx, {
      release,
      title: why?.title ?? `Make ${col.name} nullable so writers may stop setting it`,
      spec: `MODIFY ${columnDefinitionSql(col, ctx.engine, true, ctx.statement)}`,
      algorithm: 'INPLACE',
      lock: 'LOCK=NONE',
      duration: 'rewrite',
      checkpoint: columnNotNull(ctx.ref, col.name, false),
      rollback: { spec: `MODIFY ${columnDefinitionSql(col, ctx.engine, false, ctx.statement)}`, algorithm: 'INPLACE', lock: 'LOCK=NONE', note: 'fails if a NULL was written meanwhile' },
      caveats: [
        `${why?.caveat ?? `${col.name} is NOT NULL without a default: once the application stops writing it, every INSERT would fail (error 1364).`} Rebuilds the table in place (ALGORITHM=INPLACE, LOCK=NONE): reads and writes continue.`,
      ],
      changes: [{ op: 'set_nullable', table: ctx.ref, column: col.name, nullable: true }],
    }),
  ];
}

function refuseDependents(ctx: RecipeContext, column: string): void {
  for (const k of ctx.table.constraints) {
    if (!k.columns.includes(column)) continue;
    if (k.type === 'primary_key') throw new PlanningError(`column "${column}" is part of the primary key of ${ctx.tableName}; dropping it would change the primary key (a table copy)`, ctx.statement);
    if (k.type === 'foreign_key') throw new PlanningError(`column "${column}" is in foreign key ${k.name}; drop the foreign key first (ALTER TABLE … DROP FOREIGN KEY ${k.name}), then the column`, ctx.statement);
    if (k.type === 'check') throw new PlanningError(`column "${column}" is used by CHECK constraint ${k.name}; drop the constraint first`, ctx.statement);
  }
  for (const t of ctx.snapshot.tables) {
    for (const k of t.constraints) {
      if (k.type === 'foreign_key' && k.references?.table === ctx.tableName && k.references.columns.includes(column)) {
        throw new PlanningError(`column "${column}" is referenced by foreign key ${k.name} on ${t.schema}.${t.name}; drop that foreign key first`, ctx.statement);
      }
    }
  }
  const shared = ctx.table.indexes.find((i) => i.columns.includes(column) && i.columns.length > 1);
  if (shared) {
    throw new PlanningError(
      `column "${column}" is one of several columns of index ${shared.name} (${shared.columns.join(', ')}); the server would silently narrow that index to the other columns. Drop the index first (planned on its own), then the column`,
      ctx.statement,
    );
  }
}
