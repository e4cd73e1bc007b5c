/**
 * The data file of no rows that a snapshot lists when it would otherwise list no live data file (a
 * partitioned table with no rows, or one emptied since its last snapshot). The spec allows a snapshot
 * without one, but readers such as icebird refuse to open it. A Parquet file of no rows, with the
 * table's schema and field ids, is a valid data file (`record_count` 0) that every reader reads as no
 * rows; its partition tuple is all nulls (every transform maps null to null, and the spec's one rule,
 * that all of a file's records share its partition values, holds for a file of none), and it lies in the
 * hive folders of those nulls, as a file of null keys would.
 *
 * @module
 */

import type { TableDefinition } from "../../schema/table.ts";
import { partitionSegment } from "../../schema/partition_path.ts";
import { parquetFileName } from "../../sinks/file_name.ts";
import type { Storage } from "../../storage/storage.ts";
import { encodedRows } from "../../streams/encoded_rows.ts";
import { pipeFile } from "../pipeline.ts";
import type { SchemaPlan } from "./iceberg_schema.ts";
import type { DataFileEntry } from "./manifests.ts";
import { uriOf } from "./metadata_store.ts";
import type { PartitionSpec } from "./partition_spec.ts";

/** The key under which Iceberg writers record the file's schema (with field ids) in a Parquet footer. */
export const ICEBERG_SCHEMA_KEY = "iceberg.schema";

/** Writes a data file of no rows for `table` under `location`, in the partition of nulls of `spec`. */
export async function writeEmptyDataFile(
  storage: Storage,
  location: string,
  table: TableDefinition,
  plan: { schema: SchemaPlan; spec: PartitionSpec },
): Promise<{ location: string; file: DataFileEntry }> {
  const folders = plan.spec.fields.map((field) => partitionSegment(field.name, null));
  const target = storage.join(location, ...folders, parquetFileName(table.name));
  const { stream } = encodedRows([], table, {
    validate: false,
    fieldIds: plan.schema.fieldIds,
    metadata: { [ICEBERG_SCHEMA_KEY]: JSON.stringify(plan.schema.schema) },
  });
  const written = await pipeFile(stream, storage, target, { overwrite: false, checksum: false });
  return {
    location: written.location,
    file: {
      uri: uriOf(storage, written.location),
      rows: 0,
      bytes: written.bytes,
      partition: Object.fromEntries(plan.spec.fields.map((field) => [field.name, null])),
    },
  };
}
