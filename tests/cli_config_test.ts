// --config and --compression-level: the file's keys are the flags, and through the real CLI the files
// read back in DuckDB and hyparquet.

import assert from "node:assert/strict";
import { join } from "node:path";
import { parquetMetadataAsync } from "hyparquet";
import { readParquet } from "../mod.ts";
import { parseExportArgs } from "../src/cli/args.ts";
import { runCli } from "./helpers/cli.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";
import { env, filesOf, refused } from "./helpers/flags.ts";

Deno.test("--config: the file's keys are the flags; flags override it; unknown keys and wrong types are refused", () => {
  const files: Record<string, string> = {
    "ok.json": JSON.stringify({
      tables: ["borehole", "projects"],
      schema: "platform",
      codec: "gzip",
      "compression-level": 9,
      "row-group-size": 5000,
      incremental: true,
      "max-file-size": "64MiB",
    }),
    "unknown.json": JSON.stringify({ tables: "a", compresion: "zstd" }),
    "type.json": JSON.stringify({ "row-group-size": true }),
    "switch.json": JSON.stringify({ incremental: "yes" }),
    "list.json": JSON.stringify({ tables: [1, 2] }),
    "nested.json": JSON.stringify({ config: "other.json" }),
    "array.json": "[1]",
    "broken.json": "{ tables: a }",
    "bad-value.json": JSON.stringify({ codec: "zstd", "compression-level": 30 }),
  };
  const read = (path: string) => {
    if (!(path in files)) throw new Deno.errors.NotFound(`No such file: ${path}`);
    return files[path];
  };
  const fromFile = parseExportArgs(["--config", "ok.json"], read);
  assert.deepEqual(fromFile.tables, ["borehole", "projects"]);
  assert.equal(fromFile.schema, "platform");
  assert.equal(fromFile.codec, "GZIP");
  assert.equal(fromFile.compressionLevel, 9);
  assert.equal(fromFile.rowGroupSize, 5000);
  assert.equal(fromFile.incremental, true);
  assert.equal(fromFile.maxFileSize, 64 * 1024 ** 2);
  const overridden = parseExportArgs(
    ["--config", "ok.json", "--tables", "lab_reports", "--compression-level", "1", "--schema", "public"],
    read,
  );
  assert.deepEqual(overridden.tables, ["lab_reports"]);
  assert.equal(overridden.compressionLevel, 1);
  assert.equal(overridden.schema, "public");
  assert.equal(overridden.codec, "GZIP", "what the command line leaves alone stays as the file says");
  refused(
    ["--config", "unknown.json"],
    /--config unknown\.json: unknown key "compresion" \(keys are the flags without --: db, tables/,
    read,
  );
  refused(
    ["--config", "type.json"],
    /"row-group-size" must be a number or a string: current value is true/,
    read,
  );
  refused(["--config", "switch.json"], /"incremental" must be true or false: current value is "yes"/, read);
  refused(
    ["--config", "list.json"],
    /"tables" must be a string \(a,b\) or an array of strings: current value is \[1,2\]/,
    read,
  );
  refused(["--config", "nested.json"], /unknown key "config"/, read);
  refused(["--config", "array.json"], /must hold a JSON object of flags/, read);
  refused(["--config", "broken.json"], /--config broken\.json is not JSON/, read);
  refused(["--config", "missing.json"], /--config missing\.json cannot be read: No such file/, read);
  refused(
    ["--config", "bad-value.json"],
    /--compression-level for ZSTD must be an integer from 1 to 22: current value is 30/,
    read,
  );
});

Deno.test("--compression-level and --config through the real CLI: files DuckDB and hyparquet read back", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_level");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".notes (id int PRIMARY KEY, body text NOT NULL)`);
    await sql.unsafe(
      `INSERT INTO "${schema.name}".notes SELECT g, repeat('borehole log ' || (g % 7), 20) FROM generate_series(1, 3000) g`,
    );
    const sizes: Record<string, number> = {};
    for (const level of ["1", "19"]) {
      const out = await tempDir();
      const config = join(out, "export.json");
      await Deno.writeTextFile(
        config,
        JSON.stringify({ schema: schema.name, tables: ["notes"], codec: "zstd", "compression-level": 3 }),
      );
      const ran = await runCli("export", ["--config", config, "--out", out, "--compression-level", level], {
        env,
      });
      assert.equal(ran.code, 0, ran.stderr);
      const [file] = await filesOf(out, "notes");
      sizes[level] = (await Deno.stat(file)).size;
      const bytes = await Deno.readFile(file);
      const meta = await parquetMetadataAsync(bytes.buffer);
      assert.equal(meta.row_groups[0].columns[1].meta_data?.codec, "ZSTD");
      const rows = await readParquet(file);
      assert.equal(rows.length, 3000);
      const [duck] = await duckdbRows(
        `SELECT count(*)::int AS n, sum(length(body))::int AS chars FROM read_parquet(${sqlString(file)})`,
      );
      const [pg] = await sql.unsafe(`SELECT sum(length(body))::int AS chars FROM "${schema.name}".notes`);
      assert.deepEqual(duck, { n: 3000, chars: pg.chars });
    }
    assert.ok(
      sizes["19"] <= sizes["1"],
      `level 19 (${sizes["19"]} B) is no larger than level 1 (${sizes["1"]} B)`,
    );
    const out = await tempDir();
    const bad = await runCli("export", [
      "--schema",
      schema.name,
      "--out",
      out,
      "--codec",
      "snappy",
      "--compression-level",
      "5",
    ], { env });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^export: --compression-level needs --codec GZIP, ZSTD, BROTLI: SNAPPY has no levels/,
    );
    assert.deepEqual(await allFiles(out), []);
  } finally {
    await schema.drop();
    await sql.end();
  }
});
