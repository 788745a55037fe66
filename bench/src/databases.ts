import { connect } from '@liveshift/runtime';
import { seedTables } from './table.js';

/**
 * Databases on the bench's server: one seeded template per table size, and a fresh copy of it for
 * every run, so the naive statement and the plan each start from the same table, bit for bit.
 */
export class BenchDatabases {
  private readonly templates = new Map<number, Promise<string>>();
  private counter = 0;

  /** `adminUrl`: a superuser connection to the server's `postgres` database. */
  constructor(
    private readonly adminUrl: string,
    private readonly log: (message: string) => void = () => {},
  ) {}

  urlOf(database: string): string {
    const url = new URL(this.adminUrl);
    url.pathname = `/${database}`;
    return url.toString();
  }

  /** A new database holding the seeded tables with `rows` rows; `drop` removes it. */
  async copyOfSeeded(rows: number): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
    const template = await this.template(rows);
    const name = `bench_run_${process.pid}_${++this.counter}`;
    // FILE_COPY copies the template's files instead of logging every block: fast for large tables
    await this.admin(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
    return { name, url: this.urlOf(name), drop: () => this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }

  /** Drops the seeded templates. */
  async dropTemplates(): Promise<void> {
    for (const template of this.templates.values()) {
      const name = await template.catch(() => undefined);
      if (name) await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    this.templates.clear();
  }

  private template(rows: number): Promise<string> {
    let template = this.templates.get(rows);
    if (!template) {
      template = this.seed(rows);
      this.templates.set(rows, template);
    }
    return template;
  }

  private async seed(rows: number): Promise<string> {
    const name = `bench_seed_${process.pid}_${rows}`;
    const started = performance.now();
    await this.admin(`CREATE DATABASE ${name}`);
    const client = await connect(this.urlOf(name));
    try {
      await seedTables(client, rows);
    } finally {
      await client.end();
    }
    this.log(`seeded ${rows.toLocaleString('en-US')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return name;
  }

  private async admin(sql: string): Promise<void> {
    const client = await connect(this.adminUrl);
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
