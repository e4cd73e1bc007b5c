import assert from "node:assert/strict";
import {
  defineTable,
  EncodeStream,
  int,
  jsonb,
  ParquetStorageError,
  readParquet,
  text,
  ValidationError,
} from "../mod.ts";
import { readMetadata } from "../src/read/read_parquet.ts";

const table = defineTable("events", { id: int(), body: text(), extra: jsonb().nullable() });
const rows = (n: number, body = "x") => Array.from({ length: n }, (_, i) => ({ id: i, body, extra: null }));

async function encode(input: unknown[], options = {}) {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  await ReadableStream.from(input as Record<string, unknown>[]).pipeThrough(new EncodeStream(table, options))
    .pipeTo(new WritableStream({ write: (chunk) => void chunks.push(chunk as Uint8Array<ArrayBuffer>) }));
  return { chunks, bytes: await new Blob(chunks).bytes() };
}

Deno.test("row groups close by row count, and bytes are emitted as each completes", async () => {
  const { chunks, bytes } = await encode(rows(2500), { rowGroupSize: 1000 });
  const metadata = await readMetadata(bytes);
  assert.deepEqual(metadata.row_groups.map((g) => Number(g.num_rows)), [1000, 1000, 500]);
  // header+group, group, group, footer: output arrives per group, not all at the end
  assert.ok(chunks.length >= 4, `expected one chunk per row group plus the footer, got ${chunks.length}`);
  assert.equal((await readParquet(bytes)).length, 2500);
});

Deno.test("row groups close by approximate bytes when that comes first", async () => {
  const { bytes } = await encode(rows(100, "y".repeat(10_000)), {
    rowGroupSize: 1000,
    rowGroupBytes: 100_000,
  });
  const metadata = await readMetadata(bytes);
  assert.ok(metadata.row_groups.length >= 9, `expected about 10 groups, got ${metadata.row_groups.length}`);
  assert.ok(metadata.row_groups.every((g) => g.num_rows <= 10n));
});

Deno.test("statistics are on and key-value metadata records table and extras", async () => {
  const { bytes } = await encode(rows(10), { metadata: { batch: "b1" } });
  const metadata = await readMetadata(bytes);
  const stats = metadata.row_groups[0].columns[0].meta_data?.statistics;
  assert.equal(stats?.min_value, 0);
  assert.equal(stats?.max_value, 9);
  const kv = Object.fromEntries((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value]));
  assert.equal(JSON.parse(kv["parquet_storage.table"]!).name, "events");
  assert.equal(kv.batch, "b1");
  assert.equal(metadata.created_by, "parquet-storage");
});

Deno.test("bad options fail at construction with the value seen", () => {
  assert.throws(
    () => new EncodeStream(table, { rowGroupSize: 0 }),
    /rowGroupSize must be a positive integer: current value is 0/,
  );
  assert.throws(() => new EncodeStream(table, { rowGroupBytes: -1 }), ParquetStorageError);
  assert.throws(() => new EncodeStream(table, { codec: "RAR" as never }), /codec "RAR"/);
});

Deno.test("a value the encoder cannot store names row and column", async () => {
  const error = await encode([{ id: 1, body: "a" }, { id: 2, body: 42 }], { rowGroupSize: 10 })
    .then(() => assert.fail("should fail"), (e) => e);
  assert.ok(error instanceof ParquetStorageError, String(error));
  assert.equal(error.table, "events");
  assert.match(error.message, /Cannot encode a row group/);
  const notObject = await encode([42]).then(() => assert.fail("should fail"), (e) => e);
  assert.ok(notObject instanceof ValidationError);
  assert.equal(notObject.row, 1);
});
