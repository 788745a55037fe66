export { typeormAdapter, typeormClassName, typeormFileName, pascalCase, TYPEORM_PACKAGE } from './adapter.js';
export { typeormMigration, type QueryRunnerLike, type TypeormMigration } from './migration.js';
export { loadTypeormProject, staticPrefix, type DataSourceLike, type SchemaQuery, type TypeormProject, type TypeormProjectOptions } from './data-source.js';
export { entityChange, planEntityChange, type EntityChange, type PlannedEntityChange } from './generate.js';
export type { Plan } from '@liveshift/core';
