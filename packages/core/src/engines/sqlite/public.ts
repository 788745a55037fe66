/** What the runtime reads from core about SQLite (introspection of CREATE text, the rebuild's control statements). */
export { parseCreateTable, parseCreateIndex, mentionedColumns } from './create-statement.js';
export type { ParsedCreateTable, ParsedCreateIndex, ParsedColumn, Clause as SqliteClause } from './create-statement.js';
export { tokenize as tokenizeSqlite, splitStatements as splitSqliteStatements } from './tokens.js';
export { BEGIN_WRITE as SQLITE_BEGIN_WRITE, COMMIT as SQLITE_COMMIT, FOREIGN_KEY_CHECK as SQLITE_FOREIGN_KEY_CHECK, FOREIGN_KEYS_OFF as SQLITE_FOREIGN_KEYS_OFF, FOREIGN_KEYS_ON as SQLITE_FOREIGN_KEYS_ON } from './rebuild.js';
export { quoteIdent as quoteSqliteIdent, quoteLiteral as quoteSqliteLiteral } from './quote.js';
export { SQLITE_CAPABILITIES, SQLITE_MIN_SUPPORTED, sqliteVersionText } from './capabilities.js';
export { derivedConstraintName } from './constraint-names.js';
