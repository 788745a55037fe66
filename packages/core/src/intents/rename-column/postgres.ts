import type { ColumnSchema, TableRef } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import { releaseName } from '../../plan/types.js';
import type { RenameColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { derivedName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { formatBytes } from '../../engines/postgres/size.js';
import { readOnlyCheckStep } from '../read-only-check/postgres.js';
import { expressionVolatility } from '../../engines/postgres/expression.js';
import { columnExists, columnNotNull, triggerExists } from '../../engines/postgres/catalog-checks.js';
import { parseExpression, referencedColumns } from '../../input/pg-parser.js';
import { addColumnStep, setDefaultStep } from '../add-column/postgres.js';
import { backfillStep } from '../backfill/postgres.js';
import { notNullSteps } from '../set-not-null/postgres.js';
import { concurrentIndexSteps } from '../create-index/postgres.js';
import { rowTrigger, type RowTrigger } from '../sync-trigger/postgres.js';
import { requireColumn, requireFreeRelationName, requireNoColumn, type RecipeContext } from '../context.js';

/**
 * Expand/contract rename (DESIGN §1 worked example; recipes.md I-19 option C): a plain
 * RENAME COLUMN is instant but breaks every running application instance that still uses the
 * old name. Instead: add the new column, keep both in sync (the application dual-writes, or a
 * trigger does), backfill, check parity, move the application, then drop the old column.
 */
export function renameColumnRecipe(ctx: RecipeContext, intent: RenameColumnIntent): RecipeResult {
  const old = requireColumn(ctx, intent.from);
  requireNoColumn(ctx, intent.to);
  if (intent.from === intent.to) throw new PlanningError('the new name equals the old one', ctx.statement);
  refuseUnsupportedDependents(ctx, old.name);
  if (old.default !== null && expressionVolatility(old.default).volatile) {
    throw new PlanningError(
      `column "${old.name}" has a volatile default (${old.default}); two columns with a per-row default cannot be kept equal. Rename it in the ORM mapping instead (Prisma @map, TypeORM @Column({ name }))`,
      ctx.statement,
    );
  }

  const t = qualify(ctx.ref);
  const o = quoteIdent(old.name);
  const n = quoteIdent(intent.to);
  const byTrigger = intent.sync === 'trigger';
  const syncRelease = byTrigger ? 0 : 1;
  const switchRelease = syncRelease + 1;
  const contractRelease = switchRelease + 1;
  const steps: StepDraft[] = [];
  const warnings: string[] = [];

  steps.push(
    addColumnStep(ctx, { name: intent.to, type: old.type, nullable: true, default: null } satisfies ColumnSchema, `${n} ${old.type}`, {
      title: `Add column ${intent.to} ${old.type} (nullable)`,
      caveats: [],
    }),
  );
  if (old.default !== null) steps.push(setDefaultStep(ctx, intent.to, old.default, null, 0));

  const sync = syncTrigger(ctx, old.name, intent.to);
  if (byTrigger) {
    steps.push({
      release: 0,
      title: `Trigger keeps ${old.name} and ${intent.to} in sync on every insert and update`,
      kind: 'ddl',
      instruction: '',
      sql: sync.create,
      transactional: true,
      lock: lockClaim('SHARE ROW EXCLUSIVE', [ctx.tableName], 'brief'),
      timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
      checkpoint: triggerExists(ctx.ref, sync.trigger.name, true),
      rollback: { kind: 'sql', sql: sync.drop, transactional: true },
      caveats: [
        `From now on a write to either column is copied to the other (${intent.to} wins when both change), so no application deploy is needed to dual-write.`,
        'Adds the cost of a row trigger to every insert and update until it is dropped.',
      ],
      changes: [{ op: 'add_trigger', table: ctx.ref, trigger: sync.trigger }],
    });
  } else {
    steps.push(appStep(syncRelease, `Application writes both ${old.name} and ${intent.to}`,
      `Deploy the application version that writes the same value to both ${old.name} and ${intent.to} on every INSERT and UPDATE of ${ctx.tableName}, and still reads ${old.name}.`,
      { kind: 'deploy', release: 'A', instruction: `deploy back the version that writes only ${old.name}` }));
  }

  steps.push(
    backfillStep(ctx, {
      title: `Backfill ${intent.to} from ${old.name}`,
      set: `${n} = ${o}`,
      predicate: `${n} IS DISTINCT FROM ${o}`,
      release: syncRelease,
      rollback: { kind: 'none', reason: `only fills ${intent.to}; rolling back the "add column" step removes it with its data` },
    }),
  );
  steps.push(
    readOnlyCheckStep(ctx, {
      release: syncRelease,
      title: `Validate parity: ${intent.to} equals ${old.name} on every row`,
      checkpoint: {
        description: `no row where ${intent.to} differs from ${old.name}`,
        sql: `SELECT count(*) FROM ${t} WHERE ${n} IS DISTINCT FROM ${o}`,
        expected: 0,
      },
      caveats: [`A non-zero count means something writes ${old.name} without ${intent.to}: fix the writer, run the backfill again, then this check.`],
    }),
  );

  for (const ix of ctx.table.indexes.filter((i) => i.columns.includes(old.name))) {
    const name = ix.name.includes(old.name) ? ix.name.replace(old.name, intent.to) : derivedName([ix.name, intent.to], 'idx');
    requireFreeRelationName(ctx, name);
    const copy = concurrentIndexSteps(ctx, {
      name,
      keys: ix.columns.map((c) => (c === old.name ? { sql: n, label: intent.to } : { sql: quoteIdent(c), label: c })),
      unique: ix.unique,
      where: ix.predicate ?? undefined,
      method: ix.method,
      release: syncRelease,
      title: `Copy index ${ix.name} onto ${intent.to} as ${name}`,
    });
    steps.push(...copy.steps);
  }

  if (!old.nullable) {
    const nn = notNullSteps(ctx, intent.to, syncRelease);
    steps.push(...nn.steps);
    warnings.push(...nn.warnings);
    steps.push(dropNotNullStep(ctx, old.name, syncRelease));
  }

  steps.push(appStep(switchRelease, `Application reads and writes ${intent.to} only`,
    byTrigger
      ? `Deploy the application version that reads and writes ${intent.to} and no longer uses ${old.name}. Instances still on the previous release keep working: the trigger copies their writes.`
      : `Deploy the application version that reads and writes ${intent.to} only and no longer uses ${old.name} anywhere (queries, ORM mapping, raw SQL).`,
    { kind: 'deploy', release: byTrigger ? 'A' : 'A+1', instruction: `deploy back the version that ${byTrigger ? 'uses' : 'dual-writes and reads'} ${old.name}` }));

  if (byTrigger) {
    steps.push({
      release: contractRelease,
      title: 'Drop the sync trigger',
      kind: 'ddl',
      instruction: '',
      sql: sync.drop,
      transactional: true,
      lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
      timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
      checkpoint: triggerExists(ctx.ref, sync.trigger.name, false),
      rollback: {
        kind: 'sql',
        sql: sync.create,
        transactional: true,
        note: `rows written while the trigger was gone have a stale ${old.name}: run the backfill with the columns swapped before moving the application back`,
      },
      caveats: [`Only once no instance of a release before ${releaseName(switchRelease)} is running: from here on ${old.name} is no longer kept up to date.`],
      changes: [{ op: 'drop_trigger', table: ctx.ref, trigger: sync.trigger.name }],
    });
  }

  steps.push({
    release: contractRelease,
    title: `Drop column ${old.name}`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${t} DROP COLUMN ${o}`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: columnExists(ctx.ref, old.name, false),
    rollback: {
      kind: 'irreversible',
      reason: `DROP COLUMN removes ${old.name} and its indexes; only a restore from backup brings the column back`,
      dataLost: `the column ${old.name} (its values equal ${intent.to} as of the parity check, so nothing is lost unless something wrote only ${old.name} since)`,
    },
    caveats: [
      'Catalog-only (the space is reclaimed by later rewrites or VACUUM FULL); brief ACCESS EXCLUSIVE.',
      `Fails if a view or another object depends on ${old.name}: move it to ${intent.to} first.`,
      `Only once every running instance is on ${releaseName(switchRelease)} or later.`,
    ],
    changes: [{ op: 'drop_column', table: ctx.ref, column: old.name }],
  });
  return { steps, warnings };
}

/** Constraints and expression/partial indexes on the column are not moved by this recipe yet. */
function refuseUnsupportedDependents(ctx: RecipeContext, column: string): void {
  const alternative = 'Rename it in the ORM mapping instead (Prisma @map, TypeORM @Column({ name }), a Knex alias), which needs no database change.';
  for (const k of ctx.table.constraints) {
    if (k.columns.includes(column)) {
      throw new PlanningError(`column "${column}" is part of ${k.type.replace('_', ' ')} constraint ${k.name}; moving constraints during a rename is not supported yet. ${alternative}`, ctx.statement);
    }
  }
  for (const other of ctx.snapshot.tables) {
    for (const k of other.constraints) {
      if (k.type === 'foreign_key' && k.references?.table === ctx.tableName && k.references.columns.includes(column)) {
        throw new PlanningError(`column "${column}" is referenced by foreign key ${k.name} on ${other.schema}.${other.name}; not supported yet. ${alternative}`, ctx.statement);
      }
    }
  }
  for (const ix of ctx.table.indexes) {
    const inExpression = ix.columns.some((c) => c !== column && isExpression(ctx, c) && referencedColumns(parseExpression(c, `index ${ix.name}`)).includes(column));
    const inPredicate = ix.predicate !== null && referencedColumns(parseExpression(ix.predicate, `index ${ix.name} predicate`)).includes(column);
    if (inExpression || inPredicate) {
      throw new PlanningError(`index ${ix.name} uses "${column}" in an expression or predicate; copying such indexes is not supported yet. ${alternative}`, ctx.statement);
    }
  }
}

function isExpression(ctx: RecipeContext, key: string): boolean {
  return !ctx.table.columns.some((c) => c.name === key);
}

function dropNotNullStep(ctx: RecipeContext, column: string, release: number): StepDraft {
  const t = qualify(ctx.ref);
  const q = quoteIdent(column);
  const check = quoteIdent(derivedName([ctx.ref.name, column], 'not_null'));
  return {
    release,
    title: `Drop NOT NULL on ${column} so writers may stop setting it`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${t} ALTER COLUMN ${q} DROP NOT NULL`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: columnNotNull(ctx.ref, column, false),
    rollback: {
      kind: 'sql',
      // The CHECK detour again, each statement its own transaction, so no scan runs under ACCESS EXCLUSIVE (on 12+).
      sql: [
        `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${q} IS NOT NULL) NOT VALID`,
        `ALTER TABLE ${t} VALIDATE CONSTRAINT ${check}`,
        `ALTER TABLE ${t} ALTER COLUMN ${q} SET NOT NULL`,
        `ALTER TABLE ${t} DROP CONSTRAINT ${check}`,
      ],
      transactional: false,
      note: 'each statement in its own transaction; on PostgreSQL 11 SET NOT NULL still scans under ACCESS EXCLUSIVE',
    },
    caveats: [`After the next release ${column} is no longer written; it must accept NULL until it is dropped.`],
    changes: [{ op: 'set_nullable', table: ctx.ref, column, nullable: true }],
  };
}

function syncTrigger(ctx: RecipeContext, from: string, to: string): RowTrigger {
  const ref: TableRef = ctx.ref;
  const name = derivedName(['liveshift', ref.name, from, to], 'sync');
  const o = `NEW.${quoteIdent(from)}`;
  const n = `NEW.${quoteIdent(to)}`;
  return rowTrigger(ref, name, [
    "IF TG_OP = 'INSERT' THEN",
    `  IF ${n} IS NULL THEN ${n} := ${o};`,
    `  ELSIF ${o} IS NULL THEN ${o} := ${n};`,
    '  END IF;',
    `ELSIF ${n} IS DISTINCT FROM OLD.${quoteIdent(to)} THEN`,
    `  ${o} := ${n};`,
    `ELSIF ${o} IS DISTINCT FROM OLD.${quoteIdent(from)} THEN`,
    `  ${n} := ${o};`,
    'END IF;',
  ]);
}
