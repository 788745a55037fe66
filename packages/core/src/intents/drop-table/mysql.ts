import type { RecipeResult } from '../../plan/draft.js';
import type { DropTableIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlMetadataStep } from '../../engines/mysql/ddl-step.js';
import { relationExists } from '../../engines/mysql/catalog-checks.js';
import { formatBytes } from '../../engines/postgres/size.js';
import { formatCount } from '../../render/describe.js';
import type { RecipeContext } from '../context.js';
import { dropTableFacts } from './postgres.js';

/**
 * recipes.md I-22 (MySQL/MariaDB): the application stops using the table in one release; DROP TABLE
 * comes after, as the point of no return. DROP TABLE is a catalog change under the table's exclusive
 * metadata lock (InnoDB frees the file without scanning rows). A table other tables' foreign keys
 * reference is refused: the server refuses the drop (error 1451/3730) while they exist.
 */
export function dropTableRecipeMysql(ctx: RecipeContext, _intent: DropTableIntent): RecipeResult {
  const { referencing, referenced, alsoLocked, contents: parts } = dropTableFacts(ctx);
  if (referencing.length) {
    const list = referencing.map((r) => `${r.key.name} on ${r.table.schema}.${r.table.name} (${r.key.columns.join(', ')})`).join(', ');
    throw new PlanningError(
      `${ctx.tableName} is referenced by foreign key ${list}: the server refuses to drop a referenced table. Plan drop_constraint for ${referencing.length > 1 ? 'those keys' : 'that key'} first (ALTER TABLE … DROP FOREIGN KEY, metadata only), or drop the referencing table earlier in the same plan`,
      ctx.statement,
    );
  }
  const rows = ctx.table.rowEstimate < 0 ? 'all rows' : `all ~${formatCount(ctx.table.rowEstimate)} rows`;
  return {
    warnings: [],
    alsoLocked,
    steps: [
      appStep(
        1,
        `Application stops using ${ctx.tableName}`,
        `Deploy the application version that no longer reads or writes ${ctx.tableName}: remove its model or entity and every query, raw SQL, report, event and background job that names it. ` +
          'Keep the migration history as it is; the table is dropped by the next step.',
        { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${ctx.tableName}; the table is still there` },
      ),
      mysqlMetadataStep(ctx, {
        release: 2,
        title: `Drop table ${ctx.tableName}`,
        sql: `DROP TABLE ${qualify(ctx.ref)}`,
        tables: [ctx.tableName, ...referenced],
        checkpoint: relationExists(ctx.ref, false),
        rollback: {
          kind: 'irreversible',
          reason: `DROP TABLE removes ${ctx.tableName} with its data; only a restore from backup brings it back`,
          dataLost: `${rows} of ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)} with indexes)${parts.length ? `, its ${parts.join(', ')}` : ''}`,
        },
        caveats: [
          `Only once you will not go back to release A: from here on the table, with its rows, is gone. Keep a copy first if the rows may be needed (mysqldump ${quoteIdent(ctx.ref.schema)} ${quoteIdent(ctx.ref.name)}).`,
          ...(referenced.length ? [`Also takes the metadata lock of ${referenced.join(', ')}, which its foreign keys reference.`] : []),
          'DROP TABLE commits on its own and cannot be undone by a transaction. Views that name the table stay and fail when next used. On a large table the file removal can stall the server briefly on some file systems (MySQL 8.0.23+ and MariaDB free the buffer pool pages lazily).',
        ],
        changes: [{ op: 'drop_table', table: ctx.ref }],
      }),
    ],
  };
}
