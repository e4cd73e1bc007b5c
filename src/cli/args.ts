/**
 * The command line of `deno task export`: its flags (the table in `flags.ts`, which the help is made
 * from too), a config file with the same keys, and the checks of every value and of how flags combine.
 *
 * Why one file: every command's arguments are parsed by the same rules (flags, environment, config file)
 * and report the same errors; the flag tables themselves are `flags.ts`.
 *
 * @module
 */

import { type Codec, CODECS, COMPRESSION_LEVELS } from "../parquet/codecs.ts";
import { type FlagValues, parseFlags, usage, UsageError } from "./command.ts";
import { EXPORT_COMMAND, EXPORT_FLAGS } from "./flags.ts";
import { type ParallelSettings, parallelSettings } from "./parallel_args.ts";
import { SPECIAL_VALUES, type SpecialValues } from "../postgres/special_values.ts";
import { readConfig } from "./config_file.ts";
import { checkOutputName, parseDuration, parseSize } from "./flag_values.ts";

export { UsageError } from "./command.ts";
export { checkOutputName, parseSize } from "./flag_values.ts";

/** The help text, made from the flag table. */
export const USAGE: string = usage(EXPORT_COMMAND);

/** What the command line asks for. */
export interface ExportSettings {
  /** `--db`. */
  db?: string;
  /** `--tables`, split. */
  tables?: string[];
  /** `--schema`, default `public`. */
  schema: string;
  /** `--query` with `--name`. */
  query?: { name: string; sql: string };
  /** `--out`, default `./data`; `-` is stdout. */
  out: string;
  /** `--row-group-size`. */
  rowGroupSize?: number;
  /** `--codec`, upper case. */
  codec?: Codec;
  /** `--compression-level`. */
  compressionLevel?: number;
  /** `--max-file-size`, in bytes. */
  maxFileSize?: number;
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
  /** `--format`, default `batch`. */
  format: "batch" | "iceberg";
  /** `--jobs`, `--leader`, `--shard`, `--snapshot`, `--batch`, `--commit`. */
  parallel: ParallelSettings;
  /** `--dry-run`. */
  dryRun: boolean;
  /** `--json`. */
  json: boolean;
  /** `--help`. */
  help: boolean;
}

/** Reads a config file's text (`Deno.readTextFileSync` unless a test passes another). */
export type ReadText = (path: string) => string;

/**
 * Parses the export's command line; with `--config FILE`, the file's keys fill what the command line
 * does not give.
 *
 * @throws {UsageError} for an unknown flag or a bad value, naming the flag and the value seen.
 * @example
 * ```ts
 * import { parseExportArgs } from "./args.ts";
 * const settings = parseExportArgs(["--tables", "borehole,projects", "--codec", "zstd"]);
 * console.assert(settings.tables?.length === 2 && settings.codec === "ZSTD" && settings.out === "./data");
 * ```
 */
export function parseExportArgs(args: string[], readText: ReadText = Deno.readTextFileSync): ExportSettings {
  const given = parseFlags(EXPORT_COMMAND, args);
  const base = typeof given.config === "string" ? readConfig(given.config, EXPORT_FLAGS, readText) : {};
  return exportSettings(parseFlags(EXPORT_COMMAND, args, base));
}

/** Checks the values (as strings and booleans) and turns them into settings. */
function exportSettings(flags: FlagValues): ExportSettings {
  const values = flags as Record<string, string | undefined>;
  const on = flags as Record<string, boolean>;
  const rowGroupSize = positiveInteger("row-group-size", values["row-group-size"]);
  const specialValues = (values["special-values"] ?? "error") as SpecialValues;
  if (!SPECIAL_VALUES.includes(specialValues)) {
    throw new UsageError(
      `--special-values must be one of ${SPECIAL_VALUES.join(", ")}: current value is ${specialValues}`,
    );
  }
  const codec = values.codec?.toUpperCase();
  if (codec !== undefined && !(CODECS as readonly string[]).includes(codec)) {
    throw new UsageError(`--codec must be one of ${CODECS.join(", ")}: current value is ${values.codec}`);
  }
  const compressionLevel = levelFor(codec as Codec, values["compression-level"]);
  const maxFileSize = values["max-file-size"] === undefined ? undefined : parseSize(values["max-file-size"]);
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
  const out = values.out!;
  if (!out.trim()) throw new UsageError(`--out needs a folder or s3:// location: current value is ""`);
  const parallel = parallelSettings(values, (message) => {
    throw new UsageError(message);
  });
  const format = (values.format ?? "batch").toLowerCase();
  if (format !== "batch" && format !== "iceberg") {
    throw new UsageError(`--format must be batch or iceberg: current value is ${values.format}`);
  }
  if (format === "iceberg" && (parallel.leader || parallel.shard || parallel.commit)) {
    throw new UsageError(
      "--format iceberg runs its jobs in one process (--jobs N): it cannot be combined with --leader, --shard or --commit",
    );
  }
  const query = querySettings(values.query, values.name, tables);
  const settings: ExportSettings = {
    db: values.db,
    tables,
    schema: values.schema!,
    ...(query ? { query } : {}),
    out,
    rowGroupSize,
    codec: codec as Codec | undefined,
    ...(compressionLevel === undefined ? {} : { compressionLevel }),
    ...(maxFileSize === undefined ? {} : { maxFileSize }),
    partitionBy,
    incremental: on.incremental,
    watermarks,
    unmappedAsText: on["unmapped-as-text"],
    specialValues,
    ...(idleTimeout === undefined ? {} : { idleTimeout }),
    validate: !on["no-validate"],
    binaryCopy: !on["no-binary-copy"],
    format,
    parallel,
    dryRun: on["dry-run"],
    json: on.json,
    help: on.help,
  };
  checkCombinations(settings);
  return settings;
}

/** A positive integer flag, or undefined when not given. */
function positiveInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${flag} must be a positive integer: current value is ${text}`);
  }
  return value;
}

/** `--compression-level`, checked against the codec's range. */
function levelFor(codec: Codec | undefined, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const name = codec ?? "SNAPPY";
  const range = COMPRESSION_LEVELS[name];
  if (!range) {
    throw new UsageError(
      `--compression-level needs --codec ${Object.keys(COMPRESSION_LEVELS).join(", ")}: ${name} has no ` +
        `levels (current value is ${text})`,
    );
  }
  const level = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || level < range.min || level > range.max) {
    throw new UsageError(
      `--compression-level for ${name} must be an integer from ${range.min} to ${range.max}: current value is ${text}`,
    );
  }
  return level;
}

/** `--query` and `--name`, which go together. */
function querySettings(
  sql: string | undefined,
  name: string | undefined,
  tables: string[] | undefined,
): ExportSettings["query"] {
  if (sql === undefined && name === undefined) return undefined;
  if (sql === undefined) throw new UsageError(`--name goes with --query: current value is ${name}`);
  if (!sql.trim()) throw new UsageError(`--query needs a SELECT: current value is ""`);
  if (name === undefined) {
    throw new UsageError(`--query needs --name, the name its files and manifest entry take`);
  }
  const problem = checkOutputName(name);
  if (problem) {
    throw new UsageError(`--name is not a valid name: ${problem}: current value is ${JSON.stringify(name)}`);
  }
  if (tables?.includes(name)) {
    throw new UsageError(`--name ${name} is also in --tables: a query's output needs a name of its own`);
  }
  return { name, sql };
}

/** Flags that cannot go together, refused before anything runs. */
function checkCombinations(settings: ExportSettings): void {
  const { parallel, query } = settings;
  const parallelRun = parallel.jobs > 1 || parallel.leader || parallel.shard || parallel.commit;
  if (query && settings.incremental) {
    throw new UsageError(`--query cannot be --incremental: a query has no watermark to follow`);
  }
  if (query && settings.specialValues === "text") {
    throw new UsageError(`--query takes --special-values error or null: current value is text`);
  }
  if (query && parallelRun) {
    throw new UsageError(`--query runs in a single job: drop --jobs, --leader, --shard and --commit`);
  }
  if (settings.maxFileSize !== undefined) {
    if (parallelRun) {
      throw new UsageError(
        `--max-file-size runs in a single job: drop --jobs, --leader, --shard and --commit`,
      );
    }
    if (settings.partitionBy?.length) {
      throw new UsageError(`--max-file-size cannot be combined with --partition-by`);
    }
  }
  if (settings.out !== "-") return;
  const count = (settings.tables?.length ?? 0) + (query ? 1 : 0);
  if (count !== 1) {
    throw new UsageError(
      `--out - writes one table's file to stdout: name exactly one with --tables or --query (current ` +
        `value of --tables is ${settings.tables?.join(",") ?? "every table of the schema"})`,
    );
  }
  const refused = [
    settings.partitionBy?.length && "--partition-by",
    settings.maxFileSize !== undefined && "--max-file-size",
    settings.incremental && "--incremental",
    settings.json && "--json",
    parallelRun && "--jobs, --leader, --shard or --commit",
  ].filter(Boolean);
  if (refused.length) {
    throw new UsageError(
      `--out - (one file on stdout, nothing else) cannot be combined with ${refused.join(", ")}`,
    );
  }
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
