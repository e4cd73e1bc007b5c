/**
 * The one-pass checks (the fast pass of the built-in kinds, and the writers that check values as they
 * write them) against Valibot: the same outputs, the same refusals, the same ValidationError.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import {
  array,
  bigint,
  boolean,
  date,
  defineTable,
  enumOf,
  float,
  geographyPoint,
  int,
  jsonb,
  numeric,
  real,
  smallint,
  text,
  timestamp,
  timestamptz,
  uuid,
  ValidateStream,
  ValidationError,
  writeParquet,
} from "../mod.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { validationError } from "../src/streams/validate_stream.ts";
Deno.test("the fast pass outputs what Valibot outputs, and refuses what Valibot refuses, with Valibot's issues", async () => {
  const table = defineTable("every", {
    a: int().nullable(),
    b: text(),
    c: numeric(8, 2),
    d: date(),
    e: timestamptz(),
    f: timestamp({ unit: "millis" }),
    g: uuid(),
    h: array(int().nullable()),
    i: float().nullable(),
    j: enumOf("pq", ["p", "q"]),
    k: bigint().nullable(),
    l: geographyPoint().nullable(),
    m: jsonb().nullable(),
    n: boolean(),
    o: smallint(),
    r: real(),
    u: numeric(),
  });
  const base = {
    b: "x",
    c: "1.50",
    d: "2024-02-29",
    e: "2024-01-01T00:00:00.000001Z",
    f: "2024-01-01T00:00:00.123",
    g: "8e0f4b9a-2c1d-4e5f-8a9b-0c1d2e3f4a5b",
    h: [1, null],
    j: "p",
    k: 5n,
    l: { latitude: 1, longitude: 2 },
    m: { a: [1, "x"] },
    n: true,
    o: -3,
    r: 0.5,
    u: "1.2500",
  };
  const variants: Record<string, unknown>[] = [
    {},
    { a: 1, i: 0.5 },
    { i: NaN },
    { c: 1.5 },
    { c: "01.50" },
    { c: "-0.00" },
    { c: "-12.30" },
    { c: "123456.78" },
    { c: "1234567.8" },
    { c: "1.234" },
    { d: "2023-02-29" },
    { d: new Date(0) },
    { e: "2024-01-01 00:00:00+02" },
    { e: "2024-01-01T00:00:00Z" },
    { e: 5n },
    { f: new Date(1) },
    { f: "2024-01-01T00:00:00.123456" },
    { g: "8E0F4B9A-2C1D-4E5F-8A9B-0C1D2E3F4A5B" },
    { g: "8e0f4b9a2c1d4e5f8a9b0c1d2e3f4a5b" },
    { g: "8e0f4b9a-2c1d-4e5f-8a9b-0c1d2e3f4a5x" },
    { h: [1.5] },
    { h: [2 ** 31] },
    { h: "1" },
    { x: 1 },
    { j: "z" },
    { k: 2 },
    { k: "12" },
    { l: { type: "Point", coordinates: [1, 2] } },
    { l: { latitude: 91, longitude: 0 } },
    { m: undefined },
    { n: 1 },
    { b: undefined },
    { o: 40_000 },
    { u: 1.5 },
  ];
  for (const variant of variants) {
    const row = { ...base, ...variant };
    const label = Deno.inspect(variant);
    const expected = v.safeParse(table, row);
    const got = await Array.fromAsync(ReadableStream.from([row]).pipeThrough(new ValidateStream(table))).then(
      (rows) => ({ rows }),
      (error) => ({ error }),
    );
    if (expected.success) {
      assert.deepEqual("rows" in got ? got.rows : got.error, [expected.output], label);
    } else {
      assert.ok("error" in got && got.error instanceof ValidationError, label);
      assert.equal(got.error.message, validationError("every", 1, expected.issues).message, label);
    }
  }
});
Deno.test("writeParquet refuses a bad row with ValidateStream's own error, whichever check finds it", async () => {
  // writeParquet checks most kinds as it writes them; the error must be the one ValidateStream gives.
  const table = defineTable("checked", {
    id: uuid(),
    n: int(),
    d: numeric(8, 2),
    t: text(),
    at: timestamptz(),
    x: float(),
    ok: boolean(),
    j: jsonb(),
    label: text().nullable(),
  });
  const good = {
    id: "0b9e5a8e-6d1c-4b8e-9f3a-2c1d0e9f8a7b",
    n: 1,
    d: "1.25",
    t: "a",
    at: "2026-11-25T04:05:06.000000Z",
    x: 1.5,
    ok: true,
    j: { a: 1 },
    label: null,
  };
  const bad: Record<string, unknown>[] = [
    { id: "not-a-uuid" },
    { id: "0b9e5a8e-6d1c-4b8e-9f3a-2c1d0e9f8a7z" },
    { n: 1.5 },
    { d: "1.234" },
    { t: 5 },
    { t: "a\uD800" },
    { at: "yesterday" },
    { x: "1" },
    { ok: "yes" },
    { j: () => 1 },
    { n: null },
    { extra: 1 },
  ];
  for (const change of bad) {
    const rows = [good, { ...good, ...change }, good];
    const expected = await Array.fromAsync(ReadableStream.from(rows).pipeThrough(new ValidateStream(table)))
      .then(
        () => assert.fail(`ValidateStream should refuse ${JSON.stringify(Object.keys(change))}`),
        (e) => e,
      );
    const dir = await tempDir();
    const error = await writeParquet(dir, rows, { table }).then(
      () => assert.fail(`writeParquet should refuse ${JSON.stringify(Object.keys(change))}`),
      (e) => e,
    );
    assert.ok(error instanceof ValidationError, `${error}`);
    assert.deepEqual(
      [error.table, error.row, error.column, error.message, error.issues],
      [expected.table, expected.row, expected.column, expected.message, expected.issues],
    );
    assert.deepEqual(await allFiles(dir), []);
  }
  // Missing a column that is not nullable.
  const { n: _n, ...missing } = good;
  const error = await writeParquet(await tempDir(), [missing], { table }).catch((e) => e);
  assert.deepEqual([error.row, error.column], [1, "n"]);
});
