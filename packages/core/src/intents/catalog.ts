import { addColumnCatalog } from './add-column/catalog.js';
import { addForeignKeyCatalog } from './add-foreign-key/catalog.js';
import type { IntentCatalogEntry } from './catalog-entry.js';
import { createIndexCatalog } from './create-index/catalog.js';
import { renameColumnCatalog } from './rename-column/catalog.js';
import { setNotNullCatalog } from './set-not-null/catalog.js';

/**
 * The catalog of intents: what each does, how it depends on the server version, and examples that
 * the test suite executes on every PostgreSQL major under test (the lock truth table in docs/ is
 * generated from that run) and that docs/intents/<intent>.md is generated from. One entry per intent
 * folder (`<intent>/catalog.ts`), listed here once.
 */
export const INTENT_CATALOG: IntentCatalogEntry[] = [
  addColumnCatalog,
  renameColumnCatalog,
  createIndexCatalog,
  setNotNullCatalog,
  addForeignKeyCatalog,
];

export * from './catalog-entry.js';
