import type { RecipeResult } from '../../plan/draft.js';
import type { ReindexIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { sourceLabel } from '../../engines/mysql/capabilities.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { resolveIndex } from '../index-target.js';
import type { RecipeContext } from '../context.js';

/**
 * recipes.md I-10 (MySQL/MariaDB): there is no REINDEX. The rebuild the manuals offer is of the whole
 * table with all its indexes: ALTER TABLE t FORCE, or the "null rebuild" ALTER TABLE t ENGINE=InnoDB
 * (the MySQL manual lists both as ALGORITHM=INPLACE, concurrent DML, rebuild; OPTIMIZE TABLE maps to
 * it for InnoDB). liveshift emits the ENGINE=InnoDB form, which its SQL parser reads (it cannot read
 * FORCE), with ALGORITHM=INPLACE, LOCK=NONE: MariaDB [E] refuses INSTANT and NOCOPY, accepts INPLACE
 * with LOCK=NONE, and the table id changes. A table with a FULLTEXT index cannot be rebuilt with
 * LOCK=NONE (MariaDB [E] error 1846): refused.
 */
export function reindexRecipeMysql(ctx: RecipeContext, intent: ReindexIntent): RecipeResult {
  const one = intent.index !== undefined ? resolveIndex(ctx.snapshot, intent.index, ctx.statement).index : undefined;
  const fulltext = ctx.table.indexes.find((i) => i.method === 'fulltext');
  if (fulltext) {
    throw new PlanningError(
      `${ctx.tableName} has the FULLTEXT index ${fulltext.name}: rebuilding the table rebuilds it too, which needs LOCK=SHARED (writes blocked for the whole rebuild; error 1846 "Fulltext index creation requires a lock" on MariaDB 10.11, measured). Rebuild it with an online schema change tool (pt-online-schema-change --alter "ENGINE=InnoDB")`,
      ctx.statement,
    );
  }
  const names = ctx.table.indexes.map((i) => i.name);
  const warnings = [
    one
      ? `MySQL and MariaDB cannot rebuild one index: ${one.name} is rebuilt by rebuilding all of ${ctx.tableName} with every index it has (${names.join(', ')}).`
      : `MySQL and MariaDB have no REINDEX: ${ctx.tableName} is rebuilt as a whole, its rows and every index (${names.length ? names.join(', ') : 'it has none'}).`,
  ];
  return {
    warnings,
    steps: [
      mysqlDdlStep(ctx, {
        release: 0,
        title: `Rebuild ${ctx.tableName} and all its indexes in place (ENGINE=InnoDB null rebuild, reads and writes continue)`,
        spec: 'ENGINE=InnoDB',
        algorithm: 'INPLACE',
        lock: 'LOCK=NONE',
        duration: 'rewrite',
        checkpoint: null,
        rollback: { kind: 'none', reason: 'the table is rebuilt with the same definition, rows and indexes: there is nothing to undo' },
        caveats: [
          `The same rebuild as ALTER TABLE … FORCE and, for InnoDB, OPTIMIZE TABLE: a new copy of the whole table and of every index is built in place (ALGORITHM=INPLACE, LOCK=NONE) while reads and writes go on; concurrent changes go to an online log (innodb_online_alter_log_max_size; the rebuild fails, changing nothing, if it overflows) applied at the end.${sourceLabel(ctx.engine)}`,
          `Needs free disk for a full second copy of ${ctx.tableName} (rows and indexes) until it finishes.`,
          'On a replicated server the replicas run the rebuild only after it finished here: expect replica lag as long as the rebuild.',
        ],
        changes: [],
      }),
    ],
  };
}
