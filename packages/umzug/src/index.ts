export { umzugAdapter, umzugStamp, UMZUG_PACKAGE } from './adapter.js';
export { umzugMigration, type UmzugMigration } from './migration.js';
export { umzugMigratorFile, MIGRATOR_FILES, type MigratorOptions } from './migrator.js';
export { PostgresStorage, type PostgresStorageOptions } from './storage.js';
export { connectDatabase, clientOf, type UmzugContext } from './context.js';
export { resolveMigration, migrationName } from './resolve.js';
export { isMainModule } from './main-module.js';
export type { Plan } from '@liveshift/core';
