/** The row source: every type comes out of PostgreSQL canonical, in any session time zone. */

import assert from "node:assert/strict";
import postgres from "postgres";
import { readParquet, writeParquet } from "../mod.ts";
import { connectPostgres } from "../src/postgres/connect.ts";
import { tableRows } from "../src/postgres/table_source.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, DATABASE_URL, ensurePostgis, testSchema } from "./helpers/pg.ts";

const DDL = `
CREATE TYPE mood AS ENUM ('calm', 'stormy', 'ünïcödé');
CREATE TABLE every_type (
  id integer PRIMARY KEY,
  i2 smallint, i4 integer, i8 bigint, r real, f double precision,
  exact numeric(38,10), free numeric, flag boolean, day date,
  at timestamp, at_tz timestamptz, doc jsonb, ref uuid, label text, feeling mood,
  location geography(Point,4326),
  tags text[], counts bigint[], prices numeric(10,2)[], moments timestamptz[]
);
INSERT INTO every_type VALUES
  (1, -32768, -2147483648, -9223372036854775808, -1.5, -1.7976931348623157e308,
   '-9999999999999999999999999999.9999999999', '-0.000000000000000000001', false, '0001-01-01',
   '1969-07-20 20:17:40.123456', '1950-06-15 12:00:00.654321+05:30',
   '{"a": [1, {"b": null, "c": [[], {}]}], "é": "日本"}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
   'naïve café — 日本語 🚀', 'ünïcödé', 'SRID=4326;POINT(-1.5 53.8)',
   '{}', '{}', '{}', '{}'),
  (2, 32767, 2147483647, 9223372036854775807, 3.25, 2.5e-300,
   '9999999999999999999999999999.9999999999', '123456789012345678901234567890.1234567890', true, '9999-12-31',
   '2026-11-25 04:05:06', '2026-11-25 23:59:59.999999-08',
   '[1, "two", 3.5, true, null]', '00000000-0000-0000-0000-000000000000',
   '', 'calm', NULL,
   '{"a", NULL, "☃"}', '{-9223372036854775808, 9223372036854775807}', '{0.10, -99999999.99}',
   '{"1900-01-01 00:00:00.000001+00", "2000-02-29 12:00:00+01"}'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL);
`;

/** What the source must yield: canonical values, exactly. */
const EXPECTED = [
  {
    id: 1,
    i2: -32768,
    i4: -2147483648,
    i8: -9223372036854775808n,
    r: -1.5,
    f: -1.7976931348623157e308,
    exact: "-9999999999999999999999999999.9999999999",
    free: "-0.000000000000000000001",
    flag: false,
    day: "0001-01-01",
    at: "1969-07-20T20:17:40.123456",
    at_tz: "1950-06-15T06:30:00.654321Z",
    doc: { a: [1, { b: null, c: [[], {}] }], "é": "日本" },
    ref: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    label: "naïve café — 日本語 🚀",
    feeling: "ünïcödé",
    location: { latitude: 53.8, longitude: -1.5 },
    tags: [],
    counts: [],
    prices: [],
    moments: [],
  },
  {
    id: 2,
    i2: 32767,
    i4: 2147483647,
    i8: 9223372036854775807n,
    r: 3.25,
    f: 2.5e-300,
    exact: "9999999999999999999999999999.9999999999",
    free: "123456789012345678901234567890.123456789",
    flag: true,
    day: "9999-12-31",
    at: "2026-11-25T04:05:06.000000",
    at_tz: "2026-11-26T07:59:59.999999Z",
    doc: [1, "two", 3.5, true, null],
    ref: "00000000-0000-0000-0000-000000000000",
    label: "",
    feeling: "calm",
    location: null,
    tags: ["a", null, "☃"],
    counts: [-9223372036854775808n, 9223372036854775807n],
    prices: ["0.10", "-99999999.99"],
    moments: ["1900-01-01T00:00:00.000001Z", "2000-02-29T11:00:00.000000Z"],
  },
  Object.fromEntries(
    ["id", "i2", "i4", "i8", "r", "f", "exact", "free", "flag", "day", "at", "at_tz", "doc", "ref", "label"]
      .concat(["feeling", "location", "tags", "counts", "prices", "moments"])
      .map((c) => [c, c === "id" ? 3 : null]),
  ),
];

async function withEveryType(
  run: (schema: string, table: Awaited<ReturnType<typeof introspectTable>>) => Promise<void>,
): Promise<void> {
  const admin = connect();
  await ensurePostgis(admin);
  const schema = await testSchema(admin, "source");
  try {
    await admin.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      await tx.unsafe(DDL);
    });
    const table = await introspectTable(catalogQuery(admin), "every_type", { schema: schema.name });
    await run(schema.name, table);
  } finally {
    await schema.drop();
    await admin.end();
  }
}

Deno.test("every type comes out of PostgreSQL canonical, and round-trips through Parquet equal", async () => {
  await withEveryType(async (_schema, table) => {
    const sql = connectPostgres({ url: DATABASE_URL });
    try {
      const rows = await Array.fromAsync(tableRows(sql, table, { batchSize: 2 }));
      rows.sort((a, b) => (a.id as number) - (b.id as number));
      assert.deepEqual(rows, EXPECTED);

      // Canonical already: the encoder takes them without validation, and validation changes nothing.
      const dir = await tempDir();
      const { location } = await writeParquet(dir, rows, { table, validate: false });
      assert.deepEqual(
        (await readParquet(location)).sort((a, b) => (a.id as number) - (b.id as number)),
        EXPECTED,
      );
      const validated = await writeParquet(dir, structuredClone(rows), { table });
      assert.deepEqual(
        (await readParquet(validated.location)).sort((a, b) => (a.id as number) - (b.id as number)),
        EXPECTED,
      );

      // DuckDB, an independent reader, sees the same extremes.
      const duck = await duckdbRows(
        `SELECT id, i8::VARCHAR AS i8, exact::VARCHAR AS exact,
                strftime("at", '%Y-%m-%dT%H:%M:%S.%f') AS "at",
                strftime(at_tz AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%f') AS at_tz, label
           FROM read_parquet(${sqlString(location)}) WHERE id < 3 ORDER BY id`,
      );
      assert.deepEqual(duck, [
        {
          id: 1,
          i8: "-9223372036854775808",
          exact: "-9999999999999999999999999999.9999999999",
          at: "1969-07-20T20:17:40.123456",
          at_tz: "1950-06-15T06:30:00.654321",
          label: "naïve café — 日本語 🚀",
        },
        {
          id: 2,
          i8: "9223372036854775807",
          exact: "9999999999999999999999999999.9999999999",
          at: "2026-11-25T04:05:06.000000",
          at_tz: "2026-11-26T07:59:59.999999",
          label: "",
        },
      ]);
    } finally {
      await sql.end();
    }
  });
});

Deno.test("a session in another time zone still yields UTC timestamps", async () => {
  await withEveryType(async (_schema, table) => {
    const sql = postgres(DATABASE_URL, {
      max: 1,
      onnotice: () => {},
      connection: { TimeZone: "Asia/Kathmandu" },
      types: { bigint: postgres.BigInt },
    });
    try {
      const rows = await Array.fromAsync(tableRows(sql as unknown as postgres.Sql, table));
      const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
      assert.equal(byId[1].at_tz, "1950-06-15T06:30:00.654321Z");
      assert.equal(byId[1].at, "1969-07-20T20:17:40.123456");
      assert.deepEqual(byId[2].moments, ["1900-01-01T00:00:00.000001Z", "2000-02-29T11:00:00.000000Z"]);
    } finally {
      await sql.end();
    }
  });
});
