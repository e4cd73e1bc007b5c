import assert from "node:assert/strict";
import { readDataset } from "../mod.ts";
import { listManifests } from "../batch.ts";
import { runCli } from "./helpers/cli.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

Deno.test("--partition-by: a partitioned export reads in DuckDB (hive) with the same rows as PostgreSQL", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "export_partition");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".logs (id int PRIMARY KEY, project text, status text,
                      depth numeric(6,2), created_at timestamptz NOT NULL)`);
    await sql.unsafe(`INSERT INTO "${schema.name}".logs
      SELECT g, (ARRAY['north/east', 'süd', '50% done', NULL, ''])[g % 5 + 1], (ARRAY['open', 'closed'])[g % 2 + 1],
             g / 7.0, '2026-09-15'::timestamptz + g * interval '1 hour'
      FROM generate_series(1, 3000) g`);
    await sql.unsafe(`CREATE TABLE "${schema.name}".other (id int PRIMARY KEY)`);
    await sql.unsafe(`INSERT INTO "${schema.name}".other VALUES (1), (2)`);
    const out = await tempDir();
    const ran = await runCli("export", [
      "--schema",
      schema.name,
      "--out",
      out,
      "--partition-by",
      "project,created_at:month",
      "--json",
    ], { env: { DATABASE_URL } });
    assert.equal(ran.code, 0, ran.stderr);
    const summary = JSON.parse(ran.stdout);
    const logs = summary.tables.find((t: { table: string }) => t.table === "logs");
    assert.equal(logs.rows, 3000);
    assert.ok(logs.files >= 5 * 4, `one file per project and month at least: ${logs.files}`);
    assert.equal(
      summary.tables.find((t: { table: string }) => t.table === "other").files,
      1,
      "no such column: one file",
    );

    const pg = await sql.unsafe(`SELECT id, coalesce(project, '<null>') AS project, depth::text AS depth
                                 FROM "${schema.name}".logs ORDER BY id`);
    const duck = await duckdbRows(`SELECT id, coalesce(project, '<null>') AS project, depth::VARCHAR AS depth
      FROM read_parquet(${sqlString(`${out}/logs/**/*.parquet`)}, hive_partitioning = true) ORDER BY id`);
    assert.deepEqual(duck, pg.map((r) => ({ ...r })));

    const [manifest] = await listManifests(out);
    assert.equal(
      manifest.tables.find((t) => t.name === "logs")!.files.length,
      logs.files,
      "every file in the batch",
    );
    const south = await readDataset(`${out}/logs`, { filters: { project: "süd" }, batch: "latest" });
    assert.equal(south.length, 600);
    const bad = await runCli("export", ["--schema", schema.name, "--out", out, "--partition-by", "x:week"], {
      env: { DATABASE_URL },
    });
    assert.equal(bad.code, 2);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("a partitioned export's stderr total counts its files, and $lt 2022-08-01 does not open month=2022-08", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "export_months");
  try {
    for (const [table, type] of [["rentals", "timestamptz"], ["local_rentals", "timestamp"]]) {
      await sql.unsafe(
        `CREATE TABLE "${schema.name}".${table} (id int PRIMARY KEY, created_at ${type} NOT NULL);
        INSERT INTO "${schema.name}".${table}
          SELECT g, '2022-06-20 00:00:00+00'::timestamptz + g * interval '1 hour' FROM generate_series(0, 2000) g`,
      );
    }
    const out = await tempDir();
    const ran = await runCli("export", [
      "--schema",
      schema.name,
      "--out",
      out,
      "--partition-by",
      "created_at:month",
    ], { env: { DATABASE_URL, TZ: "UTC" } });
    assert.equal(ran.code, 0, ran.stderr);
    const files = (await allFiles(out)).filter((f) => f.endsWith(".parquet"));
    assert.equal(files.length, 2 * 4, "June to September, two tables");
    const total = ran.stderr.split("\n").find((line) => line.startsWith("total"))!;
    assert.match(total, /^total\s+4,002\s+8\s/, ran.stderr);

    for (const table of ["rentals", "local_rentals"]) {
      const opened: string[] = [];
      const july = await readDataset(`${out}/${table}`, {
        filters: { created_at: { $lt: "2022-08-01" } },
        onFile: ({ location, skipped }) => skipped || opened.push(location),
      });
      const [{ count }] = await sql.unsafe(
        `SELECT count(*)::int AS count FROM "${schema.name}".${table} WHERE created_at < '2022-08-01'`,
      );
      assert.equal(july.length, count, table);
      assert.equal(opened.length, 2, `${table}: June and July only: ${opened.join(", ")}`);
      assert.ok(opened.every((location) => !location.includes("created_at_month=2022-08")), table);
    }
  } finally {
    await schema.drop();
    await sql.end();
  }
});
