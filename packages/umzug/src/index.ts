export { umzugAdapter, umzugStamp, UMZUG_PACKAGE } from './adapter.js';
export { umzugMigration, type UmzugMigration } from './migration.js';
export { umzugMigratorFile, MIGRATOR_FILES, type MigratorOptions } from './migrator.js';
export { DatabaseStorage, PostgresStorage, type DatabaseStorageOptions, type PostgresStorageOptions } from './storage.js';
export { connectDatabase, closeDatabase, clientOf, connectionEngine, type DatabaseConnection, type SqliteDatabase, type UmzugContext } from './context.js';
export { resolveMigration, migrationName } from './resolve.js';
export { isMainModule } from './main-module.js';
export type { Plan } from '@liveshift/core';
