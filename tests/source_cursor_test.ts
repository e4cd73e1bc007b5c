/** The row source's cursor: one batch ahead at most; errors naming table, column and row; stopped and lost reads. */

import assert from "node:assert/strict";
import { SourceError } from "../postgres.ts";
import { connectPostgres } from "../src/postgres/connect.ts";
import { queryRows, tableRows } from "../src/postgres/table_source.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { defineTable, int, numeric, text, timestamptz } from "../mod.ts";
import { catalogQuery, connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

Deno.test("the cursor reads one batch ahead of the consumer at most", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "source_pull");
  const sql = connectPostgres({ url: DATABASE_URL });
  try {
    // nextval runs as each row is produced, so the sequence counts the rows PostgreSQL has handed over.
    const counter = `"${schema.name}".produced`;
    await admin.unsafe(`CREATE SEQUENCE ${counter}`);
    await admin.unsafe(`CREATE VIEW "${schema.name}".numbers AS
      SELECT g AS id, nextval('${counter}') AS n FROM generate_series(1, 100000) g`);
    const produced = async () =>
      Number((await admin.unsafe(`SELECT last_value, is_called FROM ${counter}`))[0].last_value);
    const table = await introspectTable(catalogQuery(admin), "numbers", { schema: schema.name });

    const reader = tableRows(sql, table, { batchSize: 1000 }).getReader();
    assert.equal((await reader.read()).value?.id, 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await produced(), 1000, "one batch fetched for the first row, nothing more");
    for (let i = 2; i <= 1001; i++) await reader.read();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await produced(), 2000, "the second batch only once the first was consumed");
    await reader.cancel();

    // The same through queryRows, with a parameter.
    const numbers = defineTable("numbers", { id: int(), label: text() });
    const rows = queryRows(
      sql,
      numbers,
      sql`SELECT g AS id, 'n' || g AS label FROM generate_series(1, ${5000}) g WHERE g % ${1000} = 0`,
      { batchSize: 2 },
    );
    assert.deepEqual(
      await Array.fromAsync(rows),
      [1000, 2000, 3000, 4000, 5000].map((id) => ({ id, label: `n${id}` })),
    );
  } finally {
    await sql.end();
    await schema.drop();
    await admin.end();
  }
});

Deno.test("source errors name the table, and the column and row of a value with no canonical form", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "source_errors");
  const sql = connectPostgres({ url: DATABASE_URL });
  try {
    const gone = defineTable("gone", { id: int() }, { pgSchema: schema.name });
    await assert.rejects(Array.fromAsync(tableRows(sql, gone)), (error: SourceError) => {
      assert.ok(error instanceof SourceError);
      assert.equal(error.table, "gone");
      assert.match(error.message, /table does not exist/);
      return true;
    });

    await admin.unsafe(`CREATE TABLE "${schema.name}".events (id int, at timestamptz, amount numeric)`);
    await admin.unsafe(`INSERT INTO "${schema.name}".events VALUES (1, now(), 1), (2, 'infinity', 2)`);
    const events = defineTable("events", { id: int(), at: timestamptz(), amount: numeric() }, {
      pgSchema: schema.name,
    });
    await assert.rejects(Array.fromAsync(tableRows(sql, events)), (error: SourceError) => {
      assert.ok(error instanceof SourceError);
      assert.deepEqual([error.table, error.column, error.row], ["events", "at", 2]);
      assert.match(error.message, /infinity/);
      return true;
    });
    assert.throws(() => tableRows(sql, events, { batchSize: 0 }), /batchSize must be a positive integer/);
  } finally {
    await sql.end();
    await schema.drop();
    await admin.end();
  }
});

Deno.test("a stopped read leaves the connection usable; a lost one errors the stream, never truncates it", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "source_stop");
  const sql = connectPostgres({ url: DATABASE_URL, max: 1 });
  try {
    await admin.unsafe(`CREATE TABLE "${schema.name}".events (id int, at timestamptz)`);
    await admin.unsafe(`INSERT INTO "${schema.name}".events
                        SELECT g, CASE WHEN g = 5 THEN 'infinity' ELSE now() END FROM generate_series(1, 1000) g`);
    const events = defineTable("events", { id: int(), at: timestamptz() }, { pgSchema: schema.name });

    await sql.begin(async (tx) => {
      // A bad value in a middle batch ends the cursor; the transaction goes on.
      await assert.rejects(Array.fromAsync(tableRows(tx, events, { batchSize: 2 })), /column at/);
      // A consumer that stops early closes the cursor.
      const reader = tableRows(tx, events, { batchSize: 2 }).getReader();
      assert.equal((await reader.read()).value?.id, 1);
      await reader.cancel();
      assert.deepEqual([...await tx`SELECT 1 AS one`], [{ one: 1 }]);
    });

    const [{ pid }] = await sql`SELECT pg_backend_pid() AS pid`;
    const ids = defineTable("events", { id: int() }, { pgSchema: schema.name });
    const rows = tableRows(sql, ids, { batchSize: 100 }).getReader();
    assert.equal((await rows.read()).value?.id, 1);
    await admin`SELECT pg_terminate_backend(${pid})`;
    await new Promise((r) => setTimeout(r, 200));
    let read = 1;
    await assert.rejects(
      (async () => {
        while (!(await rows.read()).done) read++;
      })(),
      (error: SourceError) => {
        assert.ok(error instanceof SourceError);
        assert.equal(error.table, "events");
        assert.match(error.message, /connection to PostgreSQL was lost/);
        return true;
      },
    );
    assert.equal(read, 100, "the batch already fetched, then the error: never a clean end");
  } finally {
    await sql.end();
    await schema.drop();
    await admin.end();
  }
});
