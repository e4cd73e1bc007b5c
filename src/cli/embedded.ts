/**
 * The embedded sample database: PGlite (PostgreSQL compiled to WebAssembly) holding the borehole
 * platform's 29 tables with sample rows, served on a loopback port through pglite-socket, so that the
 * same postgres.js source reads it as it reads a real server. Used when no database is configured, so
 * that `deno task export` works on a machine with nothing but Deno.
 *
 * Locations are PostGIS `geography(Point,4326)` as on a real server (pglite-postgis, pinned with the
 * PGlite release it is built for). Should PostGIS fail to load, they fall back to PostgreSQL's native
 * `point` (x = longitude, y = latitude), which exports to the same latitude/longitude columns.
 *
 * @module
 */

import { PGlite } from "@electric-sql/pglite";
import { postgis as postgisExtension } from "@electric-sql/pglite-postgis";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import postgres from "postgres";
import { seedDatabase } from "./seed.ts";

/** A running embedded database. */
export interface EmbeddedDatabase extends AsyncDisposable {
  /** The URL to connect to. */
  url: string;
  /** Rows seeded, by table. */
  counts: Record<string, number>;
  /** Whether locations are PostGIS geography (else native `point`). */
  postgis: boolean;
}

/** Options of {@link startEmbedded}. */
export interface EmbeddedOptions {
  /** Rows per main table of the sample data. Default 20. */
  rows?: number;
  /** Load PostGIS. Default `true`; without it (or if it fails to load) locations are native points. */
  postgis?: boolean;
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
  const { rows = 20 } = options;
  let postgis = options.postgis ?? true;
  let db: PGlite;
  try {
    db = await PGlite.create(postgis ? { extensions: { postgis: postgisExtension } } : {});
    if (postgis) await db.exec("CREATE EXTENSION IF NOT EXISTS postgis");
  } catch (error) {
    if (!postgis) throw error;
    console.error(
      `PostGIS did not load in PGlite (${(error as Error).message}): locations are native points`,
    );
    postgis = false;
    db = await PGlite.create();
  }
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 });
  await server.start();
  const port = Number(String(server.getServerConn()).split(":").pop());
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // PGlite serves one connection at a time: seed through one, then close it for the export's.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let counts: Record<string, number>;
  try {
    ({ counts } = await seedDatabase(sql, { rows, seed: 1, postgis }));
  } catch (error) {
    await server.stop();
    await db.close();
    throw error;
  } finally {
    await sql.end();
  }
  return {
    url,
    counts,
    postgis,
    async [Symbol.asyncDispose]() {
      await server.stop();
      await db.close();
    },
  };
}
