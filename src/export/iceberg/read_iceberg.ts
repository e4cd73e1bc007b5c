/**
 * Reading an Iceberg table this library committed (see `format: "iceberg"`), as of its current snapshot
 * or any earlier one: the snapshot's manifest list, manifests skipped whose partition summaries rule the
 * filter out, the live data files of the others, then those files read as a partitioned dataset (whole
 * partitions skipped by their values, row groups by their statistics, then rows).
 *
 * @module
 */

import { IcebergMetadataMissingError, ReadError } from "../../errors.ts";
import { pointColumnNames } from "../../schema/parquet_schema.ts";
import { type Row, type TableDefinition, tableFromSpec } from "../../schema/table.ts";
import { type OpenOptions, storageFor } from "../../storage/open_location.ts";
import type { Storage } from "../../storage/storage.ts";
import { readAvroFile } from "./avro_file.ts";
import { TABLE_PROPERTY } from "./commit_snapshot.ts";
import type { ManifestFileRecord } from "./manifests.ts";
import { currentMetadata, locationOf, readWhole } from "./metadata_store.ts";
import type { PartitionSpec } from "./partition_spec.ts";
import { currentSnapshot, type Snapshot, type TableMetadata } from "./table_metadata.ts";
import { compileFilter, type Filter } from "../../read/filters.ts";
import { manifestRuledOut } from "./manifest_pruning.ts";
import { readDataset } from "../../read/read_dataset.ts";

export type { Snapshot } from "./table_metadata.ts";

/** Options of {@link readIcebergTable}. */
export interface ReadIcebergOptions extends OpenOptions {
  /** The snapshot to read. Default: the table's current snapshot. */
  snapshotId?: number;
  /** Columns to return. Default: the snapshot's. */
  columns?: string[];
  /** Rows to keep (see {@link Filter}). */
  filters?: Filter;
  /** Called for every manifest of the snapshot: `skipped` when its partition summaries ruled it out. */
  onManifest?: (info: { location: string; files: number; skipped: boolean }) => void;
  /** Called for every data file of the manifests read: `skipped` when its partition was pruned. */
  onFile?: (info: { location: string; partition: Row; skipped: boolean }) => void;
  /** Called for every row group of every file read, `skipped` when its statistics ruled it out. */
  onRowGroup?: (info: { location: string; index: number; rows: number; skipped: boolean }) => void;
}

/** One live data file of a snapshot. */
export interface IcebergDataFile {
  /** The file: a local path or `s3://bucket/key`. */
  location: string;
  /** Rows in it. */
  rows: number;
  /** The id of the partition spec it was written with. */
  specId: number;
}

/**
 * The snapshots of an Iceberg table, oldest first.
 *
 * @example
 * ```ts
 * import { icebergSnapshots } from "@parquet-storage/engine/iceberg";
 * const missing = await icebergSnapshots(await Deno.makeTempDir()).catch((e) => e.name);
 * console.assert(missing === "IcebergMetadataMissingError");
 * ```
 */
export async function icebergSnapshots(location: string, options: OpenOptions = {}): Promise<Snapshot[]> {
  const { metadata } = await openTable(location, options);
  return [...metadata.snapshots].sort((a, b) => a["sequence-number"] - b["sequence-number"]);
}

/**
 * The live data files of a snapshot (default: the current one), after manifest pruning by `filters`.
 *
 * @example
 * ```ts
 * import { icebergDataFiles } from "@parquet-storage/engine/iceberg";
 * const error = await icebergDataFiles(await Deno.makeTempDir()).catch((e) => e);
 * console.assert(error.name === "IcebergMetadataMissingError");
 * ```
 */
export async function icebergDataFiles(
  location: string,
  options: Omit<ReadIcebergOptions, "columns" | "onFile" | "onRowGroup"> = {},
): Promise<IcebergDataFile[]> {
  const { storage, metadata, table } = await openTable(location, options);
  const snapshot = pickSnapshot(metadata, options.snapshotId, table.name);
  if (!snapshot) return [];
  return await liveFiles(storage, metadata, table, snapshot, options);
}

/**
 * Reads an Iceberg table this library wrote, as of its current snapshot or `snapshotId`: the rows of
 * its live data files, pruned as the module documentation says.
 *
 * @example
 * ```ts
 * import { readIcebergTable } from "@parquet-storage/engine/iceberg";
 * const error = await readIcebergTable(await Deno.makeTempDir()).catch((e) => e);
 * console.assert(error.name === "IcebergMetadataMissingError");
 * ```
 */
export async function readIcebergTable(location: string, options: ReadIcebergOptions = {}): Promise<Row[]> {
  const { storage, metadata, table } = await openTable(location, options);
  const snapshot = pickSnapshot(metadata, options.snapshotId, table.name);
  if (!snapshot) return [];
  const schema = metadata.schemas.find((s) => s["schema-id"] === snapshot["schema-id"]);
  const inSchema = new Set(schema?.fields.map((f) => f.name));
  // The snapshot's columns: those of the current table whose Parquet columns its schema has.
  const columns = Object.keys(table.columns).filter((name) =>
    (table.columns[name].spec.kind === "point" ? pointColumnNames(table, name) : [name])
      .every((c) => inSchema.has(c))
  );
  for (const name of options.columns ?? []) {
    if (!columns.includes(name)) {
      throw new ReadError(
        `Unknown column ${JSON.stringify(name)}: snapshot ${snapshot["snapshot-id"]} has ${
          columns.join(", ")
        }`,
        { table: table.name, column: name },
      );
    }
  }
  const files = await liveFiles(storage, metadata, table, snapshot, options);
  const rows: Row[] = [];
  const output = options.columns ?? columns;
  for (const spec of metadata["partition-specs"]) {
    const group = files.filter((f) => f.specId === spec["spec-id"]).map((f) => f.location);
    if (!group.length) continue;
    const read = await readDataset(location.replace(/\/+$/, ""), {
      s3: options.s3,
      storage,
      table,
      partitionBy: partitionByOf(spec, metadata),
      files: group,
      filters: options.filters,
      onFile: options.onFile,
      onRowGroup: options.onRowGroup,
    });
    // A column added after a file was written reads as null from it.
    for (const row of read) rows.push(Object.fromEntries(output.map((name) => [name, row[name] ?? null])));
  }
  return rows;
}

async function openTable(
  location: string,
  options: OpenOptions,
): Promise<{ storage: Storage; metadata: TableMetadata; table: TableDefinition }> {
  if (typeof location !== "string" || !location.trim()) {
    throw new ReadError(
      `An Iceberg table's location must be a folder or s3:// prefix: current value is ${
        JSON.stringify(location)
      }`,
    );
  }
  const { snapshotId } = options as ReadIcebergOptions;
  if (snapshotId !== undefined && !Number.isSafeInteger(snapshotId)) {
    throw new ReadError(
      `snapshotId must be an integer snapshot id (see icebergSnapshots): current value is ${
        JSON.stringify(snapshotId)
      }`,
    );
  }
  const root = location.replace(/\/+$/, "");
  const storage = await storageFor(root, options);
  const current = await currentMetadata(storage, root);
  if (!current) {
    throw new IcebergMetadataMissingError(
      `No Iceberg table at ${root}: its metadata/ folder has no v<N>.metadata.json`,
      { file: storage.join(root, "metadata") },
    );
  }
  const recorded = current.metadata.properties?.[TABLE_PROPERTY];
  if (!recorded) {
    throw new ReadError(
      `Cannot read the Iceberg table at ${root}: it was not written by this library (no ${TABLE_PROPERTY} property)`,
      { file: current.uri },
    );
  }
  return { storage, metadata: current.metadata, table: tableFromSpec(JSON.parse(recorded)) };
}

function pickSnapshot(metadata: TableMetadata, id: number | undefined, table: string): Snapshot | undefined {
  if (id === undefined) return currentSnapshot(metadata);
  const found = metadata.snapshots.find((s) => s["snapshot-id"] === id);
  if (!found) {
    throw new ReadError(
      `No snapshot ${id} in the Iceberg table: it has ${
        metadata.snapshots.map((s) => s["snapshot-id"]).join(", ") || "none"
      }`,
      { table },
    );
  }
  return found;
}

async function liveFiles(
  storage: Storage,
  metadata: TableMetadata,
  table: TableDefinition,
  snapshot: Snapshot,
  options: Pick<ReadIcebergOptions, "filters" | "onManifest">,
): Promise<IcebergDataFile[]> {
  const listBytes = await readWhole(
    storage,
    locationOf(snapshot["manifest-list"]),
    table.name,
    "manifest list",
  );
  const manifests = readAvroFile(listBytes).records as unknown as ManifestFileRecord[];
  const predicate = options.filters === undefined
    ? undefined
    : compileFilter(options.filters, (column, value) => {
      if (!(column in table.columns) && !pointLeaves(table).includes(column)) {
        throw new ReadError(
          `Unknown column in filter: ${JSON.stringify(column)}; the table has ${
            Object.keys(table.columns).join(", ")
          }`,
          { table: table.name, column },
        );
      }
      return value;
    });
  const files: IcebergDataFile[] = [];
  for (const manifest of manifests) {
    // A manifest of deleted entries only (an overwrite's record of what it removed) has nothing to read.
    if (manifest.added_files_count + manifest.existing_files_count === 0) continue;
    const spec = metadata["partition-specs"].find((s) => s["spec-id"] === manifest.partition_spec_id)!;
    const location = locationOf(manifest.manifest_path);
    const skipped = predicate !== undefined && manifestRuledOut(predicate, manifest, spec, metadata);
    options.onManifest?.({
      location,
      files: manifest.added_files_count + manifest.existing_files_count,
      skipped,
    });
    if (skipped) continue;
    const entries = readAvroFile(await readWhole(storage, location, table.name, "manifest")).records;
    for (
      const entry of entries as { status: number; data_file: { file_path: string; record_count: number } }[]
    ) {
      if (entry.status === 2) continue;
      files.push({
        location: locationOf(entry.data_file.file_path),
        rows: entry.data_file.record_count,
        specId: spec["spec-id"],
      });
    }
  }
  return files;
}

function partitionByOf(spec: PartitionSpec, metadata: TableMetadata): string[] {
  const fields = metadata.schemas.flatMap((s) => s.fields);
  return spec.fields.map((field) => {
    const source = fields.find((f) => f.id === field["source-id"])!.name;
    return field.transform === "identity" ? source : `${source}:${field.transform}`;
  });
}

function pointLeaves(table: TableDefinition): string[] {
  return Object.entries(table.columns)
    .filter(([, column]) => column.spec.kind === "point")
    .flatMap(([name]) => pointColumnNames(table, name));
}
