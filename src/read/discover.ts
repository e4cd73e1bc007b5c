// This module is browser compatible.

/**
 * Finding the files of a dataset below a folder or S3 prefix, with the partition values their folder
 * names hold.
 *
 * @module
 */

import { ReadError } from "../errors.ts";
import type { Storage } from "../storage/storage.ts";
import { parsePartitionSegment } from "../schema/partition_path.ts";

/** One data file of a dataset. */
export interface DatasetEntry {
  /** The file: a local path or `s3://bucket/key`. */
  location: string;
  /** Its folders below the dataset root, `/`-separated (empty for a file at the root). */
  folder: string;
  /** Partition values from its `key=value` folders, unescaped (`null` for `__HIVE_DEFAULT_PARTITION__`). */
  partition: Record<string, string | null>;
  /** Size in bytes. */
  size: number;
}

/**
 * Lists the Parquet files below `root`, sorted by location. Skipped, as Hive and Spark do: names
 * starting with `.` (temporary files of unfinished writes, hidden files), folders starting with `_`
 * that are not `key=value` (`_manifests`, `_temporary`), files starting with `_` (`_SUCCESS`), and files
 * not ending in `.parquet`.
 *
 * @example
 * ```ts
 * import { LocalStorage } from "@parquet-storage/engine/local";
 * import { discoverFiles } from "./discover.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/status=on%20hold`);
 * await Deno.writeTextFile(`${root}/status=on%20hold/a.parquet`, "");
 * await Deno.writeTextFile(`${root}/status=on%20hold/.a.parquet.1234.tmp`, "");
 * const [entry, ...rest] = await discoverFiles(new LocalStorage(), root);
 * console.assert(rest.length === 0 && entry.partition.status === "on hold");
 * ```
 */
export async function discoverFiles(storage: Storage, root: string): Promise<DatasetEntry[]> {
  // Listed locations are the root joined with what lies below it, so a child joined the same way shows
  // the prefix they share, however the root was written ("./data/", "s3://bucket").
  const probe = storage.join(root, "_");
  const base = probe.slice(0, -1);
  const entries: DatasetEntry[] = [];
  for await (const file of storage.list(root)) {
    const entry = entryOf(base, root, file.location, file.size);
    if (entry) entries.push(entry);
  }
  return entries.sort((a, b) => a.location < b.location ? -1 : a.location > b.location ? 1 : 0);
}

/**
 * The entries of the given files below `root` (as a table format lists them), in the order given: their
 * partition values from their folders, their size unknown (0).
 *
 * @example
 * ```ts
 * import { LocalStorage } from "@parquet-storage/engine/local";
 * import { datasetEntries } from "./discover.ts";
 * const [entry] = datasetEntries(new LocalStorage(), "t", ["t/site=1/a.parquet"]);
 * console.assert(entry.partition.site === "1" && entry.folder === "site=1");
 * ```
 */
export function datasetEntries(storage: Storage, root: string, locations: readonly string[]): DatasetEntry[] {
  const base = storage.join(root, "_").slice(0, -1);
  return locations.map((location) => {
    const entry = entryOf(base, root, location, 0);
    if (!entry) throw new ReadError(`Cannot read ${location} as a data file of ${root}`);
    return entry;
  });
}

function entryOf(base: string, root: string, location: string, size: number): DatasetEntry | undefined {
  if (!location.startsWith(base)) {
    throw new ReadError(`Cannot place ${location} below the dataset root ${root}`);
  }
  const parts = location.slice(base.length).split(/[\\/]/).filter((part) => part !== "");
  const name = parts.pop();
  if (!name?.endsWith(".parquet") || name.startsWith(".") || name.startsWith("_")) return undefined;
  if (parts.some((part) => part.startsWith(".") || (part.startsWith("_") && !part.includes("=")))) {
    return undefined;
  }
  const partition: Record<string, string | null> = {};
  for (const part of parts) {
    const parsed = parsePartitionSegment(part);
    if (parsed) partition[parsed.key] = parsed.value;
  }
  return { location, folder: parts.join("/"), partition, size };
}
