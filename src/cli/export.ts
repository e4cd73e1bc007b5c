/**
 * `deno task export`: PostgreSQL tables → immutable Parquet files, one batch per run, all tables read in
 * one snapshot. With no database configured, an embedded sample database (PGlite) is used.
 *
 * Exit codes: 0 success, 1 failure (the message names the table), 2 bad usage.
 *
 * This file only reads the command line and starts the sample database; the exporter (export_run.ts)
 * is loaded after that, so that while PGlite's first-run initdb peaks in its own process, this one does
 * not also hold the exporter's modules (about 35 MiB): the embedded default stays within its memory budget.
 *
 * @module
 */

import { type ExportSettings, noDatabaseConfigured, parseExportArgs } from "./args.ts";
import { runCommand } from "./command.ts";
import { EXPORT_COMMAND } from "./flags.ts";
import type { EmbeddedDatabase } from "./embedded.ts";

/**
 * Runs the command with `args` (as `Deno.args`); returns the exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./export.ts";
 * const code = await main(["--tables", "borehole", "--out", "./data", "--json"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  return runCommand(EXPORT_COMMAND, args, run, (args) => parseExportArgs(args));
}

async function run(settings: ExportSettings): Promise<number> {
  const { parallel } = settings;
  let embedded: EmbeddedDatabase | undefined;
  if (!parallel.commit && noDatabaseConfigured(settings, (name) => Deno.env.get(name))) {
    if (parallel.jobs > 1 || parallel.leader || parallel.shard) {
      console.error("export: --jobs, --leader and --shard need a PostgreSQL server (--db or DATABASE_URL)");
      return 2;
    }
    try {
      embedded = await startSample();
    } catch (error) {
      console.error(
        `\nexport failed: the embedded sample database did not start: ${(error as Error).message}`,
      );
      console.error("No batch was committed; no partial file is visible.");
      return 1;
    }
  }
  try {
    const { exportWith } = await import("./export_run.ts");
    return await exportWith(settings, embedded);
  } finally {
    await embedded?.[Symbol.asyncDispose]();
  }
}

/** Starts the embedded sample database, saying so first. */
async function startSample(): Promise<EmbeddedDatabase> {
  console.error(
    "No database configured (--db, DATABASE_URL or PG*): using an embedded sample database (PGlite)",
  );
  const started = performance.now();
  // In a process of its own: PGlite is compiled there for memory, the export here for speed.
  const { startEmbeddedProcess } = await import("./embedded_process.ts");
  const db = await startEmbeddedProcess();
  const rows = Object.values(db.counts).reduce((a, b) => a + b, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(
    `${db.cached ? "Started the cached" : "Seeded the"} borehole platform's ${
      Object.keys(db.counts).length
    } tables with ${rows} rows in ${seconds} s` +
      (db.postgis ? " (PostGIS)" : " (locations as native points)"),
  );
  return db;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
