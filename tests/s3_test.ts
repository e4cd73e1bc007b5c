/**
 * S3 against a real server (Ceph RADOS Gateway, started by the helper if needed): multipart uploads,
 * immutability, cleanup on every failure path, ranged reads, listing, and a run without a filesystem.
 */

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { ReadError, SinkError, ValidationError } from "../src/errors.ts";
import { float, int, text } from "../src/schema/columns.ts";
import { defineTable, type Row } from "../src/schema/table.ts";
import { S3_SINK_DEFAULTS, S3Sink } from "../src/sinks/s3_sink.ts";
import { parseS3Location, s3ClientConfig } from "../src/sinks/s3_location.ts";
import { S3Storage } from "../src/storage/s3_storage.ts";
import { readParquet } from "../src/read/read_parquet.ts";
import { EncodeStream } from "../src/streams/encode_stream.ts";
import { ValidateStream } from "../src/streams/validate_stream.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { privateGateway, s3Server, testBucket } from "./helpers/s3_server.ts";

const MiB = 1024 * 1024;
const PART = 5 * MiB;

/** Deterministic bytes that do not compress: xorshift32. */
function noise(length: number, seed = 1): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, length);
}

/** `bytes` cut into chunks of `size`, so parts never line up with writes. */
function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** Counts the commands a client sends, the most UploadParts in flight at once, and the CRC32s sent. */
function countCommands(client: S3Client) {
  const counts = { sent: new Map<string, number>(), uploadsInFlight: 0, maxUploadsInFlight: 0, crc32: 0 };
  client.middlewareStack.add(
    (next) => (args) => {
      const { headers } = args.request as { headers?: Record<string, string> };
      if (headers?.["x-amz-checksum-crc32"]) counts.crc32++;
      return next(args);
    },
    { step: "finalizeRequest", name: "countChecksums" },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "?";
      counts.sent.set(name, (counts.sent.get(name) ?? 0) + 1);
      const upload = name === "UploadPartCommand";
      if (upload) {
        counts.uploadsInFlight++;
        counts.maxUploadsInFlight = Math.max(counts.maxUploadsInFlight, counts.uploadsInFlight);
      }
      try {
        return await next(args);
      } finally {
        if (upload) counts.uploadsInFlight--;
      }
    },
    { step: "initialize", name: "countCommands" },
  );
  return counts;
}

async function getObject(client: S3Client, location: string): Promise<Uint8Array> {
  const { bucket, key } = parseS3Location(location);
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return await got.Body!.transformToByteArray();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(() => assert.fail("expected a rejection"), (error) => error);
}

const payloads = defineTable("payloads", { id: int(), name: text(), payload: text() });

function payloadRow(id: number): Row {
  // 64 hex digits from a cheap hash: text that neither repeats nor compresses much.
  let h = Math.imul(id + 1, 0x9e3779b1) >>> 0;
  let payload = "";
  for (let i = 0; i < 8; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
    payload += h.toString(16).padStart(8, "0");
  }
  return { id, name: `row-${id}`, payload: payload.repeat(3) };
}

Deno.test("S3Sink uploads a 17 MiB stream as 4 parts of 5 MiB and it reads back byte for byte", async () => {
  await using bucket = await testBucket("multipart");
  const counts = countCommands(bucket.client);
  const data = noise(17 * MiB + 12345);
  const sink = new S3Sink(bucket.url("raw/big.bin"), { client: bucket.client, partSize: PART });
  await ReadableStream.from(chunks(data, 1_000_003)).pipeTo(sink);

  assert.equal(sink.bytesWritten, data.length);
  assert.equal(counts.sent.get("CreateMultipartUploadCommand"), 1);
  assert.equal(counts.sent.get("UploadPartCommand"), 4);
  assert.equal(counts.sent.get("CompleteMultipartUploadCommand"), 1);
  assert.equal(counts.sent.get("PutObjectCommand"), undefined);
  assert.equal(counts.crc32, 4, "every part carries its CRC32");
  const back = await getObject(bucket.client, sink.location);
  assert.equal(back.length, data.length);
  assert.ok(Buffer.from(back).equals(Buffer.from(data)), "same bytes");
  assert.deepEqual(await bucket.openUploads(), []);
});

Deno.test("S3Sink keeps at most queueSize parts in flight: write() waits for room", async () => {
  await using bucket = await testBucket("queue");
  const counts = countCommands(bucket.client);
  const sink = new S3Sink(bucket.url("queued.bin"), { client: bucket.client, partSize: PART, queueSize: 2 });
  const writer = sink.getWriter();
  let pendingWhenFull = 0;
  for (const chunk of chunks(noise(31 * MiB), 3 * MiB)) {
    await writer.write(chunk);
    // After write() returns there is room again: never more than queueSize parts out, plus the one filling.
    assert.ok(counts.uploadsInFlight <= 2, `${counts.uploadsInFlight} parts in flight`);
    if (counts.uploadsInFlight === 2) pendingWhenFull++;
  }
  await writer.close();
  assert.equal(counts.maxUploadsInFlight, 2, "parts do go up in parallel, and no more than 2 at once");
  assert.ok(pendingWhenFull > 0);
  assert.equal(counts.sent.get("UploadPartCommand"), 7);
});

Deno.test("a file smaller than one part goes up in one PutObject; an existing key is refused; overwrite replaces", async () => {
  await using bucket = await testBucket("small");
  const counts = countCommands(bucket.client);
  const location = bucket.url("small/a.bin");
  await ReadableStream.from([new Uint8Array([1, 2, 3])]).pipeTo(
    new S3Sink(location, { client: bucket.client }),
  );
  assert.equal(counts.sent.get("PutObjectCommand"), 1);
  assert.equal(counts.sent.get("CreateMultipartUploadCommand"), undefined);
  assert.equal(counts.crc32, 1, "with a CRC32");

  const error = await rejection(
    ReadableStream.from([new Uint8Array([9])]).pipeTo(new S3Sink(location, { client: bucket.client })),
  );
  assert.ok(error instanceof SinkError, String(error));
  assert.match(error.message, /Refusing to replace an object that already exists/);
  assert.match(error.message, new RegExp(`s3://${bucket.name}/small/a\\.bin`));
  assert.equal(error.location, location);
  assert.deepEqual([...await getObject(bucket.client, location)], [1, 2, 3], "the old object is untouched");

  await ReadableStream.from([new Uint8Array([7, 7])]).pipeTo(
    new S3Sink(location, { client: bucket.client, overwrite: true }),
  );
  assert.deepEqual([...await getObject(bucket.client, location)], [7, 7]);

  // An empty file is still a file.
  await ReadableStream.from([]).pipeTo(new S3Sink(bucket.url("small/empty.bin"), { client: bucket.client }));
  assert.equal((await getObject(bucket.client, bucket.url("small/empty.bin"))).length, 0);
});

Deno.test("a part corrupted on its way is refused by the store (Content-MD5): the write fails, nothing is left", async () => {
  await using bucket = await testBucket("corrupt");
  let corrupted = 0;
  bucket.client.middlewareStack.add(
    (next, context) => (args) => {
      const request = args.request as { body?: unknown };
      const { PartNumber } = args.input as { PartNumber?: number };
      if (
        context.commandName === "UploadPartCommand" && PartNumber === 2 && request.body instanceof Uint8Array
      ) {
        // One bit flipped after the checksums were computed, before signing: what a bad NIC or proxy does.
        const body = request.body.slice();
        body[12345] ^= 1;
        request.body = body;
        corrupted++;
      }
      return next(args);
    },
    { step: "build", priority: "low", name: "flipOneBit" },
  );
  const location = bucket.url("corrupt.bin");
  const error = await rejection(
    ReadableStream.from(chunks(noise(12 * MiB), MiB)).pipeTo(
      new S3Sink(location, { client: bucket.client, partSize: PART }),
    ),
  );
  assert.equal(corrupted, 1);
  assert.ok(error instanceof SinkError, String(error));
  assert.match(error.message, /Cannot upload part 2 of multipart upload \S+ \(BadDigest/);
  assert.ok(error.message.includes(location), error.message);
  assert.equal(await bucket.exists("corrupt.bin"), false);
  assert.deepEqual(await bucket.openUploads(), []);
});

Deno.test("a multipart upload onto an existing key is refused (HeadObject check) and aborted; overwrite replaces", async () => {
  await using bucket = await testBucket("exists");
  const location = bucket.url("taken.bin");
  await bucket.client.send(new PutObjectCommand({ Bucket: bucket.name, Key: "taken.bin", Body: "old" }));
  const data = noise(11 * MiB, 7);

  const error = await rejection(
    ReadableStream.from(chunks(data, MiB)).pipeTo(
      new S3Sink(location, { client: bucket.client, partSize: PART }),
    ),
  );
  assert.ok(error instanceof SinkError, String(error));
  assert.match(error.message, /Refusing to replace an object that already exists/);
  assert.ok(error.message.includes(`s3://${bucket.name}/taken.bin`), error.message);
  assert.equal(new TextDecoder().decode(await getObject(bucket.client, location)), "old");
  assert.deepEqual(await bucket.openUploads(), [], "the refused upload was aborted");

  await ReadableStream.from(chunks(data, MiB)).pipeTo(
    new S3Sink(location, { client: bucket.client, partSize: PART, overwrite: true }),
  );
  assert.ok(Buffer.from(await getObject(bucket.client, location)).equals(Buffer.from(data)));
  assert.deepEqual(await bucket.openUploads(), []);
});

Deno.test("writer.abort() midway leaves no object and no open multipart upload", async () => {
  await using bucket = await testBucket("abort");
  const counts = countCommands(bucket.client);
  const sink = new S3Sink(bucket.url("aborted.bin"), { client: bucket.client, partSize: PART });
  const writer = sink.getWriter();
  for (const chunk of chunks(noise(12 * MiB), MiB)) await writer.write(chunk);
  while (!counts.sent.get("UploadPartCommand")) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await bucket.openUploads()).length, 1, "an upload was under way");
  await writer.abort(new Error("changed my mind"));

  assert.equal(counts.sent.get("AbortMultipartUploadCommand"), 1);
  assert.equal(counts.sent.get("ListPartsCommand"), 1, "and checked that it is gone");
  assert.equal(await bucket.exists("aborted.bin"), false);
  assert.deepEqual(await bucket.openUploads(), []);
});

Deno.test("an error from the source stream leaves no object and no open multipart upload", async () => {
  await using bucket = await testBucket("source-error");
  let sent = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 13) controller.error(new Error("the database went away"));
      else controller.enqueue(noise(MiB, ++sent));
    },
  });
  const sink = new S3Sink(bucket.url("broken.bin"), { client: bucket.client, partSize: PART });
  const error = await rejection(source.pipeTo(sink));
  assert.equal((error as Error).message, "the database went away");
  assert.equal(sink.bytesWritten, 13 * MiB, "two parts had gone up");
  assert.equal(await bucket.exists("broken.bin"), false);
  assert.deepEqual(await bucket.openUploads(), []);
});

Deno.test("an aborting signal stops the upload: no object, no open multipart upload", async () => {
  await using bucket = await testBucket("signal");
  const counts = countCommands(bucket.client);
  const controller = new AbortController();
  const sink = new S3Sink(bucket.url("signalled.bin"), {
    client: bucket.client,
    partSize: PART,
    signal: controller.signal,
  });
  const writer = sink.getWriter();
  for (const chunk of chunks(noise(11 * MiB), MiB)) await writer.write(chunk);
  controller.abort(new Error("shutting down"));
  const error = await rejection(writer.write(new Uint8Array(10)));
  assert.equal((error as Error).message, "shutting down");
  // The signal's cleanup runs on its own, after the parts in flight: wait for its abort to be sent.
  for (let i = 0; i < 100 && !counts.sent.get("AbortMultipartUploadCommand"); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let i = 0; i < 50 && (await bucket.openUploads()).length; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(counts.sent.get("AbortMultipartUploadCommand"), 1);
  assert.equal(await bucket.exists("signalled.bin"), false);
  assert.deepEqual(await bucket.openUploads(), []);
});

Deno.test("a bad row midway through validate → encode → S3Sink leaves no object and no open upload", async () => {
  await using bucket = await testBucket("bad-row");
  const counts = countCommands(bucket.client);
  const badAt = 90_000;
  async function* rows() {
    for (let id = 1; id < badAt; id++) yield payloadRow(id);
    yield { id: "ninety thousand", name: "x", payload: "y" };
    for (let id = badAt + 1; id < badAt + 100; id++) yield payloadRow(id);
  }
  const sink = new S3Sink(bucket.url("payloads/bad.parquet"), { client: bucket.client, partSize: PART });
  const error = await rejection(
    ReadableStream.from(rows())
      .pipeThrough(new ValidateStream(payloads))
      .pipeThrough(new EncodeStream(payloads, { rowGroupSize: 5_000, codec: "UNCOMPRESSED" }))
      .pipeTo(sink),
  );
  assert.ok(error instanceof ValidationError, String(error));
  assert.equal(error.row, badAt);
  assert.equal(error.column, "id");
  assert.ok((counts.sent.get("UploadPartCommand") ?? 0) >= 2, "parts had gone up before the bad row");
  assert.equal(await bucket.exists("payloads/bad.parquet"), false);
  assert.deepEqual(await bucket.openUploads(), []);
});

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

Deno.test("the client config comes from options, else AWS_* variables, with path style when an endpoint is set", () => {
  const explicit = s3ClientConfig({ endpoint: "http://127.0.0.1:1", region: "eu-west-3", maxAttempts: 2 });
  assert.equal(explicit.endpoint, "http://127.0.0.1:1");
  assert.equal(explicit.region, "eu-west-3");
  assert.equal(explicit.forcePathStyle, true);
  assert.equal(explicit.maxAttempts, 2);
  assert.equal(s3ClientConfig({ endpoint: "http://x", forcePathStyle: false }).forcePathStyle, false);
  assert.throws(() => s3ClientConfig({ maxAttempts: 0 }), /maxAttempts must be a positive integer/);
});

Deno.test("without a filesystem (deno run --deny-read --deny-write) rows encode and upload through S3Sink", async () => {
  const { env } = await s3Server();
  await using bucket = await testBucket("edge");
  const src = (path: string) => new URL(`../src/${path}`, import.meta.url).href;
  const script = `
    import { S3Sink } from "${src("sinks/s3_sink.ts")}";
    import { EncodeStream } from "${src("streams/encode_stream.ts")}";
    import { defineTable } from "${src("schema/table.ts")}";
    import { int, text } from "${src("schema/columns.ts")}";
    const [rawUrl, parquetUrl] = Deno.args;
    let readDenied = false;
    try { Deno.readTextFileSync("/etc/hostname"); } catch (e) { readDenied = e instanceof Deno.errors.NotCapable; }
    const raw = new S3Sink(rawUrl); // endpoint and credentials from the AWS_* environment
    await ReadableStream.from([new Uint8Array([1, 2, 3]), new Uint8Array([4])]).pipeTo(raw);
    const table = defineTable("edge", { id: int(), name: text() });
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: "n" + i }));
    const parquet = new S3Sink(parquetUrl);
    await ReadableStream.from(rows).pipeThrough(new EncodeStream(table)).pipeTo(parquet);
    console.log(JSON.stringify({ readDenied, raw: raw.bytesWritten, parquet: parquet.bytesWritten }));
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--deny-read",
      "--deny-write",
      "--no-prompt",
      "-",
      bucket.url("edge/raw.bin"),
      bucket.url("edge/rows.parquet"),
    ],
    env: env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decoded = new TextDecoder().decode(stderr);
  assert.equal(code, 0, decoded);
  const report = JSON.parse(new TextDecoder().decode(stdout));
  assert.deepEqual(report.readDenied, true, "the script had no filesystem");
  assert.equal(report.raw, 4);
  assert.deepEqual([...await getObject(bucket.client, bucket.url("edge/raw.bin"))], [1, 2, 3, 4]);
  const file = await new S3Storage({ client: bucket.client }).open(bucket.url("edge/rows.parquet"));
  assert.equal(file.byteLength, report.parquet);
  const rows = await readParquet(file);
  assert.equal(rows.length, 1000);
  assert.deepEqual(rows[999], { id: 999, name: "n999" });
});

Deno.test("an environment the program may not read counts as unset", async () => {
  const script = `
    import { s3ClientConfig } from "${new URL("../src/sinks/s3_location.ts", import.meta.url).href}";
    Deno.permissions.revokeSync({ name: "env" });
    const config = s3ClientConfig({});
    console.log(JSON.stringify({ region: config.region, endpoint: config.endpoint ?? null, path: config.forcePathStyle }));
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      "--allow-env",
      "--no-prompt",
      "-",
    ],
    env: { AWS_REGION: "eu-north-1", AWS_ENDPOINT_URL: "http://127.0.0.1:9" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), {
    region: "us-east-1",
    endpoint: null,
    path: false,
  });
});

// Last: a killed gateway's watches on the cluster delay bucket deletions for 30 s, this test's own included.
Deno.test("the gateway dying mid-upload fails the write with a SinkError naming bucket and key; nothing is visible", async () => {
  await using bucket = await testBucket("gateway-down");
  await using gateway = await privateGateway();
  const client = new S3Client(s3ClientConfig({ ...gateway.options, maxAttempts: 2 }));
  const key = "down/big.bin";
  let killed: Promise<void> | undefined;
  client.middlewareStack.add((next, context) => (args) => {
    const { PartNumber } = args.input as { PartNumber?: number };
    if (context.commandName === "UploadPartCommand" && PartNumber === 3 && !killed) {
      // Part 3 is on its way to the gateway when it dies, as in a crash.
      killed = new Promise((resolve) => setTimeout(resolve, 50)).then(() => gateway.kill());
    }
    return next(args);
  }, { step: "initialize", name: "killGatewayDuringPart3" });
  const source = ReadableStream.from(chunks(noise(30 * MiB), MiB));
  const started = Date.now();
  const error = await rejection(source.pipeTo(new S3Sink(bucket.url(key), { client, partSize: PART })));
  client.destroy();
  await killed;
  assert.ok(error instanceof SinkError, String(error));
  assert.ok(error.message.includes(`s3://${bucket.name}/${key}`), error.message);
  assert.match(error.message, /Cannot upload part \d+ of multipart upload \S+ \(/);
  assert.match(error.message, /no object was created/);
  assert.ok(Date.now() - started < 30_000, "short retries fail fast");

  await gateway.restart();
  assert.equal(await bucket.exists(key), false, "no object");
  // Aborting could not reach a dead gateway, and the error said so: the upload's parts wait for a cleanup.
  assert.match(error.message, /aborting multipart upload \S+ also failed.*abortIncompleteUploads/);
  assert.equal((await bucket.openUploads()).length, 1);
  const storage = new S3Storage({ client: bucket.client });
  assert.equal(
    await storage.abortIncompleteUploads(bucket.url("down/"), { olderThan: 60_000 }),
    0,
    "spares live ones",
  );
  assert.equal(await storage.abortIncompleteUploads(bucket.url("down/"), { olderThan: 0 }), 1);
  assert.deepEqual(await bucket.openUploads(), []);
});
