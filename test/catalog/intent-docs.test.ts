import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INTENT_CATALOG, planChange, renderMarkdown, SUPPORTED_INTENTS, type IntentCatalogEntry, type SchemaSnapshot } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsUnderTest, withPostgres, type PgMajor } from '../support/postgres.js';
import { TEST_DIR } from '../support/scratch-project.js';

/**
 * docs/intents/<intent>.md, generated from the intent catalog (the planner's own entries and
 * examples): what the intent does, how it depends on the version, the SQL it accepts, and each
 * example's plan as made on the oldest and newest supported PostgreSQL for a production-sized
 * table. The committed files must equal what this produces (LIVESHIFT_UPDATE_DOCS=1 rewrites them).
 */

const DOCS = path.join(TEST_DIR, '..', 'docs', 'intents');
const MAJORS: PgMajor[] = [18, 11];
/** The examples' tables as if in production, so estimates read like a real plan's (and stay the same run to run). */
const PRODUCTION_ROWS = 10_000_000;
const PRODUCTION_BYTES = 1_500 * 1024 * 1024;

const plans = new Map<string, string>();
const running = pgMajorsUnderTest().filter((m) => MAJORS.includes(m));

for (const major of running) {
  describe(`intent docs from PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);
    for (const entry of INTENT_CATALOG) {
      entry.examples.forEach((example, i) => {
        it(`${entry.title}: ${example.title}`, async () => {
          const db = await pg.database();
          const client = await db.client();
          for (const statement of example.setup) await client.query(statement);
          const snapshot = productionSized(await introspectPostgres(client));
          const key = `${entry.kind}/${i}/${major}`;
          try {
            const plan = await planChange(example.change, snapshot, { ...example.options, smallTableBytes: undefined });
            plans.set(key, renderMarkdown(plan));
          } catch (error) {
            plans.set(key, `Refused on PostgreSQL ${snapshot.engine.version}: ${(error as Error).message}\n`);
          }
        });
      });
    }
  });
}

function productionSized(snapshot: SchemaSnapshot): SchemaSnapshot {
  return { ...snapshot, tables: snapshot.tables.map((t) => ({ ...t, rowEstimate: PRODUCTION_ROWS, sizeBytes: PRODUCTION_BYTES })) };
}

afterAll(() => {
  if (running.length !== MAJORS.length) return;
  const expected = new Map(INTENT_CATALOG.map((entry) => [`${fileName(entry)}`, intentDoc(entry)]));
  expected.set('README.md', indexDoc());
  const update = process.env.LIVESHIFT_UPDATE_DOCS === '1' || !existsSync(DOCS);
  if (update) {
    rmSync(DOCS, { recursive: true, force: true });
    mkdirSync(DOCS, { recursive: true });
    for (const [file, text] of expected) writeFileSync(path.join(DOCS, file), text);
    return;
  }
  expect(readdirSync(DOCS).sort(), 'docs/intents holds one page per catalog intent').toEqual([...expected.keys()].sort());
  for (const [file, text] of expected) {
    expect(readFileSync(path.join(DOCS, file), 'utf8') === text, `docs/intents/${file} is out of date: run LIVESHIFT_UPDATE_DOCS=1 npx vitest run test/catalog`).toBe(true);
  }
});

function fileName(entry: IntentCatalogEntry): string {
  return `${entry.kind.replace(/_/g, '-')}.md`;
}

function indexDoc(): string {
  return [
    '# Intents',
    '',
    'One page per change liveshift plans, generated from the intent catalog the planner uses (`packages/core/src/intents/<intent>/catalog.ts`)',
    'by `test/catalog/intent-docs.test.ts`. The locks each step takes, observed on PostgreSQL 11, 12, 14, 16 and 18, are in',
    '[the lock truth table](../lock-truth-table.md).',
    '',
    '| intent | what the plan does |',
    '|---|---|',
    ...INTENT_CATALOG.map((e) => `| [${e.title}](${fileName(e)}) | ${e.summary.split('. ')[0]!.replace(/\.$/, '')}. |`),
    '',
  ].join('\n');
}

function intentDoc(entry: IntentCatalogEntry): string {
  const sql = SUPPORTED_INTENTS.filter((s) => s.kind === entry.kind).map((s) => `    ${s.sql}`);
  const out = [
    `# ${entry.title}`,
    '',
    entry.summary,
    '',
    '## Versions',
    '',
    ...entry.versions.map((v) => `- ${v}`),
    '',
    '## Input',
    '',
    `As SQL (parsed by the PostgreSQL parser):`,
    '',
    ...sql,
    '',
    `Or as an intent file (YAML or JSON) with \`kind: ${entry.kind}\`; see [the plan format](../plan-format.md) for its fields.`,
    '',
    '## Examples',
    '',
    `Each example is executed by the test suite on PostgreSQL 11, 12, 14, 16 and 18; below, its plan for a table of ${PRODUCTION_ROWS.toLocaleString('en-US')} rows (1.5 GiB).`,
    '',
  ];
  entry.examples.forEach((example, i) => {
    out.push(`### ${example.title}`, '');
    out.push('```sql', ...example.setup.map((s) => `${s.replace(/\n\s+/g, ' ').trim()};`), '```', '');
    const change = 'sql' in example.change ? example.change.sql : JSON.stringify(example.change.intents);
    out.push(`Change: \`${change}\``, '');
    const newest = plans.get(`${entry.kind}/${i}/18`) ?? '';
    const oldest = plans.get(`${entry.kind}/${i}/11`) ?? '';
    out.push('<details><summary>The plan on PostgreSQL 18</summary>', '', demote(newest), '</details>', '');
    if (stepsOf(oldest) !== stepsOf(newest)) out.push('<details><summary>The plan on PostgreSQL 11 (the recipe differs)</summary>', '', demote(oldest), '</details>', '');
  });
  return `${out.join('\n').trimEnd()}\n`;
}

/** The plan's step headings: enough to tell whether two versions' recipes differ. */
function stepsOf(markdown: string): string {
  return markdown
    .split('\n')
    .filter((l) => l.startsWith('### Step'))
    .join('\n');
}

/** A plan document nested under an example heading: its headings go three levels down. */
function demote(markdown: string): string {
  return markdown.replace(/^(#+) /gm, (_, hashes: string) => `${'#'.repeat(Math.min(6, hashes.length + 3))} `);
}
