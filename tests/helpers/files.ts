/**
 * File helpers for tests: temporary folders and what is visible in them.
 *
 * @module
 */

import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Every file below `dir`, hidden ones included, as paths relative to it. */
export async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string, prefix: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(join(folder, entry.name), join(prefix, entry.name));
      else out.push(join(prefix, entry.name));
    }
  };
  await walk(dir, "");
  return out.sort();
}

/** A fresh temporary folder, removed by the returned disposer. */
export async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "parquet-storage-test-" });
}
