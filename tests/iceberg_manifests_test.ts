/**
 * Iceberg manifests and manifest lists as the spec has them: field ids and required/optional status of the
 * v2 `manifest_entry`, `data_file`, `manifest_file` and `field_summary` structs, metadata keys and partition
 * field ids, for the first snapshot, an overwrite (with its manifest of deleted files) and an append.
 */

import assert from "node:assert/strict";
import { icebergRead } from "icebird";
import { pathToFileURL } from "node:url";
import { exportTables } from "../postgres.ts";
import { readAvroFile } from "../src/export/iceberg/avro_file.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";

type Field = [id: number, status: "required" | "optional"];

/** The field ids and status of an Avro schema, by dotted field name (and `…[]` for array elements). */
function avroFields(schema: Record<string, unknown>, prefix = ""): Record<string, Field> {
  const fields: Record<string, Field> = {};
  for (const field of schema.fields as Record<string, unknown>[]) {
    const name = `${prefix}${field.name}`;
    let type = field.type as unknown;
    const optional = Array.isArray(type) && type.includes("null");
    fields[name] = [field["field-id"] as number, optional ? "optional" : "required"];
    if (Array.isArray(type)) type = type.find((t) => t !== "null");
    if (typeof type === "object" && type !== null) {
      const t = type as Record<string, unknown>;
      if (t.type === "record") Object.assign(fields, avroFields(t, `${name}.`));
      if (t.type === "array") {
        fields[`${name}[]`] = [t["element-id"] as number, "required"];
        Object.assign(fields, avroFields(t.items as Record<string, unknown>, `${name}[].`));
      }
    }
  }
  return fields;
}

// The Iceberg spec (format/spec.md, "Manifests" and "Manifest Lists", the v2 columns), for the fields a
// writer of data manifests sets: field id and status.
const SPEC_MANIFEST_ENTRY: Record<string, Field> = {
  status: [0, "required"],
  snapshot_id: [1, "optional"],
  sequence_number: [3, "optional"],
  file_sequence_number: [4, "optional"],
  data_file: [2, "required"],
  "data_file.content": [134, "required"],
  "data_file.file_path": [100, "required"],
  "data_file.file_format": [101, "required"],
  "data_file.partition": [102, "required"],
  "data_file.record_count": [103, "required"],
  "data_file.file_size_in_bytes": [104, "required"],
};
const SPEC_MANIFEST_FILE: Record<string, Field> = {
  manifest_path: [500, "required"],
  manifest_length: [501, "required"],
  partition_spec_id: [502, "required"],
  content: [517, "required"],
  sequence_number: [515, "required"],
  min_sequence_number: [516, "required"],
  added_snapshot_id: [503, "required"],
  added_files_count: [504, "required"],
  existing_files_count: [505, "required"],
  deleted_files_count: [506, "required"],
  added_rows_count: [512, "required"],
  existing_rows_count: [513, "required"],
  deleted_rows_count: [514, "required"],
  partitions: [507, "optional"],
  "partitions[]": [508, "required"],
  "partitions[].contains_null": [509, "required"],
  "partitions[].contains_nan": [518, "optional"],
  "partitions[].lower_bound": [510, "optional"],
  "partitions[].upper_bound": [511, "optional"],
};

Deno.test("iceberg: manifests and manifest lists carry the spec's field ids and status, metadata keys and partition field ids", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_avro");
  const r = `"${schema.name}".r`;
  try {
    await sql.unsafe(`CREATE TABLE ${r} (id int PRIMARY KEY, site int, day date NOT NULL,
                      updated_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00+00')`);
    await sql.unsafe(`INSERT INTO ${r} SELECT g, g % 2, DATE '2026-01-01' + g FROM generate_series(1, 40) g`);
    const out = await tempDir();
    const options = {
      out,
      schema: schema.name,
      format: "iceberg" as const,
      partitionBy: ["site", "day:year"],
    };
    await exportTables(sql, options); // v1: the first snapshot
    // v2: an overwrite, with a manifest of the files it replaced (the first incremental run is a full one)
    await exportTables(sql, { ...options, incremental: true });
    await sql.unsafe(`INSERT INTO ${r} VALUES (41, 1, DATE '2027-02-01', '2026-02-01 00:00+00')`);
    await exportTables(sql, { ...options, incremental: true }); // v3: an append
    const metadata = JSON.parse(await Deno.readTextFile(`${out}/r/metadata/v3.metadata.json`));
    assert.deepEqual(metadata.snapshots.map((s: { summary: { operation: string } }) => s.summary.operation), [
      "overwrite",
      "overwrite",
      "append",
    ]);
    const spec = metadata["partition-specs"][0];
    assert.deepEqual(spec.fields.map((f: { transform: string }) => f.transform), ["identity", "year"]);
    const specPartition = Object.fromEntries(
      spec.fields.map((f: { name: string; "field-id": number }) => [
        `data_file.partition.${f.name}`,
        [f["field-id"], "optional"],
      ]),
    );
    const statuses = new Set<number>();
    for (const snapshot of metadata.snapshots) {
      const list = readAvroFile(await Deno.readFile(new URL(snapshot["manifest-list"])));
      assert.deepEqual(avroFields(list.schema), SPEC_MANIFEST_FILE);
      assert.equal(list.metadata["format-version"], "2");
      assert.equal(list.metadata["snapshot-id"], String(snapshot["snapshot-id"]));
      assert.equal(list.metadata["sequence-number"], String(snapshot["sequence-number"]));
      assert.equal(list.metadata["parent-snapshot-id"], String(snapshot["parent-snapshot-id"] ?? null));
      for (const record of list.records) {
        const manifest = readAvroFile(await Deno.readFile(new URL(record.manifest_path as string)));
        assert.deepEqual(avroFields(manifest.schema), { ...SPEC_MANIFEST_ENTRY, ...specPartition });
        for (const key of ["schema", "schema-id", "partition-spec", "partition-spec-id", "format-version"]) {
          assert.ok(key in manifest.metadata, key);
        }
        assert.equal(manifest.metadata.content, "data");
        assert.equal(manifest.metadata["format-version"], "2");
        assert.deepEqual(JSON.parse(manifest.metadata["partition-spec"]), spec.fields);
        for (const entry of manifest.records) statuses.add(entry.status as number);
        // Each data file's tuple: the site, and the years since 1970 of its day.
        const tuples = manifest.records.map((e) =>
          (e.data_file as { partition: Record<string, unknown> }).partition
        );
        for (const t of tuples) assert.ok(["0/56", "1/56", "1/57"].includes(`${t.site}/${t.day_year}`));
      }
    }
    assert.deepEqual([...statuses].sort(), [1, 2], "added entries, and the overwrite's deleted ones");
    for (const [version, rows] of [[1, 40], [2, 40], [3, 41]]) {
      const bird = await icebergRead({
        tableUrl: pathToFileURL(`${out}/r`).href,
        metadataFileName: `v${version}.metadata.json`,
      });
      assert.equal(bird.length, rows, `v${version}`);
    }
  } finally {
    await schema.drop();
    await sql.end();
  }
});
