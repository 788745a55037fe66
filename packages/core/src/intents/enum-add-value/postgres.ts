import type { EnumSchema, SchemaSnapshot, TableRef } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddEnumValueIntent, RemoveEnumValueIntent } from '../types.js';
import type { ResolvedOptions } from '../context.js';
import { PlanningError } from '../../errors.js';
import { displayName, qualify, quoteIdent, quoteLiteral } from '../../engines/postgres/quote.js';
import { NO_LOCK } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability, PG_CAPABILITIES } from '../../engines/postgres/capabilities.js';
import { parseTypeName, type Node } from '../../input/pg-parser.js';

/**
 * ALTER TYPE … ADD VALUE (locks.md §1.2 [E]): it locks the type, not a table — no reads or writes
 * wait — and it cannot be undone: PostgreSQL has no DROP VALUE. On 12+ it may run in a transaction
 * block but the value is unusable until that transaction commits, so it is a step of its own; on 11
 * it may not run in a transaction block at all, so the step is non-transactional there.
 */
export function enumValueRecipe(snapshot: SchemaSnapshot, intent: AddEnumValueIntent | RemoveEnumValueIntent, options: ResolvedOptions, statement: string): RecipeResult {
  const ref = resolveEnumName(snapshot, intent.type, statement);
  const known = snapshot.enums?.find((e) => e.schema === ref.schema && e.name === ref.name);
  if (snapshot.enums && !known) {
    const names = snapshot.enums.map((e) => displayName(e));
    throw new PlanningError(`enum type "${displayName(ref)}" is not in the schema${names.length ? ` (enum types: ${names.slice(0, 10).join(', ')})` : ' (it has no enum types)'}`, statement);
  }
  if (intent.kind === 'remove_enum_value') return refuseRemoval(snapshot, ref, known, intent.value, statement);
  return { steps: [addValueStep(snapshot, ref, known, intent, options, statement)], warnings: known ? [] : [unknownTypesWarning(ref)] };
}

function addValueStep(snapshot: SchemaSnapshot, ref: TableRef, known: EnumSchema | undefined, intent: AddEnumValueIntent, options: ResolvedOptions, statement: string): StepDraft {
  const { value, before, after } = intent;
  if (known?.values.includes(value)) throw new PlanningError(`enum type ${displayName(ref)} already has the value ${quoteLiteral(value)}; nothing to do`, statement);
  const neighbour = before ?? after;
  if (known && neighbour !== undefined && !known.values.includes(neighbour)) {
    throw new PlanningError(`enum type ${displayName(ref)} has no value ${quoteLiteral(neighbour)} to put ${quoteLiteral(value)} ${before !== undefined ? 'before' : 'after'} (values: ${known.values.map(quoteLiteral).join(', ')})`, statement);
  }
  const place = before !== undefined ? ` BEFORE ${quoteLiteral(before)}` : after !== undefined ? ` AFTER ${quoteLiteral(after)}` : '';
  const inTransaction = hasCapability(snapshot.engine, 'enumAddValueInTransaction');
  const users = columnsOfType(snapshot, ref);
  return {
    release: 0,
    title: `Add value ${quoteLiteral(value)} to enum ${displayName(ref)}${place ? ` (${place.trim().split(' ')[0]!.toLowerCase()} ${quoteLiteral(neighbour!)})` : ''}`,
    kind: 'ddl',
    instruction: '',
    // IF NOT EXISTS: a retry after an interrupted run (outside a transaction on 11) is harmless
    sql: [`ALTER TYPE ${qualify(ref)} ADD VALUE IF NOT EXISTS ${quoteLiteral(value)}${place}`],
    transactional: inTransaction,
    lock: NO_LOCK,
    timeouts: ddlTimeouts(options.lockTimeoutMs, options.retries),
    checkpoint: {
      description: `enum ${displayName(ref)} has the value ${quoteLiteral(value)}`,
      sql: `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = to_regtype(${quoteLiteral(qualify(ref))}) AND enumlabel = ${quoteLiteral(value)})`,
      expected: true,
    },
    rollback: {
      kind: 'irreversible',
      reason: `PostgreSQL cannot remove a value from an enum type (there is no ALTER TYPE … DROP VALUE); taking it out means a new type and converting every column that uses ${displayName(ref)} (planning the remove_enum_value intent lists the steps)`,
      dataLost: `nothing: the value stays in the type, unused until something writes it`,
    },
    caveats: [
      `Locks the type only (an ExclusiveLock on its pg_type entry, measured on 11–18): no table is locked, reads and writes of ${users.length ? users.join(', ') : 'the columns of this type'} continue.`,
      inTransaction
        ? `PostgreSQL ${snapshot.engine.version} runs it inside a transaction, but the new value cannot be used until that transaction commits ("unsafe use of new value"): this step commits on its own, and nothing may write ${quoteLiteral(value)} before it has.`
        : `PostgreSQL ${snapshot.engine.version} refuses ALTER TYPE … ADD VALUE inside a transaction block (allowed from ${Math.floor(PG_CAPABILITIES.enumAddValueInTransaction.since / 10000)}): this step runs outside one, so a migration framework must not wrap it in its transaction.`,
      `Deploy application code that writes ${quoteLiteral(value)} only after this step; code that reads the column must expect it from then on.`,
      ...(place ? ['A value placed BEFORE or AFTER another one can make comparisons of this type slightly slower (PostgreSQL docs, ALTER TYPE notes).'] : []),
    ],
    changes: [{ op: 'add_enum_value', type: ref, value, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) }],
  };
}

/**
 * There is no SQL to drop an enum value and no online path: every column of the type must move to
 * a new type without the value (each one a table rewrite, or a column swap). liveshift does not
 * plan that yet; it refuses with the steps, naming the columns the snapshot shows.
 */
function refuseRemoval(snapshot: SchemaSnapshot, ref: TableRef, known: EnumSchema | undefined, value: string, statement: string): never {
  if (known && !known.values.includes(value)) {
    throw new PlanningError(`enum type ${displayName(ref)} has no value ${quoteLiteral(value)} (values: ${known.values.map(quoteLiteral).join(', ')}); nothing to remove`, statement);
  }
  const users = columnsOfType(snapshot, ref);
  const rest = known ? known.values.filter((v) => v !== value).map(quoteLiteral).join(', ') : '…the other values…';
  const next = `${ref.name}__new`;
  throw new PlanningError(
    [
      `PostgreSQL cannot remove a value from an enum type: there is no ALTER TYPE … DROP VALUE, and no online way around it. liveshift does not plan this change; the way to do it by hand:`,
      `  1. Deploy application code that no longer writes ${quoteLiteral(value)}, then rewrite the rows that hold it (UPDATE … in batches) and check that none is left${users.length ? ` in ${users.join(', ')}` : ''}.`,
      `  2. CREATE TYPE ${qualify({ schema: ref.schema, name: next })} AS ENUM (${rest}) — no table is locked.`,
      `  3. Change each column to the new type: plan ALTER TABLE … ALTER COLUMN … TYPE ${qualify({ schema: ref.schema, name: next })} USING col::text::${qualify({ schema: ref.schema, name: next })} with liveshift (a column swap on a large table; defaults that name the old type must be set again)${users.length ? `, for ${users.join(', ')}` : ''}.`,
      `  4. DROP TYPE ${qualify(ref)}; ALTER TYPE ${qualify({ schema: ref.schema, name: next })} RENAME TO ${quoteIdent(ref.name)} — fails while a column, function or domain still uses the old type.`,
      `Or keep the value and stop using it: an unused enum value costs nothing.`,
    ].join('\n'),
    statement,
  );
}

function unknownTypesWarning(ref: TableRef): string {
  return `The snapshot has no enum types (written by an older liveshift), so ${displayName(ref)} and its values were not checked; take a fresh snapshot to have them checked.`;
}

/** "mood" → the one enum of that name (public first); "app.mood" → as given. */
function resolveEnumName(snapshot: SchemaSnapshot, type: string | TableRef, statement: string): TableRef {
  if (typeof type !== 'string') return type;
  const names = (parseTypeName(type).names as Node[]).map((n) => n.String.sval as string);
  if (names.length === 2) return { schema: names[0]!, name: names[1]! };
  const name = names[0]!;
  const matches = (snapshot.enums ?? []).filter((e) => e.name === name);
  if (matches.some((e) => e.schema === 'public') || matches.length === 0) return { schema: 'public', name };
  if (matches.length === 1) return { schema: matches[0]!.schema, name };
  throw new PlanningError(`enum type "${name}" exists in several schemas (${matches.map((m) => m.schema).join(', ')}); qualify it`, statement);
}

/** Columns whose type is the enum (or an array of it), as table.column; format_type qualifies only types outside the search path. */
export function columnsOfType(snapshot: SchemaSnapshot, ref: TableRef): string[] {
  return snapshot.tables.flatMap((t) =>
    t.columns
      .filter((c) => {
        const names = (parseTypeName(c.type).names as Node[]).map((n) => n.String.sval as string);
        return names[names.length - 1] === ref.name && (names.length === 1 ? ref.schema === 'public' || ref.schema === t.schema : names[0] === ref.schema);
      })
      .map((c) => `${displayName(t)}.${c.name}`),
  );
}
