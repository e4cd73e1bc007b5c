// This module is browser compatible.

/**
 * Checking committed files against their manifest: size and SHA-256 (which catches any change to any
 * byte, the footer included, where page CRCs cannot), then every page of every column.
 *
 * @module
 */

import { ReadError } from "../errors.ts";
import { readParquetStream } from "../read/read_parquet.ts";
import { type OpenOptions, storageFor } from "../storage/open_location.ts";
import { listManifests } from "../read/committed.ts";
import { checkManifestFile } from "../read/manifest_check.ts";

/** One file of a {@link verifyBatch} report. */
export interface VerifiedFile {
  /** The table. */
  table: string;
  /** The file, as its location. */
  location: string;
  /** Rows read. */
  rows: number;
  /** What is wrong with it; absent when it is intact. */
  error?: string;
}

/**
 * Checks every file a committed batch names (default: the latest): size and SHA-256 against the
 * manifest, then every page (CRC32 and counts) by reading it through. Returns one entry per file;
 * damaged ones carry their error.
 *
 * @example
 * ```ts
 * import { defineTable, int } from "@parquet-storage/engine";
 * import { BatchWriter, verifyBatch } from "@parquet-storage/engine/batch";
 * const root = await Deno.makeTempDir();
 * const batch = new BatchWriter(root);
 * await batch.writeTable(defineTable("t", { id: int() }), [{ id: 1 }]);
 * await batch.commit();
 * const [file] = (await verifyBatch(root)).files;
 * console.assert(file.rows === 1 && file.error === undefined);
 * ```
 */
export async function verifyBatch(
  root: string,
  options: OpenOptions & { batch?: string } = {},
): Promise<{ batch: string | null; files: VerifiedFile[] }> {
  const base = root.replace(/\/+$/, "");
  const manifests = await listManifests(base, options);
  const { batch = "latest" } = options;
  const manifest = batch === "latest" ? manifests.at(-1) : manifests.find((m) => m.batch === batch);
  if (!manifest) {
    if (batch === "latest") return { batch: null, files: [] };
    throw new ReadError(`No committed batch ${batch} under ${root}`);
  }
  const storage = await storageFor(base, options);
  const files: VerifiedFile[] = [];
  for (const table of manifest.tables) {
    for (const file of table.files) {
      const location = `${base}/${file.path}`;
      let rows = 0;
      try {
        await checkManifestFile(storage, location, file, table.name);
        for await (const _ of readParquetStream(location, options)) rows++;
        files.push({ table: table.name, location, rows });
      } catch (error) {
        files.push({ table: table.name, location, rows, error: (error as Error).message });
      }
    }
  }
  return { batch: manifest.batch, files };
}
