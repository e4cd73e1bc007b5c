import assert from "node:assert/strict";
import { SourceError } from "../postgres.ts";
import { exportTables } from "../postgres.ts";
import { summaryTable } from "../src/cli/progress.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";

/** file_fdw is created once per database; parallel test files may race, and the loser's error is harmless. */
async function ensureFileFdw(sql: ReturnType<typeof connect>): Promise<void> {
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS file_fdw`;
  } catch (error) {
    const [{ present }] =
      await sql`SELECT count(*) > 0 AS present FROM pg_extension WHERE extname = 'file_fdw'`;
    if (!present) throw error;
  }
}

Deno.test("a whole-schema export names the views, materialized views and foreign tables it skipped, and why", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "relations");
  try {
    await ensureFileFdw(sql);
    const server = `${schema.name}_files`;
    await sql.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      await tx.unsafe(`
        CREATE TABLE orders (id int PRIMARY KEY, total numeric(8,2));
        INSERT INTO orders VALUES (1, 9.50), (2, 20.00);
        CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 10;
        CREATE MATERIALIZED VIEW order_totals AS SELECT sum(total) AS total FROM orders;
        CREATE MATERIALIZED VIEW stale_totals AS SELECT sum(total) AS total FROM orders WITH NO DATA;
        CREATE SERVER "${server}" FOREIGN DATA WRAPPER file_fdw;
        CREATE FOREIGN TABLE remote_rows (line text) SERVER "${server}" OPTIONS (filename '/dev/null');`);
    });
    const out = await tempDir();
    const summary = await exportTables(sql, { out, schema: schema.name });
    assert.deepEqual(summary.tables.map((t) => t.table), ["orders"]);
    assert.deepEqual(summary.skipped?.map((r) => [r.name, r.kind]), [
      ["big_orders", "view"],
      ["order_totals", "materialized view"],
      ["remote_rows", "foreign table"],
      ["stale_totals", "materialized view"],
    ]);
    assert.match(summary.skipped![0].reason, /name it in tables/);
    assert.match(summary.skipped![3].reason, /never populated: run REFRESH MATERIALIZED VIEW/);
    assert.match(summaryTable(summary), /skipped big_orders: a view/);

    // Named, a view and a populated materialized view export.
    const named = await exportTables(sql, {
      out,
      schema: schema.name,
      tables: ["big_orders", "order_totals"],
    });
    assert.deepEqual(named.tables.map((t) => [t.table, t.rows]), [["big_orders", 1], ["order_totals", 1]]);
    assert.deepEqual(named.skipped, []);

    // An unpopulated one is refused before anything is written, naming it and the fix.
    const before = await allFiles(out);
    const error = await exportTables(sql, { out, schema: schema.name, tables: ["orders", "stale_totals"] })
      .catch((e) => e);
    assert.ok(error instanceof SourceError, String(error));
    assert.equal(error.table, "stale_totals");
    assert.match(error.message, /materialized view .*stale_totals.* has not been populated; run REFRESH/);
    assert.deepEqual(await allFiles(out), before, "nothing written");
  } finally {
    await schema.drop();
    await sql`DROP SERVER IF EXISTS ${sql(`${schema.name}_files`)} CASCADE`;
    await sql.end();
  }
});
