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
import { dropColumnCatalog } from './drop-column/catalog.js';
import { dropNotNullCatalog } from './drop-not-null/catalog.js';
import { setDefaultCatalog } from './set-default/catalog.js';
import { dropDefaultCatalog } from './drop-default/catalog.js';
import { dropIndexCatalog } from './drop-index/catalog.js';
import { reindexCatalog } from './reindex/catalog.js';
import { addCheckCatalog } from './add-check/catalog.js';
import { dropConstraintCatalog } from './drop-constraint/catalog.js';
import { changeColumnTypeCatalog } from './change-column-type/catalog.js';
import { enumAddValueCatalog } from './enum-add-value/catalog.js';
import { attachPartitionCatalog } from './attach-partition/catalog.js';
import { detachPartitionCatalog } from './detach-partition/catalog.js';

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
  dropColumnCatalog,
  dropNotNullCatalog,
  setDefaultCatalog,
  dropDefaultCatalog,
  dropIndexCatalog,
  reindexCatalog,
  addCheckCatalog,
  dropConstraintCatalog,
  changeColumnTypeCatalog,
  enumAddValueCatalog,
  attachPartitionCatalog,
  detachPartitionCatalog,
];

export * from './catalog-entry.js';
