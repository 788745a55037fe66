import { addColumnCatalog } from './add-column/catalog.js';
import { addForeignKeyCatalog } from './add-foreign-key/catalog.js';
import { addUniqueConstraintCatalog } from './add-unique-constraint/catalog.js';
import { addPrimaryKeyCatalog } from './add-primary-key/catalog.js';
import { addReferenceColumnCatalog } from './add-reference-column/catalog.js';
import { createTableCatalog } from './create-table/catalog.js';
import { dropTableCatalog } from './drop-table/catalog.js';
import { renameTableCatalog } from './rename-table/catalog.js';
import { updateBackfillCatalog } from './update-backfill/catalog.js';
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
  addUniqueConstraintCatalog,
  addPrimaryKeyCatalog,
  addReferenceColumnCatalog,
  createTableCatalog,
  dropTableCatalog,
  renameTableCatalog,
  updateBackfillCatalog,
];

export * from './catalog-entry.js';
