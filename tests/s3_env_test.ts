/**
 * S3 and its environment: the client config from options and AWS_* variables, a run without a
 * filesystem, unreadable variables, and a gateway that dies mid-upload.
 */

import assert from "node:assert/strict";
import { S3Client } from "@aws-sdk/client-s3";
import { SinkError } from "../src/errors.ts";
import { S3Sink } from "../src/sinks/s3_sink.ts";
import { s3ClientConfig } from "../src/sinks/s3_location.ts";
import { S3Storage } from "../src/storage/s3_storage.ts";
import { readParquet } from "../src/read/read_parquet.ts";
import { privateGateway, s3Server, testBucket } from "./helpers/s3_server.ts";
import { chunks, getObject, MiB, noise, PART, rejection } from "./helpers/s3_objects.ts";

/** Runs `script` in a child Deno with this project's config and `flags`, and parses the JSON it prints. */
async function runScript(
  script: string,
  { flags, args = [], env }: { flags: string[]; args?: string[]; env: Record<string, string> },
): Promise<Record<string, unknown>> {
  const config = new URL("../deno.json", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", config, ...flags, "--no-prompt", "-", ...args],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

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
  const report = await runScript(script, {
    flags: ["--allow-net=127.0.0.1", "--allow-env", "--deny-read", "--deny-write"],
    args: [bucket.url("edge/raw.bin"), bucket.url("edge/rows.parquet")],
    env,
  });
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
  const report = await runScript(script, {
    flags: ["--allow-env"],
    env: { AWS_REGION: "eu-north-1", AWS_ENDPOINT_URL: "http://127.0.0.1:9" },
  });
  assert.deepEqual(report, {
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
