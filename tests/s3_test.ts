/**
 * S3Sink against a real server (Ceph RADOS Gateway, started by the helper if needed): multipart uploads,
 * parts in flight, immutability, and cleanup on every failure path.
 */

import assert from "node:assert/strict";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SinkError, ValidationError } from "../src/errors.ts";
import { S3Sink } from "../src/sinks/s3_sink.ts";
import { EncodeStream } from "../src/streams/encode_stream.ts";
import { ValidateStream } from "../src/streams/validate_stream.ts";
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
