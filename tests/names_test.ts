/**
 * Tables and columns named as PostgreSQL allows once quoted: with spaces, with non-ASCII letters. They
 * export (through binary COPY and the row path) under safe folder and file names, a default run over
 * their schema no longer fails on them, and DuckDB reads the files back.
 */

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { readCommitted } from "../batch.ts";
import { connectPostgres, exportTables } from "../postgres.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { DATABASE_URL } from "./helpers/pg.ts";

Deno.test('tables "with space" and "Ünïcode" export with safe file names and read back in DuckDB', async () => {
  const sql = connectPostgres({ url: DATABASE_URL, max: 2 });
  const schema = `names_${crypto.randomUUID().slice(0, 8)}`;
  try {
    await sql.unsafe(`CREATE SCHEMA ${schema}`);
    await sql.unsafe(`CREATE TABLE ${schema}."with space" ("id col" int NOT NULL, "the note" text);
      INSERT INTO ${schema}."with space" VALUES (1, 'one'), (2, NULL);
      CREATE TABLE ${schema}."Ünïcode" (id int NOT NULL, "größe" float8, "标签" text[]);
      INSERT INTO ${schema}."Ünïcode" VALUES (1, 1.5, '{a,b}'), (2, NULL, '{}')`);
    for (const binaryCopy of [true, false]) {
      const out = await tempDir();
      // No table list: every table of the schema, as a default --schema run.
      const summary = await exportTables(sql, { out, schema, binaryCopy });
      assert.deepEqual(summary.tables.map((t) => t.table).sort(), ["with space", "Ünïcode"].sort());
      assert.deepEqual((await readdir(out)).sort(), ["_manifests", "with%20space", "Ünïcode"].sort());
      const [file] = await readdir(join(out, "with%20space"));
      assert.match(file, /^with%20space_\d{8}_\d{6}_[0-9a-f]{8}\.parquet$/);

      assert.deepEqual(await readCommitted(out, "with space"), [
        { "id col": 1, "the note": "one" },
        { "id col": 2, "the note": null },
      ]);
      assert.deepEqual(await readCommitted(out, "Ünïcode"), [
        { id: 1, "größe": 1.5, "标签": ["a", "b"] },
        { id: 2, "größe": null, "标签": [] },
      ]);
      for (const table of summary.tables) {
        const query = table.table === "with space"
          ? `SELECT "id col" AS id, "the note" AS v FROM read_parquet(${
            sqlString(table.location)
          }) ORDER BY 1`
          : `SELECT id, "größe" AS v FROM read_parquet(${sqlString(table.location)}) ORDER BY 1`;
        const rows = await duckdbRows(query);
        assert.deepEqual(rows.map((r) => r.id), [1, 2], `DuckDB reads ${table.location}`);
      }
    }
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
  }
});
