import { addForeignKey } from './add-foreign-key.js';
import type { BenchCase } from './case.js';
import { createIndex } from './create-index.js';
import { intToBigint } from './int-to-bigint.js';
import { lockQueue } from './lock-queue.js';
import { renameColumn } from './rename-column.js';
import { setNotNull } from './set-not-null.js';
import { volatileDefault } from './volatile-default.js';

export type { BenchCase } from './case.js';

/** Every case, in report order. */
export const BENCH_CASES: readonly BenchCase[] = [intToBigint, createIndex, setNotNull, addForeignKey, volatileDefault, renameColumn, lockQueue];

export function caseNamed(name: string): BenchCase {
  const found = BENCH_CASES.find((c) => c.name === name);
  if (!found) throw new Error(`unknown case "${name}"; cases: ${BENCH_CASES.map((c) => c.name).join(', ')}`);
  return found;
}
