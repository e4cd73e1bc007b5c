/**
 * The embedded sample database: PGlite (PostgreSQL compiled to WebAssembly) holding the borehole
 * platform's 29 tables with sample rows, served on a loopback port through pglite-socket, so that the
 * same postgres.js source reads it as it reads a real server. Used when no database is configured, so
 * that `deno task export` works on a machine with nothing but Deno.
 *
 * PostGIS does not load in PGlite here, so the two location columns use PostgreSQL's native `point`
 * (x = longitude, y = latitude), which the export maps to latitude/longitude as it does a PostGIS point.
 *
 * @module
 */

import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import postgres from "postgres";
import { seedDatabase } from "./seed.ts";

/** A running embedded database. */
export interface EmbeddedDatabase extends AsyncDisposable {
  /** The URL to connect to. */
  url: string;
  /** Rows seeded, by table. */
  counts: Record<string, number>;
}

/** Starts PGlite on a free loopback port and seeds the 29 tables (`rows` per main table). */
export async function startEmbedded(rows = 20): Promise<EmbeddedDatabase> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 });
  await server.start();
  const port = Number(String(server.getServerConn()).split(":").pop());
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // PGlite serves one connection at a time: seed through one, then close it for the export's.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let counts: Record<string, number>;
  try {
    ({ counts } = await seedDatabase(sql, { rows, seed: 1, postgis: false }));
  } finally {
    await sql.end();
  }
  return {
    url,
    counts,
    async [Symbol.asyncDispose]() {
      await server.stop();
      await db.close();
    },
  };
}
