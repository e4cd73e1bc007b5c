/**
 * One encoder, two doors: the same PostgreSQL table written through rows (SELECT → ValidateStream →
 * EncodeStream) and through binary COPY (copyBinaryToParquet) reads back identically in hyparquet and
 * DuckDB, NULLs included (scalars, 1-D arrays with NULL elements, geography and native points); bad input
 * gives the same ValidationError (table, row, column) on both doors.
 */

import assert from "node:assert/strict";
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
  readParquet,
  real,
  smallint,
  type TableDefinition,
  text,
  timestamp,
  timestamptz,
  uuid,
  ValidationError,
  writeParquet,
} from "../mod.ts";
import { copyBinaryStatement } from "../src/postgres/copy_binary.ts";
import { copyBinaryToParquet } from "../src/export/copy_to_parquet.ts";
import { openCopy } from "../src/postgres/copy_out.ts";
import { selectList } from "../src/postgres/read_sql.ts";
import { catalogQuery, connect, ensurePostgis, testSchema } from "./helpers/pg.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";

const sql = connect();

function kinds(name: string, overrides: Partial<TableDefinition["columns"]> = {}) {
  return defineTable(name, {
    id: int(),
    s: smallint().nullable(),
    b: bigint().nullable(),
    r: real().nullable(),
    f: float().nullable(),
    ok: boolean().nullable(),
    d: date().nullable(),
    ts: timestamp().nullable(),
    tz: timestamptz().nullable(),
    ms: timestamptz({ unit: "millis" }).nullable(),
    t: text().nullable(),
    e: enumOf("mood", ["calm", "wild"]).nullable(),
    j: jsonb().nullable(),
    u: uuid().nullable(),
    n: numeric(8, 2).nullable(),
    n18: numeric(18, 4).nullable(),
    n30: numeric(30, 6).nullable(),
    free: numeric().nullable(),
    ...overrides,
  });
}

const DDL = (schema: string) => `
  CREATE TYPE ${schema}.mood AS ENUM ('calm', 'wild');
  CREATE TABLE ${schema}.doors (
    id int PRIMARY KEY, s smallint, b bigint, r real, f float8, ok boolean, d date, ts timestamp,
    tz timestamptz, ms timestamptz, t text, e ${schema}.mood, j jsonb, u uuid, n numeric(8,2),
    n18 numeric(18,4), n30 numeric(30,6), free numeric);
  INSERT INTO ${schema}.doors
    SELECT i, (i % 300 - 150)::smallint, i::bigint * 7777777777, i / 8.0, i / 3.0, i % 2 = 0,
      date '2020-02-28' + i, timestamp '1999-12-31 23:59:59.999999' + i * interval '1.000001 second',
      timestamptz '2026-11-25 04:05:06.5+00' + i * interval '1 minute',
      timestamptz '1969-12-31 23:59:59.9995+00' + i * interval '1 microsecond',
      'text ' || i || ' é 漢字', (ARRAY['calm','wild']::${schema}.mood[])[1 + i % 2],
      jsonb_build_object('i', i, 'list', jsonb_build_array(1, 'x y', null)), md5(i::text)::uuid,
      (i % 10000) / 7.0, i * 12345.6789, -i * 123456789012345.123456, i / 16.0
    FROM generate_series(1, 300) AS i;
  INSERT INTO ${schema}.doors (id) VALUES (301), (302);`;

async function viaRows(table: TableDefinition, schema: string, from = "doors"): Promise<Uint8Array> {
  const rows = await sql.unsafe(`SELECT ${selectList(table)} FROM ${schema}.${from} ORDER BY id`);
  const dir = await tempDir();
  const { location } = await writeParquet(dir, rows, { table, rowGroupSize: 100 });
  return await Deno.readFile(location);
}

async function viaCopy(table: TableDefinition, schema: string, from = "doors"): Promise<Uint8Array> {
  const statement = copyBinaryStatement(table, schema, from).replace(
    ") TO STDOUT",
    " ORDER BY id) TO STDOUT",
  );
  const copy = await openCopy(sql.unsafe(statement));
  try {
    return await new Response(copyBinaryToParquet(copy.chunks, table, { rowGroupSize: 100 }).stream).bytes();
  } finally {
    await copy.end();
  }
}

async function duck(bytes: Uint8Array) {
  const path = `${await tempDir()}/f.parquet`;
  await Deno.writeFile(path, bytes);
  return await duckdbRows(`SELECT * FROM read_parquet(${sqlString(path)}) ORDER BY id`);
}

Deno.test({
  name: "two doors",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const schema = await testSchema(sql, "doors");
    try {
      await sql.unsafe(DDL(schema.name));
      const table = kinds("doors");
      const rows = await viaRows(table, schema.name);
      const copy = await viaCopy(table, schema.name);

      await t.step("every kind, NULLs included, reads back the same in hyparquet and DuckDB", async () => {
        const fromRows = await readParquet(rows), fromCopy = await readParquet(copy);
        assert.equal(fromRows.length, 302);
        assert.deepEqual(fromCopy, fromRows);
        const duckRows = await duck(rows), duckCopy = await duck(copy);
        assert.deepEqual(duckCopy, duckRows);
        assert.equal(duckRows[301].t, null);
        assert.equal(duckRows[0].n30, "-123456789012345.123456");
      });

      await t.step(
        "bad input gives the same ValidationError (table, row, column) on both doors",
        async () => {
          // The definition says NOT NULL where the database has NULLs (rows 301 and 302).
          const strict = kinds("doors", { t: text() });
          const errors = await Promise.all(
            [viaRows(strict, schema.name), viaCopy(strict, schema.name)].map((p) =>
              p.then(() => assert.fail("should fail"), (error) => error)
            ),
          );
          for (const error of errors) {
            assert.ok(error instanceof ValidationError, String(error));
            assert.deepEqual([error.table, error.row, error.column], ["doors", 301, "t"]);
          }
        },
      );
    } finally {
      await schema.drop();
    }
  },
});

/** The shapes table as introspected (its `flat` column is PostgreSQL's own point), with overrides. */
async function shapes(schema: string, overrides: TableDefinition["columns"] = {}) {
  const table = await introspectTable(catalogQuery(sql), "shapes", { schema });
  return defineTable("shapes", { ...table.columns, ...overrides });
}

const SHAPES_DDL = (schema: string) => `
  CREATE TYPE ${schema}.mood AS ENUM ('calm', 'wild');
  CREATE TABLE ${schema}.shapes (
    id int PRIMARY KEY, tags text[], counts int[], days date[], moods ${schema}.mood[], big bigint[],
    at geography(Point,4326), near geometry(Point,4326), flat point);
  INSERT INTO ${schema}.shapes
    SELECT i,
      CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN '{}'::text[] ELSE ARRAY['a' || i, NULL, 'é 漢字'] END,
      CASE WHEN i % 5 = 0 THEN NULL ELSE ARRAY[i, NULL, -i, 2147483647] END,
      ARRAY[date '2020-02-28' + i],
      ARRAY['wild', NULL, 'calm']::${schema}.mood[],
      ARRAY[i::bigint * 7777777777],
      ST_SetSRID(ST_MakePoint(-1.5 + i / 1000.0, 53.8 - i / 1000.0), 4326)::geography,
      CASE WHEN i % 3 = 0 THEN NULL ELSE ST_SetSRID(ST_MakePoint(179.5, -89.25 + i / 100.0), 4326) END,
      point(10.25 + i / 4.0, -45.5)
    FROM generate_series(1, 250) AS i;
  INSERT INTO ${schema}.shapes (id) VALUES (251);`;

Deno.test({
  name: "two doors: arrays with NULL elements and points",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await ensurePostgis(sql);
    const schema = await testSchema(sql, "shapes");
    try {
      await sql.unsafe(SHAPES_DDL(schema.name));
      const table = await shapes(schema.name);
      const rows = await viaRows(table, schema.name, "shapes");
      const copy = await viaCopy(table, schema.name, "shapes");

      await t.step("they read back the same in hyparquet and DuckDB", async () => {
        const fromRows = await readParquet(rows), fromCopy = await readParquet(copy);
        assert.equal(fromRows.length, 251);
        assert.deepEqual(fromCopy, fromRows);
        assert.deepEqual(fromCopy[1].tags, ["a2", null, "é 漢字"]);
        assert.deepEqual(fromCopy[0].tags, []);
        assert.equal(fromCopy[3].tags, null);
        assert.deepEqual(fromCopy[0].counts, [1, null, -1, 2147483647]);
        assert.deepEqual(fromCopy[0].at, { latitude: 53.799, longitude: -1.499 });
        assert.deepEqual(fromCopy[0].flat, { latitude: -45.5, longitude: 10.5 });
        assert.equal(fromCopy[250].at, null);
        const duckRows = await duck(rows), duckCopy = await duck(copy);
        assert.deepEqual(duckCopy, duckRows);
        assert.equal(duckCopy[0].at_latitude, 53.799);
      });

      await t.step(
        "a NULL element where the definition allows none: the same error on both doors",
        async () => {
          const strict = await shapes(schema.name, { counts: array(int()).nullable() });
          const errors = await Promise.all(
            [viaRows(strict, schema.name, "shapes"), viaCopy(strict, schema.name, "shapes")].map((p) =>
              p.then(() => assert.fail("should fail"), (error) => error)
            ),
          );
          for (const error of errors) {
            assert.ok(error instanceof ValidationError, String(error));
            assert.deepEqual([error.table, error.row, error.column], ["shapes", 1, "counts"]);
          }
        },
      );

      await t.step(
        "a NULL point where the definition allows none: the same error on both doors",
        async () => {
          const strict = await shapes(schema.name, { near: geographyPoint() });
          const errors = await Promise.all(
            [viaRows(strict, schema.name, "shapes"), viaCopy(strict, schema.name, "shapes")].map((p) =>
              p.then(() => assert.fail("should fail"), (error) => error)
            ),
          );
          for (const error of errors) {
            assert.ok(error instanceof ValidationError, String(error));
            assert.deepEqual([error.table, error.row, error.column], ["shapes", 3, "near"]);
          }
        },
      );
    } finally {
      await schema.drop();
    }
  },
});

Deno.test({
  name: "two doors: close the pool",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => sql.end(),
});
