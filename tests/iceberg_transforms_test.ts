/**
 * Iceberg partition transforms and metadata as the spec defines them: every data file's partition tuple is
 * the year, month, day or hour transform of each of its rows (timestamptz, timestamp and date sources, either
 * side of 1970), icebird reads the tables, reads prune by partition and by row-group statistics, and the
 * metadata's snapshot log, metadata log and `main` ref follow each commit.
 */

import assert from "node:assert/strict";
import { icebergRead } from "icebird";
import { fileURLToPath, pathToFileURL } from "node:url";
import { icebergDataFiles, icebergSnapshots, readIcebergTable } from "../iceberg.ts";
import { exportTables } from "../postgres.ts";
import { readAvroFile } from "../src/export/iceberg/avro_file.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";

/** The transforms of the spec ("Partition Transforms"), computed by PostgreSQL from each row's values. */
const TRANSFORMS: Record<string, (column: string) => string> = {
  year: (c) => `(extract(year FROM ${c}) - 1970)::int`,
  month: (c) => `((extract(year FROM ${c}) - 1970) * 12 + extract(month FROM ${c}) - 1)::int`,
  day: (c) => `floor(extract(epoch FROM ${c}::timestamp) / 86400)::int`,
  hour: (c) => `floor(extract(epoch FROM ${c}::timestamp) / 3600)::int`,
};

/** The data files of a table's current snapshot, each with its manifest partition tuple. */
async function manifestTuples(
  table: string,
): Promise<{ path: string; partition: Record<string, unknown> }[]> {
  const metadata = JSON.parse(
    await Deno.readTextFile(`${table}/metadata/v${(await icebergSnapshots(table)).length}.metadata.json`),
  );
  const current = metadata.snapshots.find((s: { "snapshot-id": number }) =>
    s["snapshot-id"] === metadata["current-snapshot-id"]
  );
  const list = readAvroFile(await Deno.readFile(new URL(current["manifest-list"])));
  const files = [];
  for (const record of list.records) {
    const manifest = readAvroFile(await Deno.readFile(new URL(record.manifest_path as string)));
    for (const entry of manifest.records as { status: number; data_file: Record<string, unknown> }[]) {
      if (entry.status === 2) continue;
      files.push({
        path: fileURLToPath(entry.data_file.file_path as string),
        partition: { ...entry.data_file.partition as Record<string, unknown> },
      });
    }
  }
  return files;
}

Deno.test("iceberg: year, month, day and hour partition tuples are the spec's transforms of every row, either side of 1970", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_transforms");
  const t = `"${schema.name}".t`;
  try {
    await sql.unsafe(`CREATE TABLE ${t} (id int PRIMARY KEY, tz timestamptz, ts timestamp NOT NULL, d date)`);
    // From late 1969 into 1970: negative transform values, a year, month and day boundary, a NULL of each.
    await sql.unsafe(`INSERT INTO ${t} SELECT g,
        CASE WHEN g = 7 THEN NULL ELSE TIMESTAMPTZ '1969-12-31 21:30+00' + g * interval '5 hours 7 minutes' END,
        TIMESTAMP '1969-12-25 00:00' + g * interval '13 hours',
        CASE WHEN g = 9 THEN NULL ELSE DATE '1969-11-15' + g * 3 END
      FROM generate_series(1, 40) g`);
    const layouts = [["tz:hour", "ts:day", "d:month"], ["tz:year", "ts:month", "d:day"]];
    for (const partitionBy of layouts) {
      const out = await tempDir();
      await exportTables(sql, { out, schema: schema.name, format: "iceberg", partitionBy, rowGroupSize: 5 });
      const table = `${out}/t`;
      const metadata = JSON.parse(await Deno.readTextFile(`${table}/metadata/v1.metadata.json`));
      const spec = metadata["partition-specs"][0];
      assert.deepEqual(
        spec.fields.map((f: Record<string, unknown>) => [f["field-id"], f.name, f.transform, f["source-id"]]),
        partitionBy.map((key, i) => {
          const [column, transform] = key.split(":");
          return [1000 + i, `${column}_${transform}`, transform, ["tz", "ts", "d"].indexOf(column) + 2];
        }),
      );
      const expressions = partitionBy.map((key) => {
        const [column, transform] = key.split(":");
        // timestamptz transforms are of the UTC instant; timestamp and date ones of the value as written.
        const source = column === "tz" ? `(${column} AT TIME ZONE 'UTC')` : column;
        return `${TRANSFORMS[transform](source)} AS "${column}_${transform}"`;
      });
      const expected = new Map(
        (await sql.unsafe(`SELECT id, ${expressions.join(", ")} FROM ${t}`)).map((r) => [r.id, r]),
      );
      const files = await manifestTuples(table);
      let rows = 0;
      for (const file of files) {
        const ids = await duckdbRows(`SELECT id FROM read_parquet(${sqlString(file.path)})`);
        assert.ok(ids.length > 0);
        for (const { id } of ids) {
          const { id: _, ...tuple } = expected.get(Number(id))!;
          assert.deepEqual(file.partition, tuple, `row ${id} in ${file.path}`);
          rows++;
        }
      }
      assert.equal(rows, 40);
      const bird = await icebergRead({ tableUrl: pathToFileURL(table).href });
      assert.deepEqual(
        bird.map((r) => Number(r.id)).sort((a, b) => a - b),
        [...expected.keys()].sort((a, b) => a - b),
      );
      // A time filter prunes files by their tuples; an id filter row groups by their statistics.
      const after = "1970-01-02T00:00:00.000000Z";
      const skippedFiles: boolean[] = [];
      const late = await readIcebergTable(table, {
        filters: { tz: { $gte: after } },
        onFile: ({ skipped }) => skippedFiles.push(skipped),
      });
      const lateIds = await sql.unsafe(`SELECT id FROM ${t} WHERE tz >= '${after}' ORDER BY id`);
      assert.deepEqual(late.map((r) => r.id).sort((a, b) => Number(a) - Number(b)), lateIds.map((r) => r.id));
      assert.ok(skippedFiles.includes(true), "files of earlier partitions are skipped");
      const groups: boolean[] = [];
      const first = await readIcebergTable(table, {
        filters: { id: { $lte: 3 } },
        onRowGroup: ({ skipped }) => groups.push(skipped),
      });
      assert.deepEqual(first.map((r) => r.id).sort(), [1, 2, 3]);
      if (partitionBy[0] === "tz:year") assert.ok(groups.includes(true), "row groups skipped by statistics");
    }
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg metadata: table uuid, snapshot log, metadata log and the main ref follow each commit", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_metadata");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".m (id int PRIMARY KEY, site int NOT NULL)`);
    await sql.unsafe(`INSERT INTO "${schema.name}".m SELECT g, g % 2 FROM generate_series(1, 10) g`);
    const out = await tempDir();
    const options = { out, schema: schema.name, format: "iceberg" as const, partitionBy: ["site"] };
    await exportTables(sql, options);
    await sql.unsafe(`INSERT INTO "${schema.name}".m VALUES (11, 1)`);
    await exportTables(sql, options);
    const read = async (v: number) =>
      JSON.parse(await Deno.readTextFile(`${out}/m/metadata/v${v}.metadata.json`));
    const [v1, v2] = [await read(1), await read(2)];
    for (const [metadata, count] of [[v1, 1], [v2, 2]] as const) {
      assert.equal(metadata["format-version"], 2);
      assert.equal(metadata["last-sequence-number"], count);
      assert.equal(metadata.snapshots.length, count);
      const current = metadata["current-snapshot-id"];
      assert.equal(current, metadata.snapshots[count - 1]["snapshot-id"]);
      assert.deepEqual(metadata.refs, { main: { "snapshot-id": current, type: "branch" } });
      assert.deepEqual(
        metadata["snapshot-log"].map((e: { "snapshot-id": number }) => e["snapshot-id"]),
        metadata.snapshots.map((s: { "snapshot-id": number }) => s["snapshot-id"]),
      );
      assert.deepEqual(metadata.schemas[0].fields.map((f: { id: number }) => f.id), [1, 2]);
      assert.equal(metadata["last-column-id"], 2);
      assert.equal(metadata["last-partition-id"], 1000);
      assert.deepEqual(metadata["sort-orders"], [{ "order-id": 0, fields: [] }]);
    }
    assert.equal(v2["table-uuid"], v1["table-uuid"]);
    assert.deepEqual(v1["metadata-log"], []);
    assert.deepEqual(v2["metadata-log"], [{
      "timestamp-ms": v1["last-updated-ms"],
      "metadata-file": pathToFileURL(`${out}/m/metadata/v1.metadata.json`).href,
    }]);
    assert.equal(await Deno.readTextFile(`${out}/m/metadata/version-hint.text`), "2\n");
    assert.equal(v2.snapshots[1]["parent-snapshot-id"], v1["current-snapshot-id"]);
    assert.equal(v2.snapshots[1].summary.operation, "overwrite");
    // Both versions open in icebird: the first with its 10 rows, the current with 11.
    for (const [version, rows] of [[1, 10], [2, 11]]) {
      const bird = await icebergRead({
        tableUrl: pathToFileURL(`${out}/m`).href,
        metadataFileName: `v${version}.metadata.json`,
      });
      assert.equal(bird.length, rows);
    }
    assert.equal((await icebergDataFiles(`${out}/m`)).length, 2, "one file per site");
  } finally {
    await schema.drop();
    await sql.end();
  }
});
