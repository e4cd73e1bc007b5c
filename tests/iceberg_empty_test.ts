/**
 * Iceberg snapshots of no rows: a snapshot that would list no live data file (a partitioned table with no
 * rows, emptied since its last snapshot, or appended to with nothing on nothing) lists one Parquet file of
 * no rows in the partition of nulls, so that icebird opens every snapshot, current and earlier, and reads
 * what DuckDB and we read from the listed files. Unpartitioned tables, by one job or two, likewise.
 */

import assert from "node:assert/strict";
import { icebergRead } from "icebird";
import { fileURLToPath, pathToFileURL } from "node:url";
import { icebergDataFiles, icebergSnapshots, readIcebergTable } from "../iceberg.ts";
import { exportTables } from "../postgres.ts";
import { defineTable, int, text } from "../mod.ts";
import { LocalStorage } from "../local.ts";
import { readAvroFile } from "../src/export/iceberg/avro_file.ts";
import { commitSnapshot, planTable } from "../src/export/iceberg/commit_snapshot.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";
import { lines } from "./helpers/lines.ts";

/**
 * Every snapshot of the table at `location`, oldest first, as icebird, DuckDB (over the listed data
 * files) and we read it: the same rows from all three, and the live data files listed.
 */
async function readEverySnapshot(location: string, columns: string[]) {
  const snapshots = await icebergSnapshots(location);
  const read = [];
  for (const [index, snapshot] of snapshots.entries()) {
    const files = await icebergDataFiles(location, { snapshotId: snapshot["snapshot-id"] });
    assert.ok(files.length > 0, `snapshot ${index + 1} lists no live data file`);
    const list = files.map((f) => sqlString(f.location)).join(", ");
    const duck = await duckdbRows(`SELECT ${columns.join(", ")} FROM read_parquet([${list}])`);
    const bird = await icebergRead({
      tableUrl: pathToFileURL(location).href,
      metadataFileName: `v${index + 1}.metadata.json`,
    });
    const ours = await readIcebergTable(location, { snapshotId: snapshot["snapshot-id"] });
    assert.deepEqual(lines(bird, columns), lines(duck, columns), `snapshot ${index + 1}: icebird`);
    assert.deepEqual(lines(ours, columns), lines(duck, columns), `snapshot ${index + 1}: ours`);
    read.push({ snapshot, files, rows: duck.length });
  }
  return read;
}

/** The partition tuples of the live entries of the current snapshot's manifests. */
async function livePartitions(location: string): Promise<Record<string, unknown>[]> {
  const snapshots = await icebergSnapshots(location);
  const list = readAvroFile(await Deno.readFile(new URL(snapshots.at(-1)!["manifest-list"])));
  const tuples = [];
  for (const record of list.records) {
    const manifest = readAvroFile(await Deno.readFile(new URL(record.manifest_path as string)));
    for (const entry of manifest.records as { status: number; data_file: { partition: object } }[]) {
      if (entry.status !== 2) tuples.push({ ...entry.data_file.partition });
    }
  }
  return tuples;
}

Deno.test("iceberg: a partitioned table emptied since its last snapshot lists one file of no rows, which icebird opens", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_emptied");
  const e = `"${schema.name}".e`;
  try {
    await sql.unsafe(`CREATE TABLE ${e} (id int PRIMARY KEY, site int NOT NULL)`);
    await sql.unsafe(`INSERT INTO ${e} VALUES (1, 1), (2, 2)`);
    const out = await tempDir();
    const options = { out, schema: schema.name, format: "iceberg" as const, partitionBy: ["site"] };
    await exportTables(sql, options);
    await sql.unsafe(`DELETE FROM ${e}`);
    await exportTables(sql, options);
    const table = `${out}/e`;
    const [, emptied] = await icebergSnapshots(table);
    assert.equal(emptied.summary["deleted-data-files"], "2");
    assert.equal(emptied.summary["added-data-files"], "1");
    assert.equal(emptied.summary["added-records"], "0");
    assert.equal(emptied.summary["total-data-files"], "1");
    assert.equal(emptied.summary["total-records"], "0");
    const [file] = await icebergDataFiles(table);
    assert.equal(file.rows, 0);
    assert.match(
      fileURLToPath(pathToFileURL(file.location)),
      /\/e\/site=__HIVE_DEFAULT_PARTITION__\/[^/]+\.parquet$/,
    );
    assert.deepEqual(await livePartitions(table), [{ site: null }]);
    // The file of no rows has the table's columns and field ids.
    const ids = await duckdbRows(`SELECT name, field_id FROM parquet_schema(${sqlString(file.location)})`);
    assert.deepEqual(ids.slice(1).map((r) => [r.name, Number(r.field_id)]), [["id", 1], ["site", 2]]);
    assert.deepEqual(await icebergRead({ tableUrl: pathToFileURL(table).href }), []);
    assert.deepEqual(await readIcebergTable(table), []);
    assert.deepEqual(await readIcebergTable(table, { filters: { site: 1 } }), []);
    // Rows again: the next overwrite deletes the file of no rows with the rest.
    await sql.unsafe(`INSERT INTO ${e} VALUES (3, 3)`);
    await exportTables(sql, options);
    const read = await readEverySnapshot(table, ["id", "site"]);
    assert.deepEqual(read.map((r) => r.rows), [2, 0, 1]);
    assert.equal(read[2].snapshot.summary["deleted-data-files"], "1");
    assert.deepEqual(read[2].files.map((f) => f.rows), [1]);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg: a partitioned table with no rows, then incremental runs with rows and with nothing: icebird opens every snapshot", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_none");
  const t = `"${schema.name}".t`;
  try {
    await sql.unsafe(
      `CREATE TABLE ${t} (id int PRIMARY KEY, seen timestamptz, updated_at timestamptz NOT NULL)`,
    );
    const out = await tempDir();
    const options = {
      out,
      schema: schema.name,
      format: "iceberg" as const,
      partitionBy: ["seen:month"],
      incremental: true,
    };
    const runs = [await exportTables(sql, options), await exportTables(sql, options)];
    await sql.unsafe(`INSERT INTO ${t} SELECT g, '2026-01-15 00:00+00'::timestamptz + g * interval '20 days',
                      '2026-02-01 00:00+00' FROM generate_series(1, 6) g`);
    runs.push(await exportTables(sql, options));
    await sql.unsafe(`INSERT INTO ${t} VALUES (7, NULL, '2026-03-01 00:00+00')`);
    runs.push(await exportTables(sql, options));
    runs.push(await exportTables(sql, options));
    // No watermark is recorded before the first rows: the runs before them are full exports.
    assert.deepEqual(runs.map((r) => r.iceberg![0].operation), [
      "overwrite",
      "overwrite",
      "overwrite",
      "append",
      "append",
    ]);
    const read = await readEverySnapshot(`${out}/t`, ["id"]);
    assert.deepEqual(read.map((r) => r.rows), [0, 0, 6, 7, 7]);
    // A file of no rows only where a snapshot would list no live file; the first rows' overwrite drops it.
    assert.deepEqual(read.map((r) => r.files.filter((f) => f.rows === 0).length), [1, 1, 0, 0, 0]);
    assert.deepEqual(read.map((r) => r.snapshot.summary["added-data-files"]).slice(3), ["1", "0"]);
    assert.deepEqual(read.map((r) => r.snapshot.summary["total-records"]), ["0", "0", "6", "7", "7"]);
    assert.equal((await icebergRead({ tableUrl: pathToFileURL(`${out}/t`).href })).length, 7);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg: an empty unpartitioned table, by one job and by two, has a live data file icebird opens", async () => {
  const sql = connect({ max: 3 });
  const schema = await testSchema(sql, "iceberg_empty_plain");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".p (id int PRIMARY KEY, name text)`);
    for (const jobs of [1, 2]) {
      const out = await tempDir();
      await exportTables(sql, { out, schema: schema.name, format: "iceberg", jobs });
      await exportTables(sql, { out, schema: schema.name, format: "iceberg", jobs });
      const read = await readEverySnapshot(`${out}/p`, ["id", "name"]);
      assert.deepEqual(read.map((r) => r.rows), [0, 0], `jobs ${jobs}`);
    }
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg commits of no files: an overwrite or a first append lists a file of no rows, an append on live files adds none, a lost race leaves none", async () => {
  const location = `${await tempDir()}/bare`;
  const storage = new LocalStorage();
  const table = defineTable("bare", { id: int(), kind: text().nullable() });
  const plan = planTable(table, ["kind"], undefined);
  const commit = (operation: "overwrite" | "append", maxAttempts?: number) =>
    commitSnapshot(storage, location, table, ["kind"], plan, [], { operation, maxAttempts });
  await commit("overwrite");
  await commit("append");
  const read = await readEverySnapshot(location, ["id", "kind"]);
  assert.deepEqual(read.map((r) => r.snapshot.summary["added-data-files"]), ["1", "0"]);
  assert.deepEqual(read.map((r) => r.files.length), [1, 1]);
  assert.deepEqual(await livePartitions(location), [{ kind: null }]);
  const first = `${await tempDir()}/appended`;
  await commitSnapshot(storage, first, table, ["kind"], plan, [], { operation: "append" });
  assert.deepEqual((await readEverySnapshot(first, ["id", "kind"])).map((r) => r.files.length), [1]);
  // Overwrites that may not retry: each loser removes the file of no rows it wrote.
  const raced = await Promise.allSettled([1, 2, 3, 4].map(() => commit("overwrite", 1)));
  const won = raced.filter((r) => r.status === "fulfilled").length;
  assert.ok(won < 4, "no writer lost: the race did not happen");
  const parquet = (await allFiles(location)).filter((f) => f.endsWith(".parquet"));
  assert.equal(parquet.length, 1 + won, parquet.join(", "));
});
