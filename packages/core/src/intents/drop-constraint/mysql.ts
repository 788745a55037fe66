import type { ConstraintSchema, TableRef } from '../../schema/snapshot.js';
import type { MysqlAlgorithm } from '../../plan/types.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { DropConstraintIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { flavourOf, sourceLabel } from '../../engines/mysql/capabilities.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { constraintExists } from '../../engines/mysql/catalog-checks.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { dropIndexRecipeMysql } from '../drop-index/mysql.js';
import type { RecipeContext } from '../context.js';

/**
 * Dropping a constraint on MySQL/MariaDB is metadata only, with the way back differing per kind:
 * - CHECK: DROP CONSTRAINT (MariaDB) / DROP CHECK (MySQL); MariaDB [E]: ALGORITHM=INSTANT (MDEV-16331);
 *   MySQL: INPLACE, which the online DDL tables do not list for CHECK at all (not run here: a server that
 *   refuses it fails the step with error 1845/1846, changing nothing). Re-adding an enforced CHECK reads every row with
 *   writes blocked (see add_check), so there is no online rollback: the step is the point of no return.
 * - FOREIGN KEY: DROP FOREIGN KEY; MariaDB [E]: INSTANT; MySQL manual: in place, metadata only. The
 *   index the key used stays. Rollback re-adds it in place with foreign_key_checks = 0 for the
 *   runner's session (as add_foreign_key does), without re-checking rows written meanwhile.
 * - UNIQUE: a unique index; dropped like one (drop_index). PRIMARY KEY: refused (a table copy).
 */
export function dropConstraintRecipeMysql(ctx: RecipeContext, intent: DropConstraintIntent): RecipeResult {
  const k = ctx.table.constraints.find((c) => c.name === intent.name);
  if (!k) {
    const names = ctx.table.constraints.map((c) => c.name);
    throw new PlanningError(
      `constraint "${intent.name}" does not exist on ${ctx.tableName} (${names.length ? `constraints: ${names.join(', ')}` : 'it has no constraints'}); on MySQL/MariaDB a NOT NULL is removed with MODIFY c <type> NULL (drop_not_null)`,
      ctx.statement,
    );
  }
  const mariadb = flavourOf(ctx.engine) === 'mariadb';
  switch (k.type) {
    case 'primary_key':
      throw new PlanningError(`${k.name} is the primary key of ${ctx.tableName}: dropping it rebuilds the table with writes blocked (ALGORITHM=COPY), and InnoDB then clusters the rows by a hidden key; not planned`, ctx.statement);
    case 'unique':
      refuseReferencedKey(ctx, k);
      return dropIndexRecipeMysql(ctx, { kind: 'drop_index', index: { schema: ctx.ref.schema, name: k.name } });
    case 'check': {
      const algorithm: MysqlAlgorithm = mariadb ? 'INSTANT' : 'INPLACE';
      return {
        warnings: [],
        steps: [
          mysqlDdlStep(ctx, {
            release: 0,
            title: `Drop CHECK ${k.name} on ${ctx.tableName}`,
            // MariaDB has no DROP CHECK; MySQL has both (DROP CONSTRAINT from 8.0.19), DROP CHECK from 8.0.16
            spec: `${mariadb ? 'DROP CONSTRAINT' : 'DROP CHECK'} ${quoteIdent(k.name)}`,
            algorithm,
            lock: 'LOCK=NONE',
            duration: 'brief',
            checkpoint: constraintExists(ctx.ref, k.name, 'CHECK', false),
            rollback: {
              kind: 'irreversible',
              reason: `re-adding CHECK ${k.name} reads every row with writes blocked (there is no NOT VALID on MySQL/MariaDB); plan add_check to bring it back through an online schema change tool`,
              dataLost: `no rows; only the rule ${k.definition}, which rows written after this step need not satisfy`,
            },
            caveats: [
              mariadb
                ? `Metadata only (ALGORITHM=INSTANT, MDEV-16331): no row is read.`
                : `ALGORITHM=INPLACE: the MySQL manual's online DDL tables do not list dropping a CHECK; liveshift states INPLACE so that a server which would copy the table refuses instead (error 1845/1846, nothing changed).${sourceLabel(ctx.engine)}`,
              `From here on the server no longer enforces ${k.definition}.`,
            ],
            changes: [{ op: 'drop_constraint', table: ctx.ref, constraint: k.name }],
          }),
        ],
      };
    }
    case 'foreign_key':
      return dropForeignKey(ctx, k, mariadb ? 'INSTANT' : 'INPLACE');
    default:
      throw new PlanningError(`${k.type} constraints are not planned on MySQL/MariaDB`, ctx.statement);
  }
}

function dropForeignKey(ctx: RecipeContext, k: ConstraintSchema, algorithm: MysqlAlgorithm): RecipeResult {
  const refs = k.references!;
  const dot = refs.table.indexOf('.');
  const parent: TableRef = { schema: refs.table.slice(0, dot), name: refs.table.slice(dot + 1) };
  const parentName = refs.table;
  const add =
    `ADD CONSTRAINT ${quoteIdent(k.name)} FOREIGN KEY (${k.columns.map(quoteIdent).join(', ')}) REFERENCES ${qualify(parent)} (${refs.columns.map(quoteIdent).join(', ')})` +
    referentialActions(k.definition);
  const also = parentName === ctx.tableName ? [] : [parentName];
  return {
    warnings: [],
    alsoLocked: also.length ? [parent] : [],
    steps: [
      mysqlDdlStep(ctx, {
        release: 0,
        title: `Drop foreign key ${k.name} (${k.columns.join(', ')}) → ${parentName}`,
        spec: `DROP FOREIGN KEY ${quoteIdent(k.name)}`,
        algorithm,
        lock: 'LOCK=NONE',
        duration: 'brief',
        alsoTables: also,
        checkpoint: constraintExists(ctx.ref, k.name, 'FOREIGN KEY', false),
        rollback: {
          before: ['SET SESSION foreign_key_checks = 0'],
          spec: add,
          algorithm: 'INPLACE',
          lock: 'LOCK=NONE',
          after: ['SET SESSION foreign_key_checks = 1'],
          note: `re-adds the key in place without reading the rows (foreign_key_checks = 0 for this session only): rows written while it was gone are not checked; run the orphan check of add_foreign_key afterwards`,
        },
        caveats: [
          `Metadata only (ALGORITHM=${algorithm}): no row is read.${sourceLabel(ctx.engine)}`,
          `The index the key used (on ${k.columns.join(', ')}) stays; drop it separately if nothing else needs it.`,
          `Also takes ${parentName}'s metadata lock briefly (the key is recorded on both tables).`,
        ],
        changes: [{ op: 'drop_constraint', table: ctx.ref, constraint: k.name }],
      }),
    ],
  };
}

/**
 * ON DELETE / ON UPDATE of an introspected key, from the definition liveshift's introspection writes
 * ("… ON DELETE CASCADE ON UPDATE RESTRICT"): its own fixed format, read by its words.
 */
function referentialActions(definition: string): string {
  const words = definition.toUpperCase().split(/\s+/);
  const action = (on: string) => {
    const at = words.findIndex((w, i) => w === 'ON' && words[i + 1] === on);
    if (at < 0) return '';
    const first = words[at + 2] ?? '';
    const value = first === 'SET' || first === 'NO' ? `${first} ${words[at + 3] ?? ''}` : first;
    return ['RESTRICT', 'CASCADE', 'SET NULL', 'NO ACTION'].includes(value) ? ` ON ${on} ${value}` : '';
  };
  return action('DELETE') + action('UPDATE');
}

/** A unique key another table's foreign key references cannot go (InnoDB needs an index on the referenced columns). */
function refuseReferencedKey(ctx: RecipeContext, k: ConstraintSchema): void {
  for (const t of ctx.snapshot.tables) {
    for (const fk of t.constraints) {
      if (fk.type !== 'foreign_key' || fk.references?.table !== ctx.tableName) continue;
      const served = (cols: string[]) => fk.references!.columns.every((c, i) => cols[i] === c);
      if (served(k.columns) && !ctx.table.indexes.some((i) => i.name !== k.name && served(i.columns))) {
        throw new PlanningError(`unique key ${k.name} is the index foreign key ${fk.name} on ${t.schema}.${t.name} references; drop that foreign key first`, ctx.statement);
      }
    }
  }
}
