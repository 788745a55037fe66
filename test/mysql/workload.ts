import mysql from 'mysql2/promise';

/** One application query, built fresh each time (ids vary). */
export interface MysqlQuery {
  kind: 'read' | 'update' | 'insert';
  build: (randomId: () => number) => { sql: string; values: unknown[] };
}

export interface WorkloadStats {
  queries: number;
  failures: { sql: string; error: string; release: number }[];
  /** Statements re-run after a deadlock (error 1213), when the workload retries them. */
  deadlocksRetried: number;
  byKind: Record<string, number>;
  maxLatencyMs: number;
}

/** The default application: point reads, updates of email, inserts — none touching a changed column. */
export const plainUsersApplication: MysqlQuery[] = [
  { kind: 'read', build: (id) => ({ sql: 'SELECT * FROM users WHERE id = ?', values: [id()] }) },
  { kind: 'update', build: (id) => ({ sql: 'UPDATE users SET email = email WHERE id = ?', values: [id()] }) },
  { kind: 'insert', build: () => ({ sql: "INSERT INTO users (full_name, email) VALUES ('newcomer', 'new@example.com')", values: [] }) },
];

/**
 * The application under test on MariaDB: `clients` connections looping over the current release's
 * queries; the test switches releases at the plan's application steps, like a deploy.
 */
export class MysqlWorkload {
  private release = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  readonly stats: WorkloadStats = { queries: 0, failures: [], byKind: {}, maxLatencyMs: 0, deadlocksRetried: 0 };

  constructor(
    private readonly url: string,
    private readonly queriesFor: (release: number) => MysqlQuery[],
    private readonly maxId = 3000,
    private readonly clients = 3,
    /**
     * Re-run a statement that lost a deadlock (error 1213), as InnoDB asks every application to: an
     * online schema change tool's chunk copy (INSERT … SELECT … LOCK IN SHARE MODE) can deadlock
     * with application writes. Off by default: everywhere else a deadlock is a failure.
     */
    private readonly retryDeadlocks = false,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    for (let i = 0; i < this.clients; i++) {
      const c = await mysql.createConnection({ uri: this.url });
      this.loops.push(this.loop(c, i));
    }
  }

  setRelease(release: number): void {
    this.release = release;
  }

  async stop(): Promise<WorkloadStats> {
    this.running = false;
    await Promise.all(this.loops);
    return this.stats;
  }

  private async loop(c: mysql.Connection, seed: number): Promise<void> {
    let n = seed;
    const randomId = () => 1 + Math.floor(Math.random() * this.maxId);
    try {
      while (this.running) {
        const release = this.release;
        const qs = this.queriesFor(release);
        const q = qs[n++ % qs.length]!;
        const { sql, values } = q.build(randomId);
        const started = performance.now();
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(sql, values);
            this.stats.byKind[q.kind] = (this.stats.byKind[q.kind] ?? 0) + 1;
          } catch (e) {
            if (this.retryDeadlocks && (e as { errno?: number }).errno === 1213 && attempt < 5) {
              this.stats.deadlocksRetried++;
              continue;
            }
            this.stats.failures.push({ sql, error: (e as Error).message, release });
          }
          break;
        }
        this.stats.queries++;
        this.stats.maxLatencyMs = Math.max(this.stats.maxLatencyMs, performance.now() - started);
        await new Promise((r) => setTimeout(r, 3));
      }
    } finally {
      await c.end();
    }
  }
}
