/**
 * S3Storage against a real server: Parquet objects read back by hyparquet and DuckDB, ranged reads,
 * replaced objects, listing, bad locations and a store that never answers.
 */

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { ReadError, SinkError } from "../src/errors.ts";
import { float } from "../src/schema/columns.ts";
import { defineTable, type Row } from "../src/schema/table.ts";
import { S3_SINK_DEFAULTS, S3Sink } from "../src/sinks/s3_sink.ts";
import { s3ClientConfig } from "../src/sinks/s3_location.ts";
import { S3Storage } from "../src/storage/s3_storage.ts";
import { readParquet } from "../src/read/read_parquet.ts";
import { EncodeStream } from "../src/streams/encode_stream.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { testBucket } from "./helpers/s3_server.ts";
import {
  chunks,
  countCommands,
  getObject,
  MiB,
  noise,
  PART,
  payloadRow,
  payloads,
  rejection,
} from "./helpers/s3_objects.ts";

Deno.test("a Parquet file of more than 3 parts reads back equal through hyparquet and DuckDB", async () => {
  await using bucket = await testBucket("parquet");
  const count = 120_000;
  const rows = Array.from({ length: count }, (_, i) => payloadRow(i + 1));
  const location = bucket.url("payloads/payloads.parquet");
  const sink = new S3Sink(location, { client: bucket.client, partSize: PART });
  await ReadableStream.from(rows)
    .pipeThrough(new EncodeStream(payloads, { rowGroupSize: 20_000, codec: "UNCOMPRESSED" }))
    .pipeTo(sink);
  assert.ok(sink.bytesWritten > 3 * PART, `${sink.bytesWritten} bytes: more than 3 parts`);

  const storage = new S3Storage({ client: bucket.client });
  const file = await storage.open(location);
  assert.equal(file.byteLength, sink.bytesWritten);
  assert.deepEqual(await readParquet(file), rows);

  const dir = await tempDir();
  try {
    const local = join(dir, "payloads.parquet");
    await writeFile(local, await getObject(bucket.client, location));
    const duck = await duckdbRows(
      `SELECT id, name, payload FROM read_parquet(${sqlString(local)}) ORDER BY id`,
    );
    assert.equal(duck.length, count);
    assert.deepEqual(duck, rows);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reading two columns of a wide Parquet object transfers a small fraction of its bytes", async () => {
  await using bucket = await testBucket("ranged");
  const names = Array.from({ length: 40 }, (_, i) => `c${String(i).padStart(2, "0")}`);
  const wide = defineTable("wide", Object.fromEntries(names.map((name) => [name, float()])));
  const count = 60_000;
  const values = new Float64Array(noise(count * 8 * names.length, 3).buffer).map((x) =>
    Number.isFinite(x) ? x : 0
  );
  const rows = Array.from({ length: count }, (_, r) => {
    const row: Row = {};
    names.forEach((name, c) => row[name] = values[r * names.length + c]);
    return row;
  });
  const location = bucket.url("wide.parquet");
  await ReadableStream.from(rows)
    .pipeThrough(new EncodeStream(wide, { rowGroupSize: 15_000, codec: "UNCOMPRESSED" }))
    .pipeTo(new S3Sink(location, { client: bucket.client, partSize: PART }));

  const file = await new S3Storage({ client: bucket.client }).open(location);
  assert.ok(file.byteLength > 15 * MiB, `${file.byteLength} bytes`);
  const read = await parquetReadObjects({ file, columns: ["c07", "c31"], compressors });
  assert.equal(read.length, count);
  assert.deepEqual(read[12_345], { c07: rows[12_345].c07, c31: rows[12_345].c31 });
  const fraction = file.bytesRead / file.byteLength;
  assert.ok(
    fraction < 0.1,
    `read ${file.bytesRead} of ${file.byteLength} bytes (${(fraction * 100).toFixed(1)}%)`,
  );
  assert.ok(file.bytesRead >= (2 / 40) * file.byteLength * 0.9, "yet all of both columns was read");
});

Deno.test("an open object fails its reads once replaced, rather than mixing two versions", async () => {
  await using bucket = await testBucket("replaced");
  const location = bucket.url("moving.bin");
  const storage = new S3Storage({ client: bucket.client });
  await ReadableStream.from([noise(1000, 1)]).pipeTo(storage.createSink(location));
  const file = await storage.open(location);
  assert.equal(new Uint8Array(await file.slice(10, 20)).length, 10);
  await ReadableStream.from([noise(1000, 2)]).pipeTo(storage.createSink(location, { overwrite: true }));
  const error = await rejection(Promise.resolve(file.slice(10, 20)));
  assert.ok(error instanceof ReadError, String(error));
  assert.match(error.message, /replaced while being read/);
  assert.equal(file.requests, 2);
  assert.equal(file.bytesRead, 10);
});

Deno.test("S3Storage lists page by page, removes, joins, and refuses what is not there", async () => {
  await using bucket = await testBucket("listing");
  const storage = new S3Storage({ client: bucket.client, listPageSize: 2 });
  const keys = [
    "data/a.parquet",
    "data/b.parquet",
    "data/x=1/c.parquet",
    "data/x=2/d.parquet",
    "data_old/e.parquet",
  ];
  for (const key of keys) {
    await ReadableStream.from([new TextEncoder().encode(key)]).pipeTo(storage.createSink(bucket.url(key)));
  }
  const counts = countCommands(bucket.client);
  const listed = await Array.fromAsync(storage.list(bucket.url("data")));
  assert.deepEqual(listed.map((f) => f.location).sort(), keys.slice(0, 4).map((k) => bucket.url(k)));
  assert.equal(counts.sent.get("ListObjectsV2Command"), 2, "4 keys in pages of 2");
  assert.equal(listed[0].size, keys[0].length);
  assert.ok(listed[0].modified instanceof Date);
  assert.equal((await Array.fromAsync(storage.list(`s3://${bucket.name}`))).length, 5);
  assert.deepEqual(await Array.fromAsync(storage.list(bucket.url("nothing/here"))), []);

  await storage.remove(bucket.url("data/a.parquet"));
  await storage.remove(bucket.url("data/a.parquet")); // already gone: fine
  assert.equal(await bucket.exists("data/a.parquet"), false);

  assert.equal(
    storage.join(`s3://${bucket.name}/data/`, "/x=1/", "c.parquet"),
    bucket.url("data/x=1/c.parquet"),
  );
  assert.equal(storage.join("s3://", bucket.name, "k"), bucket.url("k"));

  const missing = await rejection(storage.open(bucket.url("data/none.parquet")));
  assert.ok(missing instanceof ReadError);
  assert.match(
    missing.message,
    new RegExp(`Cannot open s3://${bucket.name}/data/none\\.parquet: no such object`),
  );
  const noBucket = await rejection(Array.fromAsync(storage.list("s3://no-such-bucket-here/data")));
  assert.ok(noBucket instanceof ReadError);
  assert.match(noBucket.message, /NoSuchBucket/);
});

Deno.test("bad S3 locations and options are refused with errors that say why", async () => {
  for (
    const bad of [
      "lake/a.parquet",
      "s3://",
      "s3://Lake/a",
      "s3://lake",
      "s3://lake/",
      "s3://lake//a",
      "s3://lake/a/",
    ]
  ) {
    assert.throws(() => new S3Sink(bad), (e: unknown) => {
      assert.ok(e instanceof SinkError, `${bad}: ${e}`);
      assert.ok(e.message.includes(JSON.stringify(bad)), e.message);
      return true;
    });
  }
  const storage = new S3Storage({ region: "us-east-1" });
  try {
    await assert.rejects(storage.open("http://lake/a"), ReadError);
    await assert.rejects(Array.fromAsync(storage.list("s3://x")), /bucket name must be 3 to 63/);
    assert.throws(() => new S3Sink("s3://lake/a", { partSize: 1024 }), {
      name: "SinkError",
      message: /partSize must be an integer from 5242880 \(5 MiB\).*current value is 1024/,
    });
    assert.throws(() => new S3Sink("s3://lake/a", { queueSize: 0 }), /queueSize must be a positive integer/);
    assert.throws(() => new S3Storage({ listPageSize: 5000 }), /listPageSize/);
  } finally {
    storage.client.destroy();
  }
  assert.equal(S3_SINK_DEFAULTS.partSize, 8 * MiB);
  await using bucket = await testBucket("chunks");
  const error = await rejection(
    ReadableStream.from(["not bytes"]).pipeTo(
      new S3Sink(bucket.url("a"), { client: bucket.client }) as unknown as WritableStream<string>,
    ),
  );
  assert.ok(error instanceof SinkError);
  assert.match(error.message, /expected Uint8Array chunks, received string/);
});

Deno.test("a store that accepts connections but never answers fails the write instead of hanging it", async () => {
  // A TCP listener that never says a word: what a stalled or full store looks like from the client.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const connection of listener) connections.push(connection);
  })();
  const { port } = listener.addr as Deno.NetAddr;
  const config = s3ClientConfig({
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
    maxAttempts: 1,
  });
  assert.deepEqual(config.requestHandler, { connectionTimeout: 10_000, socketTimeout: 120_000 });
  const client = new S3Client({
    ...config,
    requestHandler: { connectionTimeout: 1000, socketTimeout: 1000 },
  });
  try {
    const error = await rejection(
      ReadableStream.from(chunks(noise(12 * MiB), MiB)).pipeTo(
        new S3Sink("s3://stalled/big.bin", { client, partSize: PART }),
      ),
    );
    assert.ok(error instanceof SinkError, String(error));
    assert.match(error.message, /Cannot start a multipart upload \(TimeoutError/);
    assert.match(error.message, /no object was created: s3:\/\/stalled\/big\.bin$/);
  } finally {
    client.destroy();
    listener.close();
    for (const connection of connections) connection.close();
    await accepting.catch(() => {});
  }
});
