export { knexAdapter, KNEX_PACKAGE } from './adapter.js';
export { knexMigration, type KnexLike, type KnexMigration } from './migration.js';
export { loadKnexProject, type KnexProject, type KnexProjectOptions } from './knexfile.js';
export type { Plan } from '@liveshift/core';
