/**
 * What an `overwrite` snapshot writes besides its new files: for every data manifest of the snapshot it
 * replaces, a manifest listing that manifest's live files as DELETED (status 2) by the new snapshot,
 * their sequence numbers kept, as the Iceberg spec's overwrite operation records what it removed.
 *
 * @module
 */

import type { Storage } from "../../storage/storage.ts";
import { readAvroFile, writeAvroFile } from "./avro_file.ts";
import {
  deletedEntries,
  type ManifestEntryRecord,
  manifestEntrySchema,
  type ManifestFileRecord,
  manifestListRecord,
} from "./manifests.ts";
import { locationOf, readWhole, uriOf, writeNew } from "./metadata_store.ts";
import type { Snapshot, TableMetadata } from "./table_metadata.ts";

/** A manifest of the files an overwrite removes, written for one attempt. */
export interface RemovedManifest {
  location: string;
  record: ManifestFileRecord;
}

/**
 * One manifest per data manifest of `parent`, marking its live files deleted by `snapshotId`, so that
 * the overwrite records what it removed (as the spec's `overwrite` operation does).
 */
export async function deleteManifests(
  storage: Storage,
  folder: string,
  table: string,
  metadata: TableMetadata,
  parent: Snapshot,
  snapshotId: number,
  sequenceNumber: number,
): Promise<RemovedManifest[]> {
  const listBytes = await readWhole(storage, locationOf(parent["manifest-list"]), table, "manifest list");
  const allFields = {
    type: "struct" as const,
    "schema-id": -1,
    fields: metadata.schemas.flatMap((s) => s.fields),
  };
  const removed: RemovedManifest[] = [];
  for (const manifest of readAvroFile(listBytes).records as unknown as ManifestFileRecord[]) {
    if (manifest.content !== 0 || manifest.added_files_count + manifest.existing_files_count === 0) continue;
    const bytes = await readWhole(storage, locationOf(manifest.manifest_path), table, "manifest");
    const entries = deletedEntries(
      readAvroFile(bytes).records as unknown as ManifestEntryRecord[],
      manifest,
      snapshotId,
    );
    if (!entries.length) continue;
    const spec = metadata["partition-specs"].find((s) => s["spec-id"] === manifest.partition_spec_id)!;
    const schema = metadata.schemas.find((s) => s["schema-id"] === metadata["current-schema-id"])!;
    const written = writeAvroFile(manifestEntrySchema(spec, allFields), entries, {
      schema: JSON.stringify(schema),
      "schema-id": String(schema["schema-id"]),
      "partition-spec": JSON.stringify(spec.fields),
      "partition-spec-id": String(spec["spec-id"]),
      "format-version": "2",
      content: "data",
    });
    const location = storage.join(folder, `${crypto.randomUUID()}-m1.avro`);
    await writeNew(storage, location, written);
    const files = entries.map((e) => ({
      uri: e.data_file.file_path,
      rows: e.data_file.record_count,
      bytes: e.data_file.file_size_in_bytes,
      partition: e.data_file.partition,
    }));
    const record = manifestListRecord(
      { uri: uriOf(storage, location), bytes: written.length },
      files,
      spec,
      allFields,
      snapshotId,
      sequenceNumber,
    );
    removed.push({
      location,
      record: {
        ...record,
        min_sequence_number: Math.min(...entries.map((e) => e.sequence_number!)),
        added_files_count: 0,
        added_rows_count: 0,
        deleted_files_count: record.added_files_count,
        deleted_rows_count: record.added_rows_count,
      },
    });
  }
  return removed;
}
