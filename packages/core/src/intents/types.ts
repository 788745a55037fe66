import { z } from 'zod';

/**
 * Intents: what the developer wants, independent of how it is done safely. The same shapes are
 * produced by the SQL parser, read from YAML/JSON intent files, and accepted by the API.
 */

const identifier = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'PostgreSQL identifiers are at most 63 bytes')
  .refine((s) => !s.includes('\0'), 'must not contain NUL');

/** "users" or "app.users"; a dot inside a name needs the object form { schema, name }. */
const tableName = z.union([
  identifier,
  z.object({ schema: identifier, name: identifier }).strict(),
]);

const defaultSpec = z
  .object({
    /** SQL expression, e.g. "0", "'pending'", "now()", "gen_random_uuid()". */
    expr: z.string().min(1),
    /** Override liveshift's volatility judgement (it assumes unknown functions are volatile). */
    volatile: z.boolean().optional(),
  })
  .strict();

export const addColumnIntent = z
  .object({
    kind: z.literal('add_column'),
    table: tableName,
    column: z
      .object({
        name: identifier,
        type: z.string().min(1),
        nullable: z.boolean().default(true),
        default: defaultSpec.optional(),
        /** What existing rows get when the column is NOT NULL without a default (SQL expression, may use other columns). */
        backfill: z.string().min(1).optional(),
      })
      .strict(),
  })
  .strict();

export const renameColumnIntent = z
  .object({
    kind: z.literal('rename_column'),
    table: tableName,
    from: identifier,
    to: identifier,
    /** app: the application dual-writes; trigger: a database trigger keeps both columns in sync. */
    sync: z.enum(['app', 'trigger']).optional(),
  })
  .strict();

export const createIndexIntent = z
  .object({
    kind: z.literal('create_index'),
    table: tableName,
    /** Generated from table and columns when omitted. */
    name: identifier.optional(),
    /** Column names, or expressions in parentheses, e.g. "(lower(email))". */
    columns: z.array(z.string().min(1)).min(1),
    unique: z.boolean().default(false),
    /** Partial index predicate, e.g. "deleted_at IS NULL". */
    where: z.string().min(1).optional(),
    method: z.enum(['btree', 'hash', 'gin', 'gist', 'brin', 'spgist']).default('btree'),
  })
  .strict();

export const setNotNullIntent = z
  .object({
    kind: z.literal('set_not_null'),
    table: tableName,
    column: identifier,
    /** Value for rows that are NULL now (SQL expression); without it the plan expects none. */
    backfill: z.string().min(1).optional(),
  })
  .strict();

/** What happens to referencing rows when the referenced key is deleted or updated (PostgreSQL's default: no action). */
const referentialAction = z.enum(['no action', 'restrict', 'cascade', 'set null', 'set default']);

export const addForeignKeyIntent = z
  .object({
    kind: z.literal('add_foreign_key'),
    table: tableName,
    /** The referencing columns, in key order. */
    columns: z.array(identifier).min(1).max(32),
    references: z
      .object({
        table: tableName,
        /** Defaults to the referenced table's primary key; otherwise they must be its primary key or unique. */
        columns: z.array(identifier).min(1).max(32).optional(),
      })
      .strict(),
    /** Generated like PostgreSQL does (<table>_<columns>_fkey) when omitted. */
    name: identifier.optional(),
    onDelete: referentialAction.optional(),
    onUpdate: referentialAction.optional(),
  })
  .strict();

export const intentSchema = z.discriminatedUnion('kind', [
  addColumnIntent,
  renameColumnIntent,
  createIndexIntent,
  setNotNullIntent,
  addForeignKeyIntent,
]);

export type Intent = z.output<typeof intentSchema>;
export type IntentInput = z.input<typeof intentSchema>;
export type AddColumnIntent = z.output<typeof addColumnIntent>;
export type RenameColumnIntent = z.output<typeof renameColumnIntent>;
export type CreateIndexIntent = z.output<typeof createIndexIntent>;
export type SetNotNullIntent = z.output<typeof setNotNullIntent>;
export type AddForeignKeyIntent = z.output<typeof addForeignKeyIntent>;
export type ReferentialAction = z.output<typeof referentialAction>;

export const SUPPORTED_INTENTS: { kind: Intent['kind']; sql: string }[] = [
  { kind: 'add_column', sql: 'ALTER TABLE t ADD COLUMN c type [NOT NULL] [DEFAULT expr]' },
  { kind: 'rename_column', sql: 'ALTER TABLE t RENAME COLUMN a TO b' },
  { kind: 'create_index', sql: 'CREATE [UNIQUE] INDEX [CONCURRENTLY] [name] ON t [USING method] (cols) [WHERE predicate]' },
  { kind: 'set_not_null', sql: 'ALTER TABLE t ALTER COLUMN c SET NOT NULL' },
  { kind: 'add_foreign_key', sql: 'ALTER TABLE t ADD [CONSTRAINT name] FOREIGN KEY (cols) REFERENCES p [(cols)] [ON DELETE action] [ON UPDATE action]' },
];
