/**
 * One Iceberg commit: a table's new data files as one snapshot (`overwrite` for a full export, `append`
 * for an incremental one). The manifest is written once; each attempt reads the current version, builds
 * the manifest list and metadata on it, and writes the next version without replacing anything. When
 * another writer took that version first, the attempt is rebuilt on the new current version (its
 * snapshot stays in the history, before ours), so no snapshot is ever lost. A snapshot that would list
 * no live data file lists one of no rows instead (see `empty_data_file.ts`).
 *
 * @module
 */

import { IcebergCommitConflictError } from "../../errors.ts";
import { type TableDefinition, tableSpec } from "../../schema/table.ts";
import type { Storage } from "../../storage/storage.ts";
import type { PartitionKey } from "../../schema/partition_key.ts";
import { readAvroFile, writeAvroFile } from "./avro_file.ts";
import { deleteManifests, type RemovedManifest } from "./deleted_manifests.ts";
import { writeEmptyDataFile } from "./empty_data_file.ts";
import { planSchema, type SchemaPlan } from "./iceberg_schema.ts";
import {
  type DataFileEntry,
  MANIFEST_LIST_SCHEMA,
  manifestEntries,
  manifestEntrySchema,
  type ManifestFileRecord,
  manifestListRecord,
} from "./manifests.ts";
import {
  currentMetadata,
  locationOf,
  metadataFolder,
  readWhole,
  uriOf,
  writeNew,
  writeVersion,
} from "./metadata_store.ts";
import { type PartitionSpec, planPartitionSpec } from "./partition_spec.ts";
import { type CurrentMetadata, currentSnapshot, nextMetadata, type Snapshot } from "./table_metadata.ts";

/** Table properties that let our reader rebuild the table definition and partition keys. */
export const TABLE_PROPERTY = "parquet-storage.table";
/** The `partitionBy` the table was written with (JSON). */
export const PARTITION_BY_PROPERTY = "parquet-storage.partition-by";
/** The snapshot summary key holding an incremental export's watermark (JSON). */
export const WATERMARK_SUMMARY = "parquet-storage.watermark";

/** How a table's files are laid out for its next snapshot. */
export interface TablePlan {
  /** Schema, with field ids. */
  schema: SchemaPlan;
  /** Partition spec. */
  spec: PartitionSpec;
  /** The partition keys behind the spec. */
  keys: PartitionKey[];
  /** Highest partition field id. */
  lastPartitionId: number;
}

/** Plans `table`'s schema and partition spec over the current metadata (none for a new table). */
export function planTable(
  table: TableDefinition,
  partitionBy: readonly string[],
  base: CurrentMetadata | undefined,
): TablePlan {
  const m = base?.metadata;
  const current = m?.schemas.find((s) => s["schema-id"] === m["current-schema-id"]);
  const schema = planSchema(table, current, m?.["last-column-id"] ?? 0);
  if (m && schema.changed) schema.schema["schema-id"] = Math.max(...m.schemas.map((s) => s["schema-id"])) + 1;
  const { spec, keys, lastPartitionId } = planPartitionSpec(
    table,
    schema.schema,
    partitionBy,
    m?.["partition-specs"] ?? [],
    m?.["last-partition-id"] ?? 999,
  );
  return { schema, spec, keys, lastPartitionId };
}

/** Options of {@link commitSnapshot}. */
export interface CommitOptions {
  /** `overwrite` (the files replace the table) or `append`. */
  operation: "overwrite" | "append";
  /** More snapshot summary entries. */
  summary?: Record<string, string>;
  /** Attempts before giving up with an {@link IcebergCommitConflictError}. Default 10. */
  maxAttempts?: number;
}

/** What a commit did. */
export interface IcebergCommit {
  /** The table name. */
  table: string;
  /** The table's location. */
  location: string;
  /** The new snapshot's id. */
  snapshotId: number;
  /** Its sequence number. */
  sequenceNumber: number;
  /** `overwrite` or `append`. */
  operation: "overwrite" | "append";
  /** The metadata version written (`v<N>.metadata.json`). */
  version: number;
  /** Attempts it took (more than 1 when other writers committed meanwhile). */
  attempts: number;
}

/** Commits `files`, written with `plan`, as one snapshot of the table at `location`. */
export async function commitSnapshot(
  storage: Storage,
  location: string,
  table: TableDefinition,
  partitionBy: readonly string[],
  plan: TablePlan,
  files: readonly DataFileEntry[],
  options: CommitOptions,
): Promise<IcebergCommit> {
  const { operation, maxAttempts = 10 } = options;
  const folder = metadataFolder(storage, location);
  const snapshotId = newSnapshotId();
  const schema = plan.schema.schema;
  const writeManifest = async (added: readonly DataFileEntry[]) => {
    const manifest = writeAvroFile(
      manifestEntrySchema(plan.spec, schema),
      manifestEntries(snapshotId, added),
      {
        schema: JSON.stringify(schema),
        "schema-id": String(schema["schema-id"]),
        "partition-spec": JSON.stringify(plan.spec.fields),
        "partition-spec-id": String(plan.spec["spec-id"]),
        "format-version": "2",
        content: "data",
      },
    );
    const manifestLocation = storage.join(folder, `${crypto.randomUUID()}-m0.avro`);
    await writeNew(storage, manifestLocation, manifest);
    return { files: added, manifest: { uri: uriOf(storage, manifestLocation), bytes: manifest.length } };
  };
  // Written once for every attempt: its entries inherit the sequence number of the list that lists them.
  let added = files.length ? await writeManifest(files) : undefined;
  let emptyFile: string | undefined;
  try {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const base = await currentMetadata(storage, location, table.name);
      const replanned = planTable(table, partitionBy, base);
      if (
        JSON.stringify(replanned.schema.fieldIds) !== JSON.stringify(plan.schema.fieldIds) ||
        JSON.stringify(replanned.spec.fields) !== JSON.stringify(plan.spec.fields)
      ) {
        throw new IcebergCommitConflictError(
          "another writer changed the table's schema or partition spec while this snapshot's files were written with the old field ids",
          { table: table.name, attempts: attempt },
        );
      }
      const sequenceNumber = (base?.metadata["last-sequence-number"] ?? 0) + 1;
      const parent = currentSnapshot(base?.metadata);
      const inherited = operation === "append" && parent
        ? readAvroFile(
          await readWhole(storage, locationOf(parent["manifest-list"]), table.name, "manifest list"),
        )
          .records
        : [];
      if (!added && !inherited.some(isLiveDataManifest)) {
        const empty = await writeEmptyDataFile(storage, location, table, plan);
        emptyFile = empty.location;
        added = await writeManifest([empty.file]);
      }
      const ours = added
        ? [manifestListRecord(added.manifest, added.files, plan.spec, schema, snapshotId, sequenceNumber)]
        : [];
      const removed = operation === "overwrite" && parent
        ? await deleteManifests(
          storage,
          folder,
          table.name,
          base!.metadata,
          parent,
          snapshotId,
          sequenceNumber,
        )
        : [];
      const list = writeAvroFile(
        MANIFEST_LIST_SCHEMA,
        [...inherited, ...ours, ...removed.map((r) => r.record)],
        {
          "snapshot-id": String(snapshotId),
          "parent-snapshot-id": parent ? String(parent["snapshot-id"]) : "null",
          "sequence-number": String(sequenceNumber),
          "format-version": "2",
        },
      );
      const listLocation = storage.join(folder, `snap-${snapshotId}-${attempt}-${crypto.randomUUID()}.avro`);
      await writeNew(storage, listLocation, list);
      const snapshot: Snapshot = {
        "snapshot-id": snapshotId,
        ...(parent ? { "parent-snapshot-id": parent["snapshot-id"] } : {}),
        "sequence-number": sequenceNumber,
        "timestamp-ms": Date.now(),
        "manifest-list": uriOf(storage, listLocation),
        summary: { ...summaryOf(operation, added?.files ?? [], parent, removed), ...options.summary },
        "schema-id": replanned.schema.schema["schema-id"],
      };
      const next = nextMetadata(base, {
        location: uriOf(storage, location),
        schema: replanned.schema.schema,
        lastColumnId: replanned.schema.lastColumnId,
        spec: replanned.spec,
        lastPartitionId: replanned.lastPartitionId,
        snapshot,
        properties: {
          [TABLE_PROPERTY]: JSON.stringify(tableSpec(table)),
          [PARTITION_BY_PROPERTY]: JSON.stringify(partitionBy),
        },
      });
      const version = (base?.version ?? 0) + 1;
      if (await writeVersion(storage, location, version, next)) {
        emptyFile = undefined; // the snapshot's now
        return {
          table: table.name,
          location,
          snapshotId,
          sequenceNumber,
          operation,
          version,
          attempts: attempt,
        };
      }
      // Another writer committed v<version> first: this list was built on the old base.
      await Promise.all(
        [listLocation, ...removed.map((r) => r.location)].map((l) => storage.remove(l).catch(() => {})),
      );
    }
  } finally {
    // A file of no rows that no committed snapshot lists is this commit's own: nothing else knows it.
    if (emptyFile) await storage.remove(emptyFile).catch(() => {});
  }
  throw new IcebergCommitConflictError("other writers kept committing first", {
    table: table.name,
    attempts: maxAttempts,
  });
}

/** Whether a manifest of the parent lists a live data file (an append inherits it). */
function isLiveDataManifest(record: Record<string, unknown>): boolean {
  const manifest = record as unknown as ManifestFileRecord;
  return manifest.content === 0 && manifest.added_files_count + manifest.existing_files_count > 0;
}

function summaryOf(
  operation: "overwrite" | "append",
  files: readonly DataFileEntry[],
  parent: Snapshot | undefined,
  removed: readonly RemovedManifest[],
): Snapshot["summary"] {
  const added = files.reduce((sum, f) => sum + f.rows, 0);
  const size = files.reduce((sum, f) => sum + f.bytes, 0);
  const total = (key: string) => operation === "append" ? Number(parent?.summary[key] ?? 0) : 0;
  return {
    operation,
    "added-data-files": String(files.length),
    "added-records": String(added),
    "added-files-size": String(size),
    ...(removed.length
      ? {
        "deleted-data-files": String(removed.reduce((sum, r) => sum + r.record.deleted_files_count, 0)),
        "deleted-records": String(removed.reduce((sum, r) => sum + r.record.deleted_rows_count, 0)),
      }
      : {}),
    "total-data-files": String(total("total-data-files") + files.length),
    "total-records": String(total("total-records") + added),
    "total-files-size": String(total("total-files-size") + size),
  };
}

/** A random positive snapshot id that JSON and Avro readers hold exactly (below 2^53). */
function newSnapshotId(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high & 0x1fffff) * 2 ** 32 + low || 1;
}
