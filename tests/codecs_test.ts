import assert from "node:assert/strict";
import { join } from "node:path";
import {
  defineTable,
  EncodeStream,
  float,
  int,
  jsonb,
  numeric,
  ParquetStorageError,
  readParquet,
  text,
  timestamptz,
  uuid,
} from "../mod.ts";
import { type Codec, CODECS } from "../write.ts";
import { compressors } from "hyparquet-compressors";
import { readMetadata } from "../src/read/read_parquet.ts";
import { loadCompressors } from "../src/parquet/codecs.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";

const table = defineTable("codec_probe", {
  id: uuid(),
  n: int(),
  depth: numeric(8, 2),
  label: text(),
  value: float().nullable(),
  extra: jsonb().nullable(),
  at: timestamptz(),
});

// Repetitive enough to compress, varied enough that a codec that drops or reorders bytes shows.
const rows = Array.from({ length: 3000 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  n: i,
  depth: (i / 4).toFixed(2),
  label: `layer ${i % 37}: clay, silty, firm ${"x".repeat(i % 50)}`,
  value: i % 7 ? i / 3 : null,
  extra: i % 5 ? null : { i, tags: ["a", String(i)] },
  at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace("Z", "000Z"),
}));

async function encode(codec: Codec): Promise<Uint8Array> {
  return await new Response(
    ReadableStream.from(rows).pipeThrough(new EncodeStream(table, { codec, rowGroupSize: 1000 })),
  ).bytes();
}

for (const codec of CODECS) {
  Deno.test(`${codec}: hyparquet and DuckDB read back what was written`, async () => {
    const bytes = await encode(codec);
    const metadata = await readMetadata(bytes);
    const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
    assert.deepEqual([...codecs], [codec]);

    assert.deepEqual(await readParquet(bytes), rows);

    const path = join(await tempDir(), `${codec}.parquet`);
    await Deno.writeFile(path, bytes);
    const read = await duckdbRows(
      `SELECT id::VARCHAR AS id, n, depth::VARCHAR AS depth, label, value, extra::VARCHAR AS extra,
        epoch_us("at")::VARCHAR AS at
       FROM read_parquet(${sqlString(path)}) ORDER BY n`,
    );
    assert.deepEqual(
      read,
      rows.map((row) => ({
        ...row,
        extra: row.extra === null ? null : JSON.stringify(row.extra),
        at: String(Date.parse(row.at) * 1000),
      })),
    );
  });
}

Deno.test("compressing codecs make smaller files than UNCOMPRESSED", async () => {
  const plain = (await encode("UNCOMPRESSED")).length;
  for (const codec of CODECS.filter((c) => c !== "UNCOMPRESSED")) {
    const size = (await encode(codec)).length;
    assert.ok(size < plain, `${codec}: ${size} bytes, uncompressed ${plain}`);
  }
});

Deno.test("a codec name is taken in any case; an unknown one fails at construction, listing the known", () => {
  assert.ok(new EncodeStream(table, { codec: "zstd" as Codec }));
  assert.throws(
    () => new EncodeStream(table, { codec: "LZO" as Codec }),
    (error: unknown) =>
      error instanceof ParquetStorageError &&
      /codec "LZO": expected one of UNCOMPRESSED, SNAPPY, GZIP, ZSTD, BROTLI\b/.test(error.message),
  );
});

Deno.test("ZSTD stays valid when its compressor is loaded again in the same process", async () => {
  // Each load used to instantiate the WebAssembly again; one finishing mid-file swapped the module
  // under the compressor in use, and its pages stopped being valid zstd.
  const { ZSTD } = await loadCompressors("ZSTD");
  const again = loadCompressors("ZSTD");
  const input = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
  for (let round = 0; round < 8; round++) {
    const page = input.subarray(round * 100_000, round * 100_000 + 1024 * 1024 + round);
    const packed = ZSTD(page);
    assert.deepEqual(compressors.ZSTD!(packed, page.length), page, `round ${round}`);
    if (round === 2) await again.then(() => new Promise((done) => setTimeout(done, 300)));
  }
});

Deno.test("compressionLevel: each codec's range; refused out of range or for a codec without levels", async () => {
  const table = defineTable("levels", { id: int(), body: text() });
  const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, body: `log line ${i % 13} `.repeat(8) }));
  const encode = async (codec: Codec, compressionLevel?: number) =>
    new Uint8Array(
      await new Response(
        ReadableStream.from(rows).pipeThrough(new EncodeStream(table, { codec, compressionLevel })),
      )
        .arrayBuffer(),
    );
  for (const [codec, low, high] of [["GZIP", 1, 9], ["ZSTD", 1, 19], ["BROTLI", 0, 11]] as const) {
    const small = await encode(codec, high), large = await encode(codec, low);
    assert.ok(
      small.length <= large.length,
      `${codec}: level ${high} ${small.length} B, level ${low} ${large.length} B`,
    );
    const dir = await Deno.makeTempDir();
    await Deno.writeFile(join(dir, "f.parquet"), small);
    assert.equal((await readParquet(join(dir, "f.parquet"))).length, rows.length, codec);
  }
  const bad: [Codec, number, RegExp][] = [
    ["SNAPPY", 1, /Cannot set a compression level for SNAPPY: it has none \(only GZIP, ZSTD, BROTLI do\)/],
    ["UNCOMPRESSED", 0, /for UNCOMPRESSED: it has none/],
    ["ZSTD", 23, /Cannot compress with ZSTD at level 23: its levels are integers from 1 to 22/],
    ["GZIP", -1, /GZIP at level -1: its levels are integers from 0 to 9/],
    ["BROTLI", 2.5, /BROTLI at level 2\.5/],
  ];
  for (const [codec, level, message] of bad) {
    assert.throws(() => new EncodeStream(table, { codec, compressionLevel: level }), (error: Error) => {
      assert.ok(error instanceof ParquetStorageError);
      assert.match(error.message, message);
      assert.equal((error as ParquetStorageError).table, "levels");
      return true;
    });
  }
});
