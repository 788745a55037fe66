import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlanJson } from '../plan/schema.js';
import type { Plan } from '../plan/types.js';
import { renderJson, renderMarkdown, renderText } from './index.js';

// The DESIGN worked example: rename users.full_name → display_name on an 80M-row table, --sync app.
const plan: Plan = parsePlanJson(readFileSync(new URL('./testdata/rename-plan.json', import.meta.url), 'utf8'));

/** The markdown section of one step: from its heading to the next step heading. */
function mdSection(md: string, n: number): string {
  const start = md.indexOf(`### Step ${n}:`);
  expect(start, `heading of step ${n}`).toBeGreaterThanOrEqual(0);
  const next = md.indexOf('### Step ', start + 1);
  return md.slice(start, next < 0 ? undefined : next);
}

function textBlock(text: string, n: number): string {
  const start = text.indexOf(`Step ${n}  [`);
  expect(start, `block of step ${n}`).toBeGreaterThanOrEqual(0);
  const next = text.indexOf('\nStep ', start + 1);
  return text.slice(start, next < 0 ? undefined : next);
}

describe('renderMarkdown', () => {
  const md = renderMarkdown(plan);

  it('header names the intent, engine and version, and the table facts', () => {
    expect(md).toMatch(/^# liveshift plan: rename column users\.full_name → display_name \(sync: app\)\n/);
    expect(md).toContain('PostgreSQL 18.4 (server_version_num 180004)');
    expect(md).toContain('| public.users | 80,000,000 | 12.0 GB | users_pkey | — | — |');
  });

  it('deploy sequence table lists every release with its steps and summary', () => {
    expect(md).toContain('| release | steps | what ships |');
    expect(md).toContain('| A | 1 | add display_name |');
    expect(md).toContain('| A+1 | 2–4 | application writes both columns; backfill and validate |');
    expect(md).toContain('| A+2 | 5 | application reads display_name |');
    expect(md).toContain('| A+3 | 6 | application no longer references full_name; drop it |');
  });

  it("puts every database step's SQL in a sql block inside that step's section", () => {
    for (const step of plan.steps.filter((s) => s.kind !== 'app')) {
      for (const sql of step.sql) expect(mdSection(md, step.n)).toContain('```sql\n' + sql + ';\n```');
    }
  });

  it('marks the point of no return on step 6 only, and step 5 as the last reversible step', () => {
    expect(mdSection(md, 6)).toMatch(/^### Step 6: Drop column full_name \(⛔ POINT OF NO RETURN\)/);
    for (const n of [1, 2, 3, 4, 5]) expect(mdSection(md, n)).not.toContain('POINT OF NO RETURN');
    expect(mdSection(md, 5)).toMatch(/^### Step 5: .*\(last reversible step\)/);
    expect(md).toContain('> **⛔ Point of no return: step 6.**');
  });

  it('shows lock, transaction, timeouts, checkpoint and rollback of a DDL step', () => {
    const s1 = mdSection(md, 1);
    expect(s1).toContain('| Kind | ddl |');
    expect(s1).toContain('| Release | A |');
    expect(s1).toContain('ACCESS EXCLUSIVE on public.users; held briefly (catalog change only); blocks reads and writes');
    expect(s1).toContain('| Transaction | runs in one transaction |');
    expect(s1).toContain('lock_timeout 2 s per attempt, retried up to 10 times on lock timeout (SQLSTATE 55P03)');
    expect(s1).toContain("**Checkpoint:** display_name exists; the query must return `1`");
    expect(s1).toContain('**Rollback:** run the SQL below (in one transaction)\n\n```sql\nALTER TABLE "public"."users" DROP COLUMN "display_name";\n```');
    expect(s1).toContain('- The ACCESS EXCLUSIVE lock is brief once granted');
  });

  it('shows the backfill spec and estimate, and that it runs outside a transaction', () => {
    const s3 = mdSection(md, 3);
    expect(s3).toContain('| Transaction | runs outside a transaction (cannot run inside one) |');
    expect(s3).toContain('| Where | `"display_name" IS DISTINCT FROM "full_name"` |');
    expect(s3).toContain('| Batch size | 5,000 rows |');
    expect(s3).toContain('| Pause between batches | 50 ms |');
    expect(s3).toContain('80,000,000 rows in 16,000 batches, ~40 min');
  });

  it('app steps carry the instruction and a deploy-back rollback, no SQL', () => {
    const s2 = mdSection(md, 2);
    expect(s2).toContain('**What the application must do (release A+1):** Write both full_name and display_name on every insert and update');
    expect(s2).toContain('`--deployed A+1`');
    expect(s2).toContain('**Rollback:** deploy back to release A.');
    expect(s2).not.toContain('```sql');
  });

  it('says where a database step of a later release holds runners, and only there', () => {
    expect(mdSection(md, 6)).toContain('Ships with release A+3: runners stop here until it is confirmed live (`--deployed A+3`');
    expect(mdSection(md, 6)).toContain('once every application instance runs A+2 or later');
    expect(mdSection(md, 3)).not.toContain('Ships with release');
    expect(mdSection(md, 1)).not.toContain('Ships with release');
  });

  it('says what an irreversible step loses', () => {
    expect(mdSection(md, 6)).toContain('**Rollback:** IRREVERSIBLE: DROP COLUMN discards the column\'s data. Data lost: Every value of users.full_name');
  });

  it('lists warnings', () => {
    expect(md).toContain('## Warnings\n\n- ⚠ users is read on every request');
  });

  it('is deterministic', () => {
    expect(renderMarkdown(structuredClone(plan))).toBe(md);
  });

  it('escapes pipes inside table cells', () => {
    const odd = structuredClone(plan);
    odd.releases[0]!.summary = 'a | b';
    expect(renderMarkdown(odd)).toContain('| A | 1 | a \\| b |');
  });

  it('says when every step can be undone', () => {
    const reversible = structuredClone(plan);
    reversible.pointOfNoReturn = null;
    expect(renderMarkdown(reversible)).toContain('> Every step of this plan can be rolled back.');
    expect(renderMarkdown(reversible)).not.toContain('POINT OF NO RETURN');
  });
});

describe('renderText', () => {
  const text = renderText(plan);

  it('has a compact header and the release sequence', () => {
    expect(text.split('\n')[0]).toBe('liveshift plan: rename column users.full_name → display_name (sync: app)');
    expect(text).toContain('PostgreSQL 18.4 · public.users ~80,000,000 rows, 12.0 GB');
    expect(text).toContain('A (step 1) → A+1 (steps 2–4) → A+2 (step 5) → A+3 (step 6)');
  });

  it('has one block per step with its SQL', () => {
    for (const step of plan.steps) {
      const block = textBlock(text, step.n);
      expect(block.split('\n')[0]).toContain(`[release ${step.deploy}]  ${step.kind}  ${step.title}`);
      for (const sql of step.sql) expect(block).toContain(`${sql};`);
    }
    expect(textBlock(text, 2)).toContain('deploy   Write both full_name and display_name');
  });

  it('marks the point of no return on step 6 only', () => {
    expect(textBlock(text, 6).split('\n')[0]).toContain('⛔ POINT OF NO RETURN');
    for (const n of [1, 2, 3, 4, 5]) expect(textBlock(text, n)).not.toContain('POINT OF NO RETURN');
    expect(textBlock(text, 5).split('\n')[0]).toContain('last reversible step');
    expect(textBlock(text, 6)).toContain('undo     IRREVERSIBLE:');
  });

  it('uses no escape codes unless asked to', () => {
    expect(text).not.toContain('\u001b[');
    expect(renderText(plan, { color: true })).toContain('\u001b[31m⛔ POINT OF NO RETURN\u001b[39m');
  });
});

describe('renderJson', () => {
  it('is the plan file: pretty JSON with a final newline that reads back to the same plan', () => {
    const json = renderJson(plan);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json).toContain('\n  "format": "liveshift.plan",');
    expect(parsePlanJson(json)).toEqual(plan);
  });
});

describe('renderings name each engine\'s own lock wait', () => {
  const on = (name: Plan['engine']['name'], version: string, versionNum: number): Plan => ({ ...plan, engine: { name, version, versionNum } });

  it.each([
    ['sqlite', '3.45.1', 3045001, 'SQLite 3.45.1', 'busy_timeout 2 s per attempt, retried up to 10 times on lock timeout (SQLITE_BUSY)'],
    ['mariadb', '10.11.19', 101119, 'MariaDB 10.11.19', 'lock_wait_timeout 2 s per attempt, retried up to 10 times on lock timeout (error 1205)'],
  ] as const)('%s', (name, version, versionNum, label, timeouts) => {
    const md = renderMarkdown(on(name, version, versionNum));
    expect(md).toContain(`| Engine | ${label} |`);
    expect(mdSection(md, 1)).toContain(timeouts);
    // the caveats are the recipe's own text; the renderer's words are the engine line and the timeouts
    expect(md).not.toContain('server_version_num');
    const timeoutRows = md.split('\n').filter((l) => l.startsWith('| Timeouts |'));
    expect(timeoutRows.length).toBeGreaterThan(0);
    for (const row of timeoutRows) expect(row).not.toMatch(/lock_timeout|statement_timeout|SQLSTATE/);
    const text = renderText(on(name, version, versionNum));
    expect(textBlock(text, 1)).toContain(`${timeouts.split(' per attempt')[0]} × 11 attempts`);
    for (const line of text.split('\n').filter((l) => /^\s*timeout\s/.test(l))) expect(line).not.toMatch(/lock_timeout|statement_timeout/);
  });
});
