import type pg from 'pg';
import type { EngineSession } from '../engine-session.js';
import { withPlanLock } from '../plan-lock.js';
import { ensureStateTable, markStepDone, markStepRolledBack, markStepRunning, readStepStates } from '../state.js';
import { evaluateCheckpoint } from './checkpoint.js';
import { executeDatabaseStep } from './execute-step.js';
import { engineInfo, introspectPostgres } from './introspect.js';
import { executeRollback } from './rollback.js';

/** A pg client seen as an EngineSession; `close` ends the client only when the session owns it. */
export function postgresSession(client: pg.ClientBase, options: { owned?: boolean } = {}): EngineSession & { client: pg.ClientBase } {
  return {
    engine: 'postgres',
    client,
    serverInfo: () => engineInfo(client),
    introspect: () => introspectPostgres(client),
    withPlanLock: (planId, work) => withPlanLock(client, planId, work),
    ensureStateTable: () => ensureStateTable(client),
    readStepStates: (planId) => readStepStates(client, planId),
    markStepRunning: (planId, step, fresh) => markStepRunning(client, planId, step, fresh),
    markStepDone: (planId, step) => markStepDone(client, planId, step),
    markStepRolledBack: (planId, step) => markStepRolledBack(client, planId, step),
    executeDatabaseStep: (step, context) => executeDatabaseStep(client, step, context),
    async checkpointMet(checkpoint) {
      try {
        return (await evaluateCheckpoint(client, checkpoint)).met;
      } catch {
        // e.g. the checkpoint names an object the step has not created yet
        return false;
      }
    },
    executeRollback: (step, context) => executeRollback(client, step, context),
    async close() {
      if (options.owned && 'end' in client && typeof (client as pg.Client).end === 'function') await (client as pg.Client).end();
    },
  };
}
