/** Iceberg manifests and manifest lists as the spec has them: field ids, metadata keys, partition field ids. */

import assert from "node:assert/strict";
import { exportTables } from "../postgres.ts";
import { readAvroFile } from "../src/export/iceberg/avro_file.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";

/** The field ids of an Avro schema, by dotted field name (and `…[]` for array elements). */
function avroFieldIds(schema: Record<string, unknown>, prefix = ""): Record<string, number> {
  const ids: Record<string, number> = {};
  for (const field of schema.fields as Record<string, unknown>[]) {
    const name = `${prefix}${field.name}`;
    ids[name] = field["field-id"] as number;
    let type = field.type as unknown;
    if (Array.isArray(type)) type = type.find((t) => t !== "null");
    if (typeof type === "object" && type !== null) {
      const t = type as Record<string, unknown>;
      if (t.type === "record") Object.assign(ids, avroFieldIds(t, `${name}.`));
      if (t.type === "array") {
        ids[`${name}[]`] = t["element-id"] as number;
        Object.assign(ids, avroFieldIds(t.items as Record<string, unknown>, `${name}[].`));
      }
    }
  }
  return ids;
}

// The field ids of the Iceberg spec's manifest schemas (format version 2: "Manifests" and "Manifest
// Lists"), for the fields a writer of data manifests sets.
const SPEC_MANIFEST_ENTRY: Record<string, number> = {
  status: 0,
  snapshot_id: 1,
  sequence_number: 3,
  file_sequence_number: 4,
  data_file: 2,
  "data_file.content": 134,
  "data_file.file_path": 100,
  "data_file.file_format": 101,
  "data_file.partition": 102,
  "data_file.record_count": 103,
  "data_file.file_size_in_bytes": 104,
};
const SPEC_MANIFEST_FILE: Record<string, number> = {
  manifest_path: 500,
  manifest_length: 501,
  partition_spec_id: 502,
  content: 517,
  sequence_number: 515,
  min_sequence_number: 516,
  added_snapshot_id: 503,
  added_files_count: 504,
  existing_files_count: 505,
  deleted_files_count: 506,
  added_rows_count: 512,
  existing_rows_count: 513,
  deleted_rows_count: 514,
  partitions: 507,
  "partitions[]": 508,
  "partitions[].contains_null": 509,
  "partitions[].contains_nan": 518,
  "partitions[].lower_bound": 510,
  "partitions[].upper_bound": 511,
};

Deno.test("iceberg: manifests and manifest lists carry the spec's field ids, metadata keys and partition field ids", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_avro");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".r (id int PRIMARY KEY, site int, day date NOT NULL)`);
    await sql.unsafe(
      `INSERT INTO "${schema.name}".r SELECT g, g % 2, DATE '2026-01-01' + g FROM generate_series(1, 40) g`,
    );
    const out = await tempDir();
    await exportTables(sql, {
      out,
      schema: schema.name,
      format: "iceberg",
      partitionBy: ["site", "day:year"],
    });
    const metadata = JSON.parse(await Deno.readTextFile(`${out}/r/metadata/v1.metadata.json`));
    const list = readAvroFile(await Deno.readFile(new URL(metadata.snapshots[0]["manifest-list"])));
    assert.deepEqual(avroFieldIds(list.schema), SPEC_MANIFEST_FILE);
    assert.equal(list.metadata["format-version"], "2");
    assert.equal(list.metadata["snapshot-id"], String(metadata.snapshots[0]["snapshot-id"]));
    const manifest = readAvroFile(await Deno.readFile(new URL(list.records[0].manifest_path as string)));
    const ids = avroFieldIds(manifest.schema);
    const partition = Object.entries(ids).filter(([name]) => name.startsWith("data_file.partition."));
    for (const name of Object.keys(ids)) {
      if (!name.startsWith("data_file.partition.")) assert.equal(ids[name], SPEC_MANIFEST_ENTRY[name], name);
    }
    assert.deepEqual(Object.keys(SPEC_MANIFEST_ENTRY).filter((name) => !(name in ids)), []);
    const spec = metadata["partition-specs"][0];
    assert.deepEqual(
      partition,
      spec.fields.map((
        f: { name: string; "field-id": number },
      ) => [`data_file.partition.${f.name}`, f["field-id"]]),
    );
    assert.deepEqual(spec.fields.map((f: { transform: string }) => f.transform), ["identity", "year"]);
    for (const key of ["schema", "partition-spec", "partition-spec-id", "format-version", "content"]) {
      assert.ok(key in manifest.metadata, key);
    }
    assert.equal(manifest.metadata.content, "data");
    assert.deepEqual(JSON.parse(manifest.metadata["partition-spec"]), spec.fields);
    // Each data file's tuple: the site, and the years since 1970 of its day.
    const tuples = manifest.records.map((r) =>
      (r.data_file as { partition: Record<string, unknown> }).partition
    );
    assert.deepEqual(new Set(tuples.map((t) => `${t.site}/${t.day_year}`)), new Set(["0/56", "1/56"]));
  } finally {
    await schema.drop();
    await sql.end();
  }
});
