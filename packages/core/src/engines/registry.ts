import { ENGINE_LABELS, type EngineName } from '../schema/snapshot.js';
import { PlanningError } from '../errors.js';
import type { EnginePlanning } from './engine-planning.js';
import { postgresPlanning } from './postgres/planning.js';
import { mariadbPlanning, mysqlPlanning } from './mysql/planning.js';
import { sqlitePlanning } from './sqlite/planning.js';

/** One EnginePlanning per engine; MySQL and MariaDB share one, gated by flavour and version. */
const PLANNING: Partial<Record<EngineName, EnginePlanning>> = {
  postgres: postgresPlanning,
  mysql: mysqlPlanning,
  mariadb: mariadbPlanning,
  sqlite: sqlitePlanning,
};

export function enginePlanning(engine: EngineName): EnginePlanning {
  const planning = PLANNING[engine];
  if (!planning) {
    const supported = Object.keys(PLANNING).map((e) => ENGINE_LABELS[e as EngineName] ?? e).join(', ');
    throw new PlanningError(`${ENGINE_LABELS[engine] ?? String(engine)} is not supported yet; liveshift plans for ${supported}`);
  }
  return planning;
}
