/**
 * Batches: several tables written as one commit, a manifest that makes them visible together, reads of
 * what was committed (as of a batch or a time), verification and vacuum.
 *
 * ```ts
 * import { defineTable, int } from "@parquet-storage/engine";
 * import { BatchWriter, readCommitted } from "@parquet-storage/engine/batch";
 *
 * const users = defineTable("users", { id: int() });
 * const root = await Deno.makeTempDir();
 * const batch = new BatchWriter(root);
 * await batch.writeTable(users, [{ id: 1 }]);
 * await batch.commit();
 * console.assert((await readCommitted(root, "users")).length === 1);
 * ```
 *
 * @module
 */

export { type BatchTableOptions, BatchWriter } from "./src/export/batch_writer.ts";
export {
  type Manifest,
  MANIFEST_FOLDER,
  type ManifestFile,
  type ManifestTable,
  newBatchId,
  type Watermark,
} from "./src/read/manifest.ts";
export {
  type AsOfOptions,
  committedFiles,
  latestWatermark,
  listManifests,
  readCommitted,
} from "./src/read/committed.ts";
export { vacuum, type VacuumEntry, type VacuumOptions } from "./src/export/vacuum.ts";
export { type VerifiedFile, verifyBatch } from "./src/export/verify.ts";
