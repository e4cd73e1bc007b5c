/**
 * What an export run is asked and what it answers: the options of `exportTables` (one snapshot or
 * several jobs), the progress it reports, and its summary.
 *
 * @module
 */

import type { AsTextColumn } from "../postgres/introspect.ts";
import type { SpecialValues } from "../postgres/special_values.ts";
import type { SkippedRelation } from "../postgres/relations.ts";
import type { S3Options } from "../sinks/sink.ts";
import type { Codec } from "../parquet/codecs.ts";

import type { IcebergCommit } from "./iceberg/commit_snapshot.ts";

import type { QuerySource } from "../postgres/query_source.ts";

/** Options of {@link exportTables}. */
export interface ExportOptions {
  /** The output root: a folder or `s3://bucket/prefix`. */
  out: string;
  /** Tables to export. Default: every table of `schema` (except those an extension owns, like PostGIS's). */
  tables?: string[];
  /** The PostgreSQL schema. Default `"public"`. */
  schema?: string;
  /**
   * Queries to export, each under its own name, in the same snapshot as the tables (exported whole; with
   * queries and no `tables`, no table is exported). Not with `jobs`.
   */
  queries?: QuerySource[];
  /** Export only rows changed since the last committed batch, where a table has a watermark column. */
  incremental?: boolean;
  /** Watermark column per table; others use `updated_at`. */
  watermarks?: Record<string, string>;
  /** Rows per row group. */
  rowGroupSize?: number;
  /** Compression codec. */
  codec?: Codec;
  /** Compression level, for a codec that has levels (see `EncodeOptions.compressionLevel`). */
  compressionLevel?: number;
  /**
   * Bytes at which a table's file is completed and the next begun, at a row-group boundary (a file may
   * pass it by less than a row group and its footer); every file is recorded in the batch. On both paths
   * (binary COPY and rows). Not with `jobs` or `partitionBy`. Default: one file per table.
   */
  maxFileSize?: number;
  /**
   * Hive partition keys (`"project_id"`, `"created_at:month"`) for every exported table that has the
   * columns; other tables are written as one file. Default: none.
   */
  partitionBy?: string[];
  /** Rows per cursor fetch. */
  batchSize?: number;
  /**
   * Validate rows against the table definition (Valibot), on the row path. Default `true`. A table
   * read through binary COPY (see `binaryCopy`) is validated by its column types instead: PostgreSQL
   * casts every column to the declared type, and NOT NULL is checked as the bytes are decoded.
   */
  validate?: boolean;
  /**
   * Read tables through `COPY … TO STDOUT (FORMAT binary)`, several times faster than the row path,
   * where every column's type allows it (all but arrays of unconstrained numerics); `false` reads every
   * table row by row. Default `true`.
   */
  binaryCopy?: boolean;
  /** Read types without a mapping as text instead of failing. */
  unmappedAsText?: boolean;
  /**
   * What to do with the values PostgreSQL has and Parquet's types do not (a numeric `NaN`, a date or
   * timestamp `infinity`): `"error"` fails naming table, row and column; `"null"` exports them as NULL;
   * `"text"` exports a column holding one as text. Default `"error"`.
   */
  specialValues?: SpecialValues;
  /**
   * Milliseconds to wait for PostgreSQL's next bytes (COPY data, a FETCH's rows, a catalog answer)
   * before the run fails, naming the table, and the client is ended: a stalled server or network path
   * would otherwise hang the export forever. Default 120,000 (`PG_IDLE_TIMEOUT_MS`). S3 has its own,
   * `s3.idleTimeout`.
   */
  idleTimeout?: number;
  /** S3 settings for an `s3://` output. */
  s3?: S3Options;
  /**
   * `"batch"` (default): Parquet files under `<out>/<table>/`, committed together by one manifest in
   * `<out>/_manifests/`. `"iceberg"`: each table an Apache Iceberg table (format version 2) at
   * `<out>/<table>/`, its files committed as one snapshot of it (`overwrite` for a full export, `append`
   * for an incremental one) in `<out>/<table>/metadata/`; no manifest is written. With `jobs`, every
   * table is committed once all workers are done.
   */
  format?: "batch" | "iceberg";
  /** Called as rows flow (at most every 250 ms per table) and when a table is done. */
  onProgress?: (progress: TableProgress) => void;
  /**
   * Workers, each on its own connection in the snapshot of one leader transaction (the client needs
   * `jobs + 1` connections). Tables are spread over them, largest first, and a table read whole through
   * binary COPY is split into ranges of heap blocks, one file each, when its row estimate is over
   * `shardRows` or there are more workers than tables. Default 1: one transaction, table after table.
   */
  jobs?: number;
  /** With `jobs`: a table estimated at more rows than this is split into block ranges. Default 1 000 000. */
  shardRows?: number;
  /**
   * Stops the run (Ctrl-C, say): the file being written is aborted (its temporary file removed, its
   * upload aborted), the files of tables already finished are removed, no batch is committed, and the
   * run rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/** How far a table has got. */
export interface TableProgress {
  /** Table name. */
  table: string;
  /** Rows written so far. */
  rows: number;
  /** Seconds since the table started. */
  seconds: number;
  /** Bytes written so far (while the table is written, as they reach the sink), all of them once done. */
  bytes?: number;
  /** True when the table's file is complete. */
  done: boolean;
}

/** One table of an export's summary. */
export interface TableSummary {
  /** Table name. */
  table: string;
  /** `full`, or `incremental` (only rows changed since the previous batch). */
  mode: "full" | "incremental";
  /** Rows written. */
  rows: number;
  /** Files written. */
  files: number;
  /** Bytes written. */
  bytes: number;
  /** Seconds taken. */
  seconds: number;
  /** Where the file went. */
  location: string;
  /** A remark for the user, e.g. why a table was exported whole in an incremental run. */
  note?: string;
}

/** What an export run did. */
export interface ExportSummary {
  /** The batch id (its manifest is `<out>/_manifests/<batch>.json`). */
  batch: string;
  /** The PostgreSQL snapshot every table was read in. */
  snapshot: string;
  /** The output root. */
  out: string;
  /** One entry per table, in export order. */
  tables: TableSummary[];
  /** Views, materialized views and foreign tables a whole-schema export left out, and why. */
  skipped?: SkippedRelation[];
  /** The columns `unmappedAsText` exported as text (their types have no mapping). */
  asText?: AsTextColumn[];
  /** With `format: "iceberg"`: the snapshot committed for each table (no batch manifest is written). */
  iceberg?: IcebergCommit[];
}
