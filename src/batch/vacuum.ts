// This module is browser compatible.

/**
 * Finding (and removing) data files that no manifest names: the leftovers of crashed or abandoned
 * batches. A grace period protects the files of batches still being written.
 *
 * @module
 */

import { type OpenOptions, storageFor } from "../storage/open_location.ts";
import type { StoredFile } from "../storage/storage.ts";
import { listManifests } from "./committed.ts";
import { MANIFEST_FOLDER, relativePath } from "./manifest.ts";

/** Options of {@link vacuum}. */
export interface VacuumOptions extends OpenOptions {
  /** Only list what would be removed. Default `false`. */
  dryRun?: boolean;
  /** Leave files younger than this many milliseconds (a batch may still be writing). Default 24 hours. */
  graceMs?: number;
  /** The time to measure age against. Default now. */
  now?: Date;
}

/**
 * Lists the Parquet files under `root` that no committed manifest names and that are older than the grace
 * period, and removes them unless `dryRun` (on S3, also aborting multipart uploads older than the grace
 * period that a crashed writer left open).
 *
 * @example
 * ```ts
 * import { vacuum } from "@parquet-storage/engine";
 * const removed = await vacuum(await Deno.makeTempDir(), { dryRun: true });
 * console.assert(removed.length === 0);
 * ```
 */
export async function vacuum(root: string, options: VacuumOptions = {}): Promise<StoredFile[]> {
  const { dryRun = false, graceMs = 24 * 3600_000, now = new Date() } = options;
  const base = root.replace(/\/+$/, "");
  const storage = await storageFor(base, options);
  const named = new Set<string>();
  for (const manifest of await listManifests(base, options)) {
    for (const table of manifest.tables) for (const file of table.files) named.add(file.path);
  }
  const orphans: StoredFile[] = [];
  for await (const file of storage.list(base)) {
    const path = relativePath(base, file.location);
    if (path.startsWith(`${MANIFEST_FOLDER}/`) || !path.endsWith(".parquet") || named.has(path)) continue;
    if (file.modified && now.getTime() - file.modified.getTime() < graceMs) continue;
    orphans.push(file);
  }
  if (!dryRun) {
    for (const file of orphans) await storage.remove(file.location);
    // An S3 upload a crashed writer could not abort is invisible but billed: abort those too.
    const s3 = storage as Partial<
      { abortIncompleteUploads(at: string, o: { olderThan: number }): Promise<number> }
    >;
    await s3.abortIncompleteUploads?.(base, { olderThan: graceMs });
  }
  return orphans;
}
