import type { BackfillCursor, StepState, StepStatus } from '../state.js';
import { mysqlErrno, type MysqlConnection } from './connect.js';

/**
 * Progress of a plan in the target database itself (MySQL has no schemas apart from databases, so
 * the table lives beside the application's, under a name of its own), InnoDB so a backfill's cursor
 * commits with its batch. Introspection leaves it out.
 */
export const STATE_TABLE = 'liveshift_step_state';

export const MYSQL_STATE_TABLE_DDL = `CREATE TABLE IF NOT EXISTS \`${STATE_TABLE}\` (
  plan_id varchar(64) NOT NULL,
  step int NOT NULL,
  status varchar(16) NOT NULL,
  cursor_json longtext NULL,
  upper_key_json longtext NULL,
  updated_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (plan_id, step)
) ENGINE=InnoDB`;

type Queryable = Pick<MysqlConnection, 'query'>;

export async function ensureMysqlStateTable(connection: Queryable): Promise<void> {
  try {
    await connection.query(MYSQL_STATE_TABLE_DDL);
  } catch (error) {
    // two runners creating it at once: the loser sees "table exists"
    if (mysqlErrno(error) !== 1050) throw error;
  }
}

export async function readMysqlStepStates(connection: Queryable, planId: string): Promise<Map<number, StepState>> {
  const [rows] = await connection.query(`SELECT step, status, cursor_json, upper_key_json, updated_at FROM \`${STATE_TABLE}\` WHERE plan_id = ? ORDER BY step`, [planId]);
  return new Map(
    (rows as { step: number; status: StepStatus; cursor_json: string | null; upper_key_json: string | null; updated_at: string | Date }[]).map((r) => [
      Number(r.step),
      {
        step: Number(r.step),
        status: r.status,
        cursor: r.cursor_json === null ? null : (JSON.parse(r.cursor_json) as BackfillCursor),
        upperKey: r.upper_key_json === null ? null : (JSON.parse(r.upper_key_json) as string[]),
        // a borrowed connection (knex's pool) may return DATETIME as a Date rather than a string
        updatedAt: r.updated_at instanceof Date ? r.updated_at : new Date(`${r.updated_at.replace(' ', 'T')}Z`),
      },
    ]),
  );
}

export async function markMysqlStepRunning(connection: Queryable, planId: string, step: number, fresh: boolean): Promise<void> {
  await connection.query(
    `INSERT INTO \`${STATE_TABLE}\` (plan_id, step, status) VALUES (?, ?, 'running')
     ON DUPLICATE KEY UPDATE status = 'running', updated_at = CURRENT_TIMESTAMP(3),
       cursor_json = IF(?, NULL, cursor_json), upper_key_json = IF(?, NULL, upper_key_json)`,
    [planId, step, fresh, fresh],
  );
}

export async function setMysqlStepStatus(connection: Queryable, planId: string, step: number, status: StepStatus): Promise<void> {
  await connection.query(
    `INSERT INTO \`${STATE_TABLE}\` (plan_id, step, status) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE status = VALUES(status), updated_at = CURRENT_TIMESTAMP(3)`,
    [planId, step, status],
  );
}

/** Inside a batch's transaction: the cursor moves if and only if the batch commits. */
export async function saveMysqlCursor(connection: Queryable, planId: string, step: number, cursor: BackfillCursor): Promise<void> {
  await connection.query(`UPDATE \`${STATE_TABLE}\` SET cursor_json = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE plan_id = ? AND step = ?`, [JSON.stringify(cursor), planId, step]);
}

export async function saveMysqlUpperKey(connection: Queryable, planId: string, step: number, upperKey: string[]): Promise<void> {
  await connection.query(`UPDATE \`${STATE_TABLE}\` SET upper_key_json = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE plan_id = ? AND step = ?`, [JSON.stringify(upperKey), planId, step]);
}
