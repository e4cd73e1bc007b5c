/** The newer kinds (bytea, geometry, interval, time, timetz): bad values refused, no oversized statistics, and what unmappedAsText made text. */

import assert from "node:assert/strict";
import {
  bytea,
  defineTable,
  geometry,
  int,
  interval,
  readParquet,
  time,
  timetz,
  ValidationError,
  writeParquet,
} from "../mod.ts";
import { readMetadata } from "../src/read/read_parquet.ts";
import { connectPostgres, exportTables } from "../postgres.ts";
import { tempDir } from "./helpers/files.ts";
import { DATABASE_URL } from "./helpers/pg.ts";

Deno.test("the new kinds refuse bad row values naming table, row and column, and round-trip good ones", async () => {
  const table = defineTable("kinds", {
    id: int(),
    b: bytea().nullable(),
    g: geometry({ srid: 3857 }).nullable(),
    t: time().nullable(),
    tz: timetz().nullable(),
    iv: interval().nullable(),
  });
  const point = new Uint8Array([1, 1, 0, 0, 0, ...new Uint8Array(new Float64Array([3, 4]).buffer)]);
  const good = { id: 1, b: "\\x00ff", g: point, t: "24:00", tz: "01:00:00.5-01:30", iv: "P1W" };
  const dir = await tempDir();
  const { location } = await writeParquet(dir, [good, {
    id: 2,
    b: null,
    g: null,
    t: null,
    tz: null,
    iv: null,
  }], {
    table,
  });
  assert.deepEqual((await readParquet(location))[0], {
    id: 1,
    b: new Uint8Array([0, 255]),
    g: point,
    t: "24:00:00.000000",
    tz: "02:30:00.500000Z",
    iv: "P7D",
  });
  const bad: [string, unknown, RegExp][] = [
    ["b", 12, /expected a Uint8Array/],
    ["g", new Uint8Array([1, 1, 0, 0]), /not a WKB geometry/],
    ["g", "POINT(1 2)", /expected WKB in a Uint8Array/],
    ["t", "25:00", /is not a time of day/],
    ["t", "12:00+02", /a time without time zone has no offset/],
    ["tz", "12:00", /needs an offset/],
    ["iv", "1 day", /expected an ISO-8601 duration/],
    ["iv", 5, /expected an ISO-8601 duration/],
  ];
  for (const [column, value, message] of bad) {
    const error = await writeParquet(await tempDir(), [good, { ...good, id: 2, [column]: value }], { table })
      .catch((e) => e);
    assert.ok(error instanceof ValidationError, `${column} ${String(value)}: ${error}`);
    assert.equal(error.table, "kinds");
    assert.equal(error.row, 2);
    assert.equal(error.column, column);
    assert.match(error.message, message);
  }
  const nulls = await writeParquet(await tempDir(), [{ ...good, t: null }], {
    table: defineTable("strict", { t: time() }),
  }).catch((e) => e);
  assert.ok(nulls instanceof ValidationError && nulls.column === "t", String(nulls));
});

Deno.test("bytea and geometry columns carry no min/max statistics (a 1 MiB value stays out of the footer)", async () => {
  const table = defineTable("blobs", { b: bytea(), g: geometry().nullable() });
  const { location, bytes } = await writeParquet(await tempDir(), [
    { b: new Uint8Array(1024 * 1024).fill(0xab), g: null },
    { b: new Uint8Array([0]), g: null },
  ], { table, codec: "ZSTD" });
  const metadata = await readMetadata(location);
  const stats = metadata.row_groups[0].columns.map((c) => c.meta_data?.statistics);
  assert.deepEqual(stats.map((s) => [s?.min_value, s?.max_value, s?.null_count]), [
    [undefined, undefined, 0n],
    [undefined, undefined, 2n],
  ]);
  assert.ok(bytes < 64 * 1024, `${bytes} bytes: the value is compressed once, not copied into the footer`);
});

Deno.test("unmappedAsText says which columns it made text, in one job and in parallel", async () => {
  const sql = connectPostgres({ url: DATABASE_URL, max: 3 });
  const schema = `astext_${crypto.randomUUID().slice(0, 8)}`;
  try {
    // An extension's type (hstore) is text only with the flag; a composite one exports as text without it.
    // A parallel test file may create the extension too.
    await sql`CREATE EXTENSION IF NOT EXISTS hstore`.catch(() => {});
    await sql.unsafe(`CREATE SCHEMA ${schema}; CREATE TYPE ${schema}.pair AS (a int, b text);
      CREATE TABLE ${schema}.pairs (id int PRIMARY KEY, p ${schema}.pair, t time, h hstore);
      INSERT INTO ${schema}.pairs VALUES (1, '(1,x)', '01:02', 'a=>1')`);
    const refused = await exportTables(sql, { out: await tempDir(), schema }).catch((e) => e);
    assert.match(refused.message, /Cannot map PostgreSQL type hstore .*unmappedAsText/);
    assert.equal(refused.column, "h");
    for (const jobs of [1, 2]) {
      const summary = await exportTables(sql, { out: await tempDir(), schema, unmappedAsText: true, jobs });
      assert.deepEqual(summary.asText, [{ table: "pairs", column: "h", pgType: "hstore" }], `jobs ${jobs}`);
      assert.deepEqual(await readParquet(summary.tables[0].location), [{
        id: 1,
        p: "(1,x)",
        t: "01:02:00.000000",
        h: '"a"=>"1"',
      }]);
    }
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
  }
});
