export { prismaAdapter, PLAN_FILE_SUFFIX, RUNBOOK_FILE_SUFFIX, type PrismaEmitOptions } from './adapter.js';
export { prismaLayout, runsInPrisma, type FolderRole, type Gate, type PrismaFolder, type PrismaLayout } from './layout.js';
export { parseFolderMarker, STATE_TABLE_DDL } from './sql.js';
export { MIGRATION_LOCK_FILE, migrationLockContents, lockfileProvider } from './lockfile.js';
export type { Plan } from '@liveshift/core';
export { loadPrismaProject, migrationFolders, nextStamp, type PrismaProject, type PrismaProjectOptions } from './project.js';
export { prismaDown, readLiveshiftFolder, type PrismaDownOptions, type PrismaDownResult } from './down.js';
