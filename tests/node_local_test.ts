/**
 * A local-only Node.js user: the npm package installed from its tarball with nothing beside it, so no AWS
 * SDK (an optional peer, which npm does not install). Streams to a local file, every codec (ZSTD from the
 * WebAssembly embedded in the package, BROTLI through Node's own loading), an export from PostgreSQL with
 * its committed batch, all on the machine's `node`; and an `s3://` location says which package to install
 * instead of failing to resolve. Also a user's program bundled whole with esbuild (the package and its
 * dependencies inside), run from a folder with nothing else in it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { installPackage, pinned } from "./helpers/npm_package.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const PROGRAM = `import { Readable } from "node:stream";
import { defineTable, EncodeStream, int, readParquet, text, ValidateStream, writeParquet } from "@parquet-storage/engine";
import { CODECS, parquetFileName } from "@parquet-storage/engine/write";
import { LocalFileSink } from "@parquet-storage/engine/local";
import { readCommitted } from "@parquet-storage/engine/batch";
import { connectPostgres, exportTables } from "@parquet-storage/engine/postgres";

const table = defineTable("t", { id: int(), name: text() });
const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: "n" + (i % 7) }));
const out = { codecs: {} };

const path = "data/t/" + parquetFileName("t");
await Readable.toWeb(Readable.from(rows))
  .pipeThrough(new ValidateStream(table))
  .pipeThrough(new EncodeStream(table))
  .pipeTo(new LocalFileSink(path));
out.stream = { path, rows: (await readParquet(path)).length };

for (const codec of CODECS) {
  const { location } = await writeParquet("data/codecs/" + codec, rows, { table, codec });
  out.codecs[codec] = { location, rows: (await readParquet(location)).length };
}

const sql = connectPostgres({ url: process.env.DATABASE_URL });
try {
  const summary = await exportTables(sql, { out: "data/export", schema: process.env.SCHEMA });
  out.exported = summary.tables.map((t) => [t.table, t.rows]);
  out.committed = (await readCommitted("data/export", "stations")).length;
} finally {
  await sql.end();
}

try {
  await writeParquet("s3://lake/t", rows, { table });
  out.s3 = "written";
} catch (error) {
  out.s3 = error.name + ": " + error.message;
}
process.stdout.write(JSON.stringify(out));
`;

Deno.test("installed without the AWS SDK, the package writes, reads and exports locally on Node.js", async () => {
  const dir = await installPackage();
  await assert.rejects(Deno.stat(join(dir, "node_modules/@aws-sdk")), Deno.errors.NotFound, "no AWS SDK");
  await Deno.writeTextFile(join(dir, "local.mjs"), PROGRAM);

  const sql = connect();
  const schema = await testSchema(sql, "node_local");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".stations (id bigint PRIMARY KEY, name text NOT NULL);
      INSERT INTO "${schema.name}".stations SELECT i, 'station ' || i FROM generate_series(1, 120) AS i`);
    const run = await new Deno.Command("node", {
      args: ["local.mjs"],
      cwd: dir,
      env: { DATABASE_URL, SCHEMA: schema.name },
    }).output();
    assert.equal(run.code, 0, decode(run.stderr));
    const out = JSON.parse(decode(run.stdout));

    assert.equal(out.stream.rows, 2000);
    for (const codec of ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI"]) {
      assert.equal(out.codecs[codec]?.rows, 2000, codec);
      const file = sqlString(join(dir, out.codecs[codec].location));
      const [{ codecs }] = await duckdbRows(
        `SELECT string_agg(DISTINCT compression, ',') AS codecs FROM parquet_metadata(${file})`,
      );
      assert.equal(codecs, codec);
      assert.deepEqual(
        await duckdbRows(`SELECT count(*) AS n, sum(id) AS s FROM read_parquet(${file})`),
        [{ n: "2000", s: "1999000" }],
      );
    }
    assert.deepEqual(out.exported, [["stations", 120]]);
    assert.equal(out.committed, 120);
    assert.match(
      out.s3,
      /^ParquetStorageError: Cannot open s3:\/\/lake\/t.*: s3:\/\/ locations need the AWS SDK, which is not installed \(npm install @aws-sdk\/client-s3\)/,
    );
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("a Node.js program bundled whole with esbuild writes every codec, ZSTD from the WebAssembly inside the package, run with no node_modules beside it", async () => {
  const dir = await installPackage([await pinned("esbuild")]);
  // The package carries zstd's WebAssembly in its own JavaScript, so it no longer installs @bokuweb/zstd-wasm.
  await assert.rejects(Deno.stat(join(dir, "node_modules/@bokuweb/zstd-wasm")), Deno.errors.NotFound);
  await Deno.writeTextFile(
    join(dir, "app.mjs"),
    `import { defineTable, int, readParquet, text, writeParquet } from "@parquet-storage/engine";
import { CODECS } from "@parquet-storage/engine/write";
const table = defineTable("t", { id: int(), name: text() });
const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: "n" + (i % 7) }));
const out = {};
for (const codec of CODECS) {
  try {
    const { location } = await writeParquet("data/" + codec, rows, { table, codec });
    out[codec] = { rows: (await readParquet(location)).length };
  } catch (error) {
    out[codec] = { error: error.name + ": " + error.message };
  }
}
process.stdout.write(JSON.stringify(out));
`,
  );
  // The package and its dependencies bundled in, as a user's build of a whole program does (the AWS
  // SDK, not installed, left out).
  await Deno.writeTextFile(
    join(dir, "build.mjs"),
    `import * as esbuild from "esbuild";
await esbuild.build({
  entryPoints: ["app.mjs"], outdir: "bundle", outExtension: { ".js": ".mjs" }, bundle: true, splitting: true,
  format: "esm", platform: "node", target: "node20", external: ["@aws-sdk/client-s3"], logLevel: "error",
});
`,
  );
  const build = await new Deno.Command("node", { args: ["build.mjs"], cwd: dir }).output();
  assert.equal(build.code, 0, decode(build.stderr));
  // Deployed as a bundle is: its files alone (no .wasm among them), no node_modules to find anything in.
  const deployed = await tempDir();
  for await (const entry of Deno.readDir(join(dir, "bundle"))) {
    assert.ok(entry.isFile && entry.name.endsWith(".mjs"), entry.name);
    await Deno.copyFile(join(dir, "bundle", entry.name), join(deployed, entry.name));
  }
  const run = await new Deno.Command("node", { args: ["app.mjs"], cwd: deployed }).output();
  assert.equal(run.code, 0, decode(run.stderr));
  const out = JSON.parse(decode(run.stdout));
  for (const codec of ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI"]) {
    assert.equal(out[codec].rows, 2000, `${codec}: ${out[codec].error}`);
    const file = sqlString(join(deployed, "data", codec));
    const [{ codecs, n, s }] = await duckdbRows(
      `SELECT (SELECT string_agg(DISTINCT compression, ',') FROM parquet_metadata(${file} || '/*.parquet')) AS codecs,
              (SELECT count(*) FROM read_parquet(${file} || '/*.parquet')) AS n,
              (SELECT sum(id) FROM read_parquet(${file} || '/*.parquet')) AS s`,
    );
    assert.deepEqual({ codecs, n, s }, { codecs: codec, n: "2000", s: "1999000" });
  }
});
