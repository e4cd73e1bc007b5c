/** `--special-values`: NaN and infinities fail naming table, row and column, or become NULL or text. */

import assert from "node:assert/strict";
import { ParquetStorageError, readParquet } from "../mod.ts";
import { connectPostgres, copyBinarySupports, exportTables, introspectTable } from "../postgres.ts";
import { runCli } from "./helpers/cli.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { DATABASE_URL } from "./helpers/pg.ts";

Deno.test("--special-values: NaN and infinities fail naming table, row and column, or become NULL or text", async () => {
  const sql = connectPostgres({ url: DATABASE_URL, max: 3 });
  const schema = `specials_${crypto.randomUUID().slice(0, 8)}`;
  try {
    await sql.unsafe(`CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.specials (id int PRIMARY KEY, n numeric(8,2) NOT NULL, u numeric, d date,
        ts timestamp, tz timestamptz, fine date);
      INSERT INTO ${schema}.specials VALUES (1, 1.5, 2, '2026-01-02', '2026-01-02 03:04:05', '2026-01-02Z', '2026-01-01'),
        (2, 'NaN', 'NaN', 'infinity', '-infinity', 'infinity', '2026-01-01')`);
    for (const binaryCopy of [true, false]) {
      const door = binaryCopy ? "COPY" : "rows";
      const failed = await exportTables(sql, {
        out: await tempDir(),
        schema,
        tables: ["specials"],
        binaryCopy,
      })
        .catch((error) => error);
      assert.ok(failed instanceof Error, door);
      assert.equal((failed as { table?: string }).table, "specials", door);
      assert.equal((failed as { row?: number }).row, 2, door);
      // The first column whose value is refused: n by the COPY door; u (read as text) by the row door.
      assert.equal((failed as { column?: string }).column, binaryCopy ? "n" : "u", door);
      assert.match(failed.message, /--special-values null\|text/, door);

      const nulls = await exportTables(sql, {
        out: await tempDir(),
        schema,
        tables: ["specials"],
        binaryCopy,
        specialValues: "null",
      });
      assert.deepEqual(
        (await readParquet(nulls.tables[0].location)).sort((a, b) => Number(a.id) - Number(b.id)),
        [
          {
            id: 1,
            n: "1.50",
            u: "2",
            d: "2026-01-02",
            ts: "2026-01-02T03:04:05.000000",
            tz: "2026-01-02T00:00:00.000000Z",
            fine: "2026-01-01",
          },
          { id: 2, n: null, u: null, d: null, ts: null, tz: null, fine: "2026-01-01" },
        ],
        door,
      );

      const texts = await exportTables(sql, {
        out: await tempDir(),
        schema,
        tables: ["specials"],
        binaryCopy,
        specialValues: "text",
      });
      const rows = (await readParquet(texts.tables[0].location)).sort((a, b) => Number(a.id) - Number(b.id));
      assert.deepEqual(rows.map((r) => [r.n, r.u, r.d, r.ts, r.fine]), [
        ["1.50", "2", "2026-01-02", "2026-01-02T03:04:05", "2026-01-01"],
        ["NaN", "NaN", "infinity", "-infinity", "2026-01-01"],
      ], door);
      const [types] = await duckdbRows(`SELECT typeof(n) AS n, typeof(d) AS d, typeof(fine) AS fine
        FROM read_parquet(${sqlString(texts.tables[0].location)}) LIMIT 1`);
      assert.deepEqual(
        types,
        { n: "VARCHAR", d: "VARCHAR", fine: "DATE" },
        "only columns holding one are text",
      );
    }
    // A parallel run's workers read under the plan's choice too.
    const parallel = await exportTables(sql, {
      out: await tempDir(),
      schema,
      tables: ["specials"],
      jobs: 2,
      specialValues: "null",
    });
    const back = await readParquet(parallel.tables[0].location);
    assert.deepEqual(back.map((r) => r.d).sort(), ["2026-01-02", null].sort());
    const bad = await exportTables(sql, {
      out: await tempDir(),
      schema,
      tables: ["specials"],
      specialValues: "zero" as never,
    }).catch((error) => error);
    assert.match(bad.message, /specialValues must be one of error, null, text: current value is "zero"/);
    const cli = await runCli("export", [
      "--schema",
      schema,
      "--out",
      await tempDir(),
      "--special-values",
      "zero",
    ], {
      env: { DATABASE_URL },
    });
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /--special-values must be one of error, null, text: current value is zero/);
    // No flag: the run fails, saying where and which option would take the value.
    const refused = await runCli("export", ["--schema", schema, "--out", await tempDir()], {
      env: { DATABASE_URL },
    });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /\(table specials, row 2, column n\)/);
    assert.match(refused.stderr, /--special-values null\|text/);
    const ok = await runCli("export", [
      "--schema",
      schema,
      "--out",
      await tempDir(),
      "--special-values",
      "null",
    ], {
      env: { DATABASE_URL },
    });
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
  }
});

Deno.test("--special-values in arrays: an element is refused with the hint, or NULL in its place, or the array text", async () => {
  const sql = connectPostgres({ url: DATABASE_URL, max: 2 });
  const schema = `special_arrays_${crypto.randomUUID().slice(0, 8)}`;
  try {
    // copied: every array binary COPY reads; mixed: an unconstrained numeric[] too (the row door).
    await sql.unsafe(`CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.copied (id int PRIMARY KEY, na numeric(8,2)[], da date[], ta timestamptz[]);
      INSERT INTO ${schema}.copied VALUES (1, '{NaN,1.5}', '{infinity,2020-01-01}', '{-infinity,NULL}'),
        (2, '{2}', '{}', NULL);
      CREATE TABLE ${schema}.mixed AS SELECT c.*, ARRAY['Infinity', 2]::numeric[] AS ua FROM ${schema}.copied c`);
    const catalog = (text: string, params: unknown[]) => sql.unsafe(text, params as never[]);
    assert.ok(copyBinarySupports(await introspectTable(catalog, "copied", { schema })), "copied: COPY");
    for (const table of ["copied", "mixed"]) {
      for (const binaryCopy of [true, false]) {
        const where = `${table}, ${binaryCopy ? "COPY" : "rows"}`;
        const failed = await exportTables(sql, { out: await tempDir(), schema, tables: [table], binaryCopy })
          .catch((e) => e);
        assert.ok(failed instanceof ParquetStorageError, `${where}: ${failed}`);
        assert.deepEqual([failed.table, failed.row], [table, 1], where);
        assert.match(failed.message, /--special-values null\|text/, where);
        const read = async (specialValues: "null" | "text") => {
          const summary = await exportTables(sql, {
            out: await tempDir(),
            schema,
            tables: [table],
            binaryCopy,
            specialValues,
          });
          return (await readParquet(summary.tables[0].location)).sort((a, b) => Number(a.id) - Number(b.id));
        };
        const nulls = await read("null");
        assert.deepEqual(nulls.map((r) => [r.na, r.da, r.ta]), [
          [[null, "1.50"], [null, "2020-01-01"], [null, null]],
          [["2.00"], [], null],
        ], where);
        const texts = await read("text");
        assert.deepEqual(texts.map((r) => [r.na, r.da, r.ta]), [
          [["NaN", "1.50"], ["infinity", "2020-01-01"], ["-infinity", null]],
          [["2.00"], [], null],
        ], where);
        if (table === "mixed") {
          assert.deepEqual(nulls.map((r) => r.ua), [[null, "2"], [null, "2"]], where);
          assert.deepEqual(texts.map((r) => r.ua), [["Infinity", "2"], ["Infinity", "2"]], where);
        }
      }
    }
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
  }
});
