export * from './plan/types.js';
export * from './schema/snapshot.js';
export * from './schema/apply-to-snapshot.js';
export * from './engines/postgres/quote.js';
export * from './intents/types.js';
export * from './errors.js';
export * from './planner.js';
