import type { IndexSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddPrimaryKeyIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { hasMysqlCapability, MYSQL_CAPABILITIES, sourceLabel } from '../../engines/mysql/capabilities.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { indexExists } from '../../engines/mysql/catalog-checks.js';
import { contextAfter } from '../compose.js';
import { keyColumnsOf } from '../add-unique-constraint/postgres.js';
import { mysqlNotNullSteps } from '../set-not-null/mysql.js';
import { mysqlCheckStep } from '../read-only-check/mysql.js';
import type { RecipeContext } from '../context.js';

const BLOB_OR_TEXT = /^(tiny|medium|long)?(blob|text)\b|^json\b/i;

/**
 * recipes.md I-12 (MySQL/MariaDB): InnoDB clusters the rows by the primary key, so ADD PRIMARY KEY
 * rebuilds the table (MySQL manual "Online DDL Operations", Adding a primary key: INPLACE, concurrent
 * DML, rebuild; MariaDB [E]: INSTANT and NOCOPY refused, INPLACE with LOCK=NONE accepted, table id
 * changed). The columns must be NOT NULL and unique: each nullable column is made NOT NULL first with
 * set_not_null's steps (NULL check, in-place MODIFY; the manual does not permit INPLACE "under certain
 * conditions if columns have to be converted to NOT NULL"), a duplicate check comes before any
 * rebuild, then ADD PRIMARY KEY, ALGORITHM=INPLACE, LOCK=NONE. There is no online way back: DROP
 * PRIMARY KEY alone is COPY only (MariaDB [E] error 1846), so the key is the point of no return.
 */
export function addPrimaryKeyRecipeMysql(ctx: RecipeContext, intent: AddPrimaryKeyIntent): RecipeResult {
  const pk = ctx.table.constraints.find((k) => k.type === 'primary_key') ?? ctx.table.indexes.find((i) => i.primary);
  if (pk) {
    const gipk = pk.columns.length === 1 && pk.columns[0] === 'my_row_id' ? ' (my_row_id is the invisible key MySQL 8.0.30+ generates with sql_generate_invisible_primary_key)' : '';
    throw new PlanningError(
      `${ctx.tableName} already has a primary key (${pk.columns.join(', ')})${gipk}; a table has one. Replacing it (DROP PRIMARY KEY, ADD PRIMARY KEY (…) in one ALTER, which the MySQL manual lists as in place with concurrent DML, a full rebuild) is not planned: add a unique index on the new columns instead (add_unique_constraint)`,
      ctx.statement,
    );
  }
  const columns = keyColumnsOf(ctx, intent.columns, 'primary key');
  const cols = columns.map((c) => ctx.table.columns.find((x) => x.name === c)!);
  for (const c of cols) {
    if (BLOB_OR_TEXT.test(c.type)) throw new PlanningError(`${c.name} is ${c.type}: a key on a BLOB/TEXT/JSON column needs a prefix length (error 1170), which the intent cannot state; key a fixed-length column instead`, ctx.statement);
    if (c.generated) throw new PlanningError(`${c.name} is a generated column; a primary key on it is not planned`, ctx.statement);
  }
  const fulltext = ctx.table.indexes.find((i) => i.method === 'fulltext');
  if (fulltext) {
    throw new PlanningError(
      `${ctx.tableName} has the FULLTEXT index ${fulltext.name}: rebuilding the table for the key rebuilds it too, which takes LOCK=SHARED (writes blocked for the whole rebuild; error 1846 "Fulltext index creation requires a lock" on MariaDB 10.11, measured). Add the key with an online schema change tool, or drop the FULLTEXT index first`,
      ctx.statement,
    );
  }
  const warnings: string[] = [];
  if (intent.name !== undefined && intent.name !== 'PRIMARY') warnings.push(`MySQL and MariaDB name every primary key PRIMARY: the name ${intent.name} is not kept.`);
  const same = ctx.table.indexes.find((i) => i.unique && i.columns.length === columns.length && i.columns.every((c, n) => c === columns[n]));
  if (same) warnings.push(`The unique index ${same.name} on (${columns.join(', ')}) is redundant once the primary key exists; drop it afterwards (drop_index) if nothing names it.`);

  const keys = columns.map(quoteIdent);
  const steps: StepDraft[] = [
    mysqlCheckStep(ctx, {
      release: 0,
      title: `Check that no duplicates of (${columns.join(', ')}) exist`,
      checkpoint: {
        description: 'no duplicate keys (ADD PRIMARY KEY would fail on the first one, after rebuilding most of the table)',
        sql: `SELECT COUNT(*) FROM (SELECT 1 FROM ${qualify(ctx.ref)} WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')} GROUP BY ${keys.join(', ')} HAVING COUNT(*) > 1 LIMIT 1) AS duplicates`,
        expected: 0,
      },
      caveats: [`The application must stop writing duplicate (${columns.join(', ')}) values before this step: one written later makes the ADD PRIMARY KEY fail (it then changes nothing; remove it and run the step again).`],
    }),
  ];
  for (const c of cols.filter((x) => x.nullable)) steps.push(...mysqlNotNullSteps(ctx, c, 0));

  const keyCtx = contextAfter(ctx, steps);
  const index: IndexSchema = { name: 'PRIMARY', columns, unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: `PRIMARY KEY (${keys.join(', ')})` };
  const clusteredBy = ctx.table.indexes.find((i) => i.unique && i.columns.every((c) => !ctx.table.columns.find((x) => x.name === c)?.nullable));
  steps.push(
    mysqlDdlStep(keyCtx, {
      release: 0,
      title: `Add PRIMARY KEY (${columns.join(', ')}) (in-place rebuild, reads and writes continue)`,
      spec: `ADD PRIMARY KEY (${keys.join(', ')})`,
      algorithm: 'INPLACE',
      lock: 'LOCK=NONE',
      duration: 'rewrite',
      checkpoint: indexExists(ctx.ref, 'PRIMARY', true),
      // MariaDB 11.2+ copies a table with writes going on (ALGORITHM=COPY, LOCK=NONE): the one online way back
      rollback: hasMysqlCapability(ctx.engine, 'onlineCopy')
        ? { spec: 'DROP PRIMARY KEY', algorithm: 'COPY', lock: 'LOCK=NONE', note: `an online table copy (${MYSQL_CAPABILITIES.onlineCopy.why}; from the MariaDB documentation, not run by liveshift's tests)` }
        : {
            kind: 'irreversible',
            reason: `DROP PRIMARY KEY on its own has no in-place algorithm (ALGORITHM=COPY only, which copies the table with writes blocked; error 1846 on MariaDB 10.11, measured), so there is no online way back; to undo it use an online schema change tool or a maintenance window`,
            dataLost: 'no rows; only the way back without a table copy',
          },
      caveats: [
        `InnoDB stores the rows in primary-key order, and ${ctx.tableName} is clustered now by ${clusteredBy ? `its first UNIQUE index on NOT NULL columns, ${clusteredBy.name}` : 'a hidden 6-byte row id (DB_ROW_ID), having no such index'}: the new key reorganises every row and every secondary index (each stores the primary key) — a full rebuild in place (ALGORITHM=INPLACE, LOCK=NONE), reads and writes continuing; concurrent changes go to an online log (innodb_online_alter_log_max_size) applied at the end. Needs free disk for a copy of the table.${sourceLabel(ctx.engine)}`,
        'Needs a strict sql_mode (STRICT_TRANS_TABLES or STRICT_ALL_TABLES), as the MySQL manual states for an in-place ADD PRIMARY KEY.',
        'On a replicated server the replicas apply the rebuild only after it finished here: expect replica lag as long as the rebuild.',
      ],
      changes: [
        { op: 'add_index', table: ctx.ref, index },
        { op: 'add_constraint', table: ctx.ref, constraint: { name: 'PRIMARY', type: 'primary_key', columns, definition: `PRIMARY KEY (${columns.join(', ')})`, validated: true, references: null } },
      ],
    }),
  );
  return { steps, warnings };
}
