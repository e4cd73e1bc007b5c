/**
 * `deno task export`: PostgreSQL tables → immutable Parquet files, one batch per run.
 *
 * Exit codes: 0 success, 1 failure (the message names the table), 2 bad usage.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { SourceError } from "../errors.ts";
import { connectPostgres, describeConnection, type Sql } from "../postgres/connect.ts";
import { type ExportSummary, exportTables, planTables } from "../postgres/export_tables.ts";
import { type Codec, CODECS } from "../streams/codecs.ts";
import { startEmbedded } from "./embedded.ts";
import { progressPrinter, summaryTable } from "./progress.ts";

const USAGE = `Usage: deno task export [options]

Exports PostgreSQL tables to immutable Parquet files, <out>/<table>/<table>_<YYYYMMDD>_<HHMMSS>_<uuid8>.parquet,
all read in one snapshot and committed as one batch (<out>/_manifests/<batch>.json).

Connection: --db URL, else DATABASE_URL, else the standard PG* variables (PGHOST, PGDATABASE, …).
With none of them, an embedded sample database (the borehole platform's 29 tables) is used.

Options:
  --db URL               PostgreSQL URL (postgres://user@host:port/database)
  --tables a,b           tables to export (default: every table of --schema)
  --schema NAME          PostgreSQL schema (default: public)
  --out PATH             output folder or s3://bucket/prefix (default: ./data)
  --row-group-size N     rows per row group (default: 100000)
  --codec NAME           ${CODECS.join(", ")} (default: SNAPPY)
  --incremental          only rows changed since the last committed batch (by --watermark)
  --watermark t=col,…    watermark column per table (default: updated_at)
  --unmapped-as-text     export columns of types with no mapping as text instead of failing
  --dry-run              show what would be exported; write nothing
  --json                 print a machine-readable summary on stdout
  --help                 show this help`;

class UsageError extends Error {}

interface Settings {
  db?: string;
  tables?: string[];
  schema: string;
  out: string;
  rowGroupSize?: number;
  codec?: Codec;
  incremental: boolean;
  watermarks: Record<string, string>;
  unmappedAsText: boolean;
  dryRun: boolean;
  json: boolean;
  help: boolean;
}

/** Parses the command line; throws a usage error with the value seen. */
function parse(args: string[]): Settings {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        db: { type: "string" },
        tables: { type: "string" },
        schema: { type: "string", default: "public" },
        out: { type: "string", default: "./data" },
        "row-group-size": { type: "string" },
        codec: { type: "string" },
        incremental: { type: "boolean", default: false },
        watermark: { type: "string" },
        "unmapped-as-text": { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const rowGroupSize = values["row-group-size"] === undefined ? undefined : Number(values["row-group-size"]);
  if (rowGroupSize !== undefined && !(Number.isInteger(rowGroupSize) && rowGroupSize > 0)) {
    throw new UsageError(
      `--row-group-size must be a positive integer: current value is ${values["row-group-size"]}`,
    );
  }
  const codec = values.codec?.toUpperCase();
  if (codec !== undefined && !(CODECS as readonly string[]).includes(codec)) {
    throw new UsageError(`--codec must be one of ${CODECS.join(", ")}: current value is ${values.codec}`);
  }
  const watermarks: Record<string, string> = {};
  for (const pair of values.watermark?.split(",").filter(Boolean) ?? []) {
    const [table, column] = pair.split("=");
    if (!table || !column) {
      throw new UsageError(`--watermark takes table=column pairs: current value is ${pair}`);
    }
    watermarks[table.trim()] = column.trim();
  }
  const tables = values.tables?.split(",").map((t) => t.trim()).filter(Boolean);
  if (values.tables !== undefined && !tables?.length) {
    throw new UsageError("--tables needs at least one table name");
  }
  return {
    db: values.db,
    tables,
    schema: values.schema,
    out: values.out,
    rowGroupSize,
    codec: codec as Codec | undefined,
    incremental: values.incremental,
    watermarks,
    unmappedAsText: values["unmapped-as-text"],
    dryRun: values["dry-run"],
    json: values.json,
    help: values.help,
  };
}

/** True when nothing says which database to use. */
function noDatabaseConfigured(settings: Settings): boolean {
  if (settings.db || Deno.env.get("DATABASE_URL")) return false;
  return !["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"].some((name) =>
    Deno.env.get(name)
  );
}

/** Runs the command; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let settings: Settings;
  try {
    settings = parse(args);
  } catch (error) {
    console.error(`export: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (settings.help) {
    console.log(USAGE);
    return 0;
  }
  await using embedded = noDatabaseConfigured(settings) ? await announceEmbedded() : undefined;
  const sql = connectPostgres({ url: embedded?.url ?? settings.db ?? Deno.env.get("DATABASE_URL"), max: 1 });
  let failed = false;
  try {
    if (!embedded) console.error(`Exporting from ${describeConnection(sql)} to ${settings.out}`);
    if (settings.dryRun) return await dryRun(sql, settings);
    const progress = progressPrinter(Deno.stderr.isTerminal());
    const summary = await exportTables(sql, {
      out: settings.out,
      tables: settings.tables,
      schema: settings.schema,
      incremental: settings.incremental,
      watermarks: settings.watermarks,
      rowGroupSize: settings.rowGroupSize,
      codec: settings.codec,
      unmappedAsText: settings.unmappedAsText,
      onProgress: progress,
    });
    report(summary, settings.json);
    return 0;
  } catch (error) {
    const table = (error as SourceError).table;
    console.error(`\nexport failed${table ? ` (table ${table})` : ""}: ${(error as Error).message}`);
    console.error("No batch was committed; no partial file is visible.");
    // A dead connection cannot be closed politely (postgres.js would write to a closed socket).
    failed = true;
    return 1;
  } finally {
    if (!failed) await sql.end({ timeout: 5 });
  }
}

async function announceEmbedded() {
  console.error(
    "No database configured (--db, DATABASE_URL or PG*): using an embedded sample database (PGlite)",
  );
  const started = performance.now();
  const db = await startEmbedded();
  const rows = Object.values(db.counts).reduce((a, b) => a + b, 0);
  console.error(
    `Seeded the borehole platform's 29 tables with ${rows} rows in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
  return db;
}

async function dryRun(sql: Sql, settings: Settings): Promise<number> {
  const definitions = await sql.begin(
    "isolation level repeatable read read only",
    (tx) => planTables((text, params) => tx.unsafe(text, params as never[]), settings),
  );
  const estimates = await sql<{ name: string; rows: number }[]>`
    SELECT c.relname AS name, greatest(c.reltuples, 0)::bigint AS rows FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${settings.schema}`;
  const plan = definitions.map((table) => ({
    table: table.name,
    columns: Object.keys(table.columns).length,
    estimatedRows: Number(estimates.find((e) => e.name === table.name)?.rows ?? 0),
    to: `${settings.out.replace(/\/+$/, "")}/${table.name}/`,
  }));
  if (settings.json) console.log(JSON.stringify({ dryRun: true, tables: plan }));
  else {
    console.error("Dry run: nothing will be written.");
    for (const p of plan) {
      console.error(`  ${p.table}: ${p.columns} columns, ~${p.estimatedRows} rows → ${p.to}`);
    }
  }
  return 0;
}

function report(summary: ExportSummary, json: boolean): void {
  console.error(summaryTable(summary));
  if (json) {
    console.log(JSON.stringify(summary));
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
