// `deno task export --max-file-size`: a table rolls over into new immutable files at row-group
// boundaries once a file reaches the size; every file is in the batch manifest, read back by hyparquet and
// DuckDB as PostgreSQL has the table.

import assert from "node:assert/strict";
import { join } from "node:path";
import { parquetMetadataAsync } from "hyparquet";
import { readParquet } from "../mod.ts";
import { readCommitted } from "../batch.ts";
import { committedFiles } from "../src/read/committed.ts";
import { testBucket } from "./helpers/s3_server.ts";
import { runCli } from "./helpers/cli.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

const env = { DATABASE_URL };
const MAX = 64 * 1024;

for (const path of ["binary COPY", "rows"]) {
  Deno.test(`--max-file-size rolls over at row-group boundaries (${path}); every file is in the manifest`, async () => {
    const sql = connect();
    const schema = await testSchema(sql, "cli_roll");
    const s = `"${schema.name}"`;
    try {
      await sql.unsafe(`CREATE TABLE ${s}.logs (id int PRIMARY KEY, at timestamptz NOT NULL, line text)`);
      await sql.unsafe(
        `INSERT INTO ${s}.logs SELECT g, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second',
                      md5(g::text) || CASE WHEN g % 4 = 0 THEN NULL ELSE repeat('x', g % 50) END
                      FROM generate_series(1, 20000) g`,
      );
      await sql.unsafe(`CREATE TABLE ${s}.tiny (id int)`);
      const out = await tempDir();
      const ran = await runCli("export", [
        "--schema",
        schema.name,
        "--tables",
        "logs,tiny",
        "--out",
        out,
        "--max-file-size",
        "64KiB",
        "--row-group-size",
        "1000",
        "--codec",
        "uncompressed",
        "--json",
        ...(path === "rows" ? ["--no-binary-copy"] : []),
      ], { env });
      assert.equal(ran.code, 0, ran.stderr);
      const summary = JSON.parse(ran.stdout);
      const [manifestName] = await allFiles(join(out, "_manifests"));
      const manifest = JSON.parse(await Deno.readTextFile(join(out, "_manifests", manifestName)));
      const logs = manifest.tables.find((t: { name: string }) => t.name === "logs");
      assert.ok(logs.files.length >= 3, `${logs.files.length} files`);
      assert.equal(summary.tables[0].files, logs.files.length);
      const onDisk = (await allFiles(join(out, "logs"))).filter((f) => f.endsWith(".parquet")).sort();
      assert.deepEqual(
        logs.files.map((f: { path: string }) => f.path.split("/").pop()).sort(),
        onDisk,
        "every file recorded",
      );
      let rows = 0;
      const ids = new Set<number>();
      for (const [i, entry] of logs.files.entries()) {
        const path = join(out, entry.path);
        const bytes = await Deno.readFile(path);
        assert.equal(bytes.length, entry.bytes);
        const meta = await parquetMetadataAsync(bytes.buffer);
        const groupSizes = meta.row_groups.map((g) => Number(g.total_compressed_size));
        assert.equal(
          meta.row_groups.reduce((n, g) => n + Number(g.num_rows), 0),
          entry.rows,
          "complete row groups",
        );
        if (i < logs.files.length - 1) {
          // Rolled over once the size was reached, at the first row-group boundary after it.
          const withoutLast = bytes.length - groupSizes.at(-1)!;
          assert.ok(bytes.length >= MAX, `file ${i}: ${bytes.length} B reached ${MAX}`);
          assert.ok(
            withoutLast < MAX + 4096,
            `file ${i}: it had not reached the size before its last row group`,
          );
        }
        for (const row of await readParquet(path)) ids.add(row.id as number);
        rows += entry.rows;
      }
      assert.equal(rows, 20000);
      assert.equal(ids.size, 20000, "each row in exactly one file");
      const [duck] = await duckdbRows(
        `SELECT count(*)::int AS n, sum(id)::bigint AS ids, count(line)::int AS lines, sum(length(line))::bigint AS chars
         FROM read_parquet(${sqlString(join(out, "logs", "*.parquet"))})`,
      );
      const [pg] = await sql.unsafe(
        `SELECT count(*)::int AS n, sum(id)::bigint AS ids, count(line)::int AS lines, sum(length(line))::bigint AS chars FROM ${s}.logs`,
      );
      assert.deepEqual(
        Object.fromEntries(Object.entries(duck).map(([k, v]) => [k, String(v)])),
        Object.fromEntries(Object.entries(pg).map(([k, v]) => [k, String(v)])),
      );
      const tiny = manifest.tables.find((t: { name: string }) => t.name === "tiny");
      assert.equal(tiny.files.length, 1, "an empty table is one file with its schema");
      assert.equal(tiny.files[0].rows, 0);
      const verified = await runCli("verify", ["--out", out]);
      assert.equal(verified.code, 0, verified.stderr);
    } finally {
      await schema.drop();
      await sql.end();
    }
  });
}

Deno.test("--max-file-size: a bad row stops the table and removes the files it had completed", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_roll_bad");
  const s = `"${schema.name}"`;
  try {
    // A date PostgreSQL has and Parquet does not, far into the table: some files are complete by then.
    await sql.unsafe(`CREATE TABLE ${s}.days (id int, day date)`);
    await sql.unsafe(
      `INSERT INTO ${s}.days SELECT g, date '2026-01-01' + (g % 300) FROM generate_series(1, 5000) g`,
    );
    await sql.unsafe(`INSERT INTO ${s}.days VALUES (5001, 'infinity')`);
    const out = await tempDir();
    const ran = await runCli("export", [
      "--schema",
      schema.name,
      "--tables",
      "days",
      "--out",
      out,
      "--max-file-size",
      "2KiB",
      "--row-group-size",
      "200",
    ], { env });
    assert.equal(ran.code, 1, ran.stderr);
    assert.match(ran.stderr, /export failed: .*\(table days, row 5001, column day\)/);
    assert.deepEqual((await allFiles(out)).filter((f) => f.endsWith(".parquet")), [], "no file is left");
    const bad = await runCli("export", ["--schema", schema.name, "--out", out, "--max-file-size", "lots"], {
      env,
    });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^export: --max-file-size must be a size such as 268435456, 256MiB or 1GB: current value is lots/,
    );
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("--max-file-size to S3: each file its own object, all in the manifest", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_roll_s3");
  await using bucket = await testBucket("roll");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".events (id int PRIMARY KEY, kind text NOT NULL)`);
    await sql.unsafe(
      `INSERT INTO "${schema.name}".events SELECT g, md5(g::text) FROM generate_series(1, 6000) g`,
    );
    const out = bucket.url("lake");
    const ran = await runCli("export", [
      "--schema",
      schema.name,
      "--tables",
      "events",
      "--out",
      out,
      "--max-file-size",
      "40KB",
      "--row-group-size",
      "500",
    ], { env });
    assert.equal(ran.code, 0, ran.stderr);
    const { files } = await committedFiles(out, "events", { s3: bucket.options });
    assert.ok(files.length >= 3, `${files.length} objects`);
    for (const file of files) assert.ok(await bucket.exists(`lake/${file.path}`), file.path);
    const rows = await readCommitted(out, "events", { s3: bucket.options });
    assert.equal(rows.length, 6000);
    assert.equal(new Set(rows.map((r) => r.id)).size, 6000);
    assert.deepEqual(await bucket.openUploads(), []);
    const verified = await runCli("verify", ["--out", out]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stderr, new RegExp(`${files.length} of ${files.length} file\\(s\\) intact`));
  } finally {
    await schema.drop();
    await sql.end();
  }
});

for (const door of ["binary COPY", "rows"]) {
  Deno.test(`--max-file-size with --incremental (${door}): the second run rolls only the rows changed since`, async () => {
    const sql = connect();
    const schema = await testSchema(sql, "cli_roll_inc");
    const s = `"${schema.name}"`;
    try {
      await sql.unsafe(
        `CREATE TABLE ${s}.readings (id int PRIMARY KEY, value text NOT NULL, updated_at timestamptz NOT NULL)`,
      );
      await sql.unsafe(
        `INSERT INTO ${s}.readings SELECT g, md5(g::text), timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
                        FROM generate_series(1, 3000) g`,
      );
      const out = await tempDir();
      const args = [
        "--schema",
        schema.name,
        "--tables",
        "readings",
        "--out",
        out,
        "--incremental",
        "--max-file-size",
        "16KiB",
        "--row-group-size",
        "250",
        "--json",
        ...(door === "rows" ? ["--no-binary-copy"] : []),
      ];
      const first = await runCli("export", args, { env });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(JSON.parse(first.stdout).tables[0].rows, 3000);
      await sql.unsafe(
        `INSERT INTO ${s}.readings SELECT g, md5(g::text), timestamptz '2026-02-01 00:00:00+00' + g * interval '1 second'
                        FROM generate_series(3001, 4500) g`,
      );
      const second = await runCli("export", args, { env });
      assert.equal(second.code, 0, second.stderr);
      const [summary] = JSON.parse(second.stdout).tables;
      assert.equal(summary.mode, "incremental");
      assert.equal(summary.rows, 1500, "only the rows after the watermark");
      assert.ok(summary.files >= 2, `${summary.files} files`);
      const manifests = (await allFiles(join(out, "_manifests"))).sort();
      const latest = JSON.parse(await Deno.readTextFile(join(out, "_manifests", manifests.at(-1)!)));
      const entry = latest.tables[0];
      assert.equal(entry.watermark.value.slice(0, 19).replace("T", " "), "2026-02-01 01:15:00");
      const ids: number[] = [];
      for (const file of entry.files) {
        for (const row of await readParquet(join(out, file.path))) ids.push(row.id as number);
      }
      assert.deepEqual(ids.sort((a, b) => a - b), Array.from({ length: 1500 }, (_, i) => 3001 + i));
    } finally {
      await schema.drop();
      await sql.end();
    }
  });
}
