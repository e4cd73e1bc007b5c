/**
 * The npm package, as a Node.js user gets it: built by `deno task npm`, packed, installed from the tarball
 * into an empty folder, and the README's Node.js example run there exactly as printed, on the machine's
 * `node`. Also: the main entry's static module graph (source and package) holds no `node:` module and no
 * AWS SDK, which load on demand.
 *
 * @module
 */

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { readParquet } from "../mod.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles } from "./helpers/files.ts";
import { installPackage, packPackage, pinned } from "./helpers/npm_package.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
import { readingsAsDuckdb, readingsAsPostgres } from "./helpers/readings.ts";
import { s3Server, testBucket } from "./helpers/s3_server.ts";

const root = new URL("..", import.meta.url);
const TYPESCRIPT = ["typescript@5.9.3", "@types/node@20"];
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The first fenced block of `language` under `heading` in the README, as printed. */
async function readmeBlock(heading: string, language: string): Promise<string> {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  assert.ok(section.length < readme.length, `the README has a section ${heading}`);
  const block = section.match(new RegExp("```" + language + "\\n([\\s\\S]*?)```"));
  assert.ok(block, `${heading} has a ${language} block`);
  return block[1];
}

/** Static imports (not `import()`) of an ES module's text. */
function staticImports(code: string): string[] {
  return [...code.matchAll(/^\s*(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?["']([^"']+)["']/gm)].map((m) =>
    m[1]
  );
}

Deno.test("the main entry's static module graph has no node: module and no AWS SDK", async () => {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", "mod.ts"], cwd: root })
    .output();
  assert.equal(info.code, 0, decode(info.stderr));
  const graph = JSON.parse(decode(info.stdout)) as {
    roots: string[];
    redirects: Record<string, string>;
    modules: { specifier: string; dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[] }[];
  };
  const modules = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>(graph.roots);
  for (const specifier of seen) {
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (!dependency.code || dependency.isDynamic) continue;
      seen.add(graph.redirects[dependency.code.specifier] ?? dependency.code.specifier);
    }
  }
  const reached = [...seen].filter((s) => s.startsWith("node:") || s.includes("@aws-sdk"));
  assert.deepEqual(reached, [], "loaded on demand only");

  // The package's mod.js and the chunks it imports statically: esbuild keeps what mod.ts loads on demand
  // in chunks of their own, imported only when an s3:// location or a local path is used.
  const folder = join((await packPackage()).replace(/[^/]+$/, ""), "package");
  const files = new Set(["mod.js"]);
  const external: string[] = [];
  for (const file of files) {
    for (const target of staticImports(await Deno.readTextFile(join(folder, file)))) {
      if (target.startsWith(".")) files.add(join(file, "..", target));
      else external.push(target);
    }
  }
  assert.ok(files.size > 1 && external.includes("valibot"), [...files, ...external].join(", "));
  assert.deepEqual(external.filter((s) => s.startsWith("node:") || s.includes("@aws-sdk")), []);
});

/** A user's folder with the tarball installed, and the AWS SDK (an optional peer) for s3:// locations. */
let installed: Promise<string> | undefined;
function installWithSdk(): Promise<string> {
  // TypeScript and Node's types, for a TypeScript user's check of the declarations.
  return installed ??= (async () => installPackage([await pinned("@aws-sdk/client-s3"), ...TYPESCRIPT]))();
}

Deno.test("the installed package has every entry point of deno.json, on Node 20 or later, each with the names JSR has", async () => {
  const dir = await installWithSdk();
  const { exports } = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const manifest = JSON.parse(
    await Deno.readTextFile(join(dir, "node_modules/@parquet-storage/engine/package.json")),
  );
  assert.equal(manifest.type, "module");
  assert.equal(manifest.engines.node, ">=20.16");
  assert.deepEqual(Object.keys(manifest.exports), Object.keys(exports));
  const subpaths = Object.keys(exports).map((s) => s.replace(/^\./, "@parquet-storage/engine"));
  await Deno.writeTextFile(
    join(dir, "entries.mjs"),
    `const names = {};
for (const entry of ${JSON.stringify(subpaths)}) names[entry] = Object.keys(await import(entry)).sort();
process.stdout.write(JSON.stringify(names));`,
  );
  const run = await new Deno.Command("node", { args: ["entries.mjs"], cwd: dir }).output();
  assert.equal(run.code, 0, decode(run.stderr));
  const names = JSON.parse(decode(run.stdout));
  for (const [subpath, file] of Object.entries(exports as Record<string, string>)) {
    const source = Object.keys(await import(new URL(file, root).href)).sort();
    assert.deepEqual(names[subpath.replace(/^\./, "@parquet-storage/engine")], source, subpath);
  }
});

Deno.test("on Node.js every codec writes from the installed package, read back by hyparquet and DuckDB", async () => {
  const dir = await installWithSdk();
  await Deno.writeTextFile(
    join(dir, "codecs.mjs"),
    `import { defineTable, int, readParquet, text, writeParquet } from "@parquet-storage/engine";
import { CODECS } from "@parquet-storage/engine/write";
const table = defineTable("t", { id: int(), name: text() });
const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: "n" + (i % 7) }));
const out = {};
for (const codec of CODECS) {
  const { location } = await writeParquet("codecs/" + codec, rows, { table, codec });
  out[codec] = { location, rows: (await readParquet(location)).length };
}
process.stdout.write(JSON.stringify(out));
`,
  );
  const run = await new Deno.Command("node", { args: ["codecs.mjs"], cwd: dir }).output();
  assert.equal(run.code, 0, decode(run.stderr));
  const out = JSON.parse(decode(run.stdout));
  for (const codec of ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI"]) {
    assert.equal(out[codec]?.rows, 2000, codec);
    const file = join(dir, out[codec].location);
    const [{ codecs }] = await duckdbRows(
      `SELECT string_agg(DISTINCT compression, ',') AS codecs FROM parquet_metadata(${sqlString(file)})`,
    );
    assert.equal(codecs, codec);
    assert.deepEqual(
      await duckdbRows(`SELECT count(*) AS n, sum(id) AS s FROM read_parquet(${sqlString(file)})`),
      [{ n: "2000", s: "1999000" }],
    );
  }
});

Deno.test("a TypeScript project type-checks against the package's declarations (tsc, nodenext)", async () => {
  const dir = await installWithSdk();
  await Deno.writeTextFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        lib: ["es2023", "dom", "dom.iterable", "dom.asynciterable"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
      },
      files: ["typed.mts"],
    }),
  );
  const typed =
    `import { defineTable, int, readParquet, type Row, text, ValidationError, writeParquet } from "@parquet-storage/engine";
import { LocalFileSink } from "@parquet-storage/engine/local";
import { S3Sink } from "@parquet-storage/engine/s3";
import { exportTables, type ExportSummary } from "@parquet-storage/engine/postgres";
const table = defineTable("t", { id: int(), name: text() });
const { location }: { location: string } = await writeParquet("x", [{ id: 1, name: "a" }], { table });
const rows: Row[] = await readParquet(location);
const sink: WritableStream<Uint8Array> = new LocalFileSink("a.parquet");
const bytes: number = new S3Sink("s3://lake/x").bytesWritten;
const column: string | undefined = new ValidationError("bad").column;
const summary: Promise<ExportSummary> | undefined = undefined as never;
// @ts-expect-error a number is not a location
await readParquet(5);
console.log(rows, sink, bytes, column, summary, exportTables);
`;
  const tsc = (file: string) =>
    new Deno.Command("node", { args: ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], cwd: dir })
      .output().then((out) => ({ code: out.code, text: decode(out.stdout) + decode(out.stderr), file }));
  await Deno.writeTextFile(join(dir, "typed.mts"), typed);
  const good = await tsc("typed.mts");
  assert.equal(good.code, 0, good.text);
  // And the declarations do carry types: a wrong one is caught.
  await Deno.writeTextFile(join(dir, "typed.mts"), typed + `const wrong: number = await readParquet("x");\n`);
  const bad = await tsc("typed.mts");
  assert.match(bad.text, /Type 'Row\[\]' is not assignable to type 'number'/);
});

Deno.test("the README's Node.js example runs as printed from the installed npm package", async () => {
  const dir = await installWithSdk();
  const installed = JSON.parse(
    await Deno.readTextFile(join(dir, "node_modules/@parquet-storage/engine/package.json")),
  );
  assert.equal(installed.peerDependenciesMeta["@aws-sdk/client-s3"].optional, true);
  await Deno.writeTextFile(join(dir, "example.mjs"), await readmeBlock("### From Node.js", "js"));

  const sql = connect();
  const schema = await testSchema(sql, "node_example");
  await using bucket = await testBucket("node");
  try {
    await sql.unsafe(`
      CREATE TABLE "${schema.name}".stations (
        id bigint PRIMARY KEY, name text NOT NULL, elevation numeric(7, 2), opened date,
        seen_at timestamptz, tags jsonb
      );
      INSERT INTO "${schema.name}".stations
      SELECT i, 'station ' || i || ' ü', CASE WHEN i % 3 = 0 THEN NULL ELSE i * 1.25 END,
             date '2020-01-01' + i, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute 0.5 seconds',
             CASE WHEN i % 2 = 0 THEN jsonb_build_object('i', i) END
      FROM generate_series(1, 250) AS i`);
    const { env } = await s3Server();
    const run = await new Deno.Command("node", {
      args: ["example.mjs"],
      cwd: dir,
      env: { ...env, BUCKET: bucket.name, DATABASE_URL, SCHEMA: schema.name },
    }).output();
    assert.equal(run.code, 0, decode(run.stderr));
    const out = decode(run.stdout);
    assert.match(out, /^data\/readings\/readings_\d{8}_\d{6}_[0-9a-f]{8}\.parquet 1000 rows$/m);
    assert.match(out, /^stations 250 rows$/m);

    // The local file, read back by hyparquet and by DuckDB.
    const files = await allFiles(join(dir, "data"));
    const local = files.find((f) => f.startsWith("readings/"))!;
    const expected = Array.from({ length: 1000 }, (_, i) => ({
      id: i + 1,
      label: `r-${i + 1}`,
      taken_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i + 1)).toISOString().replace("Z", "000Z"),
    }));
    assert.deepEqual(await readParquet(join(dir, "data", local)), expected);
    const duckLocal = await duckdbRows(
      `SELECT id, label, epoch_ms(taken_at) AS ms FROM read_parquet(${
        sqlString(join(dir, "data", local))
      }) ORDER BY id`,
    );
    assert.deepEqual(duckLocal.at(-1), {
      id: 1000,
      label: "r-1000",
      ms: String(Date.UTC(2026, 0, 1, 0, 16, 40)),
    });

    // The S3 object, as DuckDB reads it.
    const key = out.match(new RegExp(`^s3://${bucket.name}/(readings/\\S+\\.parquet)$`, "m"))?.[1];
    assert.ok(key, out);
    const object = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
    const copy = join(dir, "object.parquet");
    await writeFile(copy, await object.Body!.transformToByteArray());
    const duckObject = await duckdbRows(
      `SELECT count(*) AS n, sum(id) AS s FROM read_parquet(${sqlString(copy)})`,
    );
    assert.deepEqual(duckObject, [{ n: "1000", s: "500500" }]);

    // Both files, every row and column type, as DuckDB reads them and as PostgreSQL has the same rows.
    const readings = await readingsAsPostgres(0);
    assert.deepEqual(await readingsAsDuckdb(join(dir, "data", local)), readings, "the local file");
    assert.deepEqual(await readingsAsDuckdb(copy), readings, "the S3 object");

    // The exported table, as DuckDB reads it and as PostgreSQL has it.
    const exported = files.find((f) => f.startsWith("export/stations/") && f.endsWith(".parquet"))!;
    assert.ok(exported, files.join("\n"));
    const duck = await duckdbRows(
      `SELECT id, name, elevation::text AS elevation, opened::text AS opened,
              epoch_us(seen_at)::text AS seen_at, tags::text AS tags
       FROM read_parquet(${sqlString(join(dir, "data", exported))}) ORDER BY id`,
    );
    const pg = await sql.unsafe(
      `SELECT id::text, name, elevation::text, opened::text,
              (extract(epoch from seen_at) * 1000000)::bigint::text AS seen_at, tags::text
       FROM "${schema.name}".stations ORDER BY stations.id`,
    );
    assert.equal(duck.length, 250);
    const normalise = (r: Record<string, unknown>) => ({
      ...r,
      id: String(r.id),
      tags: r.tags === null ? null : JSON.stringify(JSON.parse(r.tags as string)),
    });
    assert.deepEqual(duck.map(normalise), pg.map((r) => normalise({ ...r })));
  } finally {
    await schema.drop();
    await sql.end();
  }
});
