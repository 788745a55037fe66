import type { TableRef, TriggerSchema } from '../../schema/snapshot.js';
import { qualify, quoteIdent } from '../../engines/postgres/quote.js';

/**
 * A BEFORE INSERT OR UPDATE row trigger whose PL/pgSQL body keeps one column in step with others
 * (a rename's two names, a type change's old and new column). The function lives in the table's
 * schema under the trigger's name, so one name identifies both.
 */
export interface RowTrigger {
  /** CREATE FUNCTION, then CREATE TRIGGER (only the trigger takes a table lock: SHARE ROW EXCLUSIVE). */
  create: string[];
  /** DROP TRIGGER, then DROP FUNCTION. */
  drop: string[];
  /** The function alone, for a step that attaches it later. */
  createFunction: string;
  /** The trigger alone, on a function that already exists. */
  createTrigger: string;
  dropTrigger: string;
  dropFunction: string;
  trigger: TriggerSchema;
}

/** `body` is the statements between BEGIN and END, without RETURN NEW (added). */
export function rowTrigger(ref: TableRef, name: string, body: string[]): RowTrigger {
  const fn = `${quoteIdent(ref.schema)}.${quoteIdent(name)}`;
  const source = ['BEGIN', ...body.map((line) => `  ${line}`), '  RETURN NEW;', 'END'].join('\n');
  const createFunction = `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $liveshift$\n${source}\n$liveshift$`;
  const createTrigger = `CREATE TRIGGER ${quoteIdent(name)} BEFORE INSERT OR UPDATE ON ${qualify(ref)} FOR EACH ROW EXECUTE FUNCTION ${fn}()`;
  const dropTrigger = `DROP TRIGGER ${quoteIdent(name)} ON ${qualify(ref)}`;
  const dropFunction = `DROP FUNCTION ${fn}()`;
  return {
    create: [createFunction, createTrigger],
    drop: [dropTrigger, dropFunction],
    createFunction,
    createTrigger,
    dropTrigger,
    dropFunction,
    trigger: { name, function: `${ref.schema}.${name}`, enabled: true },
  };
}
