/**
 * Bad input a program may hand the write path: a source that fails midway, strings no database could
 * hold. Each is refused with a typed error and leaves no file behind. And the one rule for NaN and
 * ±Infinity in float()/real() columns, through both doors (rows, and PostgreSQL's binary COPY).
 */

import assert from "node:assert/strict";
import {
  array,
  defineTable,
  float,
  int,
  readParquet,
  real,
  text,
  ValidationError,
  writeDataset,
  writeParquet,
} from "../mod.ts";
import { SourceError } from "../postgres.ts";
import { BatchWriter, readCommitted } from "../batch.ts";
import { connectPostgres, exportTables } from "../postgres.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { DATABASE_URL } from "./helpers/pg.ts";

const notes = defineTable("notes", { id: int(), body: text() });

/** A stream of `good` rows (one row group each) that then errors, as a broken upstream would. */
function failingMidway(good: number): ReadableStream<unknown> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === good) return controller.error(new Error("boom midway"));
      controller.enqueue({ id: ++sent, body: `note ${sent}` });
    },
  });
}

async function assertSourceError(write: Promise<unknown>, rowsRead: number): Promise<void> {
  const error = await write.then(() => assert.fail("the write should have failed"), (e) => e);
  assert.ok(error instanceof SourceError, `expected a SourceError, got ${error}`);
  assert.equal(error.table, "notes");
  assert.equal(error.rowsRead, rowsRead);
  assert.match(error.message, /failed after 5 row\(s\): boom midway \(table notes\)/);
  assert.equal((error.cause as Error).message, "boom midway", "the cause is kept");
}

Deno.test("a source that errors midway is a SourceError with the table and the rows read, and leaves no file", async () => {
  const dir = await tempDir();
  await assertSourceError(writeParquet(dir, failingMidway(5), { table: notes, rowGroupSize: 1 }), 5);
  await assertSourceError(
    writeDataset(`${dir}/dataset`, failingMidway(5), { table: notes, partitionBy: ["id"], rowGroupSize: 1 }),
    5,
  );
  const batch = new BatchWriter(`${dir}/batch`);
  await assertSourceError(batch.writeTable(notes, failingMidway(5), { rowGroupSize: 1 }), 5);
  assert.deepEqual(await allFiles(dir), [], "no file, not even a temporary one");
});

Deno.test("an iterator that throws midway is a SourceError too", async () => {
  const dir = await tempDir();
  function* rows() {
    for (let id = 1; id <= 5; id++) yield { id, body: "x" };
    throw new Error("boom midway");
  }
  await assertSourceError(writeParquet(dir, rows(), { table: notes }), 5);
  assert.deepEqual(await allFiles(dir), []);
});

Deno.test("a lone UTF-16 surrogate is a ValidationError naming table, row and column, never U+FFFD", async () => {
  const tags = defineTable("notes", { id: int(), body: text(), tags: array(text()) });
  for (const validate of [true, false]) {
    for (
      const [bad, column] of [[{ body: "a\uD800b", tags: [] }, "body"], [
        { body: "x", tags: ["\uDC00"] },
        "tags",
      ]]
    ) {
      const dir = await tempDir();
      const rows = [{ id: 1, body: "fine \u{1F600}", tags: ["\u{1F600}"] }, { id: 2, ...bad as object }];
      const error = await writeParquet(dir, rows, { table: tags, validate }).then(
        () => assert.fail("a lone surrogate must be refused"),
        (e) => e,
      );
      assert.ok(error instanceof ValidationError, `${error}`);
      assert.equal(error.table, "notes");
      assert.equal(error.row, 2);
      assert.equal(error.column, column);
      assert.match(
        error.message,
        /lone UTF-16 surrogate \(\\u(D800|DC00)\) at index (1|0) is not valid Unicode/,
      );
      assert.deepEqual(await allFiles(dir), []);
    }
  }
  // A surrogate pair is one character, and round-trips.
  const dir = await tempDir();
  const { location } = await writeParquet(dir, [{ id: 1, body: "\u{1F600}", tags: ["\u{1F600}"] }], {
    table: tags,
  });
  assert.deepEqual(await readParquet(location), [{ id: 1, body: "\u{1F600}", tags: ["\u{1F600}"] }]);
});

// The rule: float() and real() take every IEEE 754 value, NaN and ±Infinity included, as PostgreSQL's
// float8/float4 and Parquet's DOUBLE/FLOAT do; only a finite value too large for float4 is refused by real().
const specials = [Number.NaN, Infinity, -Infinity, 1.5];
const floats = defineTable("floats", { id: int(), d: float(), r: real() });

async function assertSpecials(location: string, rows: Record<string, unknown>[]): Promise<void> {
  const sorted = rows.toSorted((a, b) => Number(a.id) - Number(b.id));
  for (const [i, expected] of specials.entries()) {
    assert.ok(Object.is(sorted[i].d, expected), `float ${expected}: read ${sorted[i].d}`);
    assert.ok(Object.is(sorted[i].r, expected), `real ${expected}: read ${sorted[i].r}`);
  }
  const duck = await duckdbRows(
    `SELECT id, CAST(d AS VARCHAR) AS d, CAST(r AS VARCHAR) AS r FROM read_parquet(${
      sqlString(location)
    }) ORDER BY id`,
  );
  assert.deepEqual(duck.map((r) => [r.d, r.r]), [["nan", "nan"], ["inf", "inf"], ["-inf", "-inf"], [
    "1.5",
    "1.5",
  ]]);
}

Deno.test("NaN and ±Infinity: accepted in float() and real() rows, read back by hyparquet and DuckDB", async () => {
  const dir = await tempDir();
  const rows = specials.map((value, i) => ({ id: i + 1, d: value, r: value }));
  const { location } = await writeParquet(dir, rows, { table: floats });
  await assertSpecials(location, await readParquet(location));
  const error = await writeParquet(dir, [{ id: 1, d: 1e39, r: 1e39 }], { table: floats }).then(
    () => assert.fail("1e39 does not fit a real"),
    (e) => e,
  );
  assert.ok(error instanceof ValidationError);
  assert.equal(error.column, "r");
  assert.match(error.message, /1e\+39 is out of range for real/);
  await assert.rejects(
    writeParquet(dir, [{ id: 1, d: "1", r: 1 }], { table: floats }),
    /Expected number but received "1"/,
  );
});

Deno.test("NaN and ±Infinity: exported from PostgreSQL through binary COPY and the row path alike", async () => {
  const sql = connectPostgres({ url: DATABASE_URL, max: 2 });
  const schema = `floats_${crypto.randomUUID().slice(0, 8)}`;
  try {
    await sql.unsafe(`CREATE SCHEMA ${schema}`);
    await sql.unsafe(`CREATE TABLE ${schema}.floats (id int, d float8, r real);
      INSERT INTO ${schema}.floats VALUES (1, 'NaN', 'NaN'), (2, 'Infinity', 'Infinity'),
        (3, '-Infinity', '-Infinity'), (4, 1.5, 1.5)`);
    for (const binaryCopy of [true, false]) {
      const out = await tempDir();
      const summary = await exportTables(sql, { out, schema, tables: ["floats"], binaryCopy });
      assert.equal(summary.tables[0].rows, 4);
      await assertSpecials(summary.tables[0].location, await readCommitted(out, "floats"));
    }
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
  }
});
