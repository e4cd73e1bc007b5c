/**
 * The flags of `deno task export`, in one table: the parser, the config file's keys and the `--help`
 * text are all made from it.
 *
 * @module
 */

import { CODECS, COMPRESSION_LEVELS } from "../parquet/codecs.ts";
import { ENCODE_DEFAULTS } from "../parquet/encode_options.ts";
import type { Command, Flag } from "./command.ts";

const levels = Object.entries(COMPRESSION_LEVELS)
  .map(([codec, range]) => `${codec} ${range.min}-${range.max} (${range.default})`).join(", ");

/** Every flag of the export, in the order `--help` lists them. */
export const EXPORT_FLAGS: readonly Flag[] = [
  {
    name: "db",
    type: "string",
    value: "URL",
    defaultText: "DATABASE_URL, else PG*, else the embedded sample",
    help: "PostgreSQL URL (postgres://user@host:port/database); put a password in DATABASE_URL or " +
      "PGPASSWORD instead, since deno task echoes its command line",
  },
  {
    name: "tables",
    type: "string",
    value: "a,b",
    json: "list",
    defaultText: "every table of --schema, or none with --query",
    help: "tables to export",
  },
  { name: "schema", type: "string", value: "NAME", default: "public", help: "PostgreSQL schema" },
  {
    name: "query",
    type: "string",
    value: "SQL",
    help: "export the rows of a SELECT (with --name), in the same snapshot as the tables",
  },
  {
    name: "name",
    type: "string",
    value: "N",
    help: "the name of --query's output: its folder, file names and manifest entry",
  },
  {
    name: "out",
    type: "string",
    value: "PATH",
    default: "./data",
    help: "output folder, s3://bucket/prefix, or - for one table's Parquet file on stdout (no manifest)",
  },
  {
    name: "row-group-size",
    type: "string",
    value: "N",
    json: "number",
    default: String(ENCODE_DEFAULTS.rowGroupSize),
    help: "rows per row group",
  },
  { name: "codec", type: "string", value: "NAME", default: ENCODE_DEFAULTS.codec, help: CODECS.join(", ") },
  {
    name: "compression-level",
    type: "string",
    value: "N",
    json: "number",
    defaultText: "the codec's own",
    help: `compression level, for codecs that have them: ${levels}`,
  },
  {
    name: "max-file-size",
    type: "string",
    value: "SIZE",
    json: "number",
    defaultText: "none",
    help: "start a new file once a file reaches SIZE (bytes, or 512KiB, 256MiB, 1GiB, 100MB), at a " +
      "row-group boundary",
  },
  {
    name: "partition-by",
    type: "string",
    value: "a,b",
    json: "list",
    defaultText: "none",
    help: "hive-partition tables that have these columns (col, or col:year|month|day|hour)",
  },
  {
    name: "incremental",
    type: "boolean",
    help: "only rows changed since the last committed batch (by --watermark)",
  },
  {
    name: "format",
    type: "string",
    value: "NAME",
    default: "batch",
    help:
      "batch (files, and one manifest in _manifests/) or iceberg (each table an Apache Iceberg table in " +
      "its folder, one snapshot per run; --jobs N works, --leader, --shard and --commit do not)",
  },
  {
    name: "watermark",
    type: "string",
    value: "t=col,…",
    json: "list",
    defaultText: "updated_at",
    help: "watermark column per table",
  },
  {
    name: "unmapped-as-text",
    type: "boolean",
    help: "export columns of types with no mapping as text instead of failing",
  },
  {
    name: "special-values",
    type: "string",
    value: "MODE",
    default: "error",
    help: "numeric NaN, infinite dates/timestamps: error, null, or text (a column holding one is " +
      "exported as text)",
  },
  {
    name: "idle-timeout",
    type: "string",
    value: "T",
    default: "2m",
    help: "fail when PostgreSQL or S3 sends nothing for T (30s, 5m)",
  },
  {
    name: "no-validate",
    type: "boolean",
    help: "skip validating rows on the row path (tables read through binary COPY are checked by " +
      "PostgreSQL's casts to the declared column types instead)",
  },
  {
    name: "no-binary-copy",
    type: "boolean",
    help: "read every table row by row; by default every table goes through COPY (FORMAT binary), " +
      "partitioned and incremental ones too (not arrays of unconstrained numerics or of inet-like types)",
  },
  {
    name: "jobs",
    type: "string",
    value: "N",
    json: "number",
    defaultText: "1",
    help: "export with N workers, each on its own connection, all in one snapshot; large tables are " +
      "split into ranges of blocks, one file each",
  },
  {
    name: "leader",
    type: "boolean",
    help: "for shards in other processes: take the snapshot, plan it (for --jobs N shards), print " +
      '"snapshot=ID batch=ID", hold the snapshot until the batch is committed, stdin (a pipe or ' +
      "terminal) closes, or SIGINT/SIGTERM",
  },
  {
    name: "shard",
    type: "string",
    value: "i/N",
    help: "export shard i of N of the leader's batch (with --snapshot and --batch)",
  },
  { name: "snapshot", type: "string", value: "ID", help: "the snapshot id the leader printed" },
  { name: "batch", type: "string", value: "ID", help: "the batch id the leader printed" },
  {
    name: "commit",
    type: "string",
    value: "BATCH",
    help: "commit a batch once all its shards have written their parts",
  },
  { name: "dry-run", type: "boolean", help: "show what would be exported; write nothing" },
  { name: "json", type: "boolean", help: "print a machine-readable summary on stdout" },
  {
    name: "config",
    type: "string",
    value: "FILE",
    help: 'read flags from a JSON file, keys as the flags without -- ({"tables": "a,b", ' +
      '"row-group-size": 5000, "incremental": true}); flags on the command line override it',
  },
  { name: "help", type: "boolean", short: "h", help: "show this help" },
];

/** The export as a command: its flags and the help around them. */
export const EXPORT_COMMAND: Command = {
  name: "export",
  description:
    `Exports PostgreSQL tables to immutable Parquet files, <out>/<table>/<table>_<YYYYMMDD>_<HHMMSS>_<uuid8>.parquet,
all read in one snapshot and committed as one batch (<out>/_manifests/<batch>.json).

Connection: --db URL, else DATABASE_URL, else the standard PG* variables (PGHOST, PGDATABASE, …).
With none of them, an embedded sample database (the borehole platform's 29 tables) is used.`,
  flags: EXPORT_FLAGS,
  epilogue: "Exit codes: 0 success, 1 failure (the message names the table), 2 bad usage.",
};
