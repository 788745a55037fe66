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

/* Group B intents: table-level changes, keys, and data backfills (each in its own intents/<folder>/). */

const keyColumns = z.array(identifier).min(1).max(32);

export const addUniqueConstraintIntent = z
  .object({
    kind: z.literal('add_unique_constraint'),
    table: tableName,
    columns: keyColumns,
    /** Also the name of the index behind it; generated like PostgreSQL does (<table>_<columns>_key) when omitted. */
    name: identifier.optional(),
  })
  .strict();

export const addPrimaryKeyIntent = z
  .object({
    kind: z.literal('add_primary_key'),
    table: tableName,
    columns: keyColumns,
    /** Also the name of the index behind it; <table>_pkey when omitted. */
    name: identifier.optional(),
  })
  .strict();

export const addReferenceColumnIntent = z
  .object({
    kind: z.literal('add_reference_column'),
    table: tableName,
    column: addColumnIntent.shape.column,
    references: z
      .object({
        table: tableName,
        /** Defaults to the referenced table's one-column primary key. */
        column: identifier.optional(),
      })
      .strict(),
    /** The foreign key's name; <table>_<column>_fkey when omitted. */
    name: identifier.optional(),
    onDelete: referentialAction.optional(),
    onUpdate: referentialAction.optional(),
    /** Build an index on the new column (CONCURRENTLY), so deletes in the referenced table find referencing rows without a scan. */
    index: z.boolean().default(true),
  })
  .strict();

const namedKey = z.object({ name: identifier.optional(), columns: keyColumns }).strict();

export const createTableIntent = z
  .object({
    kind: z.literal('create_table'),
    table: tableName,
    columns: z
      .array(
        z
          .object({
            name: identifier,
            /** Any type; serial, bigserial and smallserial create their sequence like PostgreSQL does. */
            type: z.string().min(1),
            nullable: z.boolean().default(true),
            /** SQL expression. */
            default: z.string().min(1).optional(),
            identity: z.enum(['always', 'by default']).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1600),
    primaryKey: namedKey.optional(),
    unique: z.array(namedKey).default([]),
    checks: z.array(z.object({ name: identifier.optional(), expr: z.string().min(1) }).strict()).default([]),
    foreignKeys: z
      .array(
        z
          .object({
            name: identifier.optional(),
            columns: keyColumns,
            references: z.object({ table: tableName, columns: keyColumns.optional() }).strict(),
            onDelete: referentialAction.optional(),
            onUpdate: referentialAction.optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const dropTableIntent = z
  .object({
    kind: z.literal('drop_table'),
    table: tableName,
  })
  .strict();

export const renameTableIntent = z
  .object({
    kind: z.literal('rename_table'),
    table: tableName,
    to: identifier,
    /** view: a view with the old name keeps old code working while the application moves; app: the application copes with both names itself. */
    via: z.enum(['view', 'app']).default('view'),
  })
  .strict();

export const backfillIntent = z
  .object({
    kind: z.literal('backfill'),
    table: tableName,
    /** Column = SQL expression, in order. */
    set: z.array(z.object({ column: identifier, expr: z.string().min(1) }).strict()).min(1),
    /** Which rows (SQL predicate); all rows when omitted. */
    where: z.string().min(1).optional(),
    /** Statements that undo the change, if the user has a way back; without them the backfill is the point of no return. */
    undo: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

/* Group C intents: column type changes, enum values, partitions (each in its own intents/<folder>/). */

export const changeColumnTypeIntent = z
  .object({
    kind: z.literal('change_column_type'),
    table: tableName,
    column: identifier,
    /** The new type, e.g. "bigint", "varchar(200)", "numeric(12,2)". */
    type: z.string().min(1),
    /** How a new value is computed from the row (SQL expression, may use any column), as ALTER … TYPE … USING; the old value assigned to the new type when omitted. */
    using: z.string().min(1).optional(),
    /** How an old-type value is computed back from the new column while the swap can still be undone (SQL expression); the new value assigned to the old type when omitted. */
    down: z.string().min(1).optional(),
  })
  .strict();

/** An enum type: "mood" or "app.mood"; a dot inside a name needs the object form. */
const typeName = tableName;

export const addEnumValueIntent = z
  .object({
    kind: z.literal('add_enum_value'),
    type: typeName,
    value: z.string().min(1).max(63, 'enum labels are at most 63 bytes'),
    /** Place it before or after an existing label; at the end when both are omitted. */
    before: z.string().min(1).optional(),
    after: z.string().min(1).optional(),
  })
  .strict()
  .refine((i) => i.before === undefined || i.after === undefined, 'give before or after, not both');

export const removeEnumValueIntent = z
  .object({
    kind: z.literal('remove_enum_value'),
    type: typeName,
    value: z.string().min(1),
  })
  .strict();

export const attachPartitionIntent = z
  .object({
    kind: z.literal('attach_partition'),
    /** The partitioned table. */
    table: tableName,
    /** The table that becomes a partition. */
    partition: tableName,
    /** The bound as SQL: "FOR VALUES FROM (…) TO (…)", "FOR VALUES IN (…)", "FOR VALUES WITH (MODULUS m, REMAINDER r)" or "DEFAULT". */
    bound: z.string().min(1),
  })
  .strict();

export const detachPartitionIntent = z
  .object({
    kind: z.literal('detach_partition'),
    table: tableName,
    partition: tableName,
  })
  .strict();

/* Group A intents: dropping columns, defaults, NOT NULL, indexes and constraints; rebuilding indexes; CHECK constraints (each in its own intents/<folder>/). */

/** An index: "users_email_idx" or { schema, name } (an index lives in its table's schema). */
const indexName = tableName;

export const dropColumnIntent = z.object({ kind: z.literal('drop_column'), table: tableName, column: identifier }).strict();

export const dropNotNullIntent = z.object({ kind: z.literal('drop_not_null'), table: tableName, column: identifier }).strict();

export const setDefaultIntent = z
  .object({
    kind: z.literal('set_default'),
    table: tableName,
    column: identifier,
    /** SQL expression, e.g. "0", "'pending'", "now()", "gen_random_uuid()". */
    default: z.string().min(1),
  })
  .strict();

export const dropDefaultIntent = z.object({ kind: z.literal('drop_default'), table: tableName, column: identifier }).strict();

export const dropIndexIntent = z.object({ kind: z.literal('drop_index'), index: indexName }).strict();

export const reindexIntent = z
  .object({
    kind: z.literal('reindex'),
    /** One index (REINDEX INDEX) … */
    index: indexName.optional(),
    /** … or every index of a table (REINDEX TABLE), each rebuilt on its own. */
    table: tableName.optional(),
  })
  .strict()
  .refine((i) => (i.index === undefined) !== (i.table === undefined), 'give index or table, not both');

export const addCheckIntent = z
  .object({
    kind: z.literal('add_check'),
    table: tableName,
    /** Generated like PostgreSQL does (<table>_<column>_check, or <table>_check) when omitted. */
    name: identifier.optional(),
    /** The boolean SQL expression rows must satisfy, e.g. "amount >= 0". */
    expression: z.string().min(1),
  })
  .strict();

export const dropConstraintIntent = z.object({ kind: z.literal('drop_constraint'), table: tableName, name: identifier }).strict();

export const intentSchema = z.discriminatedUnion('kind', [
  addColumnIntent,
  renameColumnIntent,
  createIndexIntent,
  setNotNullIntent,
  addForeignKeyIntent,
  addUniqueConstraintIntent,
  addPrimaryKeyIntent,
  addReferenceColumnIntent,
  createTableIntent,
  dropTableIntent,
  renameTableIntent,
  backfillIntent,
  changeColumnTypeIntent,
  addEnumValueIntent,
  removeEnumValueIntent,
  attachPartitionIntent,
  detachPartitionIntent,
  dropColumnIntent,
  dropNotNullIntent,
  setDefaultIntent,
  dropDefaultIntent,
  dropIndexIntent,
  reindexIntent,
  addCheckIntent,
  dropConstraintIntent,
]);

export type Intent = z.output<typeof intentSchema>;
export type IntentInput = z.input<typeof intentSchema>;
export type AddColumnIntent = z.output<typeof addColumnIntent>;
export type RenameColumnIntent = z.output<typeof renameColumnIntent>;
export type CreateIndexIntent = z.output<typeof createIndexIntent>;
export type SetNotNullIntent = z.output<typeof setNotNullIntent>;
export type AddForeignKeyIntent = z.output<typeof addForeignKeyIntent>;
export type ReferentialAction = z.output<typeof referentialAction>;
export type AddUniqueConstraintIntent = z.output<typeof addUniqueConstraintIntent>;
export type AddPrimaryKeyIntent = z.output<typeof addPrimaryKeyIntent>;
export type AddReferenceColumnIntent = z.output<typeof addReferenceColumnIntent>;
export type CreateTableIntent = z.output<typeof createTableIntent>;
export type DropTableIntent = z.output<typeof dropTableIntent>;
export type RenameTableIntent = z.output<typeof renameTableIntent>;
export type BackfillIntent = z.output<typeof backfillIntent>;
export type ChangeColumnTypeIntent = z.output<typeof changeColumnTypeIntent>;
export type AddEnumValueIntent = z.output<typeof addEnumValueIntent>;
export type RemoveEnumValueIntent = z.output<typeof removeEnumValueIntent>;
export type AttachPartitionIntent = z.output<typeof attachPartitionIntent>;
export type DetachPartitionIntent = z.output<typeof detachPartitionIntent>;
export type DropColumnIntent = z.output<typeof dropColumnIntent>;
export type DropNotNullIntent = z.output<typeof dropNotNullIntent>;
export type SetDefaultIntent = z.output<typeof setDefaultIntent>;
export type DropDefaultIntent = z.output<typeof dropDefaultIntent>;
export type DropIndexIntent = z.output<typeof dropIndexIntent>;
export type ReindexIntent = z.output<typeof reindexIntent>;
export type AddCheckIntent = z.output<typeof addCheckIntent>;
export type DropConstraintIntent = z.output<typeof dropConstraintIntent>;

export const SUPPORTED_INTENTS: { kind: Intent['kind']; sql: string }[] = [
  { kind: 'add_column', sql: 'ALTER TABLE t ADD COLUMN c type [NOT NULL] [DEFAULT expr]' },
  { kind: 'rename_column', sql: 'ALTER TABLE t RENAME COLUMN a TO b' },
  { kind: 'create_index', sql: 'CREATE [UNIQUE] INDEX [CONCURRENTLY] [name] ON t [USING method] (cols) [WHERE predicate]' },
  { kind: 'set_not_null', sql: 'ALTER TABLE t ALTER COLUMN c SET NOT NULL' },
  { kind: 'add_foreign_key', sql: 'ALTER TABLE t ADD [CONSTRAINT name] FOREIGN KEY (cols) REFERENCES p [(cols)] [ON DELETE action] [ON UPDATE action]' },
  { kind: 'add_unique_constraint', sql: 'ALTER TABLE t ADD [CONSTRAINT name] UNIQUE (cols)' },
  { kind: 'add_primary_key', sql: 'ALTER TABLE t ADD [CONSTRAINT name] PRIMARY KEY (cols)' },
  { kind: 'add_reference_column', sql: 'ALTER TABLE t ADD COLUMN c type [NOT NULL] [DEFAULT expr] REFERENCES p [(col)] [ON DELETE action] [ON UPDATE action]' },
  { kind: 'create_table', sql: 'CREATE TABLE t (columns [DEFAULT, NOT NULL, identity, PRIMARY KEY, UNIQUE, CHECK, REFERENCES], table constraints)' },
  { kind: 'drop_table', sql: 'DROP TABLE t [, ...]' },
  { kind: 'rename_table', sql: 'ALTER TABLE t RENAME TO new_name' },
  { kind: 'backfill', sql: 'UPDATE t SET c = expr [, ...] [WHERE predicate]' },
  { kind: 'change_column_type', sql: 'ALTER TABLE t ALTER COLUMN c [SET DATA] TYPE type [USING expr]' },
  { kind: 'add_enum_value', sql: "ALTER TYPE e ADD VALUE [IF NOT EXISTS] 'v' [BEFORE | AFTER 'w']" },
  { kind: 'remove_enum_value', sql: "(no SQL: the intent { kind: 'remove_enum_value', type, value })" },
  { kind: 'attach_partition', sql: 'ALTER TABLE p ATTACH PARTITION c { FOR VALUES … | DEFAULT }' },
  { kind: 'detach_partition', sql: 'ALTER TABLE p DETACH PARTITION c [CONCURRENTLY]' },
  { kind: 'drop_column', sql: 'ALTER TABLE t DROP COLUMN c' },
  { kind: 'drop_not_null', sql: 'ALTER TABLE t ALTER COLUMN c DROP NOT NULL' },
  { kind: 'set_default', sql: 'ALTER TABLE t ALTER COLUMN c SET DEFAULT expr' },
  { kind: 'drop_default', sql: 'ALTER TABLE t ALTER COLUMN c DROP DEFAULT' },
  { kind: 'drop_index', sql: 'DROP INDEX [CONCURRENTLY] [IF EXISTS] name [, ...]' },
  { kind: 'reindex', sql: 'REINDEX [(options)] { INDEX | TABLE } [CONCURRENTLY] name' },
  { kind: 'add_check', sql: 'ALTER TABLE t ADD [CONSTRAINT name] CHECK (expr)' },
  { kind: 'drop_constraint', sql: 'ALTER TABLE t DROP CONSTRAINT name' },
];
