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

const created: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const dir of created) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  }
});

/** A fresh temporary folder, removed when the test process ends. */
export async function tempDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "parquet-storage-test-" });
  created.push(dir);
  return dir;
}
