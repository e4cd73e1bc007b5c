/**
 * The export CLI run: its final table, --help and bad usage, --dry-run, missing tables and unmapped types,
 * an unreachable database, a password in --db, and the live progress line.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { readParquet } from "../mod.ts";
import { formatBytes, progressLine, summaryTable } from "../src/cli/progress.ts";
import { runCli } from "./helpers/cli.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

const env = { DATABASE_URL };

Deno.test("the final table's total counts files, not tables (a partitioned table has several)", () => {
  const text = summaryTable({
    batch: "20261125T000000000Z_0123abcd",
    snapshot: "100:100:",
    out: "./data",
    tables: [
      { table: "events", mode: "full", rows: 30, files: 12, bytes: 9000, seconds: 0.5, location: "" },
      { table: "users", mode: "full", rows: 3, files: 1, bytes: 900, seconds: 0.01, location: "" },
    ],
  });
  assert.match(text.split("\n")[3], /^total\s+33\s+13\s+/);
});

Deno.test("the final table: one line per table, a total, the batch and its snapshot", () => {
  const text = summaryTable({
    batch: "20261125T000000000Z_0123abcd",
    snapshot: "100:100:",
    out: "./data",
    tables: [
      {
        table: "borehole",
        mode: "full",
        rows: 1234567,
        files: 1,
        bytes: 5 * 1024 * 1024,
        seconds: 2.5,
        location: "",
      },
      { table: "users", mode: "full", rows: 3, files: 1, bytes: 900, seconds: 0.01, location: "" },
    ],
  });
  const lines = text.split("\n");
  assert.match(lines[0], /^table\s+mode\s+rows\s+files\s+bytes\s+seconds$/);
  assert.match(lines[1], /^borehole\s+full\s+1,234,567\s+1\s+5\.0 MiB\s+2\.50$/);
  assert.match(lines[2], /^users\s+full\s+3\s+1\s+900 B\s+0\.01$/);
  assert.match(lines[3], /^total\s+1,234,570\s+2\s+5\.0 MiB\s+2\.51$/);
  assert.match(lines[4], /batch 20261125T000000000Z_0123abcd .*snapshot 100:100:/);
  assert.deepEqual([formatBytes(0), formatBytes(1536), formatBytes(3 * 1024 ** 4)], [
    "0 B",
    "1.5 KiB",
    "3.0 TiB",
  ]);
});

Deno.test("--help exits 0; bad usage exits 2 with the usage; nothing is written", async () => {
  const out = await tempDir();
  const help = await runCli("export", ["--help"], { env });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: deno task export/);
  for (const args of [["--bogus"], ["--row-group-size", "0"], ["--codec", "rar"], ["--tables", ","]]) {
    const ran = await runCli("export", [...args, "--out", out], { env });
    assert.equal(ran.code, 2, `${args.join(" ")}: ${ran.stderr}`);
    assert.match(ran.stderr, /^export: .*\n\nUsage: deno task export/);
  }
  assert.deepEqual(await allFiles(out), []);
});

Deno.test("--dry-run lists tables, columns and row counts and writes nothing; --json parses", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_dry");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".things (id int PRIMARY KEY, name text, at timestamptz)`);
    await sql.unsafe(
      `INSERT INTO "${schema.name}".things SELECT g, 'n' || g, now() FROM generate_series(1, 42) g`,
    );
    const out = await tempDir();
    const dry = await runCli("export", ["--schema", schema.name, "--out", out, "--dry-run", "--json"], {
      env,
    });
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(JSON.parse(dry.stdout), {
      dryRun: true,
      tables: [{
        table: "things",
        columns: [
          { name: "id", type: "integer", nullable: false },
          { name: "name", type: "text", nullable: true },
          { name: "at", type: "timestamp with time zone", nullable: true },
        ],
        estimatedRows: 42,
        to: `${out}/things/`,
      }],
    });
    assert.match(dry.stderr, /Dry run: nothing will be written\.\n {2}things: 3 columns, ~42 rows/);
    assert.deepEqual(await allFiles(out), []);

    const ran = await runCli("export", ["--schema", schema.name, "--out", out, "--json"], { env });
    assert.equal(ran.code, 0, ran.stderr);
    const summary = JSON.parse(ran.stdout);
    assert.equal(summary.tables[0].table, "things");
    assert.equal(summary.tables[0].rows, 42);
    assert.equal(summary.tables[0].files, 1);
    assert.match(summary.snapshot, /^\d+:\d+:/);
    assert.equal((await readParquet(summary.tables[0].location)).length, 42);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("a missing table or an unmapped type exits 1 naming it, writing nothing for it", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_fail");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".things (id int PRIMARY KEY)`);
    // Every built-in, PostGIS and composite type has a mapping now: another extension's type has none.
    // A parallel test file may create the extension too.
    await sql`CREATE EXTENSION IF NOT EXISTS hstore`.catch(() => {});
    await sql.unsafe(`CREATE TABLE "${schema.name}".spans (id int, span hstore)`);
    await sql.unsafe(`INSERT INTO "${schema.name}".spans VALUES (1, 'a=>1')`);
    const out = await tempDir();
    const missing = await runCli(
      "export",
      ["--schema", schema.name, "--out", out, "--tables", "things,nope"],
      {
        env,
      },
    );
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /export failed: .*no such table.*\(table nope\)/);
    assert.match(missing.stderr, /No batch was committed/);

    const unmapped = await runCli("export", ["--schema", schema.name, "--out", out, "--tables", "spans"], {
      env,
    });
    assert.equal(unmapped.code, 1, unmapped.stderr);
    assert.match(unmapped.stderr, /hstore.*\(table spans, column span\)/);
    assert.deepEqual(await allFiles(out), [], "tables are checked before anything is written");

    const asText = await runCli(
      "export",
      ["--schema", schema.name, "--out", out, "--tables", "spans", "--unmapped-as-text"],
      { env },
    );
    assert.equal(asText.code, 0, asText.stderr);
    const [file] = (await allFiles(join(out, "spans"))).map((f) => join(out, "spans", f));
    assert.deepEqual(await readParquet(file), [{ id: 1, span: '"a"=>"1"' }]);
    assert.match(
      asText.stderr,
      /as text \(--unmapped-as-text\): spans\.span, of type .*hstore with no mapping/,
    );
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("a database that cannot be reached exits 1 with a message saying where", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close(); // a port nobody listens on
  const out = await tempDir();
  const ran = await runCli("export", ["--db", `postgres://postgres@127.0.0.1:${port}/test`, "--out", out]);
  assert.equal(ran.code, 1, ran.stderr);
  assert.match(ran.stderr, new RegExp(`export failed: .*127\\.0\\.0\\.1:${port}`));
  assert.deepEqual(await allFiles(out), []);
});

Deno.test("a password in --db draws a warning naming DATABASE_URL and PGPASSWORD, without repeating it", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const out = await tempDir();
  const ran = await runCli("export", [
    "--db",
    `postgres://postgres:s3cr3t@127.0.0.1:${port}/test`,
    "--out",
    out,
  ]);
  assert.match(ran.stderr, /warning: --db carries a password.*set DATABASE_URL or PGPASSWORD instead/);
  assert.doesNotMatch(ran.stderr, /s3cr3t/, "the password is never printed");
  const without = await runCli("export", [
    "--db",
    `postgres://postgres@127.0.0.1:${port}/test`,
    "--out",
    out,
  ]);
  assert.doesNotMatch(without.stderr, /warning: --db/);
});

Deno.test("the live progress line shows rows, rows/s and the bytes written so far", () => {
  const line = (bytes?: number) =>
    progressLine({ table: "logs", rows: 150000, seconds: 1.5, bytes, done: false });
  assert.equal(line(3 * 1024 * 1024), "logs: 150,000 rows, 100,000 rows/s, 3.0 MiB");
  assert.equal(line(0), "logs: 150,000 rows, 100,000 rows/s", "no bytes before any reached the sink");
  assert.equal(line(), "logs: 150,000 rows, 100,000 rows/s");
});
