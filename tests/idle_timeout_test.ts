/**
 * A peer that keeps its socket open but stops sending: PostgreSQL mid-COPY or mid-FETCH, S3 mid-part.
 * Through a stalling TCP proxy of the test's own, in front of the real PostgreSQL and the real S3
 * gateway, the export fails within its idle timeout, names the table, and leaves nothing visible and no
 * open upload.
 */

import assert from "node:assert/strict";
import { ParquetStorageError } from "../mod.ts";
import { SourceError } from "../postgres.ts";
import { SinkError } from "../write.ts";
import { S3Sink } from "../s3.ts";
import { connectPostgres, exportTables } from "../postgres.ts";
import { runCli } from "./helpers/cli.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
import { testBucket } from "./helpers/s3_server.ts";
import { stallingProxy } from "./helpers/stalling_proxy.ts";

const sql = connect();
const schema = await testSchema(sql, "stall");
// About 9 MB on the wire and 11 MB of Parquet: more than the proxy lets through, more than one S3 part.
await sql.unsafe(`CREATE TABLE "${schema.name}".big AS
  SELECT g AS id, md5(g::text) || md5((g * 3)::text) AS a FROM generate_series(1, 120000) g`);
const pgPort = Number(new URL(DATABASE_URL).port || 5432);

/** The database URL, through `port` on 127.0.0.1. */
function throughProxy(port: number): string {
  const url = new URL(DATABASE_URL);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return url.href;
}

async function failure(run: Promise<unknown>, withinMs: number): Promise<ParquetStorageError> {
  const started = Date.now();
  const error = await run.then(() => assert.fail("the export should have failed"), (e) => e);
  const took = Date.now() - started;
  assert.ok(took < withinMs, `failed after ${took} ms, expected within ${withinMs} ms`);
  assert.ok(error instanceof ParquetStorageError, `expected a typed error, got ${error?.stack ?? error}`);
  return error;
}

for (const binaryCopy of [true, false]) {
  Deno.test(`PostgreSQL going silent mid-${binaryCopy ? "COPY" : "FETCH"} fails the export within its idle timeout`, async () => {
    await using proxy = stallingProxy(pgPort, { after: 2_000_000, direction: "download" });
    const out = await tempDir();
    const client = connectPostgres({ url: throughProxy(proxy.port), max: 1 });
    try {
      const run = exportTables(client, {
        out,
        schema: schema.name,
        tables: ["big"],
        binaryCopy,
        batchSize: 2000,
        idleTimeout: 1500,
      });
      const error = await failure(run, 15_000);
      assert.ok(error instanceof SourceError, String(error));
      assert.equal(error.table, "big");
      assert.match(
        error.message,
        new RegExp(`sent nothing for 1.5 s while ${binaryCopy ? "sending a COPY" : "fetching rows"}`),
      );
      assert.equal(proxy.stalls, 1, "the proxy did stall the connection");
      assert.deepEqual(await allFiles(out), [], "no file, no temporary file, no manifest");
    } finally {
      await client.end({ timeout: 0 });
    }
  });
}

Deno.test("an S3 store going silent mid-part fails the export within its idle timeout, the upload aborted", async () => {
  await using bucket = await testBucket("stall");
  const endpoint = new URL(bucket.options.endpoint!);
  // Each connection carries at most 1 MB up: small requests pass, a part of 5 MiB never completes.
  await using proxy = stallingProxy(Number(endpoint.port), { after: 1_000_000, direction: "upload" });
  const client = connectPostgres({ url: DATABASE_URL, max: 1 });
  try {
    const run = exportTables(client, {
      out: bucket.url("exports"),
      schema: schema.name,
      tables: ["big"],
      codec: "UNCOMPRESSED",
      s3: {
        ...bucket.options,
        endpoint: `http://127.0.0.1:${proxy.port}`,
        partSize: 5 * 1024 * 1024,
        idleTimeout: 1000,
        maxAttempts: 2,
      },
    });
    const error = await failure(run, 30_000);
    assert.ok(error instanceof SinkError, String(error));
    assert.equal(error.table, "big");
    assert.match(error.message, /Cannot upload part \d+ of multipart upload \S+ \(TimeoutError/);
    assert.match(error.message, /the multipart upload was aborted, no object was created/);
    assert.ok(proxy.stalls >= 1, "the proxy did stall the upload");
    assert.deepEqual(await bucket.openUploads(), [], "no open upload");
    assert.equal(await bucket.exists("exports"), false);
  } finally {
    await client.end({ timeout: 0 });
  }
});

Deno.test("a CreateMultipartUpload answered too late and retried leaves no upload behind when the write fails", async () => {
  await using bucket = await testBucket("late");
  const endpoint = new URL(bucket.options.endpoint!);
  // The first connection carries the request but never the answer: the store creates an upload whose
  // id never arrives, and the SDK's retry creates a second one on a new connection.
  await using proxy = stallingProxy(Number(endpoint.port), {
    after: 0,
    direction: "download",
    connections: 1,
  });
  const sink = new S3Sink(bucket.url("late/x.parquet"), {
    ...bucket.options,
    endpoint: `http://127.0.0.1:${proxy.port}`,
    partSize: 5 * 1024 * 1024,
    idleTimeout: 1000,
    maxAttempts: 2,
  });
  const writer = sink.getWriter();
  await writer.write(new Uint8Array(6 * 1024 * 1024));
  // Wait for the retried start and the first part, so that both uploads exist before the write fails.
  for (let waited = 0; (await bucket.openUploads()).length < 2 && waited < 10_000; waited += 200) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal((await bucket.openUploads()).length, 2, "the late answer made a second upload");
  await writer.abort(new Error("the source failed"));
  assert.equal(proxy.stalls, 1);
  assert.deepEqual(await bucket.openUploads(), [], "both uploads aborted");
  assert.equal(await bucket.exists("late"), false);
});

Deno.test("deno task export --idle-timeout: a silent PostgreSQL fails the run (exit 1) naming the table", async () => {
  await using proxy = stallingProxy(pgPort, { after: 2_000_000, direction: "download" });
  const out = await tempDir();
  const args = ["--db", throughProxy(proxy.port), "--schema", schema.name, "--tables", "big", "--out", out];
  const started = Date.now();
  const ran = await runCli("export", [...args, "--idle-timeout", "1s"]);
  assert.equal(ran.code, 1, ran.stderr);
  assert.ok(Date.now() - started < 30_000);
  assert.match(ran.stderr, /sent nothing for 1 s while sending a COPY.*\(table big\)/);
  assert.deepEqual(await allFiles(out), []);
  const bad = await runCli("export", [...args, "--idle-timeout", "soon"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--idle-timeout must be a duration such as 30s or 5m: current value is soon/);
});

Deno.test({
  name: "cleanup",
  fn: async () => {
    await schema.drop();
    await sql.end();
  },
  sanitizeResources: false,
});
