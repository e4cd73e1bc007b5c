/**
 * `deno task export` once the command line is understood (see export.ts, which loads this module only
 * after the sample database, when one is needed, has started): one snapshot, one batch, the progress line
 * and the summary.
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";
import { connectPostgres, describeConnection, type Sql } from "../postgres/connect.ts";
import type { ExportOptions, ExportSummary } from "../export/export_options.ts";
import { exportTables } from "../export/export_tables.ts";
import { planTables } from "../export/snapshot_export.ts";
import { describeQuery } from "../postgres/query_source.ts";
import type { SqlClient } from "../postgres/sql_cursor.ts";
import type { CatalogQuery } from "../postgres/introspect.ts";
import { type SkippedRelation, skippedRelations } from "../postgres/relations.ts";
import type { TableDefinition } from "../schema/table.ts";
import type { ExportSettings } from "./args.ts";
import type { EmbeddedDatabase } from "./embedded.ts";
import { runCommit, runLeader, runShard } from "./parallel.ts";
import { formatBytes, progressPrinter, summaryTable } from "./progress.ts";
import { exportToStream } from "../export/stream_export.ts";

/** Tables below this many pages (8 KiB each) are counted exactly in a dry run when never analysed. */
const COUNT_BELOW_PAGES = 1024;

/**
 * The export proper, once the command line is understood and, with no database configured, the sample
 * database started (`embedded`, which the caller disposes of).
 *
 * @example
 * ```ts ignore
 * import { exportWith } from "./export_run.ts";
 * const code = await exportWith(parseExportArgs(["--tables", "borehole"]), undefined);
 * ```
 */
export async function exportWith(
  settings: ExportSettings,
  embedded: EmbeddedDatabase | undefined,
): Promise<number> {
  if (settings.db && passwordIn(settings.db)) {
    console.error(
      'warning: --db carries a password, which Deno\'s own "Task …" line and the process list show to ' +
        "anyone watching: set DATABASE_URL or PGPASSWORD instead",
    );
  }
  let sql: Sql | undefined;
  const { parallel } = settings;
  const interrupt = listenForInterrupt();
  try {
    if (parallel.commit) return await runCommit(settings, {});
    const url = embedded?.url ?? settings.db ?? Deno.env.get("DATABASE_URL");
    sql = connectPostgres({ url, max: parallel.jobs > 1 && !parallel.leader ? parallel.jobs + 1 : 1 });
    if (!embedded) console.error(`Exporting from ${describeConnection(sql)} to ${settings.out}`);
    if (settings.dryRun) return await dryRun(sql, settings);
    const options: ExportOptions = {
      out: settings.out,
      tables: settings.tables,
      schema: settings.schema,
      queries: settings.query ? [settings.query] : undefined,
      incremental: settings.incremental,
      watermarks: settings.watermarks,
      rowGroupSize: settings.rowGroupSize,
      codec: settings.codec,
      compressionLevel: settings.compressionLevel,
      maxFileSize: settings.maxFileSize,
      partitionBy: settings.partitionBy,
      format: settings.format,
      validate: settings.validate,
      binaryCopy: settings.binaryCopy,
      unmappedAsText: settings.unmappedAsText,
      specialValues: settings.specialValues,
      idleTimeout: settings.idleTimeout,
      s3: settings.idleTimeout === undefined ? undefined : { idleTimeout: settings.idleTimeout },
      onProgress: progressPrinter(Deno.stderr.isTerminal()),
      signal: interrupt.signal,
    };
    if (settings.out === "-") {
      const { out: _, ...rest } = options;
      const written = await exportToStream(sql, rest, Deno.stdout.writable);
      console.error(
        `${written.table}: ${written.rows} rows, ${formatBytes(written.bytes)} of Parquet to stdout ` +
          `(snapshot ${written.snapshot}; no batch is committed for stdout)`,
      );
      return 0;
    }
    if (parallel.leader) return await runLeader(sql, settings, options);
    if (parallel.shard) return await runShard(sql, settings, options);
    const summary = await exportTables(sql, { ...options, jobs: parallel.jobs });
    report(summary, settings.json);
    return 0;
  } catch (error) {
    if (interrupt.signal.aborted) {
      const { name, exitCode } = interrupt.signal.reason as Interrupted;
      console.error(
        `\nexport interrupted by ${name}: the file being written was removed (or its upload aborted), ` +
          "files already written were removed, and no batch was committed.",
      );
      return exitCode;
    }
    // Our errors name table and column in their message; anything else came from the connection.
    const message = error instanceof ParquetStorageError
      ? error.message
      : `PostgreSQL at ${sql ? describeConnection(sql) : "?"}: ${(error as Error).message}`;
    console.error(`\nexport failed: ${message}`);
    if (parallel.leader) console.error("No snapshot is held: the shards cannot start.");
    else if (parallel.shard) {
      console.error("No part was written for this shard: the batch cannot be committed.");
    } else if (!settings.dryRun) console.error("No batch was committed; no partial file is visible.");
    return 1;
  } finally {
    interrupt.close();
    await sql?.end({ timeout: 5 });
  }
}

/** True when a postgres:// URL has a password in it. */
function passwordIn(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(url);
  }
}

/** SIGINT or SIGTERM, as the reason an export was stopped. */
class Interrupted extends Error {
  /** 128 + the signal's number, as shells report a process the signal ended. */
  readonly exitCode: number;
  constructor(signal: "SIGINT" | "SIGTERM") {
    super(`Interrupted by ${signal}`);
    this.name = signal;
    this.exitCode = signal === "SIGINT" ? 130 : 143;
  }
}

/**
 * Turns SIGINT (Ctrl-C) and SIGTERM into an aborted signal, so that the export removes what it was
 * writing before the process ends (Deno's default is to end at once, leaving temporary files and open
 * uploads). A second signal ends the process at once.
 */
function listenForInterrupt(): { signal: AbortSignal; close(): void } {
  const controller = new AbortController();
  const listeners: [Deno.Signal, () => void][] = [];
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => {
      const reason = new Interrupted(name);
      if (controller.signal.aborted) Deno.exit(reason.exitCode);
      console.error(`\n${name} received: aborting the export (again to quit at once)…`);
      controller.abort(reason);
    };
    try {
      Deno.addSignalListener(name, listener);
      listeners.push([name, listener]);
    } catch {
      // Windows has no SIGTERM: Ctrl-C is still handled.
    }
  }
  return {
    signal: controller.signal,
    close: () => listeners.forEach(([name, listener]) => Deno.removeSignalListener(name, listener)),
  };
}

/** One table of a dry run. */
interface PlannedTable {
  table: string;
  columns: { name: string; type: string; nullable: boolean }[];
  estimatedRows: number | null;
  to: string;
}

/** Lists what would be exported (tables, columns, row estimates), writing nothing. */
async function dryRun(sql: Sql, settings: ExportSettings): Promise<number> {
  let skipped: SkippedRelation[] = [];
  const plan = await sql.begin("isolation level repeatable read read only", async (tx) => {
    const query: CatalogQuery = (text, params) => tx.unsafe(text, params as never[]);
    const queries = settings.query ? [settings.query] : [];
    const definitions = await planTables(query, { ...settings, queries });
    if (!settings.tables?.length && !queries.length) skipped = await skippedRelations(query, settings.schema);
    const described = await Promise.all(
      queries.map((q) => describeQuery(tx, q, { unmappedAsText: settings.unmappedAsText })),
    );
    const planned: PlannedTable[] = [];
    for (const table of [...definitions, ...described]) {
      planned.push({
        table: table.name,
        columns: Object.entries(table.columns).map(([name, column]) => ({
          name,
          type: column.pgType,
          nullable: column.spec.nullable,
        })),
        estimatedRows: described.includes(table) ? null : await estimateRows(tx, table),
        to: `${settings.out.replace(/\/+$/, "")}/${table.name}/`,
      });
    }
    return planned;
  });
  if (settings.json) {
    console.log(JSON.stringify({ dryRun: true, tables: plan, ...(skipped.length ? { skipped } : {}) }));
  }
  console.error("Dry run: nothing will be written.");
  for (const r of skipped) console.error(`  skipped ${r.name}: ${r.reason}`);
  for (const p of plan) {
    const rows = p.estimatedRows === null ? "rows unknown (never analysed)" : `~${p.estimatedRows} rows`;
    console.error(`  ${p.table}: ${p.columns.length} columns, ${rows} → ${p.to}`);
    console.error(
      `    ${p.columns.map((c) => `${c.name} ${c.type}${c.nullable ? "" : " not null"}`).join(", ")}`,
    );
  }
  return 0;
}

/** The planner's row estimate; an exact count for a small table never analysed; else `null`. */
async function estimateRows(tx: SqlClient, table: TableDefinition): Promise<number | null> {
  const [stats] = await tx<{ tuples: number; pages: number }[]>`
    SELECT c.reltuples::float8 AS tuples, c.relpages AS pages FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${table.pgSchema} AND c.relname = ${table.name}`;
  if (!stats) return null;
  if (stats.tuples >= 0) return Math.round(stats.tuples);
  if (stats.pages >= COUNT_BELOW_PAGES) return null;
  const [{ count }] = await tx`SELECT count(*)::float8 AS count FROM ${tx(table.pgSchema)}.${tx(table.name)}`;
  return Number(count);
}

function report(summary: ExportSummary, json: boolean): void {
  console.error(summaryTable(summary));
  if (json) console.log(JSON.stringify(summary));
}
