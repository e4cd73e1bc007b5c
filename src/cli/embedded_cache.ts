/**
 * The embedded sample database's cache: a seeded PGlite data directory as a gzipped tarball, in
 * `$PARQUET_STORAGE_CACHE`, else `$XDG_CACHE_HOME/parquet-storage`, else `~/.cache/parquet-storage`,
 * named by a digest of the platform's DDL, tables and sample generator, the seeding code and the
 * options. Loads no PGlite, so that the export's process can ask whether a first run is due.
 *
 * @module
 */

import type { PGlite } from "@electric-sql/pglite";

/** Bump when what a cached database holds changes in a way its key does not see. */
const CACHE_VERSION = 4;

/** The cache folder, or undefined when no home or cache variable says where it is. */
function cacheFolder(): string | undefined {
  const env = (name: string) => {
    try {
      return Deno.env.get(name) || undefined;
    } catch {
      return undefined;
    }
  };
  const explicit = env("PARQUET_STORAGE_CACHE");
  if (explicit) return explicit;
  const base = env("XDG_CACHE_HOME") ?? (env("HOME") ? `${env("HOME")}/.cache` : undefined);
  return base && `${base}/parquet-storage`;
}

/**
 * The cached database's path for these options: a digest of everything that shapes its contents.
 *
 * @example
 * ```ts ignore
 * import { cacheFile } from "./embedded_cache.ts";
 * console.log(await cacheFile(20, false));
 * ```
 */
export async function cacheFile(rows: number, postgis: boolean): Promise<string | undefined> {
  const folder = cacheFolder();
  if (!folder) return undefined;
  const parts = [String(CACHE_VERSION), String(rows), String(postgis), "PGlite"];
  try {
    // The platform's DDL, tables and sample generator, and the seeding code: what the database holds.
    for (
      const file of [
        ...await sourceFiles(new URL("../../platform/", import.meta.url)),
        "seed.ts",
        "embedded.ts",
      ]
    ) {
      parts.push(file, await Deno.readTextFile(new URL(file, import.meta.url)));
    }
  } catch {
    return undefined; // not run from the sources: no key to trust
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  const hex = [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${folder}/embedded-${rows}-${postgis ? "postgis" : "point"}-${hex}.tar.gz`;
}

/** Every file under `folder`, as paths relative to this module, in a stable order. */
async function sourceFiles(folder: URL): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), folder);
    if (entry.isDirectory) files.push(...await sourceFiles(url));
    else files.push(url.href);
  }
  return files.sort();
}

/**
 * Whether the cache holds a database at `file` (its tarball and its row counts).
 *
 * @example
 * ```ts ignore
 * import { cacheFile, hasCache } from "./embedded_cache.ts";
 * const file = await cacheFile(20, false);
 * console.log(file !== undefined && await hasCache(file));
 * ```
 */
export async function hasCache(file: string): Promise<boolean> {
  try {
    await Deno.stat(file);
    await Deno.stat(`${file}.json`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The cached database at `file` and its row counts, or undefined when there is none.
 *
 * @example
 * ```ts ignore
 * import { cacheFile, readCache } from "./embedded_cache.ts";
 * const cached = await readCache((await cacheFile(20, false))!);
 * console.log(cached?.counts);
 * ```
 */
export async function readCache(
  file: string,
): Promise<{ data: Blob; counts: Record<string, number> } | undefined> {
  try {
    const counts = JSON.parse(await Deno.readTextFile(`${file}.json`));
    return { data: new Blob([await Deno.readFile(file)]), counts };
  } catch {
    return undefined;
  }
}

/**
 * Writes the seeded database to the cache, whole or not at all; a cache that cannot be written is skipped.
 *
 * @example
 * ```ts ignore
 * import { cacheFile, writeCache } from "./embedded_cache.ts";
 * await writeCache((await cacheFile(20, false))!, db, { borehole: 20 });
 * ```
 */
export async function writeCache(file: string, db: PGlite, counts: Record<string, number>): Promise<void> {
  const temporary = `${file}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    // The template databases are copies of the catalogs (7 MB each) that an export never connects to.
    await db.exec("UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')");
    for (const statement of ["DROP DATABASE template0", "DROP DATABASE template1", "CHECKPOINT"]) {
      await db.exec(statement);
    }
    const data = await db.dumpDataDir("gzip");
    await Deno.writeFile(temporary, new Uint8Array(await data.arrayBuffer()));
    await Deno.rename(temporary, file);
    await Deno.writeTextFile(`${file}.json`, JSON.stringify(counts));
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    console.error(`The sample database could not be cached in ${file}: ${(error as Error).message}`);
  }
}
