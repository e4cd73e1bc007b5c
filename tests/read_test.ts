import assert from "node:assert/strict";
import { join } from "node:path";
import {
  defineTable,
  geographyPoint,
  int,
  numeric,
  ReadError,
  readParquet,
  text,
  timestamptz,
  writeParquet,
} from "../mod.ts";
import { readParquetStream } from "../read.ts";
import { tempDir } from "./helpers/files.ts";

const table = defineTable("samples", {
  id: int(),
  depth: numeric(10, 3),
  taken_at: timestamptz(),
  site: text().nullable(),
  location: geographyPoint().nullable(),
});
const rows = Array.from({ length: 1000 }, (_, i) => ({
  id: i,
  depth: (i / 8).toFixed(3),
  taken_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace("Z", "123Z"),
  site: i % 3 ? `site-${i % 3}` : null,
  location: i % 2 ? { latitude: 50 + i / 1000, longitude: -1 } : null,
}));

async function written() {
  const dir = await tempDir();
  const { location } = await writeParquet(dir, rows, { table, rowGroupSize: 100 });
  return location;
}

Deno.test("columns are selected by table name, a point as one column", async () => {
  const back = await readParquet(await written(), { columns: ["id", "location"] });
  assert.deepEqual(back[1], { id: 1, location: { latitude: 50.001, longitude: -1 } });
  assert.deepEqual(Object.keys(back[0]), ["id", "location"]);
});

Deno.test("a range filter on a sorted column prunes row groups before decoding", async () => {
  const groups: { skipped: boolean }[] = [];
  const back = await readParquet(await written(), {
    filters: { id: { $gte: 250, $lt: 260 } },
    onRowGroup: (g) => void groups.push(g),
  });
  assert.deepEqual(back.map((r) => r.id), Array.from({ length: 10 }, (_, i) => 250 + i));
  assert.equal(groups.length, 10);
  assert.equal(groups.filter((g) => !g.skipped).length, 1, "only the row group holding 250..259 is read");
});

Deno.test("filters compare exact decimals and microsecond timestamps as rows carry them", async () => {
  const location = await written();
  const groups: { skipped: boolean }[] = [];
  const byDepth = await readParquet(location, {
    filters: { depth: { $gt: "124.5" } },
    onRowGroup: (g) => void groups.push(g),
  });
  assert.deepEqual(byDepth.map((r) => r.id), Array.from({ length: 3 }, (_, i) => 997 + i));
  assert.equal(groups.filter((g) => !g.skipped).length, 1);
  const byTime = await readParquet(location, {
    filters: { taken_at: "2026-01-01 02:02:00.000123+02" },
  });
  assert.deepEqual(byTime.map((r) => r.id), [2]);
  const byDate = await readParquet(location, {
    filters: { taken_at: { $lt: new Date(Date.UTC(2026, 0, 1, 0, 1)) } },
  });
  assert.deepEqual(byDate.map((r) => r.id), [0]);
});

Deno.test("$in, $ne, $or, null equality and point coordinates", async () => {
  const location = await written();
  assert.deepEqual((await readParquet(location, { filters: { id: { $in: [5, 7] } } })).map((r) => r.id), [
    5,
    7,
  ]);
  const nulls = await readParquet(location, { filters: { site: null, id: { $lt: 10 } } });
  assert.deepEqual(nulls.map((r) => r.id), [0, 3, 6, 9]);
  const either = await readParquet(location, { filters: { $or: [{ id: 1 }, { id: 998 }] } });
  assert.deepEqual(either.map((r) => r.id), [1, 998]);
  const north = await readParquet(location, { filters: { location_latitude: { $gt: 50.997 } } });
  assert.deepEqual(north.map((r) => r.id), [999]);
  const notSite1 = await readParquet(location, { filters: { site: { $ne: "site-1" }, id: { $lt: 6 } } });
  assert.deepEqual(notSite1.map((r) => r.id), [2, 5]);
});

Deno.test("a stream read yields the same rows, one row group at a time", async () => {
  const back = await Array.fromAsync(readParquetStream(await written()));
  assert.equal(back.length, 1000);
  assert.equal(back[999].depth, "124.875");
});

Deno.test("bad reads: unknown column, unknown operator, bad value, missing file, not Parquet", async () => {
  const location = await written();
  await assert.rejects(
    readParquet(location, { columns: ["nope"] }),
    (e) => e instanceof ReadError && e.column === "nope",
  );
  await assert.rejects(readParquet(location, { filters: { nope: 1 } }), /Unknown column in filter: "nope"/);
  await assert.rejects(
    readParquet(location, { filters: { id: { $like: 1 } } }),
    /Unknown filter operator \$like/,
  );
  await assert.rejects(readParquet(location, { filters: { depth: "deep" } }), /does not fit the column/);
  await assert.rejects(readParquet(location, { filters: 5 as never }), /A filter must be an object/);
  await assert.rejects(
    readParquet(join(location, "..", "missing.parquet")),
    /Cannot open .*missing\.parquet: ENOENT/,
  );
  await assert.rejects(
    readParquet(new TextEncoder().encode("not parquet at all")),
    /Cannot read Parquet metadata/,
  );
  await assert.rejects(readParquet(42 as never), /expected a path, an s3:\/\/ URL or bytes/);
});

Deno.test("a stream read goes on past row groups with no matching row", async () => {
  const rows = await Array.fromAsync(
    readParquetStream(await written(), { filters: { id: { $in: [5, 950] } } }),
  );
  assert.deepEqual(rows.map((r) => r.id), [5, 950]);
  const none = await Array.fromAsync(
    readParquetStream(await written(), { filters: { site: "site-1", id: 0 } }),
  );
  assert.deepEqual(none, []);
});
