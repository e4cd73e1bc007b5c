// `deno task export --out -`: one table's (or query's) Parquet file on stdout and nothing else, read
// back by hyparquet and DuckDB; refused with more than one table or with partitioning.

import assert from "node:assert/strict";
import { join } from "node:path";
import { readParquet } from "../mod.ts";
import { spawnCli } from "./helpers/cli.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

const env = { DATABASE_URL };

/** Runs the export (as tests/helpers/cli.ts does) with its stdout kept as bytes. */
async function exportBytes(args: string[]): Promise<{ code: number; bytes: Uint8Array; stderr: string }> {
  const output = await spawnCli("export", args, { env }).output();
  return { code: output.code, bytes: output.stdout, stderr: new TextDecoder().decode(output.stderr) };
}

Deno.test("--out -: the table's Parquet file and nothing else on stdout, by COPY and by rows", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_stdout");
  const s = `"${schema.name}"`;
  try {
    await sql.unsafe(
      `CREATE TABLE ${s}.samples (id int PRIMARY KEY, depth numeric(6,2), note text, tags text[])`,
    );
    await sql.unsafe(
      `INSERT INTO ${s}.samples SELECT g, g / 4.0, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END,
                      ARRAY['t' || (g % 2)] FROM generate_series(1, 2500) g`,
    );
    const dir = await tempDir();
    const [pg] = await sql.unsafe(
      `SELECT count(*)::int AS n, sum(depth)::float8 AS depth, count(note)::int AS notes FROM ${s}.samples`,
    );
    const runs: [string, string[]][] = [
      ["copy", ["--tables", "samples", "--codec", "zstd", "--row-group-size", "1000"]],
      ["rows", ["--tables", "samples", "--no-binary-copy"]],
      ["query", ["--query", `SELECT id, depth, note FROM ${s}.samples`, "--name", "picked"]],
      ["arrays", ["--query", `SELECT id, depth, note, tags FROM ${s}.samples`, "--name", "tagged"]],
    ];
    for (const [label, args] of runs) {
      const ran = await exportBytes(["--schema", schema.name, "--out", "-", ...args]);
      assert.equal(ran.code, 0, `${label}: ${ran.stderr}`);
      const text = new TextDecoder().decode(ran.bytes.subarray(0, 4));
      assert.equal(text, "PAR1", `${label}: stdout starts with the file`);
      assert.equal(new TextDecoder().decode(ran.bytes.subarray(-4)), "PAR1", `${label}: and ends with it`);
      assert.match(ran.stderr, /: 2500 rows, .* of Parquet to stdout/, label);
      const file = join(dir, `${label}.parquet`);
      await Deno.writeFile(file, ran.bytes);
      const rows = await readParquet(file);
      assert.equal(rows.length, 2500, label);
      if (label === "arrays") assert.deepEqual(rows.find((r) => r.id === 3)?.tags, ["t1"]);
      const [duck] = await duckdbRows(
        `SELECT count(*)::int AS n, sum(depth)::double AS depth, count(note)::int AS notes
           FROM read_parquet(${sqlString(file)})`,
      );
      assert.deepEqual(duck, pg, label);
    }
    // Nothing is left on disk: stdout has no batch.
    assert.deepEqual([...Deno.readDirSync(dir)].length, runs.length);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("--out -: refused with more than one table or with partitioning; a failure leaves stdout without a file", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_stdout_bad");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".a (id int)`);
    const cases: [string[], RegExp][] = [
      [["--tables", "a,b"], /^export: --out - writes one table's file to stdout: name exactly one/],
      [[], /name exactly one .*every table of the schema/],
      [["--tables", "a", "--partition-by", "id"], /cannot be combined with --partition-by/],
      [["--tables", "a", "--json"], /cannot be combined with --json/],
    ];
    for (const [args, message] of cases) {
      const ran = await exportBytes(["--schema", schema.name, "--out", "-", ...args]);
      assert.equal(ran.code, 2, args.join(" "));
      assert.match(ran.stderr, message);
      assert.equal(ran.bytes.length, 0, "nothing on stdout");
    }
    const missing = await exportBytes(["--schema", schema.name, "--out", "-", "--tables", "nope"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /export failed: .*no such table.*\(table nope\)/);
    assert.equal(missing.bytes.length, 0);
    const bad = await exportBytes([
      "--schema",
      schema.name,
      "--out",
      "-",
      "--query",
      "SELECT nope",
      "--name",
      "q",
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Cannot export query q: column "nope" does not exist/);
    assert.equal(bad.bytes.length, 0);
  } finally {
    await schema.drop();
    await sql.end();
  }
});
