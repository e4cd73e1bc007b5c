/**
 * The embedded sample database: PGlite (PostgreSQL compiled to WebAssembly) holding the borehole
 * platform's 29 tables with sample rows, served on a loopback port through pglite-socket, so that the
 * same postgres.js source reads it as it reads a real server. Used when no database is configured, so
 * that `deno task export` works on a machine with nothing but Deno.
 *
 * Memory: PGlite's first start runs initdb, which holds a second PostgreSQL instance and a copy of its
 * whole heap (most of the 1.2 GB this once peaked at, with PostGIS). So initdb's trial runs get tiny
 * settings ({@link INITDB}), the heap starts at 16 MB ({@link INITIAL_MEMORY}), embedded_process.ts
 * runs initdb, seeding and serving in processes of their own, one after the other, and the seeded
 * database is kept in a cache (embedded_cache.ts) that later runs start from: no initdb, no seeding. PostgreSQL
 * gets small buffers (the sample is a few MB). PostGIS is not loaded by default (pglite-postgis added about 430 MB): locations
 * are PostgreSQL's native `point` (x = longitude, y = latitude), which exports to the same
 * latitude/longitude columns; `postgis: true` loads it, falling back to `point` should it fail.
 *
 * @module
 */

import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { cacheFile, readCache, writeCache } from "./embedded_cache.ts";
import { lowerMemoryMinimum } from "./wasm_memory.ts";

/** PostgreSQL settings for a database of a few MB: its defaults (128 MB of shared buffers) are touched. */
const SMALL_SETTINGS = [
  "shared_buffers=8MB",
  "work_mem=1MB",
  "maintenance_work_mem=4MB",
  "wal_buffers=64kB",
  "min_wal_size=2MB",
  "max_wal_size=8MB",
];
/**
 * 1 MB WAL segments, not 16: each segment is a file in PGlite's in-memory file system, and in the cache.
 * The `-c` settings reach initdb's own trial runs (`postgres --check`), which otherwise try 128 MB of
 * shared buffers first and grow initdb's WebAssembly heap to 188 MB; the data directory is the same
 * (its postgresql.conf is replaced by {@link SMALL_SETTINGS} on every start).
 */
const INITDB = ["--wal-segsize=1", "-c", "shared_buffers=1MB", "-c", "max_connections=5"];
/**
 * The WebAssembly heap PostgreSQL starts with; it grows on demand (initdb's runs take it to 28 MB).
 * PGlite's initdb copies the starting heap and writes it back before each run: 16 MB each time, not 128.
 * Past it, what a run left behind stays, as past PGlite's 128 MB when its own trials grew to 188 MB;
 * malloc clears what calloc hands out from there.
 */
const INITIAL_MEMORY = 16 * 1024 * 1024;

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
  /**
   * A data directory on disk made by {@link initDataDir}, to seed (and serve) instead of running initdb.
   * Used only when the cache has no database for these options.
   */
  dataDir?: string;
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
  const started = await createPglite(wanted, cached?.data, cached ? undefined : options.dataDir);
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

/**
 * Runs initdb into `dataDir` (a folder on disk) and stops: the first and largest step of a first run,
 * done in a process of its own so that seeding and serving do not hold what initdb leaves behind.
 *
 * @example
 * ```ts ignore
 * import { initDataDir } from "./embedded.ts";
 * await initDataDir(await Deno.makeTempDir());
 * ```
 */
export async function initDataDir(dataDir: string): Promise<void> {
  const { db } = await createPglite(false, undefined, dataDir);
  await db.close();
}

async function createPglite(
  postgis: boolean,
  data?: Blob,
  dataDir?: string,
): Promise<{ db: PGlite; postgis: boolean }> {
  const base = {
    postgresqlconf: SMALL_SETTINGS,
    initDbStartParams: INITDB,
    ...await smallMemory(),
    ...(data ? { loadDataDir: data } : {}),
    ...(dataDir ? { dataDir } : {}),
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

/**
 * PGlite's PostgreSQL compiled to start with {@link INITIAL_MEMORY} (see wasm_memory.ts), or no options
 * (PGlite's 128 MB) when its module cannot be read from beside PGlite's own code.
 */
async function smallMemory(): Promise<{ pgliteWasmModule?: WebAssembly.Module; initialMemory?: number }> {
  try {
    const file = new URL("./pglite.wasm", import.meta.resolve("@electric-sql/pglite"));
    const bytes = lowerMemoryMinimum(await Deno.readFile(file), INITIAL_MEMORY / 65536);
    return { pgliteWasmModule: await WebAssembly.compile(bytes), initialMemory: INITIAL_MEMORY };
  } catch {
    return {};
  }
}
