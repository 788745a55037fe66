export { createProgram, runCli } from './program.js';
export { parseIntentFile } from './inputs.js';
export { createUsersTable, USERS_TABLE } from './demo/users-table.js';
