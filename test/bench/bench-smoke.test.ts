import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaSnapshot } from '@liveshift/core';
import { runBench } from '../../bench/src/bench.js';
import { BENCH_CASES } from '../../bench/src/cases/index.js';
import { formatRows } from '../../bench/src/report.js';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { comparable } from '../support/schema-compare.js';

/**
 * `pnpm bench` at a tiny size, through the same code path (runBench: every case as the naive
 * statement and as the plan, backfill throughput, the report files), so the benchmark cannot rot.
 * Only structural outcomes are asserted, no timings beyond the lock-queue case's blocker.
 */

const ROWS = 2000;
const BLOCKER_HOLD_MS = 1500;
// the online recipes even on a tiny table, and a lock wait far under the blocker's hold
const PLAN_OPTIONS = { smallTableBytes: 0, lockTimeoutMs: 200, batchSize: 500, pauseMs: 0 };

/** Column order is physical (a plan adds the new column last); the rest as the tests compare schemas. */
function schemaOf(snapshot: SchemaSnapshot) {
  return comparable(snapshot).map((t) => ({ ...t, columns: [...t.columns].sort((a, b) => a.name.localeCompare(b.name)) }));
}

for (const major of pgMajorsAmong([18])) {
  describe(`pnpm bench smoke run (PostgreSQL ${major}, ${ROWS} rows)`, () => {
    const pgServer = withPostgres(major);
    let outDir: string;
    let report: Awaited<ReturnType<typeof runBench>>;

    beforeAll(async () => {
      outDir = await mkdtemp(path.join(tmpdir(), 'liveshift-bench-'));
      report = await runBench({
        adminUrl: pgServer.server().url,
        serverVersion: pgServer.server().version,
        cases: BENCH_CASES,
        sizes: [ROWS],
        outDir,
        run: { planOptions: PLAN_OPTIONS, blockerHoldMs: BLOCKER_HOLD_MS, deployLagMs: 300, settleMs: 200 },
      });
    });
    afterAll(async () => {
      if (outDir) await rm(outDir, { recursive: true, force: true });
    });

    it('runs every case as the naive statement and as the plan', () => {
      expect(report.cases.map((r) => [r.case, r.rows])).toEqual(BENCH_CASES.map((c) => [c.name, ROWS]));
      for (const r of report.cases) {
        expect(r.naive.totalMs, `${r.case}: naive total`).toBeGreaterThan(0);
        expect(r.plan.totalMs, `${r.case}: plan total`).toBeGreaterThan(0);
        expect(r.plan.workload.queries, `${r.case}: queries sent while the plan ran`).toBeGreaterThan(0);
      }
    });

    it('the plan never fails an application query', () => {
      for (const r of report.cases) expect(r.plan.workload.failures, r.case).toEqual([]);
      for (const r of report.cases) expect(r.plan.workload.failed, r.case).toBe(0);
    });

    it('the plan ends at the schema the naive statement reaches in one go', () => {
      for (const r of report.cases) expect(schemaOf(r.plan.schema), r.case).toEqual(schemaOf(r.naive.schema));
    });

    it('the plans are the online recipes, not the naive statement again', () => {
      for (const r of report.cases) {
        const naiveSql = BENCH_CASES.find((c) => c.name === r.case)!.naiveSql;
        const statements = r.plan.plan.steps.flatMap((s) => s.sql);
        expect(statements, r.case).not.toContain(naiveSql);
        expect(r.plan.plan.steps.every((s) => s.sql.length === 0 || s.timeouts !== null), `${r.case}: every step with SQL has a lock budget`).toBe(true);
      }
    });

    it('the naive rename breaks the application that reads the old column until the new code is live', () => {
      const rename = report.cases.find((r) => r.case === 'rename-column')!;
      expect(rename.naive.workload.failed).toBeGreaterThan(0);
      expect(rename.naive.workload.failures.map((f) => f.message).join('\n')).toMatch(/full_name.*does not exist/);
    });

    it('lock queue: the naive statement stalls the application for the long transaction; the plan keeps it moving', () => {
      const queue = report.cases.find((r) => r.case === 'lock-queue')!;
      expect(queue.blockerHoldMs).toBe(BLOCKER_HOLD_MS);
      // queries queue behind the ALTER from the moment it arrives, within a few ms of the blocker's clock starting
      expect(queue.naive.workload.longestStallMs).toBeGreaterThanOrEqual(BLOCKER_HOLD_MS - 100);
      expect(queue.plan.workload.longestStallMs).toBeLessThan(BLOCKER_HOLD_MS / 2);
      // the plan did not get its lock before the long transaction ended: it gave way and retried
      expect(queue.plan.totalMs).toBeGreaterThanOrEqual(BLOCKER_HOLD_MS - 100);
    });

    it('measures the batched backfill and the single UPDATE of the same rows, with and without the application', () => {
      expect(report.backfill.map((b) => b.rows)).toEqual([ROWS]);
      const [b] = report.backfill;
      // every seeded row needed the copy
      expect(b!.single.rows).toBe(ROWS);
      expect(b!.batched.rows).toBe(ROWS);
      expect(b!.batchSize).toBe(PLAN_OPTIONS.batchSize);
      for (const m of [b!.single, b!.batched, b!.singleUnderWorkload, b!.batchedUnderWorkload]) {
        expect(m.rows).toBeGreaterThan(0);
        expect(m.rowsPerSecond).toBeGreaterThan(0);
      }
    });

    it('writes the markdown table, the chart and the JSON, with a row per case and size', async () => {
      const markdown = await readFile(report.files.markdown, 'utf8');
      expect(markdown).toBe(report.markdown);
      for (const c of BENCH_CASES) {
        const rows = markdown.split('\n').filter((line) => line.startsWith(`| ${c.title} | ${formatRows(ROWS)} |`));
        expect(rows, c.name).toHaveLength(1);
      }
      expect(markdown).toMatch(/machine-dependent/);
      const chart = await readFile(report.files.chart, 'utf8');
      expect(chart).toMatch(/^<svg /);
      // one bar per variant per case
      expect(chart.match(/<rect [^>]*><title>/g)).toHaveLength(2 * BENCH_CASES.length);
      const json = JSON.parse(await readFile(report.files.json, 'utf8')) as { cases: { case: string; naive: unknown; plan: unknown }[]; backfill: unknown[] };
      expect(json.cases.map((c) => c.case)).toEqual(BENCH_CASES.map((c) => c.name));
      expect(json.backfill).toHaveLength(1);
    });
  });
}
