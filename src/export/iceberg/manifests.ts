/**
 * Iceberg v2 manifests and manifest lists as Avro: their schemas, with the field ids of the Iceberg
 * spec's `manifest_entry`, `data_file` and `manifest_file` structs, and the records a snapshot writes
 * (its data files, each `ADDED`, and the list of every manifest the snapshot reads).
 *
 * @module
 */

import type { AvroSchema } from "./avro_file.ts";
import type { IcebergSchema } from "./iceberg_schema.ts";
import { type PartitionSpec, partitionType, type PartitionValue, valueBytes } from "./partition_spec.ts";

/** One data file of a snapshot. */
export interface DataFileEntry {
  /** Its absolute URI (`file:///…` or `s3://…`). */
  uri: string;
  /** Rows in it. */
  rows: number;
  /** Its size in bytes. */
  bytes: number;
  /** Its partition tuple, by partition field name. */
  partition: Record<string, PartitionValue>;
}

/** One record of a manifest list (`manifest_file`), as Avro holds it. */
export interface ManifestFileRecord {
  manifest_path: string;
  manifest_length: number;
  partition_spec_id: number;
  content: number;
  sequence_number: number;
  min_sequence_number: number;
  added_snapshot_id: number;
  added_files_count: number;
  existing_files_count: number;
  deleted_files_count: number;
  added_rows_count: number;
  existing_rows_count: number;
  deleted_rows_count: number;
  partitions: FieldSummary[] | null;
}

/** A partition field's summary over one manifest. */
export interface FieldSummary {
  contains_null: boolean;
  contains_nan: boolean | null;
  lower_bound: Uint8Array | null;
  upper_bound: Uint8Array | null;
}

const AVRO_TYPES: Record<string, string> = {
  int: "int",
  date: "int",
  long: "long",
  float: "float",
  double: "double",
  boolean: "boolean",
  string: "string",
};

const optional = (name: string, type: unknown, id: number) => ({
  name,
  type: ["null", type],
  default: null,
  "field-id": id,
});

/** The Avro schema of a manifest whose files are partitioned by `spec`. */
export function manifestEntrySchema(spec: PartitionSpec, schema: IcebergSchema): AvroSchema {
  const partition = {
    type: "record",
    name: "r102",
    fields: spec.fields.map((field) =>
      optional(field.name, AVRO_TYPES[partitionType(field, schema)] ?? "string", field["field-id"])
    ),
  };
  return {
    type: "record",
    name: "manifest_entry",
    fields: [
      { name: "status", type: "int", "field-id": 0 },
      optional("snapshot_id", "long", 1),
      optional("sequence_number", "long", 3),
      optional("file_sequence_number", "long", 4),
      {
        name: "data_file",
        "field-id": 2,
        type: {
          type: "record",
          name: "r2",
          fields: [
            { name: "content", type: "int", "field-id": 134 },
            { name: "file_path", type: "string", "field-id": 100 },
            { name: "file_format", type: "string", "field-id": 101 },
            { name: "partition", type: partition, "field-id": 102 },
            { name: "record_count", type: "long", "field-id": 103 },
            { name: "file_size_in_bytes", type: "long", "field-id": 104 },
          ],
        },
      },
    ],
  };
}

/** The Avro schema of a manifest list. */
export const MANIFEST_LIST_SCHEMA: AvroSchema = {
  type: "record",
  name: "manifest_file",
  fields: [
    { name: "manifest_path", type: "string", "field-id": 500 },
    { name: "manifest_length", type: "long", "field-id": 501 },
    { name: "partition_spec_id", type: "int", "field-id": 502 },
    { name: "content", type: "int", "field-id": 517 },
    { name: "sequence_number", type: "long", "field-id": 515 },
    { name: "min_sequence_number", type: "long", "field-id": 516 },
    { name: "added_snapshot_id", type: "long", "field-id": 503 },
    { name: "added_files_count", type: "int", "field-id": 504 },
    { name: "existing_files_count", type: "int", "field-id": 505 },
    { name: "deleted_files_count", type: "int", "field-id": 506 },
    { name: "added_rows_count", type: "long", "field-id": 512 },
    { name: "existing_rows_count", type: "long", "field-id": 513 },
    { name: "deleted_rows_count", type: "long", "field-id": 514 },
    optional("partitions", {
      type: "array",
      "element-id": 508,
      items: {
        type: "record",
        name: "r508",
        fields: [
          { name: "contains_null", type: "boolean", "field-id": 509 },
          optional("contains_nan", "boolean", 518),
          optional("lower_bound", "bytes", 510),
          optional("upper_bound", "bytes", 511),
        ],
      },
    }, 507),
  ],
};

/**
 * The records of a manifest of files added by `snapshotId`; their sequence numbers are left to be
 * inherited from the manifest list, so that a retried commit can reuse the manifest.
 */
export function manifestEntries(snapshotId: number, files: readonly DataFileEntry[]): unknown[] {
  return files.map((file) => ({
    status: 1,
    snapshot_id: snapshotId,
    sequence_number: null,
    file_sequence_number: null,
    data_file: {
      content: 0,
      file_path: file.uri,
      file_format: "PARQUET",
      partition: file.partition,
      record_count: file.rows,
      file_size_in_bytes: file.bytes,
    },
  }));
}

/** The manifest list record of a new manifest of `files`, with its partition summaries. */
export function manifestListRecord(
  manifest: { uri: string; bytes: number },
  files: readonly DataFileEntry[],
  spec: PartitionSpec,
  schema: IcebergSchema,
  snapshotId: number,
  sequenceNumber: number,
): ManifestFileRecord {
  const partitions = spec.fields.map((field): FieldSummary => {
    const type = partitionType(field, schema);
    const values = files.map((f) => f.partition[field.name]);
    const present = values.filter((v): v is Exclude<PartitionValue, null> =>
      v !== null && !(typeof v === "number" && Number.isNaN(v))
    );
    const sorted = [...present].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
    return {
      contains_null: values.includes(null),
      contains_nan: type === "float" || type === "double" ? values.some((v) => Number.isNaN(v)) : null,
      lower_bound: sorted.length ? Buffer.from(valueBytes(sorted[0], type)) : null,
      upper_bound: sorted.length ? Buffer.from(valueBytes(sorted[sorted.length - 1], type)) : null,
    };
  });
  return {
    manifest_path: manifest.uri,
    manifest_length: manifest.bytes,
    partition_spec_id: spec["spec-id"],
    content: 0,
    sequence_number: sequenceNumber,
    min_sequence_number: sequenceNumber,
    added_snapshot_id: snapshotId,
    added_files_count: files.length,
    existing_files_count: 0,
    deleted_files_count: 0,
    added_rows_count: files.reduce((sum, f) => sum + f.rows, 0),
    existing_rows_count: 0,
    deleted_rows_count: 0,
    partitions: partitions.length ? partitions : null,
  };
}

/** A manifest entry as Avro holds it (the fields a data manifest has). */
export interface ManifestEntryRecord {
  status: number;
  snapshot_id: number | null;
  sequence_number: number | null;
  file_sequence_number?: number | null;
  data_file: {
    content: number;
    file_path: string;
    file_format: string;
    partition: Record<string, PartitionValue>;
    record_count: number;
    file_size_in_bytes: number;
  };
}

/**
 * The entries that mark the live files of an older manifest as deleted by `snapshotId` (status 2), with
 * the sequence numbers they had (inherited from `manifest` where the entry left them to it).
 */
export function deletedEntries(
  entries: readonly ManifestEntryRecord[],
  manifest: ManifestFileRecord,
  snapshotId: number,
): ManifestEntryRecord[] {
  return entries.filter((entry) => entry.status !== 2).map((entry) => {
    const sequence = entry.sequence_number ?? manifest.sequence_number;
    return {
      status: 2,
      snapshot_id: snapshotId,
      sequence_number: sequence,
      file_sequence_number: entry.file_sequence_number ?? sequence,
      data_file: entry.data_file,
    };
  });
}
