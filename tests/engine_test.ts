import assert from "node:assert/strict";
import { join, relative } from "node:path";
import {
  defineTable,
  int,
  numeric,
  ParquetStorageEngine,
  ParquetStorageError,
  text,
  timestamptz,
  ValidationError,
} from "../mod.ts";
import { SinkError } from "../write.ts";
import { allFiles, tempDir } from "./helpers/files.ts";

const borehole = defineTable("borehole", {
  id: int(),
  name: text(),
  depth_m: numeric(8, 2).nullable(),
  at: timestamptz(),
});
const rows = [
  { id: 1, name: "BH-01", depth_m: "12.50", at: "2026-11-25T04:05:06.000001Z" },
  { id: 2, name: "BH-02", depth_m: null, at: "2026-11-25T05:05:06.000002Z" },
];

Deno.test("the facade writes an immutable file under basePath and reads it back with filters", async () => {
  const basePath = await tempDir();
  const engine = new ParquetStorageEngine({ mode: "local", basePath });
  const path = await engine.writeParquet("boreholes", rows, { schema: borehole });
  assert.match(path, new RegExp(`^${basePath}/boreholes/borehole_\\d{8}_\\d{6}_[0-9a-f]{8}\\.parquet$`));
  assert.deepEqual(await engine.readParquet(path), rows);
  assert.deepEqual(await engine.readParquet(path, { filters: { id: 2 }, columns: ["name"] }), [{
    name: "BH-02",
  }]);
  const relative = path.slice(basePath.length + 1);
  assert.equal((await engine.readParquet(relative)).length, 2);
});

Deno.test("a path the facade wrote reads back as it is under a relative basePath", async () => {
  // Below the working folder, as `data` would be: a relative path that climbs out with ".." would land
  // in the right place even when joined twice.
  const basePath = relative(Deno.cwd(), await Deno.makeTempDir({ dir: Deno.cwd(), prefix: ".engine-test-" }));
  await using _cleanup = { [Symbol.asyncDispose]: () => Deno.remove(basePath, { recursive: true }) };
  assert.ok(!basePath.startsWith("/") && !basePath.startsWith(".."), basePath);
  const engine = new ParquetStorageEngine({ mode: "local", basePath });
  const path = await engine.writeParquet("borehole", rows, { schema: borehole });
  assert.ok(path.startsWith(`${basePath}/borehole/borehole_`), path);
  assert.deepEqual(await engine.readParquet(path), rows, "the base path is applied once");
  assert.deepEqual(await engine.readParquet(path.slice(basePath.length + 1)), rows);
  const [file] = await engine.writeParquet("logs", rows, { schema: borehole, partitionCols: ["id"] });
  assert.equal((await engine.readParquet(file)).length, 1);
});

Deno.test("the facade accepts a stream and refuses to overwrite unless asked", async () => {
  const basePath = await tempDir();
  const engine = new ParquetStorageEngine({ mode: "local", basePath });
  const first = await engine.writeParquet("fixed.parquet", ReadableStream.from(rows), { schema: borehole });
  await assert.rejects(
    engine.writeParquet("fixed.parquet", rows.slice(0, 1), { schema: borehole }),
    SinkError,
  );
  assert.equal((await engine.readParquet(first)).length, 2, "the existing file is untouched");
  await engine.writeParquet("fixed.parquet", rows.slice(0, 1), { schema: borehole, overwrite: true });
  assert.equal((await engine.readParquet(first)).length, 1);
  assert.deepEqual(await allFiles(basePath), ["fixed.parquet"]);
});

Deno.test("validateSchema reports every bad row without writing", () => {
  const report = ParquetStorageEngine.validateSchema(
    [rows[0], { ...rows[1], id: "two" }, { ...rows[1], at: "yesterday" }],
    borehole,
  );
  assert.equal(report.valid, false);
  assert.equal(report.rows.length, 1);
  assert.deepEqual(report.errors.map((e) => [e.row, e.column]), [[2, "id"], [3, "at"]]);
  assert.ok(report.errors.every((e) => e instanceof ValidationError && e.table === "borehole"));
  assert.equal(ParquetStorageEngine.validateSchema(rows, borehole).valid, true);
  assert.throws(() => ParquetStorageEngine.validateSchema(5 as never, borehole), /expected an array of rows/);
});

Deno.test("bad engine options and bad writes give clear errors and leave nothing", async () => {
  assert.throws(
    () => new ParquetStorageEngine({ mode: "ftp" } as never),
    /mode must be "local" or "s3": current value is ftp/,
  );
  assert.throws(
    () => new ParquetStorageEngine({ mode: "local" } as never),
    /basePath must be a non-empty string/,
  );
  assert.throws(
    () => new ParquetStorageEngine({ mode: "s3", bucket: "Bad_Bucket" }),
    /bucket must be an S3 bucket name/,
  );
  const basePath = await tempDir();
  const engine = new ParquetStorageEngine({ mode: "local", basePath });
  await assert.rejects(
    engine.writeParquet("x", [{ ...rows[0], id: 1.5 }], { schema: borehole }),
    ValidationError,
  );
  await assert.rejects(engine.writeParquet("x", rows, {} as never), ParquetStorageError);
  assert.deepEqual(await allFiles(basePath), []);
  await assert.rejects(engine.readParquet(join("x", "missing.parquet")), /Cannot open/);
});

Deno.test("partitionCols writes a hive-partitioned dataset, read back whole or filtered by partition", async () => {
  const basePath = await tempDir();
  const engine = new ParquetStorageEngine({ mode: "local", basePath });
  const logs = defineTable("logs", { project: text(), at: timestamptz(), id: int() });
  const rows = [
    { project: "north/east", at: "2026-10-31T23:00:00.000001Z", id: 1 },
    { project: "north/east", at: "2026-11-01T00:00:00.000000Z", id: 2 },
    { project: "süd", at: "2026-11-02T00:00:00.000000Z", id: 3 },
  ];
  const files = await engine.writeParquet("logs", rows, {
    schema: logs,
    partitionCols: ["project", "at:month"],
  });
  assert.equal(files.length, 3);
  assert.ok(files.some((f) => f.includes("project=north%2Feast/at_month=2026-10/")), files.join("\n"));
  const back = await engine.readParquet("logs");
  assert.deepEqual(back.map((r) => r.id).sort(), [1, 2, 3]);
  assert.deepEqual(back.find((r) => r.id === 3), rows[2], "the time key is only in the path");
  const south = await engine.readParquet("logs", { filters: { project: "süd" } });
  assert.deepEqual(south.map((r) => r.id), [3]);
  await assert.rejects(
    engine.writeParquet("logs", rows, { schema: logs, partitionCols: ["project"], overwrite: true }),
    /overwrite cannot be used with partitionCols/,
  );
  await assert.rejects(engine.writeParquet("logs", rows, { schema: logs, partitionCols: ["nope"] }), /nope/);
});
