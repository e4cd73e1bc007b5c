/**
 * A running `deno task export` stopped from outside: SIGINT and SIGTERM abort the writes and exit
 * 130/143 with nothing left; kill -9 leaves temporary files and open uploads, which `vacuum` lists with
 * `--dry-run` and then removes. Real processes, a real table, real disk and the real S3 gateway.
 */

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { spawnCli } from "./helpers/cli.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
import { s3Server, type TestBucket, testBucket } from "./helpers/s3_server.ts";

const sql = connect();
const schema = await testSchema(sql, "interrupt");
// Large enough (about 90 MB of Parquet) that an export is well under way when it is stopped.
await sql.unsafe(`CREATE TABLE "${schema.name}".big AS
  SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b, g * 0.5 AS c
    FROM generate_series(1, 1500000) g`);
const s3 = await s3Server();

/** Starts an export of `big` to `out`. */
function startExport(out: string, ...flags: string[]): Deno.ChildProcess {
  const args = ["--db", DATABASE_URL, "--schema", schema.name, "--tables", "big", "--out", out, ...flags];
  return spawnCli("export", args, { env: s3.env });
}

/** Polls until `ready()` (the export has begun writing), or fails after 60 s. */
async function until(ready: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const temporaryFileIn = (dir: string) => async () =>
  (await readdir(`${dir}/big`).catch(() => [])).some((name) => name.endsWith(".tmp"));
const uploadOpenIn = (bucket: TestBucket) => async () => (await bucket.openUploads()).length > 0;

async function finished(child: Deno.ChildProcess): Promise<{ code: number; stderr: string }> {
  const output = await child.output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

for (
  const [signal, code, path, flags] of [
    ["SIGINT", 130, "binary COPY", []],
    ["SIGTERM", 143, "row", ["--no-binary-copy"]],
  ] as const
) {
  Deno.test(`${signal} during a local export (${path} path): the temporary file is removed, no manifest, exit ${code}`, async () => {
    const out = await tempDir();
    const child = startExport(out, ...flags);
    await until(temporaryFileIn(out), "the export to start writing");
    child.kill(signal);
    const { code: exit, stderr } = await finished(child);
    assert.equal(exit, code, stderr);
    assert.match(stderr, new RegExp(`export interrupted by ${signal}.*no batch was committed`));
    assert.deepEqual(await allFiles(out), [], "no file, temporary file or manifest");
  });
}

Deno.test("SIGTERM during an S3 export: the multipart upload is aborted, no object, exit 143", async () => {
  await using bucket = await testBucket("interrupt");
  const child = startExport(bucket.url("exports"));
  await until(uploadOpenIn(bucket), "a multipart upload to start");
  child.kill("SIGTERM");
  const { code, stderr } = await finished(child);
  assert.equal(code, 143, stderr);
  assert.deepEqual(await bucket.openUploads(), [], "no open upload");
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const listed = await bucket.client.send(new ListObjectsV2Command({ Bucket: bucket.name }));
  assert.deepEqual(listed.Contents ?? [], [], "no object, no manifest");
});

/** Runs `deno task vacuum` with `args`; its JSON report. */
async function vacuumJson(...args: string[]) {
  const output = await spawnCli("vacuum", [...args, "--grace", "0s", "--json"], { env: s3.env }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(output.stdout)) as {
    files: { location: string }[];
    temporary: { location: string; bytes: number }[];
    uploads: { location: string; uploadId: string }[];
  };
}

Deno.test("kill -9 mid-export leaves a temporary file: vacuum --dry-run lists it, vacuum removes it", async () => {
  const out = await tempDir();
  const child = startExport(out);
  await until(temporaryFileIn(out), "the export to start writing");
  child.kill("SIGKILL");
  await child.output();
  const left = await allFiles(out);
  assert.equal(left.length, 1, `one temporary file: ${left}`);
  assert.match(left[0], /^big\/\.big_\d{8}_\d{6}_[0-9a-f]{8}\.parquet\.[0-9a-f]{8}\.tmp$/);

  const dry = await vacuumJson("--out", out, "--dry-run");
  assert.deepEqual(dry.temporary.map((t) => t.location), [`${out}/${left[0]}`]);
  assert.deepEqual(await allFiles(out), left, "a dry run removes nothing");
  const grace = await spawnCli("vacuum", ["--out", out, "--json"]).output();
  assert.deepEqual(
    JSON.parse(new TextDecoder().decode(grace.stdout)).temporary,
    [],
    "a young file is spared",
  );

  const real = await vacuumJson("--out", out);
  assert.deepEqual(real.temporary.map((t) => t.location), [`${out}/${left[0]}`]);
  assert.deepEqual(await allFiles(out), []);
});

Deno.test("kill -9 mid-export to S3 leaves an open upload: vacuum --dry-run lists it, vacuum aborts it", async () => {
  await using bucket = await testBucket("crash");
  const child = startExport(bucket.url("exports"));
  await until(uploadOpenIn(bucket), "a multipart upload to start");
  child.kill("SIGKILL");
  await child.output();
  const [upload] = await bucket.openUploads();
  assert.ok(upload, "the killed writer left its upload open");

  const dry = await vacuumJson("--out", bucket.url("exports"), "--dry-run");
  assert.deepEqual(dry.uploads.map((u) => [u.location, u.uploadId]), [[
    bucket.url(upload.key),
    upload.uploadId,
  ]]);
  assert.equal((await bucket.openUploads()).length, 1, "a dry run aborts nothing");
  const real = await vacuumJson("--out", bucket.url("exports"));
  assert.equal(real.uploads.length, 1);
  assert.deepEqual(await bucket.openUploads(), []);
});

Deno.test({
  name: "cleanup",
  fn: async () => {
    await schema.drop();
    await sql.end();
  },
  sanitizeResources: false,
});
