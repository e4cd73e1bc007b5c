/**
 * A real edge runtime: the README's Worker, bundled with esbuild as the README says from the npm package
 * installed out of its tarball, run on Cloudflare's workerd through miniflare (from npm, on the machine's
 * `node`), against the S3 gateway.
 *
 * @module
 */

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { installPackage, pinned } from "./helpers/npm_package.ts";
import { type Readings, readingsAsDuckdb, readingsAsPostgres } from "./helpers/readings.ts";
import { s3Server, type TestBucket, testBucket } from "./helpers/s3_server.ts";

/** A miniflare whose engines field admits the machine's Node.js 20. */
const MINIFLARE = "miniflare@4.20260426.0";
const root = new URL("..", import.meta.url);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The fenced blocks of `language` under `heading` in the README (up to the next heading), as printed. */
async function readmeBlocks(heading: string, language: string): Promise<string[]> {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const at = readme.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `the README has a section ${heading}`);
  const section = readme.slice(at + heading.length + 2).split(/\n#{1,3} /)[0];
  return [...section.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

/**
 * A user's folder: the npm tarball (packed from the sources) installed with the AWS SDK, esbuild and
 * miniflare, and the README's build script.
 */
let prepared: Promise<string> | undefined;
function workerFolder(): Promise<string> {
  return prepared ??= (async () => {
    const [, build] = await readmeBlocks("### In a Worker", "js");
    assert.ok(build, "the README shows the Worker's build script");
    const dir = await installPackage([
      await pinned("@aws-sdk/client-s3"),
      await pinned("esbuild"),
      MINIFLARE,
    ]);
    await Deno.writeTextFile(join(dir, "build.mjs"), build);
    return dir;
  })();
}

/** Bundles `source` with the README's build script and answers `requests` requests with it on workerd. */
async function runWorker(
  name: string,
  source: string,
  bindings: Record<string, string>,
  { requests = 1, build = "../build.mjs", compatibilityFlags = [] as string[] } = {},
): Promise<{ status: number; body: string }[]> {
  const base = await workerFolder();
  const dir = join(base, name);
  await Deno.mkdir(dir);
  await Deno.writeTextFile(join(dir, "worker.js"), source);
  const bundled = await new Deno.Command("node", { args: [build], cwd: dir }).output();
  assert.equal(bundled.code, 0, decode(bundled.stderr));
  const modules = [...Deno.readDirSync(join(dir, "dist"))].map((entry) => entry.name)
    .sort((a, b) => Number(b === "worker.js") - Number(a === "worker.js"));
  assert.ok(modules[0] === "worker.js" && modules.length > 1, modules.join(", "));
  // Every module of the bundle, the Worker first: chunks imported on demand are found by no scan.
  await Deno.writeTextFile(
    join(dir, "run.mjs"),
    `import { Miniflare } from "miniflare";
const mf = new Miniflare({
  modulesRoot: "dist",
  modules: ${JSON.stringify(modules.map((path) => ({ type: "ESModule", path: `dist/${path}` })))},
  cf: false,
  compatibilityDate: "2025-09-01",
  compatibilityFlags: ${JSON.stringify(compatibilityFlags)},
  bindings: ${JSON.stringify(bindings)},
});
try {
  const answers = [];
  for (let i = 0; i < ${requests}; i++) {
    const response = await mf.dispatchFetch("http://worker.test/");
    answers.push({ status: response.status, body: await response.text() });
  }
  process.stdout.write(JSON.stringify(answers));
} finally {
  await mf.dispose();
}
`,
  );
  // A Worker that hangs fails the test instead of stalling it.
  const run = await new Deno.Command("node", {
    args: ["run.mjs"],
    cwd: dir,
    signal: AbortSignal.timeout(180_000),
  })
    .output();
  assert.equal(run.code, 0, decode(run.stderr));
  return JSON.parse(decode(run.stdout));
}

async function bindingsFor(bucket: string): Promise<Record<string, string>> {
  const { options } = await s3Server();
  return {
    BUCKET: bucket,
    S3_ENDPOINT: options.endpoint!,
    S3_REGION: options.region ?? "us-east-1",
    S3_ACCESS_KEY_ID: options.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
  };
}

async function duckdbObject(bucket: TestBucket, location: string, query: string) {
  return await withObject(bucket, location, (copy) => duckdbRows(query.replaceAll("FILE", sqlString(copy))));
}

/** Runs `read` on a local copy of the object at `location`. */
async function withObject<T>(bucket: TestBucket, location: string, read: (file: string) => Promise<T>) {
  const key = location.slice(`s3://${bucket.name}/`.length);
  const object = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
  const copy = await Deno.makeTempFile({ suffix: ".parquet" });
  try {
    await writeFile(copy, await object.Body!.transformToByteArray());
    return await read(copy);
  } finally {
    await Deno.remove(copy);
  }
}

Deno.test("the README's Worker encodes, uploads to S3 and reads back with ranges on workerd", async () => {
  const [worker] = await readmeBlocks("### In a Worker", "js");
  await using bucket = await testBucket("worker");
  // Twice: the second request meets what the first left loaded in the isolate (codecs, decompressors).
  const answers = await runWorker("readme", worker, await bindingsFor(bucket.name), { requests: 2 });
  const locations = answers.map(({ status, body }) => {
    assert.equal(status, 200, body);
    const { location, skipped, rows } = JSON.parse(body);
    assert.deepEqual(rows, Array.from({ length: 10 }, (_, i) => ({ id: 991 + i, label: `r-${991 + i}` })));
    assert.equal(skipped, 3, "row groups the filter rules out are not fetched");
    return location as string;
  });
  assert.equal(new Set(locations).size, 2, "each request wrote a file of its own");
  const [location] = locations;
  const duck = await duckdbObject(
    bucket,
    location,
    "SELECT count(*) AS n, sum(id) AS s, max(label) AS label, epoch_ms(max(taken_at)) AS ms FROM read_parquet(FILE)",
  );
  assert.deepEqual(duck, [{
    n: "1000",
    s: "500500",
    label: "r-999",
    ms: String(Date.UTC(2026, 0, 1, 0, 16, 39)),
  }]);
  // Every row and column type, as DuckDB reads the object and as PostgreSQL has the same rows.
  const read: Readings = await withObject(bucket, location, readingsAsDuckdb);
  assert.deepEqual(read, await readingsAsPostgres(-1));
});

for (const nodejsCompat of [false, true]) {
  const flags = nodejsCompat ? ["nodejs_compat"] : [];
  // Without nodejs_compat ZSTD and BROTLI have no way to run (no WebAssembly compiled from bytes, no
  // node:zlib); with it they take workerd's node:zlib.
  const working = nodejsCompat
    ? ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI"]
    : ["UNCOMPRESSED", "SNAPPY", "GZIP"];
  Deno.test(`on workerd (${nodejsCompat ? "nodejs_compat" : "no flags"}) ${working.join(", ")} write and read back; multipart uploads work; failures reject`, async () => {
    const source = await Deno.readTextFile(new URL("./worker/codecs_worker.js", import.meta.url));
    await using bucket = await testBucket("worker-codecs");
    const [{ status, body }] = await runWorker(
      `codecs${flags.join("")}`,
      source,
      await bindingsFor(bucket.name),
      {
        compatibilityFlags: flags,
      },
    );
    assert.equal(status, 200, body);
    const out = JSON.parse(body);
    for (const codec of working) {
      assert.equal(out[codec].error, undefined, `${codec}: ${out[codec].error}`);
      assert.equal(out[codec].rows, 500);
      assert.deepEqual(out[codec].last, { id: 499, name: "n4" });
      const duck = await duckdbObject(
        bucket,
        out[codec].location,
        "SELECT (SELECT count(*) FROM read_parquet(FILE)) AS n, (SELECT sum(id) FROM read_parquet(FILE)) AS s, " +
          "(SELECT string_agg(DISTINCT compression, ',') FROM parquet_metadata(FILE)) AS codec",
      );
      assert.deepEqual(duck, [{ n: "500", s: "124750", codec }], codec);
      const key = (out[codec].location as string).slice(`s3://${bucket.name}/`.length);
      const object = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
      const digest = await crypto.subtle.digest(
        "SHA-256",
        new Uint8Array(await object.Body!.transformToByteArray()),
      );
      const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      assert.equal(out[codec].sha256, hex, `${codec}: the Worker's SHA-256 of what was uploaded`);
    }
    for (const codec of ["ZSTD", "BROTLI"].filter((c) => !working.includes(c))) {
      assert.match(
        out[codec].error ?? "",
        new RegExp(
          `Cannot compress with ${codec} in this runtime: .*enable the nodejs_compat compatibility flag.*` +
            "SNAPPY, GZIP and UNCOMPRESSED need no WebAssembly",
        ),
      );
    }
    assert.equal(out.multipart.error, undefined, out.multipart.error);
    assert.ok(out.multipart.bytes > 5 * 1024 * 1024, `${out.multipart.bytes} bytes: more than one part`);
    assert.deepEqual(out.multipart.rows, [{ id: 59_999 }]);
    for (const codec of ["GZIP", "UNCOMPRESSED"]) {
      assert.match(out[`missing bucket ${codec}`].error ?? "", /SinkError: .*NoSuchBucket/, codec);
      const { error, ms } = out[`bad endpoint ${codec}`];
      assert.match(error ?? "", /^SinkError: Cannot put the object \(.+\): s3:\/\//, `${codec}: ${error}`);
      assert.ok(ms < 60_000, `${codec}: rejected after ${ms} ms`);
    }
    assert.match(out["bad credentials"].error ?? "", /^SinkError: .*(InvalidAccessKeyId|AccessDenied|403)/s);
    const listed = await bucket.client.send(
      new ListObjectsV2Command({ Bucket: bucket.name, Prefix: "bad-" }),
    );
    assert.equal(listed.KeyCount, 0, "nothing is visible from the failed writes");
    assert.deepEqual(await bucket.openUploads(), [], "no multipart upload is left open");
  });
}

Deno.test("a Worker bundled without the README's XML parser fix fails S3 answers with a hint, and hangs nothing", async () => {
  const base = await workerFolder();
  // The README's build script without its plugin: esbuild's browser field picks the SDK's DOMParser parser.
  await Deno.writeTextFile(
    join(base, "build-plain.mjs"),
    `import * as esbuild from "esbuild";
await esbuild.build({
  entryPoints: ["worker.js"], outdir: "dist", bundle: true, splitting: true, format: "esm",
  conditions: ["workerd", "worker", "browser"], external: ["node:*"],
});
`,
  );
  const source = await Deno.readTextFile(new URL("./worker/codecs_worker.js", import.meta.url));
  await using bucket = await testBucket("worker-plain");
  const [{ status, body }] = await runWorker("plain", source, await bindingsFor(bucket.name), {
    build: "../build-plain.mjs",
  });
  assert.equal(status, 200, body);
  const out = JSON.parse(body);
  assert.match(
    out["missing bucket GZIP"].error ?? "",
    /SinkError: .*DOMParser is not defined.*bundle @aws-sdk\/xml-builder's JavaScript parser instead \(README, In a Worker\)/s,
  );
  assert.match(out.multipart.error ?? "", /DOMParser/, "CreateMultipartUpload's answer is XML too");
  // The store did open that upload, but its id was in the answer that could not be read: only a listing
  // finds it (S3Storage.abortIncompleteUploads, vacuum). No object is visible.
  assert.deepEqual((await bucket.openUploads()).map((u) => u.key), ["multipart/big.parquet"]);
  assert.equal(await bucket.exists("multipart/big.parquet"), false);
});
