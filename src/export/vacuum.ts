// This module is browser compatible.

/**
 * Finding (and removing) data files that no manifest names: the leftovers of crashed or abandoned
 * batches. A grace period protects the files of batches still being written.
 *
 * @module
 */

import { type OpenOptions, storageFor } from "../storage/open_location.ts";
import type { StoredFile } from "../storage/storage.ts";
import { listManifests } from "../read/committed.ts";
import { MANIFEST_FOLDER, relativePath } from "../read/manifest.ts";

/** Options of {@link vacuum}. */
export interface VacuumOptions extends OpenOptions {
  /** Only list what would be removed. Default `false`. */
  dryRun?: boolean;
  /** Leave anything younger than this many milliseconds (a batch may still be writing). Default 24 hours. */
  graceMs?: number;
  /** The time to measure age against. Default now. */
  now?: Date;
}

/**
 * One thing vacuum found: a data file no committed manifest names (`"file"`), a hidden temporary file of
 * a local write that never finished (`"temporary"`), or an S3 multipart upload left open (`"upload"`,
 * its `location` the key it was for).
 */
export interface VacuumEntry extends StoredFile {
  /** What it is. */
  kind: "file" | "temporary" | "upload";
  /** The multipart upload's id, for an upload. */
  uploadId?: string;
}

/**
 * Finds what crashed or abandoned exports left under `root`, older than the grace period, and removes it
 * unless `dryRun`: Parquet files no committed manifest names, the hidden `.tmp` files of local writes
 * killed before they finished (kill -9, power loss), and S3 multipart uploads left open. Returns what
 * was found (and removed), in that order.
 *
 * @example
 * ```ts
 * import { vacuum } from "@parquet-storage/engine/batch";
 * const found = await vacuum(await Deno.makeTempDir(), { dryRun: true });
 * console.assert(found.length === 0);
 * ```
 */
export async function vacuum(root: string, options: VacuumOptions = {}): Promise<VacuumEntry[]> {
  const { dryRun = false, graceMs = 24 * 3600_000, now = new Date() } = options;
  const base = root.replace(/\/+$/, "");
  const storage = await storageFor(base, options);
  const named = new Set<string>();
  for (const manifest of await listManifests(base, options)) {
    for (const table of manifest.tables) for (const file of table.files) named.add(file.path);
  }
  const old = (modified: Date | undefined) => !modified || now.getTime() - modified.getTime() >= graceMs;
  const found: VacuumEntry[] = [];
  const listed = await Array.fromAsync(storage.list(base));
  // Iceberg tables (`--format iceberg`) are named by their own metadata, not by batch manifests: their
  // folders are left alone.
  const iceberg = listed
    .map((file) => /^(.*)\/metadata\/v\d+\.metadata\.json$/.exec(relativePath(base, file.location))?.[1])
    .filter((folder): folder is string => folder !== undefined)
    .map((folder) => `${folder}/`);
  for (const file of listed) {
    const path = relativePath(base, file.location);
    if (path.startsWith(`${MANIFEST_FOLDER}/`) || !path.endsWith(".parquet") || named.has(path)) continue;
    if (iceberg.some((folder) => path.startsWith(folder))) continue;
    if (old(file.modified)) found.push({ ...file, kind: "file" });
  }
  const unfinished = [];
  for await (const write of storage.listUnfinished?.(base) ?? []) {
    if (old(write.modified)) unfinished.push(write);
  }
  for (const write of unfinished) {
    found.push({ ...write, kind: write.uploadId === undefined ? "temporary" : "upload" });
  }
  if (!dryRun) {
    for (const entry of found) {
      if (entry.kind === "file") await storage.remove(entry.location);
    }
    for (const write of unfinished) await storage.discardUnfinished!(write);
  }
  return found;
}
