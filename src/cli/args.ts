/**
 * The command line of `deno task export`: its flags, defaults and help text, parsed with Node's
 * `parseArgs` (well kept, and built into Deno's Node compatibility).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Codec, CODECS } from "../parquet/codecs.ts";
import { PARALLEL_FLAGS, PARALLEL_USAGE, type ParallelSettings, parallelSettings } from "./parallel_args.ts";
import { parseDuration } from "./vacuum.ts";
import { SPECIAL_VALUES, type SpecialValues } from "../postgres/special_values.ts";

/** The help text. */
export const USAGE = `Usage: deno task export [options]

Exports PostgreSQL tables to immutable Parquet files, <out>/<table>/<table>_<YYYYMMDD>_<HHMMSS>_<uuid8>.parquet,
all read in one snapshot and committed as one batch (<out>/_manifests/<batch>.json).

Connection: --db URL, else DATABASE_URL, else the standard PG* variables (PGHOST, PGDATABASE, …).
With none of them, an embedded sample database (the borehole platform's 29 tables) is used.

Options:
  --db URL               PostgreSQL URL (postgres://user@host:port/database); put a password in
                         DATABASE_URL or PGPASSWORD instead, since deno task echoes its command line
  --tables a,b           tables to export (default: every table of --schema)
  --schema NAME          PostgreSQL schema (default: public)
  --out PATH             output folder or s3://bucket/prefix (default: ./data)
  --row-group-size N     rows per row group (default: 100000)
  --codec NAME           ${CODECS.join(", ")} (default: SNAPPY)
  --partition-by a,b     hive-partition tables that have these columns (col, or col:year|month|day|hour)
  --incremental          only rows changed since the last committed batch (by --watermark)
  --watermark t=col,…    watermark column per table (default: updated_at)
  --unmapped-as-text     export columns of types with no mapping as text instead of failing
  --special-values M     numeric NaN, infinite dates/timestamps: error (default), null, or text (a
                         column holding one is exported as text)
  --idle-timeout T       fail when PostgreSQL or S3 sends nothing for T (30s, 5m; default: 2m)
  --no-validate          skip validating rows on the row path (tables read through binary COPY are
                         checked by PostgreSQL's casts to the declared column types instead)
  --no-binary-copy       read every table row by row; by default every table goes through COPY
                         (FORMAT binary), partitioned and incremental ones too (not arrays of numeric)
${PARALLEL_USAGE}
  --dry-run              show what would be exported; write nothing
  --json                 print a machine-readable summary on stdout
  --help                 show this help

Exit codes: 0 success, 1 failure (the message names the table), 2 bad usage.`;

/** A command line that cannot be run; the message says which flag and the value seen. */
export class UsageError extends Error {
  /** Builds a usage error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What the command line asks for. */
export interface ExportSettings {
  /** `--db`. */
  db?: string;
  /** `--tables`, split. */
  tables?: string[];
  /** `--schema`, default `public`. */
  schema: string;
  /** `--out`, default `./data`. */
  out: string;
  /** `--row-group-size`. */
  rowGroupSize?: number;
  /** `--codec`, upper case. */
  codec?: Codec;
  /** `--partition-by`, split. */
  partitionBy?: string[];
  /** `--incremental`. */
  incremental: boolean;
  /** `--watermark t=col,…`. */
  watermarks: Record<string, string>;
  /** `--unmapped-as-text`. */
  unmappedAsText: boolean;
  /** `--special-values`, default `error`. */
  specialValues: SpecialValues;
  /** `--idle-timeout`, in milliseconds. */
  idleTimeout?: number;
  /** Not `--no-validate`. */
  validate: boolean;
  /** Not `--no-binary-copy`. */
  binaryCopy: boolean;
  /** `--jobs`, `--leader`, `--shard`, `--snapshot`, `--batch`, `--commit`. */
  parallel: ParallelSettings;
  /** `--dry-run`. */
  dryRun: boolean;
  /** `--json`. */
  json: boolean;
  /** `--help`. */
  help: boolean;
}

/**
 * Parses the export's command line.
 *
 * @throws {UsageError} for an unknown flag or a bad value, naming the flag and the value seen.
 * @example
 * ```ts
 * import { parseExportArgs } from "./args.ts";
 * const settings = parseExportArgs(["--tables", "borehole,projects", "--codec", "zstd"]);
 * console.assert(settings.tables?.length === 2 && settings.codec === "ZSTD" && settings.out === "./data");
 * ```
 */
export function parseExportArgs(args: string[]): ExportSettings {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        db: { type: "string" },
        tables: { type: "string" },
        schema: { type: "string", default: "public" },
        out: { type: "string", default: "./data" },
        "row-group-size": { type: "string" },
        codec: { type: "string" },
        "partition-by": { type: "string" },
        incremental: { type: "boolean", default: false },
        watermark: { type: "string" },
        "unmapped-as-text": { type: "boolean", default: false },
        "special-values": { type: "string", default: "error" },
        "idle-timeout": { type: "string" },
        "no-validate": { type: "boolean", default: false },
        "no-binary-copy": { type: "boolean", default: false },
        ...PARALLEL_FLAGS,
        "dry-run": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
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
  const specialValues = values["special-values"] as SpecialValues;
  if (!SPECIAL_VALUES.includes(specialValues)) {
    throw new UsageError(
      `--special-values must be one of ${SPECIAL_VALUES.join(", ")}: current value is ${specialValues}`,
    );
  }
  const codec = values.codec?.toUpperCase();
  if (codec !== undefined && !(CODECS as readonly string[]).includes(codec)) {
    throw new UsageError(`--codec must be one of ${CODECS.join(", ")}: current value is ${values.codec}`);
  }
  const watermarks: Record<string, string> = {};
  for (const pair of values.watermark?.split(",").filter(Boolean) ?? []) {
    const [table, column, extra] = pair.split("=").map((part) => part.trim());
    if (!table || !column || extra !== undefined) {
      throw new UsageError(`--watermark takes table=column pairs: current value is ${pair}`);
    }
    watermarks[table] = column;
  }
  const partitionBy = values["partition-by"]?.split(",").map((k) => k.trim()).filter(Boolean);
  if (values["partition-by"] !== undefined && !partitionBy?.length) {
    throw new UsageError(
      `--partition-by needs at least one column: current value is "${values["partition-by"]}"`,
    );
  }
  for (const key of partitionBy ?? []) {
    const [, granularity, extra] = key.split(":");
    if (
      extra !== undefined ||
      (granularity !== undefined && !["year", "month", "day", "hour"].includes(granularity))
    ) {
      throw new UsageError(`--partition-by takes col or col:year|month|day|hour: current value is ${key}`);
    }
  }
  const tables = values.tables?.split(",").map((t) => t.trim()).filter(Boolean);
  if (values.tables !== undefined && !tables?.length) {
    throw new UsageError(`--tables needs at least one table name: current value is "${values.tables}"`);
  }
  if (values.db !== undefined && !values.db.trim()) {
    throw new UsageError(`--db needs a postgres:// URL: current value is ""`);
  }
  const idleTimeout = values["idle-timeout"] === undefined
    ? undefined
    : parseDuration(values["idle-timeout"]);
  if (values["idle-timeout"] !== undefined && !idleTimeout) {
    throw new UsageError(
      `--idle-timeout must be a duration such as 30s or 5m: current value is ${values["idle-timeout"]}`,
    );
  }
  if (!values.out.trim()) throw new UsageError(`--out needs a folder or s3:// location: current value is ""`);
  const parallel = parallelSettings(values, (message) => {
    throw new UsageError(message);
  });
  return {
    db: values.db,
    tables,
    schema: values.schema,
    out: values.out,
    rowGroupSize,
    codec: codec as Codec | undefined,
    partitionBy,
    incremental: values.incremental,
    watermarks,
    unmappedAsText: values["unmapped-as-text"],
    specialValues,
    ...(idleTimeout === undefined ? {} : { idleTimeout }),
    validate: !values["no-validate"],
    binaryCopy: !values["no-binary-copy"],
    parallel,
    dryRun: values["dry-run"],
    json: values.json,
    help: values.help,
  };
}

/** The variables that, when set, say which database to use (postgres.js reads the `PG*` ones). */
export const DATABASE_VARIABLES: readonly string[] = [
  "DATABASE_URL",
  "PGHOST",
  "PGHOSTADDR",
  "PGPORT",
  "PGDATABASE",
  "PGUSER",
  "PGPASSWORD",
  "PGSERVICE",
];

/** True when neither `--db` nor any database variable says which database to use. */
export function noDatabaseConfigured(
  settings: ExportSettings,
  env: (name: string) => string | undefined,
): boolean {
  return !settings.db && !DATABASE_VARIABLES.some((name) => env(name));
}
