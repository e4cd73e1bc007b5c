/**
 * The embedded sample database: PGlite (PostgreSQL compiled to WebAssembly) holding the borehole
 * platform's 29 tables with sample rows, served on a loopback port through pglite-socket, so that the
 * same postgres.js source reads it as it reads a real server. Used when no database is configured, so
 * that `deno task export` works on a machine with nothing but Deno.
 *
 * Memory: PGlite's first start runs initdb, which holds a second PostgreSQL instance and a copy of its
 * whole heap (most of the 1.2 GB this once peaked at, with PostGIS). So the seeded database is kept in a
 * cache (`$PARQUET_STORAGE_CACHE`, else `$XDG_CACHE_HOME/parquet-storage`, else
 * `~/.cache/parquet-storage`) as a data directory tarball, keyed by the platform's DDL, tables and
 * sample generator and the options, and later runs start from it: no initdb, no seeding. PostgreSQL
 * gets small buffers (the sample is a few MB). PostGIS is not loaded by default (pglite-postgis added about 430 MB): locations
 * are PostgreSQL's native `point` (x = longitude, y = latitude), which exports to the same
 * latitude/longitude columns; `postgis: true` loads it, falling back to `point` should it fail.
 *
 * @module
 */

import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** PostgreSQL settings for a database of a few MB: its defaults (128 MB of shared buffers) are touched. */
const SMALL_SETTINGS = [
  "shared_buffers=8MB",
  "work_mem=1MB",
  "maintenance_work_mem=4MB",
  "wal_buffers=64kB",
  "min_wal_size=2MB",
  "max_wal_size=8MB",
];
/** 1 MB WAL segments, not 16: each segment is a file in PGlite's in-memory file system, and in the cache. */
const INITDB = ["--wal-segsize=1"];
/** Bump when what a cached database holds changes in a way its key does not see. */
const CACHE_VERSION = 3;

/** A running embedded database. */
export interface EmbeddedDatabase extends AsyncDisposable {
  /** The URL to connect to. */
  url: string;
  /** Rows seeded, by table. */
  counts: Record<string, number>;
  /** Whether locations are PostGIS geography (else native `point`). */
  postgis: boolean;
  /** Whether it started from the cached database (no initdb, no seeding). */
  cached: boolean;
}

/** Options of {@link startEmbedded}. */
export interface EmbeddedOptions {
  /** Rows per main table of the sample data. Default 20. */
  rows?: number;
  /** Load PostGIS. Default `false`; without it (or if it fails to load) locations are native points. */
  postgis?: boolean;
  /** Keep the seeded database in the cache folder and start from it next time. Default `true`. */
  cache?: boolean;
}

/**
 * Starts PGlite on a free loopback port and seeds the 29 tables. Dispose of it to stop the server.
 *
 * @example
 * ```ts ignore
 * import { startEmbedded } from "./embedded.ts";
 * await using db = await startEmbedded({ rows: 5 });
 * console.log(db.url, db.counts.borehole);
 * ```
 */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const { rows = 20, cache = true } = options;
  const wanted = options.postgis ?? false;
  const file = cache ? await cacheFile(rows, wanted) : undefined;
  const cached = file ? await readCache(file) : undefined;
  const started = await createPglite(wanted, cached?.data);
  const { db } = started;
  let { postgis } = started;
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 });
  await server.start();
  const port = Number(String(server.getServerConn()).split(":").pop());
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let counts: Record<string, number>;
  if (cached) counts = cached.counts;
  else {
    // Loaded only to seed. PGlite serves one connection at a time: seed through one, then close it.
    const [{ default: postgres }, { seedDatabase }] = await Promise.all([
      import("postgres"),
      import("./seed.ts"),
    ]);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      ({ counts } = await seedDatabase(sql, { rows, seed: 1, postgis }));
    } catch (error) {
      await server.stop();
      await db.close();
      throw error;
    } finally {
      await sql.end();
    }
    if (file && postgis === wanted) await writeCache(file, db, counts);
  }
  if (cached) postgis = wanted;
  return {
    url,
    counts,
    postgis,
    cached: cached !== undefined,
    async [Symbol.asyncDispose]() {
      await server.stop();
      await db.close();
    },
  };
}

async function createPglite(postgis: boolean, data?: Blob): Promise<{ db: PGlite; postgis: boolean }> {
  const base = {
    postgresqlconf: SMALL_SETTINGS,
    initDbStartParams: INITDB,
    ...(data ? { loadDataDir: data } : {}),
  };
  if (!postgis) return { db: await PGlite.create(base), postgis };
  try {
    const { postgis: extension } = await import("@electric-sql/pglite-postgis");
    const db = await PGlite.create({ ...base, extensions: { postgis: extension } });
    await db.exec("CREATE EXTENSION IF NOT EXISTS postgis");
    return { db, postgis };
  } catch (error) {
    if (data) throw error;
    console.error(
      `PostGIS did not load in PGlite (${(error as Error).message}): locations are native points`,
    );
    return { db: await PGlite.create(base), postgis: false };
  }
}

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

/** The cached database's path for these options: a digest of everything that shapes its contents. */
async function cacheFile(rows: number, postgis: boolean): Promise<string | undefined> {
  const folder = cacheFolder();
  if (!folder) return undefined;
  const parts = [String(CACHE_VERSION), String(rows), String(postgis), PGlite.name];
  try {
    // The platform's DDL, tables and sample generator, and the seeding code: what the database holds.
    for (const file of [...await sourceFiles(new URL("../../platform/", import.meta.url)), "seed.ts"]) {
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

async function readCache(file: string): Promise<{ data: Blob; counts: Record<string, number> } | undefined> {
  try {
    const counts = JSON.parse(await Deno.readTextFile(`${file}.json`));
    return { data: new Blob([await Deno.readFile(file)]), counts };
  } catch {
    return undefined;
  }
}

/** Writes the seeded database to the cache, whole or not at all; a cache that cannot be written is skipped. */
async function writeCache(file: string, db: PGlite, counts: Record<string, number>): Promise<void> {
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
