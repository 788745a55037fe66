export type { EmitOptions, EmittedFile, MigrationAdapter, SourceStyle } from './contract.js';
export { changeName, migrationUnits, snakeCase, utcStamp, type MigrationUnit } from './units.js';
export { commentBlock, moduleExtension, PLAN_FOLDER, planModuleFile, planModuleSpecifier, stepHeader, stepModuleFiles, type StepModuleFramework } from './source.js';
