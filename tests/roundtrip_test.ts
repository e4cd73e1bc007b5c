import assert from "node:assert/strict";
import { join } from "node:path";
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
  text,
  timestamp,
  timestamptz,
  uuid,
  writeParquet,
} from "../mod.ts";
import { readMetadata } from "../src/read/read_parquet.ts";
import { parseTimestamp } from "../src/schema/values.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";

const everyType = defineTable("every_type", {
  id: uuid(),
  small: smallint(),
  num: int().nullable(),
  big: bigint(),
  wide: numeric(38, 10),
  money: numeric(8, 2).nullable(),
  mid: numeric(18, 4),
  free: numeric().nullable(),
  ratio: float(),
  single: real().nullable(),
  flag: boolean().nullable(),
  day: date().nullable(),
  local_time: timestamp().nullable(),
  zoned_time: timestamptz(),
  coarse_time: timestamptz({ unit: "millis" }).nullable(),
  doc: jsonb().nullable(),
  location: geographyPoint().nullable(),
  tags: array(text()).nullable(),
  readings: array(int().nullable()),
  status: enumOf("status", ["draft", "approved"]),
  note: text().nullable(),
});

const input = [
  {
    id: "8E0F4B9A-2C1D-4E5F-8A9B-0C1D2E3F4A5B",
    small: -32768,
    num: 2147483647,
    big: 9223372036854775807n,
    wide: "1234567890123456789012345678.0123456789",
    money: "999999.99",
    mid: "12345678901234.5678",
    free: "3.14159265358979323846264338327950288",
    ratio: 0.1,
    single: 1.5,
    flag: true,
    day: "1969-07-20",
    local_time: "1969-12-31 23:59:59.999999",
    zoned_time: "2024-02-29T23:59:59.999999+05:30",
    coarse_time: "2024-01-01T00:00:00.123456Z",
    doc: { a: [1, { b: null, c: "ünïcödé" }], n: -1.5e-10, t: true },
    location: { latitude: 90, longitude: -180 },
    tags: ["x", "", "ünï 🌍"],
    readings: [1, null, -3],
    status: "draft",
    note: 'héllo 🌍\n\ttabs and "quotes"',
  },
  {
    id: "00000000-0000-0000-0000-000000000000",
    small: 32767,
    num: -2147483648,
    big: -9223372036854775808n,
    wide: "-9999999999999999999999999999.9999999999",
    money: "-0.01",
    mid: "-0.0001",
    free: null,
    ratio: -0,
    single: null,
    flag: false,
    day: "0999-12-31",
    local_time: "1900-01-01 00:00:00",
    zoned_time: "1950-06-01 12:00:00.000001-08",
    coarse_time: null,
    doc: "just a string",
    location: { type: "Point", coordinates: [179.999999, -89.5] },
    tags: [],
    readings: [],
    status: "approved",
    note: "",
  },
  {
    id: "ffffffff-ffff-ffff-ffff-ffffffffffff",
    small: 0,
    num: null,
    big: 0n,
    wide: "0.0000000001",
    money: null,
    mid: "0",
    free: "-0.5",
    ratio: 1e308,
    single: -0.25,
    flag: null,
    day: null,
    local_time: null,
    zoned_time: "2262-04-11 23:47:16.854776Z",
    coarse_time: "1960-01-01 00:00:00.999Z",
    doc: null,
    location: null,
    tags: null,
    readings: [0],
    status: "draft",
    note: null,
  },
];

const expected = [
  {
    ...input[0],
    id: "8e0f4b9a-2c1d-4e5f-8a9b-0c1d2e3f4a5b",
    local_time: "1969-12-31T23:59:59.999999",
    zoned_time: "2024-02-29T18:29:59.999999Z",
    coarse_time: "2024-01-01T00:00:00.123Z",
  },
  {
    ...input[1],
    mid: "-0.0001",
    local_time: "1900-01-01T00:00:00.000000",
    zoned_time: "1950-06-01T20:00:00.000001Z",
    location: { latitude: -89.5, longitude: 179.999999 },
  },
  {
    ...input[2],
    mid: "0.0000",
    zoned_time: "2262-04-11T23:47:16.854776Z",
    coarse_time: "1960-01-01T00:00:00.999Z",
  },
];

Deno.test("every column type round-trips through Parquet with hyparquet", async () => {
  const dir = await tempDir();
  const { location, rows } = await writeParquet(dir, input, { table: everyType });
  assert.equal(rows, 3);
  assert.match(location, /every_type_\d{8}_\d{6}_[0-9a-f]{8}\.parquet$/);
  assert.deepEqual(await readParquet(location), expected);
});

Deno.test("the Parquet schema keeps meaning and precision", async () => {
  const dir = await tempDir();
  const { location } = await writeParquet(dir, input, { table: everyType });
  const { schema, key_value_metadata } = await readMetadata(location);
  const byName = Object.fromEntries(schema.map((e) => [e.name, e]));
  assert.equal(byName.id.logical_type?.type, "UUID");
  assert.deepEqual(byName.wide.logical_type, { type: "DECIMAL", precision: 38, scale: 10 });
  assert.equal(byName.wide.type, "FIXED_LEN_BYTE_ARRAY");
  assert.equal(byName.money.type, "INT32");
  assert.equal(byName.mid.type, "INT64");
  assert.deepEqual(byName.local_time.logical_type, {
    type: "TIMESTAMP",
    isAdjustedToUTC: false,
    unit: "MICROS",
  });
  assert.deepEqual(byName.zoned_time.logical_type, {
    type: "TIMESTAMP",
    isAdjustedToUTC: true,
    unit: "MICROS",
  });
  assert.deepEqual(byName.coarse_time.logical_type, {
    type: "TIMESTAMP",
    isAdjustedToUTC: true,
    unit: "MILLIS",
  });
  assert.equal(byName.day.converted_type, "DATE");
  assert.equal(byName.doc.logical_type?.type, "JSON");
  assert.equal(byName.tags.converted_type, "LIST");
  assert.equal(byName.big.type, "INT64");
  assert.equal(byName.location_latitude.type, "DOUBLE");
  assert.equal(byName.location_longitude.type, "DOUBLE");
  assert.equal(byName.id.repetition_type, "REQUIRED");
  assert.equal(byName.num.repetition_type, "OPTIONAL");
  const recorded = key_value_metadata?.find((kv) => kv.key === "parquet_storage.table");
  assert.equal(JSON.parse(recorded!.value!).name, "every_type");
});

Deno.test("DuckDB reads every column type with the same values", async () => {
  const dir = await tempDir();
  const { location } = await writeParquet(dir, input, { table: everyType });
  const rows = await duckdbRows(`
    SET TimeZone = 'UTC';
    SELECT id::VARCHAR AS id, small, num, big::VARCHAR AS big, wide::VARCHAR AS wide, money::VARCHAR AS money,
      mid::VARCHAR AS mid, free, ratio, single, flag, day::VARCHAR AS day,
      epoch_us(local_time)::VARCHAR AS local_time, epoch_us(zoned_time)::VARCHAR AS zoned_time,
      epoch_us(coarse_time)::VARCHAR AS coarse_time, doc::VARCHAR AS doc, location_latitude AS latitude, location_longitude AS longitude,
      to_json(tags)::VARCHAR AS tags, to_json(readings)::VARCHAR AS readings, status, note,
      typeof(zoned_time) AS zoned_type, typeof(local_time) AS local_type, typeof(id) AS id_type
    FROM read_parquet(${sqlString(location)})`);
  assert.equal(rows.length, 3);
  rows.forEach((row, i) => {
    const want = expected[i];
    const micros = (value: string | null, zone: boolean) =>
      value === null ? null : String(parseTimestamp(value, zone));
    assert.equal(row.id, want.id);
    assert.equal(row.small, want.small);
    assert.equal(row.num, want.num);
    assert.equal(row.big, String(want.big));
    assert.equal(row.wide, want.wide);
    assert.equal(row.money, want.money);
    assert.equal(row.mid, want.mid);
    assert.equal(row.free, want.free);
    assert.equal(row.ratio, want.ratio);
    assert.equal(row.single, want.single);
    assert.equal(row.flag, want.flag);
    assert.equal(row.day, want.day);
    assert.equal(row.local_time, micros(want.local_time, false));
    assert.equal(row.zoned_time, micros(want.zoned_time, true));
    assert.equal(row.coarse_time, micros(want.coarse_time, true));
    assert.deepEqual(row.doc === null ? null : JSON.parse(row.doc as string), want.doc);
    assert.equal(row.latitude, want.location?.latitude ?? null);
    assert.equal(row.longitude, want.location?.longitude ?? null);
    assert.deepEqual(row.tags === null ? null : JSON.parse(row.tags as string), want.tags);
    assert.deepEqual(JSON.parse(row.readings as string), want.readings);
    assert.equal(row.status, want.status);
    assert.equal(row.note, want.note);
    assert.equal(row.zoned_type, "TIMESTAMP WITH TIME ZONE");
    assert.equal(row.local_type, "TIMESTAMP");
    assert.equal(row.id_type, "UUID");
  });
});

Deno.test("two points in one table get prefixed coordinate columns", async () => {
  const trip = defineTable("trip", { start: geographyPoint(), finish: geographyPoint().nullable() });
  const dir = await tempDir();
  const rows = [{ start: { latitude: 1, longitude: 2 }, finish: null }];
  const { location } = await writeParquet(join(dir, "trip.parquet"), rows, { table: trip });
  const duck = await duckdbRows(`SELECT * FROM read_parquet(${sqlString(location)})`);
  assert.deepEqual(duck, [{
    start_latitude: 1,
    start_longitude: 2,
    finish_latitude: null,
    finish_longitude: null,
  }]);
  assert.deepEqual(await readParquet(location), rows);
});

Deno.test("a stream of zero rows gives a valid file with the full schema", async () => {
  const dir = await tempDir();
  const { location, rows } = await writeParquet(dir, [], { table: everyType });
  assert.equal(rows, 0);
  assert.deepEqual(await readParquet(location), []);
  const columns = await duckdbRows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(location)})`);
  assert.equal(columns.length, 22); // 21 columns, the point as two
  const count = await duckdbRows(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(location)})`);
  assert.deepEqual(count, [{ n: 0 }]);
});
