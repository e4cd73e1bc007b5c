/** Introspection of the PostgreSQL catalog: every supported type, unmapped types, listTables, views and keys. */

import assert from "node:assert/strict";
import { join } from "node:path";
import * as v from "valibot";
import {
  array,
  bigint,
  boolean,
  date,
  defineTable,
  EncodeStream,
  enumOf,
  float,
  geographyPoint,
  geometry,
  int,
  jsonb,
  numeric,
  readParquet,
  real,
  SchemaError,
  smallint,
  text,
  timestamp,
  timestamptz,
  uuid,
  ValidateStream,
} from "../mod.ts";
import { SourceError } from "../postgres.ts";
import { introspectColumns, introspectTable, listTables, selectList } from "../postgres.ts";
import { LocalFileSink } from "../src/sinks/local_sink.ts";
import { tableSpec } from "../src/schema/table.ts";
import { tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, ensurePostgis, testSchema } from "./helpers/pg.ts";

const MOODS = ["sad", "ok", "happy ☺", 'say "hi"'] as const;

const DDL = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy ☺', 'say "hi"');
CREATE DOMAIN depth AS numeric(7,2) NOT NULL CHECK (VALUE >= 0);
CREATE TABLE every_type (
  id uuid,
  code varchar(20) NOT NULL,
  fixed char(3),
  note text,
  label citext,
  small smallint NOT NULL,
  num integer,
  big bigint,
  single real,
  ratio double precision NOT NULL,
  money numeric(12,2) NOT NULL,
  wide numeric(38,10),
  huge numeric(50,5),
  free numeric,
  flag boolean,
  day date,
  local_time timestamp(3),
  zoned_time timestamptz NOT NULL,
  doc json,
  docb jsonb NOT NULL,
  location geography(Point,4326),
  grid geometry(Point,27700),
  tags text[] NOT NULL,
  readings int8[],
  amounts numeric(8,3)[],
  moods mood[],
  feeling mood NOT NULL,
  depth depth,
  PRIMARY KEY (big, id)
);`;

// The same table, written by hand. PostgreSQL cannot forbid NULL array elements, so elements are nullable.
const expected = defineTable("every_type", {
  id: uuid(),
  code: text(),
  fixed: text().nullable(),
  note: text().nullable(),
  label: text().nullable(),
  small: smallint(),
  num: int().nullable(),
  big: bigint(),
  single: real().nullable(),
  ratio: float(),
  money: numeric(12, 2),
  wide: numeric(38, 10).nullable(),
  huge: numeric().nullable(), // beyond Parquet DECIMAL's 38 digits: exact text
  free: numeric().nullable(),
  flag: boolean().nullable(),
  day: date().nullable(),
  local_time: timestamp().nullable(),
  zoned_time: timestamptz(),
  doc: jsonb().nullable(),
  docb: jsonb(),
  location: geographyPoint().nullable(),
  grid: geometry({ srid: 27700 }).nullable(), // not WGS 84: WKB in its own CRS, never reprojected
  tags: array(text().nullable()),
  readings: array(bigint().nullable()).nullable(),
  amounts: array(numeric(8, 3).nullable()).nullable(),
  moods: array(enumOf("mood", MOODS).nullable()).nullable(),
  feeling: enumOf("mood", MOODS),
  depth: numeric(7, 2),
}, { primaryKey: ["big", "id"] });

const INSERT = `
INSERT INTO every_type VALUES
  ('8E0F4B9A-2C1D-4E5F-8A9B-0C1D2E3F4A5B', 'BH-01', 'ab', 'ünïcödé 🌍 "quoted"', 'MiXeD', -32768, 2147483647,
   9223372036854775807, 1.5, 0.1, 9999999999.99, 1234567890123456789012345678.0123456789,
   123456789012345678901234567890123456789012345.12345, 3.14159265358979323846264338327950288, true,
   '1969-07-20', '1969-12-31 23:59:59.999', '2024-02-29 23:59:59.999999+05:30', '{"b": 1, "a": [1, 2]}',
   '{"n": -1.5e-10, "s": "ü"}', 'SRID=4326;POINT(-1.5491 53.8008)', 'SRID=27700;POINT(530047 180422)',
   '{x,"",NULL,"ünï 🌍"}', '{9223372036854775807,NULL,-9223372036854775808}', '{1.5,NULL,-0.001}',
   '{sad,"happy ☺",NULL}', 'say "hi"', 0.5),
  ('00000000-0000-0000-0000-000000000000', 'BH-02', NULL, NULL, NULL, 32767, NULL, -1, NULL, -1e308, -0.01,
   NULL, NULL, NULL, NULL, NULL, NULL, '1970-01-01 00:00:00+00', NULL, '[]', NULL, NULL, '{}', NULL, NULL,
   NULL, 'sad', 12.3);`;

Deno.test("introspection: every supported type gives the hand-written definition, and canonical values", async (t) => {
  const sql = connect();
  await ensurePostgis(sql);
  await sql`CREATE EXTENSION IF NOT EXISTS citext`.catch(() => {}); // a parallel creator may win the race
  const schema = await testSchema(sql, "introspect");
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      await tx.unsafe(DDL.replace("label citext", "label public.citext") + INSERT);
    });
    const query = catalogQuery(sql);
    const table = await introspectTable(query, "every_type", {
      schema: schema.name,
      watermark: "zoned_time",
    });

    await t.step("definition equals the hand-written one", () => {
      assert.deepEqual(tableSpec(table), tableSpec(expected));
      assert.equal(table.pgSchema, schema.name);
      assert.equal(table.watermark, "zoned_time");
    });

    const rows = await sql.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      return await tx.unsafe(`SELECT ${selectList(table)} FROM every_type ORDER BY code`);
    });
    const valid = rows.map((row) => v.parse(table, row));

    await t.step("selectList makes PostgreSQL return canonical values", () => {
      const [a, b] = valid;
      assert.equal(a.id, "8e0f4b9a-2c1d-4e5f-8a9b-0c1d2e3f4a5b");
      assert.equal(a.fixed, "ab "); // char(n) keeps the padding PostgreSQL stores (::text would drop it)
      assert.equal(a.note, 'ünïcödé 🌍 "quoted"');
      assert.equal(a.big, 9223372036854775807n);
      assert.equal(a.money, "9999999999.99");
      assert.equal(b.money, "-0.01");
      assert.equal(a.wide, "1234567890123456789012345678.0123456789");
      assert.equal(a.huge, "123456789012345678901234567890123456789012345.12345");
      assert.equal(a.free, "3.14159265358979323846264338327950288");
      assert.equal(b.ratio, -1e308);
      assert.equal(a.day, "1969-07-20");
      assert.equal(a.local_time, "1969-12-31T23:59:59.999000");
      assert.equal(a.zoned_time, "2024-02-29T18:29:59.999999Z");
      assert.equal(b.zoned_time, "1970-01-01T00:00:00.000000Z");
      assert.deepEqual(a.doc, { b: 1, a: [1, 2] });
      assert.deepEqual(a.docb, { n: -1.5e-10, s: "ü" });
      assert.deepEqual(b.docb, []);
      assert.deepEqual(a.location, { latitude: 53.8008, longitude: -1.5491 });
      const grid = new DataView((a.grid as Uint8Array).slice().buffer);
      const xy = [
        grid.getUint8(0),
        grid.getUint32(1, true),
        grid.getFloat64(5, true),
        grid.getFloat64(13, true),
      ];
      assert.deepEqual(xy, [1, 1, 530047, 180422]); // Trafalgar Square in the British National Grid
      assert.deepEqual(a.tags, ["x", "", null, "ünï 🌍"]);
      assert.deepEqual(a.readings, [9223372036854775807n, null, -9223372036854775808n]);
      assert.deepEqual(a.amounts, ["1.500", null, "-0.001"]);
      assert.deepEqual(a.moods, ["sad", "happy ☺", null]);
      assert.equal(a.feeling, 'say "hi"');
      assert.equal(a.depth, "0.50");
      assert.equal(b.location, null);
      assert.deepEqual(b.tags, []);
    });

    await t.step("introspected rows round-trip through validate, encode and a file", async () => {
      const path = join(await tempDir(), "every_type.parquet");
      await ReadableStream.from(rows).pipeThrough(new ValidateStream(table)).pipeThrough(
        new EncodeStream(table),
      )
        .pipeTo(new LocalFileSink(path));
      const back = await readParquet(path);
      assert.deepEqual(back, valid);
    });
  } finally {
    await schema.drop();
    await sql.end();
  }
});

const UNMAPPED = [ // every built-in, PostGIS and composite type has a mapping now: what no kind takes yet
  ["hstore", "'a=>1'", '"a"=>"1"'],
  ["integer[][]", "'{{1,2},{3,4}}'", "{{1,2},{3,4}}"],
  ["text[][]", "'{{a,b},{c,d}}'", "{{a,b},{c,d}}"],
] as const;

Deno.test("introspection: a type with no mapping is a SchemaError naming table, column and type; unmappedAsText reads it as text", async () => {
  const sql = connect();
  await ensurePostgis(sql); // and hstore, which a parallel test file may be creating too
  await sql`CREATE EXTENSION IF NOT EXISTS hstore`.catch(() => {});
  const schema = await testSchema(sql, "unmapped");
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      await tx.unsafe(
        `SET LOCAL lc_monetary TO 'C'; CREATE TABLE odd (id int PRIMARY KEY, ${
          UNMAPPED.map(([type], i) => `c${i} ${type}`).join(", ")
        }); INSERT INTO odd VALUES (1, ${UNMAPPED.map(([, value]) => value).join(", ")});` +
          UNMAPPED.map(([type], i) => `CREATE TABLE odd${i} (id int, c ${type});`).join(""),
      );
    });
    const query = catalogQuery(sql);
    for (const [i, [type]] of UNMAPPED.entries()) {
      const error = await introspectTable(query, `odd${i}`, { schema: schema.name }).catch((e) => e);
      assert.ok(error instanceof SchemaError, String(error));
      assert.equal(error.table, `odd${i}`);
      assert.equal(error.column, "c");
      // A type outside the search path is named with its schema.
      assert.ok(
        error.message.replace(`${schema.name}.`, "").includes(`PostgreSQL type ${type}`),
        error.message,
      );
      assert.match(error.message, /unmappedAsText/);
    }
    // Every unmapped column is recognised as such, with its declared type.
    const live = await introspectColumns(query, "odd", schema.name);
    assert.deepEqual(
      live.filter((c) => c.column === undefined).map((c) => c.pgType.replace(`${schema.name}.`, "")),
      ["hstore", "integer[][]", "text[][]"],
    );

    const table = await introspectTable(query, "odd", { schema: schema.name, unmappedAsText: true });
    assert.ok(Object.values(table.columns).slice(1).every((c) => c.spec.kind === "text" && c.spec.nullable));
    const [row] = await sql.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      await tx.unsafe("SET LOCAL lc_monetary TO 'C'");
      return await tx.unsafe(`SELECT ${selectList(table)} FROM odd`);
    });
    const valid = v.parse(table, row) as Record<string, unknown>;
    for (const [i, [, , text]] of UNMAPPED.entries()) {
      assert.equal(typeof valid[`c${i}`], "string");
      if (text !== undefined) assert.equal(valid[`c${i}`], text, `c${i}`);
    }
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("introspection: listTables, views, composite keys, and a missing table", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "listing");
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      await tx.unsafe(`
        CREATE TABLE b_table (k2 int, k1 text, v numeric(5,1), PRIMARY KEY (k1, k2));
        CREATE TABLE a_table (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
        CREATE TABLE readings (at date NOT NULL, value real) PARTITION BY RANGE (at);
        CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE VIEW b_view AS SELECT k1, v FROM b_table;`);
    });
    const query = catalogQuery(sql);
    assert.deepEqual(await listTables(query, schema.name), ["a_table", "b_table", "readings"]);
    assert.deepEqual(await listTables(query, `${schema.name}_none`), []);

    const b = await introspectTable(query, "b_table", { schema: schema.name });
    assert.deepEqual(b.primaryKey, ["k1", "k2"]);
    assert.deepEqual(tableSpec(b).columns.map((c) => [c.name, c.spec.nullable]), [
      ["k2", false],
      ["k1", false],
      ["v", true],
    ]);
    const view = await introspectTable(query, "b_view", { schema: schema.name });
    assert.deepEqual(tableSpec(view), {
      name: "b_view",
      columns: [
        { name: "k1", spec: { kind: "text", nullable: true } },
        { name: "v", spec: { kind: "numeric", nullable: true, precision: 5, scale: 1 } },
      ],
    });

    const missing = await introspectTable(query, "no_such_table", { schema: schema.name }).catch((e) => e);
    assert.ok(missing instanceof SourceError && missing.table === "no_such_table", String(missing));
    assert.deepEqual(await introspectColumns(query, "no_such_table", schema.name), []);
  } finally {
    await schema.drop();
    await sql.end();
  }
});
