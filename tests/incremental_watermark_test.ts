/**
 * The watermark an incremental COPY takes from its own last tuple is the one the row door records, for
 * every watermark and key type: decoded exactly (no fallback query), and the same after each run.
 */
import assert from "node:assert/strict";
import { latestWatermark } from "../batch.ts";
import { exportTables } from "../postgres.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { CopyBinaryDecoder, copyBinaryStatement } from "../src/postgres/copy_binary.ts";
import { LastTuple } from "../src/postgres/copy_last_tuple.ts";
import { lastRowQuery } from "../src/postgres/since_sql.ts";
import { canonicalRow } from "../src/postgres/canonical_row.ts";
import { parquetLayout } from "../src/schema/parquet_schema.ts";
import type { Since } from "../src/postgres/table_source.ts";
import { tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, testSchema } from "./helpers/pg.ts";

// Watermark expressions of `G`, monotone with ties (g/3), so the key breaks them.
const CASES: { name: string; wm: string; w: string; key?: string; k?: string }[] = [
  {
    name: "timestamptz",
    wm: "timestamptz",
    w: `timestamptz '1969-12-31 23:00:00+00' + (G/3) * interval '0.700001 s'`,
    key: "int",
    k: "g",
  },
  {
    name: "timestamp",
    wm: "timestamp",
    w: `timestamp '1969-12-31 23:59:59' + (G/3) * interval '0.000123 s'`,
    key: "bigint",
    k: "g::bigint * 10000000000",
  },
  {
    name: "date",
    wm: "date",
    w: `date '1969-12-20' + (G/3)`,
    key: "text",
    k: `'k' || lpad(g::text, 4, '0')`,
  },
  { name: "integer", wm: "integer", w: "(G/3) - 100", key: "uuid", k: "md5(g::text)::uuid" },
  { name: "smallint", wm: "smallint", w: "((G/3) - 10)::smallint", key: "numeric(8,2)", k: "g * 0.25" },
  { name: "bigint", wm: "bigint", w: "(G/3)::bigint * 10000000000 - 3000000000000", key: "int", k: "g" },
  { name: "numeric(10,3)", wm: "numeric(10,3)", w: "(G/3) * 1.25 - 300", key: "int", k: "g" },
  { name: "numeric", wm: "numeric", w: "(G/3) * 1.250 - 2.5", key: "varchar(10)", k: `'k' || g` },
  { name: "text", wm: "text", w: `'w' || lpad((G/3)::text, 5, '0')`, key: "int", k: "g" },
  { name: "uuid", wm: "uuid", w: "lpad(to_hex(G/3), 32, '0')::uuid", key: "text", k: `'k' || g` },
  { name: "integer, no key", wm: "integer", w: "G * 2" },
];

for (const c of CASES) {
  Deno.test(`incremental ${c.name} watermark${c.key ? ` with a ${c.key} key` : ""}: COPY door = row door`, async () => {
    const sql = connect();
    const schema = await testSchema(sql, "wm");
    const name = `"${schema.name}".t`;
    const w = (g: string) => c.w.replaceAll("G", g); // G (g, unquoted) is the expressions' one variable
    try {
      const keyColumn = c.key ? `, k ${c.key} PRIMARY KEY` : "";
      await sql.unsafe(`CREATE TABLE ${name} (n int NOT NULL${keyColumn}, w ${c.wm} NOT NULL)`);
      await sql.unsafe(
        `INSERT INTO ${name} SELECT g${c.k ? `, ${c.k}` : ""}, ${c.w} FROM generate_series(1, 40) g`,
      );
      const copyOut = await tempDir(), rowsOut = await tempDir();
      const run = async (out: string, binaryCopy: boolean) =>
        (await exportTables(sql, {
          out,
          schema: schema.name,
          incremental: true,
          watermarks: { t: "w" },
          binaryCopy,
        })).tables[0].rows;
      const both = async () => {
        const rows = [await run(copyOut, true), await run(rowsOut, false)];
        const mark = await latestWatermark(copyOut, "t");
        assert.deepEqual(mark, await latestWatermark(rowsOut, "t"));
        return { rows, mark };
      };
      const first = await both();
      assert.deepEqual(first.rows, [40, 40]);
      // The decoded last tuple is exactly the row the old second query read.
      const table = await introspectTable(catalogQuery(sql), "t", { schema: schema.name });
      const since: Since = { column: "w", value: null, key: null };
      const last = new LastTuple(table, since);
      const decoder = new CopyBinaryDecoder(table, parquetLayout(table).schema, last);
      for await (
        const chunk of await sql.unsafe(copyBinaryStatement(table, schema.name, "t", since)).readable()
      ) {
        decoder.push(chunk as Uint8Array);
        while (decoder.decode(1000)) decoder.reset();
      }
      const [queried] = await sql.unsafe(lastRowQuery(table, schema.name, since));
      const expected = canonicalRow(table)(queried, 1);
      const decoded = last.row();
      assert.ok(decoded, "decoded without the fallback query");
      for (const [column, value] of Object.entries(decoded)) assert.equal(value, String(expected[column]));

      await sql.unsafe(`UPDATE ${name} SET w = ${w("(n + 60)")} WHERE n % 4 = 0`);
      const second = await both();
      assert.deepEqual(second.rows, [10, 10], "10 rows changed");
      assert.notDeepEqual(second.mark, first.mark);
      const third = await both();
      assert.deepEqual(third.rows, [0, 0]);
      assert.deepEqual(third.mark, second.mark, "an empty increment keeps the watermark");
    } finally {
      await schema.drop();
      await sql.end();
    }
  });
}

Deno.test("a nullable watermark: rows without one sort first, so both doors record the largest watermark", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "wm_null");
  const name = `"${schema.name}".t`;
  try {
    await sql.unsafe(`CREATE TABLE ${name} (id int PRIMARY KEY, w timestamptz)`);
    await sql.unsafe(`INSERT INTO ${name} SELECT g, CASE WHEN g % 3 = 0 THEN NULL
      ELSE timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute' END FROM generate_series(1, 30) g`);
    for (const binaryCopy of [true, false]) {
      const out = await tempDir();
      const run = async () =>
        (await exportTables(sql, {
          out,
          schema: schema.name,
          incremental: true,
          watermarks: { t: "w" },
          binaryCopy,
        }))
          .tables[0].rows;
      assert.equal(await run(), 30, "a first run takes every row, those without a watermark too");
      const mark = await latestWatermark(out, "t");
      assert.ok(mark?.value && mark.value !== "null", `a watermark was recorded: ${JSON.stringify(mark)}`);
      assert.ok(mark.value.startsWith("2026-01-01T00:29:00"), mark.value);
      assert.equal(await run(), 0, "nothing changed");
      await sql.unsafe(`UPDATE ${name} SET w = timestamptz '2026-02-01 00:00:00+00' WHERE id = 3`);
      assert.equal(await run(), 1, "the row that got a watermark");
      await sql.unsafe(`UPDATE ${name} SET w = NULL WHERE id = 3`);
    }
  } finally {
    await schema.drop();
    await sql.end();
  }
});
