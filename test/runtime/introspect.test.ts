import { describe, expect, it } from 'vitest';
import { findTable, type SchemaSnapshot, type TableSchema } from '@liveshift/core';
import { ensureStateTable, introspectPostgres } from '@liveshift/runtime';
import { pgMajorsUnderTest, withPostgres } from '../support/postgres.js';

const ORDERS = { schema: 'Sales Dept', name: 'Order "Items"' };

const SCHEMA_SQL = `
  CREATE SCHEMA "Sales Dept";
  CREATE TABLE public.customers (id int PRIMARY KEY);
  CREATE TABLE "Sales Dept"."Order ""Items""" (
    "Order Id" bigint PRIMARY KEY,
    "Customer Email" text NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'new',
    quantity int DEFAULT 1,
    customer_id int,
    touched_at timestamptz DEFAULT now()
  );
  CREATE UNIQUE INDEX "open orders by email" ON "Sales Dept"."Order ""Items""" ("Customer Email") WHERE status <> 'closed';
  CREATE INDEX email_lower ON "Sales Dept"."Order ""Items""" (lower("Customer Email"), quantity);
  ALTER TABLE "Sales Dept"."Order ""Items""" ADD CONSTRAINT "quantity positive" CHECK (quantity > 0) NOT VALID;
  ALTER TABLE "Sales Dept"."Order ""Items""" ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES public.customers (id);
  CREATE FUNCTION "Sales Dept".touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched_at := now(); RETURN NEW; END $$;
  CREATE TRIGGER "touch on update" BEFORE UPDATE ON "Sales Dept"."Order ""Items""" FOR EACH ROW EXECUTE PROCEDURE "Sales Dept".touch();
  CREATE TRIGGER paused BEFORE INSERT ON "Sales Dept"."Order ""Items""" FOR EACH ROW EXECUTE PROCEDURE "Sales Dept".touch();
  ALTER TABLE "Sales Dept"."Order ""Items""" DISABLE TRIGGER paused;
  INSERT INTO public.customers VALUES (1);
  INSERT INTO "Sales Dept"."Order ""Items""" ("Order Id", "Customer Email", status) VALUES
    (1, 'a@example.com', 'closed'), (2, 'a@example.com', 'closed'), (3, 'b@example.com', 'new');
  CREATE TABLE public.events (id int, at date NOT NULL) PARTITION BY RANGE (at);
  CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
`;

for (const major of pgMajorsUnderTest()) {
  describe(`introspectPostgres on PostgreSQL ${major}`, () => {
    const postgres = withPostgres(major);

    async function introspectFixture(): Promise<{ snapshot: SchemaSnapshot; orders: TableSchema; again: SchemaSnapshot }> {
      const db = await postgres.database();
      const client = await db.client();
      await client.query(SCHEMA_SQL);
      // a failed CREATE INDEX CONCURRENTLY (duplicate emails) leaves an INVALID index behind
      await expect(client.query(`CREATE UNIQUE INDEX CONCURRENTLY "email unique" ON "Sales Dept"."Order ""Items""" ("Customer Email")`)).rejects.toThrow(
        /could not create unique index/,
      );
      await ensureStateTable(client);
      const snapshot = await introspectPostgres(client);
      const again = await introspectPostgres(client);
      const orders = findTable(snapshot, ORDERS);
      if (!orders) throw new Error('orders table missing from the snapshot');
      return { snapshot, orders, again };
    }

    it('lists every user table, partitioned ones included, and never liveshift state or system tables', async () => {
      const { snapshot, again } = await introspectFixture();
      expect(snapshot.tables.map((t) => `${t.schema}.${t.name}`)).toEqual([
        'Sales Dept.Order "Items"',
        'public.customers',
        'public.events',
        'public.events_2024',
      ]);
      expect(snapshot.engine.name).toBe('postgres');
      expect(snapshot.engine.version).toMatch(new RegExp(`^${major}\\.\\d+$`));
      expect(Math.floor(snapshot.engine.versionNum / 10000)).toBe(major);
      expect(again).toEqual(snapshot);
    });

    it('reads columns in order with types, nullability and defaults, whatever the quoting', async () => {
      const { orders } = await introspectFixture();
      expect(orders.columns).toEqual([
        { name: 'Order Id', type: 'bigint', nullable: false, default: null },
        { name: 'Customer Email', type: 'text', nullable: false, default: null },
        { name: 'status', type: 'character varying(20)', nullable: false, default: "'new'::character varying" },
        { name: 'quantity', type: 'integer', nullable: true, default: '1' },
        { name: 'customer_id', type: 'integer', nullable: true, default: null },
        { name: 'touched_at', type: 'timestamp with time zone', nullable: true, default: 'now()' },
      ]);
    });

    it('reads partial, expression and INVALID indexes', async () => {
      const { orders } = await introspectFixture();
      const byName = Object.fromEntries(orders.indexes.map((i) => [i.name, i]));
      expect(Object.keys(byName)).toEqual(['Order "Items"_pkey', 'email unique', 'email_lower', 'open orders by email']);
      expect(byName['Order "Items"_pkey']).toMatchObject({ columns: ['Order Id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree' });
      expect(byName['open orders by email']).toMatchObject({
        columns: ['Customer Email'],
        unique: true,
        primary: false,
        valid: true,
        predicate: "((status)::text <> 'closed'::text)",
      });
      expect(byName['email_lower']).toMatchObject({ columns: ['lower("Customer Email")', 'quantity'], unique: false, valid: true });
      expect(byName['email_lower']!.definition).toContain('USING btree (lower("Customer Email"), quantity)');
      expect(byName['email unique']).toMatchObject({ columns: ['Customer Email'], unique: true, valid: false });
    });

    it('reads NOT VALID checks, foreign keys and primary keys as constraints', async () => {
      const { orders } = await introspectFixture();
      expect(orders.constraints).toEqual([
        {
          name: 'Order "Items"_pkey',
          type: 'primary_key',
          columns: ['Order Id'],
          definition: 'PRIMARY KEY ("Order Id")',
          validated: true,
          references: null,
        },
        {
          name: 'orders_customer_fk',
          type: 'foreign_key',
          columns: ['customer_id'],
          definition: 'FOREIGN KEY (customer_id) REFERENCES customers(id)',
          validated: true,
          references: { table: 'public.customers', columns: ['id'] },
        },
        {
          name: 'quantity positive',
          type: 'check',
          columns: ['quantity'],
          definition: 'CHECK ((quantity > 0)) NOT VALID',
          validated: false,
          references: null,
        },
      ]);
    });

    it('reads triggers with their schema-qualified function and whether they are enabled', async () => {
      const { orders } = await introspectFixture();
      expect(orders.triggers).toEqual([
        { name: 'paused', function: 'Sales Dept.touch', enabled: false },
        { name: 'touch on update', function: 'Sales Dept.touch', enabled: true },
      ]);
    });

    it('reports row estimates as the server does (unknown until analyzed) and sizes in bytes', async () => {
      const db = await postgres.database();
      const client = await db.client();
      await client.query('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 500)');
      const before = findTable(await introspectPostgres(client), { schema: 'public', name: 't' })!;
      // never analyzed: -1 from PostgreSQL 14, 0 before
      expect(before.rowEstimate).toBe(major >= 14 ? -1 : 0);
      expect(before.sizeBytes).toBeGreaterThan(8192);
      await client.query('ANALYZE t');
      const after = findTable(await introspectPostgres(client), { schema: 'public', name: 't' })!;
      expect(after.rowEstimate).toBe(500);
    });
  });
}
