import assert from "node:assert/strict";
import * as v from "valibot";
import {
  defineTable,
  int,
  numeric,
  ParquetStorageError,
  SchemaError,
  text,
  timestamp,
  timestamptz,
  uuid,
  ValidateStream,
  ValidationError,
  writeParquet,
} from "../mod.ts";
import type { InvalidRow } from "../schema.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { formatTimestamp, parseTimestamp, quickTimestamp } from "../src/schema/values.ts";

const borehole = defineTable("borehole", {
  id: uuid(),
  name: text(),
  depth_m: numeric(8, 2),
  note: text().nullable(),
});
const good = (i: number) => ({ id: crypto.randomUUID(), name: `BH-${i}`, depth_m: i, note: null });

async function failingWrite(rows: unknown, expected: { row?: number; column?: string; message?: RegExp }) {
  const dir = await tempDir();
  const error = await writeParquet(dir, rows as unknown[], { table: borehole }).then(
    () => assert.fail("the write should have failed"),
    (e) => e,
  );
  assert.ok(error instanceof ValidationError, `expected ValidationError, got ${error}`);
  if (expected.message) assert.match(error.message, expected.message);
  assert.equal(error.table, "borehole");
  if (expected.row !== undefined) assert.equal(error.row, expected.row);
  if (expected.column !== undefined) assert.equal(error.column, expected.column);
  assert.deepEqual(await allFiles(dir), [], "nothing, not even a temporary file, is left behind");
  return error;
}

Deno.test("a wrong type names table, row and column, and writes nothing", async () => {
  await failingWrite([good(1), good(2), { ...good(3), depth_m: "deep" }], {
    row: 3,
    column: "depth_m",
    message: /expected a decimal number.*table borehole, row 3, column depth_m/,
  });
});

Deno.test("a missing required column is refused", async () => {
  const { id: _, ...missing } = good(1);
  const error = await failingWrite([missing], {
    row: 1,
    column: "id",
    message: /missing column "id" \(the row lacks it\)/,
  });
  assert.doesNotMatch(error.message, /unknown column/, "the column is missing from the row, not unknown");
});

Deno.test("null in a non-null column is refused, null in a nullable one is fine", async () => {
  await failingWrite([{ ...good(1), name: null }], { row: 1, column: "name" });
  const dir = await tempDir();
  const { rows } = await writeParquet(dir, [{ ...good(1), note: null }, { ...good(2), note: undefined }], {
    table: borehole,
  });
  assert.equal(rows, 2);
});

Deno.test("an extra column is refused unless allowed, and then dropped", async () => {
  await failingWrite([{ ...good(1), colour: "red" }], {
    row: 1,
    column: "colour",
    message: /unknown column "colour"/,
  });
  const rows = await Array.fromAsync(
    ReadableStream.from([{ ...good(1), colour: "red" }]).pipeThrough(
      new ValidateStream(borehole, { allowExtraColumns: true }),
    ),
  );
  assert.equal("colour" in rows[0], false);
});

Deno.test("a row that is not an object is refused", async () => {
  for (const bad of [null, 42, "row", [1, 2]]) {
    await failingWrite([good(1), bad], { row: 2 });
  }
});

Deno.test("numeric precision and scale are enforced, never rounded", async () => {
  await failingWrite([{ ...good(1), depth_m: "1.234" }], { column: "depth_m", message: /3 fraction digits/ });
  await failingWrite([{ ...good(1), depth_m: 12345678 }], { column: "depth_m", message: /does not fit/ });
  await failingWrite([{ ...good(1), depth_m: NaN }], { column: "depth_m" });
});

Deno.test("a stream that errors midway leaves no visible file", async () => {
  const dir = await tempDir();
  let sent = 0;
  const source = new ReadableStream({
    pull(controller) {
      if (sent === 5) return controller.error(new Error("source broke"));
      controller.enqueue(good(sent++));
    },
  });
  await assert.rejects(writeParquet(dir, source, { table: borehole }), /source broke/);
  assert.deepEqual(await allFiles(dir), []);
});

Deno.test("skip drops and counts bad rows; a callback receives them", async () => {
  const dir = await tempDir();
  const rows = [good(1), { ...good(2), id: "nope" }, good(3), { ...good(4), depth_m: null }];
  const skipped = await writeParquet(dir, rows, { table: borehole, onInvalid: "skip" });
  assert.equal(skipped.rows, 2);
  assert.equal(skipped.skipped, 2);

  const seen: InvalidRow[] = [];
  const handed = await writeParquet(dir, rows, { table: borehole, onInvalid: (bad) => void seen.push(bad) });
  assert.equal(handed.rows, 2);
  assert.deepEqual(seen.map((s) => [s.row, s.error.column]), [[2, "id"], [4, "depth_m"]]);
  assert.equal(seen[0].value, rows[1]);
});

Deno.test("all issues of a row are listed, the first names the column", () => {
  const report = v.safeParse(borehole, { id: 1, name: 2, depth_m: "x" });
  assert.equal(report.success, false);
  const stream = new ValidateStream(borehole);
  assert.equal(stream.valid, 0);
});

Deno.test("timestamps: offsets refused without time zone, more than microseconds refused", () => {
  assert.throws(() => v.parse(timestamp().schema, "2024-01-01 00:00:00+02"), /without time zone/);
  assert.throws(() => v.parse(timestamptz().schema, "2024-01-01 00:00:00.1234567"), /microsecond/);
  assert.throws(() => v.parse(timestamptz().schema, "2024-02-30 00:00:00"), /not a valid/);
  assert.equal(v.parse(timestamptz().schema, new Date(Date.UTC(1960, 0, 1))), "1960-01-01T00:00:00.000000Z");
  assert.equal(v.parse(timestamptz().schema, -1n), "1969-12-31T23:59:59.999999Z");
});

Deno.test("bad options and bad declarations fail at construction with the value seen", () => {
  assert.throws(() => numeric(0), SchemaError);
  assert.throws(() => numeric(5, 6), /scale must be 0..5: current value is 6/);
  assert.throws(() => defineTable("bad\u0001name", { a: int() }), SchemaError);
  assert.throws(() => defineTable("t", {}), SchemaError);
  assert.throws(() => defineTable("t", { a: int() }, { primaryKey: ["b"] }), /Key column/);
  assert.throws(
    () => new ValidateStream(borehole, { onInvalid: "ignore" as never }),
    ParquetStorageError,
  );
});

Deno.test("writeParquet refuses a missing table and a non-iterable source", async () => {
  const dir = await tempDir();
  await assert.rejects(writeParquet(dir, [], {} as never), /without a table definition/);
  await assert.rejects(writeParquet(dir, 42 as never, { table: borehole }), /expected an array, an iterable/);
  assert.deepEqual(await allFiles(dir), []);
});

Deno.test("a column with checks of its own still runs them", async () => {
  const depth = int();
  const table = defineTable("checked", { depth: { ...depth, schema: v.pipe(depth.schema, v.minValue(0)) } });
  const error = await Array.fromAsync(
    ReadableStream.from([{ depth: 3 }, { depth: -1 }]).pipeThrough(new ValidateStream(table)),
  ).then(() => undefined, (e) => e);
  assert.ok(error instanceof ValidationError);
  assert.equal(error.row, 2);
  assert.equal(error.column, "depth");
  assert.match(error.reason, /-1/);
});

Deno.test("timestamps made canonical by string operations equal the exact parse", () => {
  const texts = [
    "2024-01-01T00:00:01+00:00",
    "2024-01-01 00:00:01.5+00",
    "2024-01-01T00:00:01.123456",
    "2024-01-01T00:00:01.1234567",
    "1969-12-31T23:59:59.9995+00:00",
    "2024-02-29 23:59:59.000001Z",
    "2024-02-30T00:00:00",
    "2024-01-01T24:00:00",
    "2024-01-01T00:00:01+02:00",
    "0001-01-01T00:00:00",
  ];
  for (const withZone of [true, false]) {
    for (const unit of ["micros", "millis"] as const) {
      const column = withZone ? timestamptz({ unit }) : timestamp({ unit });
      for (const text of texts) {
        const quick = quickTimestamp(text, withZone, unit === "micros" ? 6 : 3);
        if (quick === undefined) continue;
        const micros = parseTimestamp(text, withZone);
        assert.equal(quick, formatTimestamp(micros as bigint, withZone, unit === "micros" ? 6 : 3), text);
        assert.equal(v.parse(column.schema, text), quick, text);
      }
    }
  }
  assert.equal(quickTimestamp("2024-01-01T00:00:01+02:00", true, 6), undefined);
});
