/**
 * Apache Iceberg tables: reading the tables that `exportTables(sql, { format: "iceberg" })` (or
 * `deno task export --format iceberg`) commits, as of their current snapshot or an earlier one. The
 * Avro manifests are decoded with avsc, which needs a `Buffer` global (Deno, Node, Bun; Workers with
 * nodejs_compat), so this lives apart from the main entry point.
 *
 * ```ts
 * import { icebergSnapshots } from "@parquet-storage/engine/iceberg";
 *
 * const error = await icebergSnapshots(await Deno.makeTempDir()).catch((e) => e);
 * console.assert(error.name === "IcebergMetadataMissingError"); // no table there yet
 * ```
 *
 * @module
 */

export { IcebergCommitConflictError, IcebergMetadataMissingError, IcebergSchemaError } from "./src/errors.ts";

export {
  type IcebergDataFile,
  icebergDataFiles,
  icebergSnapshots,
  type ReadIcebergOptions,
  readIcebergTable,
  type Snapshot as IcebergSnapshot,
} from "./src/export/iceberg/read_iceberg.ts";
export type { IcebergCommit } from "./src/export/iceberg/commit_snapshot.ts";
