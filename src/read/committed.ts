// This module is browser compatible.

/**
 * Reading what batches committed: the manifests under an output root, the files of a table as of a
 * batch, and the rows in them. Files no manifest names (a crashed or running export) are invisible here.
 *
 * @module
 */

import { ReadError } from "../errors.ts";
import { type ReadOptions, readParquet } from "./read_parquet.ts";
import type { Row } from "../schema/table.ts";
import { checkManifestFile } from "./manifest_check.ts";
import { type OpenOptions, storageFor } from "../storage/open_location.ts";
import {
  type Manifest,
  MANIFEST_FOLDER,
  type ManifestFile,
  parseManifest,
  type Watermark,
} from "./manifest.ts";

/** Which batch to read as of: `"latest"` (default) or a batch id. */
export interface AsOfOptions extends OpenOptions {
  /** A batch id, or `"latest"`. */
  batch?: string;
}

/**
 * Every committed manifest under `root`, oldest first.
 *
 * @example
 * ```ts
 * import { BatchWriter, listManifests } from "@parquet-storage/engine/batch";
 * const root = await Deno.makeTempDir();
 * await new BatchWriter(root).commit();
 * console.assert((await listManifests(root)).length === 1);
 * ```
 */
export async function listManifests(root: string, options: OpenOptions = {}): Promise<Manifest[]> {
  const storage = await storageFor(root, options);
  const folder = storage.join(root.replace(/\/+$/, ""), MANIFEST_FOLDER);
  const manifests: Manifest[] = [];
  for await (const file of storage.list(folder)) {
    // Manifests lie directly in the folder; below it are the pieces of batches being written by shards.
    const name = file.location.replaceAll("\\", "/").slice(folder.replaceAll("\\", "/").length + 1);
    if (!name.endsWith(".json") || name.includes("/")) continue;
    const buffer = await storage.open(file.location);
    const text = new TextDecoder().decode(await buffer.slice(0, buffer.byteLength));
    manifests.push(parseManifest(text, file.location));
  }
  return manifests.sort((a, b) => a.batch < b.batch ? -1 : a.batch > b.batch ? 1 : 0);
}

/**
 * The files that make up `table` as of a committed batch: walking back from that batch, the files of
 * every incremental batch down to and including the last full one.
 *
 * @example
 * ```ts
 * import { committedFiles } from "@parquet-storage/engine/batch";
 * const { files } = await committedFiles(await Deno.makeTempDir(), "borehole");
 * console.assert(files.length === 0);
 * ```
 */
export async function committedFiles(
  root: string,
  table: string,
  options: AsOfOptions = {},
): Promise<{ files: ManifestFile[]; batches: string[] }> {
  const manifests = await listManifests(root, options);
  const { batch = "latest" } = options;
  const upTo = batch === "latest" ? manifests.length - 1 : manifests.findIndex((m) => m.batch === batch);
  if (batch !== "latest" && upTo < 0) {
    throw new ReadError(`No committed batch ${batch} under ${root}`, { table });
  }
  const files: ManifestFile[] = [];
  const batches: string[] = [];
  for (let i = upTo; i >= 0; i--) {
    const entry = manifests[i].tables.find((t) => t.name === table);
    if (!entry) continue;
    files.unshift(...entry.files);
    batches.unshift(manifests[i].batch);
    if (entry.mode === "full") break;
  }
  return { files, batches };
}

/**
 * Reads a table as of a committed batch (default: the latest), ignoring files no manifest names. Each
 * file is first checked against the size and SHA-256 its manifest recorded: a damaged or replaced file
 * is a `ReadError` naming it, never different rows.
 *
 * @example
 * ```ts
 * import { readCommitted } from "@parquet-storage/engine/batch";
 * const rows = await readCommitted(await Deno.makeTempDir(), "borehole");
 * console.assert(rows.length === 0); // nothing committed yet
 * ```
 */
export async function readCommitted(
  root: string,
  table: string,
  options: AsOfOptions & Omit<ReadOptions, "s3"> = {},
): Promise<Row[]> {
  const { files } = await committedFiles(root, table, options);
  const base = root.replace(/\/+$/, "");
  const storage = await storageFor(base, options);
  const rows: Row[] = [];
  for (const file of files) {
    const location = `${base}/${file.path}`;
    // Any change to any byte since the batch was committed is an error, not different rows.
    await checkManifestFile(storage, location, file, table);
    for (const row of await readParquet(location, options)) rows.push(row);
  }
  return rows;
}

/**
 * The watermark the latest committed batch recorded for `table`, if any: where the next incremental
 * export starts.
 *
 * @example
 * ```ts
 * import { latestWatermark } from "@parquet-storage/engine/batch";
 * console.assert(await latestWatermark(await Deno.makeTempDir(), "borehole") === null);
 * ```
 */
export async function latestWatermark(
  root: string,
  table: string,
  options: OpenOptions = {},
): Promise<Watermark | null> {
  const manifests = await listManifests(root, options);
  for (let i = manifests.length - 1; i >= 0; i--) {
    const entry = manifests[i].tables.find((t) => t.name === table);
    if (entry) return entry.watermark;
  }
  return null;
}
