import { randomUUID } from 'node:crypto';
import { quoteIdent, releaseIndex, type Plan } from '@liveshift/core';
import { OWNERS, TABLE } from './table.js';
import type { Application } from './workload.js';

/**
 * The application under the change: point reads by id, updates and inserts on `accounts`, in
 * turn, each reading and writing the column the case is about as the deployed release does.
 */

/** What one release of the application does with the case's column. */
export interface AppVersion {
  release: string;
  reads: string;
  writes: string[];
}

export interface AppColumn {
  /** The column the application reads and writes today. */
  before: string;
  /** Its name once the change is done (the same unless the case renames it). */
  after: string;
  /** A value the application writes into it. */
  value: () => unknown;
}

export function application(version: AppVersion, column: AppColumn, seededRows: number): Application {
  const randomId = () => 1 + Math.floor(Math.random() * seededRows);
  const randomOwner = () => 1 + Math.floor(Math.random() * OWNERS);
  return (_connection, sequence) => {
    switch (sequence % 3) {
      case 0:
        return { kind: 'read', text: `SELECT id, email, ${quoteIdent(version.reads)} AS value FROM ${TABLE} WHERE id = $1`, values: [randomId()] };
      case 1: {
        const set = version.writes.map((c) => `${quoteIdent(c)} = $1`).join(', ');
        return { kind: 'update', text: `UPDATE ${TABLE} SET ${set} WHERE id = $2`, values: [column.value(), randomId()] };
      }
      default: {
        const columns = ['owner_id', 'email', ...version.writes.map(quoteIdent)].join(', ');
        const params = ['$1', '$2', ...version.writes.map(() => '$3')].join(', ');
        return {
          kind: 'insert',
          text: `INSERT INTO ${TABLE} (${columns}) VALUES (${params})`,
          values: [randomOwner(), `new-${randomUUID()}@example.com`, column.value()],
        };
      }
    }
  };
}

/** True when two versions send the same queries (a deploy between them changes nothing). */
export function sameQueries(a: AppVersion, b: AppVersion): boolean {
  return a.reads === b.reads && a.writes.join() === b.writes.join();
}

/** The application before the change and after it, for the naive statement (deployed the instant it commits). */
export function naiveVersions(column: AppColumn): { before: AppVersion; after: AppVersion } {
  return {
    before: { release: 'before', reads: column.before, writes: [column.before] },
    after: { release: 'after', reads: column.after, writes: [column.after] },
  };
}

/**
 * What the application does at each release of the plan, from the plan's structure (its app
 * steps), taking the most demanding reading of the plan's promise:
 *   - before the first app step: today's code, the old column only;
 *   - from the dual-write release (the first of two app steps): writes both, reads the old one;
 *   - from the read-switch release (the last app step): the new column only.
 * A case whose column keeps its name has one version throughout.
 */
export function planVersions(plan: Plan, column: AppColumn): Map<string, AppVersion> {
  const { before: from, after: to } = column;
  const appSteps = plan.steps.filter((s) => s.kind === 'app');
  const readSwitch = from === to ? undefined : appSteps[appSteps.length - 1];
  const dualWrite = from !== to && appSteps.length > 1 ? appSteps[0] : undefined;
  const at = (release: string | undefined) => (release === undefined ? Number.POSITIVE_INFINITY : releaseIndex(release));
  return new Map(
    plan.releases.map(({ release }): [string, AppVersion] => {
      const i = releaseIndex(release);
      if (i >= at(readSwitch?.deploy)) return [release, { release, reads: to, writes: [to] }];
      if (i >= at(dualWrite?.deploy)) return [release, { release, reads: from, writes: [from, to] }];
      return [release, { release, reads: from, writes: [from] }];
    }),
  );
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds'];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** The application's name column: full_name, always written with a value. */
export const fullName: AppColumn = { before: 'full_name', after: 'full_name', value: () => `${pick(FIRST)} ${pick(LAST)}` };
