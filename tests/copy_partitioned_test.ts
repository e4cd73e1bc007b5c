/**
 * Partitioned exports through binary COPY: the same folders, files and rows as the row path
 * (`binaryCopy: false`), read back by hyparquet and DuckDB, arrays with NULL elements and points
 * included; the LRU cap on open partitions; a failure mid-partition leaves no visible file.
 */

import assert from "node:assert/strict";
import { BatchWriter } from "../src/export/batch_writer.ts";
import { ValidationError } from "../src/errors.ts";
import { parquetMetadata } from "hyparquet";
import { readDataset } from "../mod.ts";
import { connectPostgres } from "../src/postgres/connect.ts";
import { writePartitionedByCopy } from "../src/export/copy_partitioned.ts";
import { exportTables } from "../src/export/export_tables.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, DATABASE_URL, ensurePostgis, testSchema } from "./helpers/pg.ts";

const sql = connect();

const DDL = (schema: string) => `
  CREATE TABLE ${schema}.logs (
    id int PRIMARY KEY, project text, ok boolean, tenant uuid, day date, n bigint,
    tags text[], counts int[], at geography(Point,4326), created_at timestamptz NOT NULL);
  INSERT INTO ${schema}.logs
    SELECT g, (ARRAY['north/east', 'süd', '50% done', NULL, ''])[g % 5 + 1], g % 3 = 0,
      (ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL]::uuid[])[g % 2 + 1], date '2026-01-01' + g % 3,
      g % 2 * 9007199254740993,
      CASE WHEN g % 4 = 0 THEN NULL ELSE ARRAY['t' || g, NULL] END, ARRAY[g, NULL],
      ST_SetSRID(ST_MakePoint(g / 100.0, 45), 4326)::geography,
      '2026-01-01 00:00:00.000001+00'::timestamptz + g * interval '1 hour 7 minutes'
    FROM generate_series(1, 2000) g;`;

const KEYS = ["project", "ok", "tenant", "day", "n", "created_at:month"];

Deno.test({
  name: "partitioned through binary COPY",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await ensurePostgis(sql);
    const schema = await testSchema(sql, "copy_partitioned");
    const client = connectPostgres({ url: DATABASE_URL, max: 1 });
    try {
      await sql.unsafe(DDL(schema.name));

      await t.step(
        "the same folders, row counts and rows as the row path, in hyparquet and DuckDB",
        async () => {
          const outs: string[] = [];
          for (const binaryCopy of [true, false]) {
            const out = await tempDir();
            const summary = await exportTables(client, {
              out,
              schema: schema.name,
              tables: ["logs"],
              partitionBy: KEYS,
              rowGroupSize: 97,
              binaryCopy,
            });
            assert.equal(summary.tables[0].rows, 2000);
            outs.push(out);
          }
          const folders = async (out: string) =>
            (await allFiles(`${out}/logs`)).map((f) => f.slice(0, f.lastIndexOf("/"))).sort();
          const copyFolders = await folders(outs[0]);
          assert.deepEqual(copyFolders, await folders(outs[1]));
          assert.ok(copyFolders.length > 20, `${copyFolders.length} partitions`);
          const byId = (rows: Record<string, unknown>[]) => rows.sort((a, b) => Number(a.id) - Number(b.id));
          const [copyRows, rowRows] = await Promise.all(
            outs.map(async (out) => byId(await readDataset(`${out}/logs`))),
          );
          assert.equal(copyRows.length, 2000);
          assert.deepEqual(copyRows, rowRows);
          assert.deepEqual(copyRows[0].tags, ["t1", null]);
          assert.deepEqual(copyRows[0].at, { latitude: 45, longitude: 0.01 });
          const duck = (out: string) =>
            duckdbRows(`SELECT * FROM read_parquet(${sqlString(`${out}/logs/**/*.parquet`)},
            hive_partitioning = true) ORDER BY id`);
          assert.deepEqual(await duck(outs[0]), await duck(outs[1]));
        },
      );

      const table = await introspectTable(catalogQuery(sql), "logs", { schema: schema.name });

      await t.step(
        "with 1 open partition at most, the least recently used is finished: a file per run of rows",
        async () => {
          const out = await tempDir();
          const batch = new BatchWriter(out);
          const entry = await writePartitionedByCopy(sql, batch, table, {
            partitionBy: ["ok"],
            maxOpenPartitions: 1,
          });
          // Rows alternate between ok=true and ok=false (g % 3 = 0): nearly a file per run of rows.
          assert.ok(entry.files.length > 100, `${entry.files.length} files`);
          assert.equal(entry.files.reduce((sum, f) => sum + f.rows, 0), 2000);
          const rows = await readDataset(out + "/logs");
          assert.equal(rows.length, 2000);
        },
      );

      await t.step(
        "row groups cut by bytes over all partitions, idle ones giving their buffers back",
        async () => {
          const out = await tempDir();
          const entry = await writePartitionedByCopy(sql, new BatchWriter(out), table, {
            partitionBy: ["created_at:month"],
            rowGroupBytes: 8192,
          });
          assert.equal(entry.files.length, 4, "one file per month, still open while idle");
          const rows = (await readDataset(out + "/logs")).sort((a, b) => Number(a.id) - Number(b.id));
          assert.deepEqual(rows.map((r) => r.id), Array.from({ length: 2000 }, (_, i) => i + 1));
          assert.deepEqual(rows[0].tags, ["t1", null]);
        },
      );

      await t.step(
        "a partition that gave its buffers back takes rows again, at its file's offset",
        async () => {
          // Runs of a, b, a: while b's rows come, cuts by bytes find a idle and take its buffers.
          await sql.unsafe(`CREATE TABLE ${schema.name}.runs (id int PRIMARY KEY, k text NOT NULL, note text);
          INSERT INTO ${schema.name}.runs
            SELECT g, CASE WHEN g BETWEEN 501 AND 1000 THEN 'b' ELSE 'a' END, repeat('x', g % 50)
            FROM generate_series(1, 1500) g`);
          const runs = await introspectTable(catalogQuery(sql), "runs", { schema: schema.name });
          const out = await tempDir();
          const entry = await writePartitionedByCopy(sql, new BatchWriter(out), runs, {
            partitionBy: ["k"],
            rowGroupBytes: 4096,
          });
          assert.deepEqual(entry.files.map((f) => f.rows), [1000, 500]);
          const rows = (await readDataset(out + "/runs")).sort((a, b) => Number(a.id) - Number(b.id));
          assert.deepEqual(rows.map((r) => r.id), Array.from({ length: 1500 }, (_, i) => i + 1));
          assert.equal(rows[1400].note, "x".repeat(1401 % 50));
        },
      );

      await t.step(
        "rows clustered by partition: a long run's row group closes as the next run starts, which takes its buffers",
        async () => {
          const runs = await introspectTable(catalogQuery(sql), "runs", { schema: schema.name });
          const out = await tempDir();
          const entry = await writePartitionedByCopy(sql, new BatchWriter(out), runs, {
            partitionBy: ["k"],
            rowGroupSize: 400,
          });
          const groups = await Promise.all(entry.files.map(async (f) => {
            const bytes = await Deno.readFile(`${out}/${f.path}`);
            return parquetMetadata(bytes.buffer).row_groups.map((g) => Number(g.num_rows));
          }));
          // a: 1-400, 401-500 (closed as b starts), 1001-1400, 1401-1500; b: 501-900, 901-1000 (closed
          // as a starts again). Sharing one cut of 400 rows, b would have had 300 rows, then 200.
          assert.deepEqual(groups, [[400, 100, 400, 100], [400, 100]]);
          const rows = (await readDataset(out + "/runs")).sort((a, b) => Number(a.id) - Number(b.id));
          assert.deepEqual(rows.map((r) => r.id), Array.from({ length: 1500 }, (_, i) => i + 1));
          assert.equal(rows[700].note, "x".repeat(701 % 50));
        },
      );

      await t.step("a failure mid-partition leaves no visible file", async () => {
        // The UPDATE moves row 1500 in the heap: where, a sequential scan (COPY's order) says.
        await sql.unsafe(`UPDATE ${schema.name}.logs SET created_at = 'infinity' WHERE id = 1500`);
        await sql.unsafe(`INSERT INTO ${schema.name}.logs (id, created_at)
                          SELECT g, '2026-06-01+00' FROM generate_series(2001, 2500) g`);
        const [{ at }] = await sql.unsafe(`SELECT n::int AS at FROM (SELECT id, row_number() OVER () AS n
                                           FROM ${schema.name}.logs) AS s WHERE id = 1500`);
        assert.ok(at > 100 && at < 2500, `mid-table: ${at}`);
        for (const maxOpenPartitions of [64, 1]) {
          const out = await tempDir();
          const error = await writePartitionedByCopy(sql, new BatchWriter(out), table, {
            partitionBy: ["project"],
            maxOpenPartitions,
            rowGroupSize: 50,
          }).then(() => assert.fail("should fail"), (e) => e);
          assert.ok(error instanceof ValidationError, String(error));
          assert.deepEqual([error.table, error.row, error.column], ["logs", at, "created_at"]);
          assert.deepEqual(await allFiles(out), [], `nothing left with ${maxOpenPartitions} open`);
        }
        // The same through the export: no file, no manifest.
        const out = await tempDir();
        await assert.rejects(
          exportTables(client, {
            out,
            schema: schema.name,
            tables: ["logs"],
            partitionBy: ["created_at:month"],
          }),
          (e: ValidationError) => e.row === at && e.column === "created_at",
        );
        assert.deepEqual(
          (await allFiles(out)).filter((f) => f.endsWith(".parquet") || f.includes("_manifests")),
          [],
        );
      });
    } finally {
      await client.end();
      await schema.drop();
    }
  },
});

Deno.test({
  name: "partitioned through binary COPY: close the pool",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => sql.end(),
});
