// This module is browser compatible.

/**
 * The whole write path for one file: rows → validate → encode → immutable sink.
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";
import type { TableDefinition } from "../schema/table.ts";
import { parquetFileName } from "../sinks/file_name.ts";
import { type OpenOptions, storageFor } from "../storage/open_location.ts";
import { pipeFile } from "./pipeline.ts";
import type { ProgressCounter } from "../streams/progress.ts";
import type { RowSource } from "../streams/source_stream.ts";
import type { EncodeOptions } from "../streams/encode_stream.ts";
import type { ValidateOptions } from "../streams/validate_stream.ts";
import { encodedRows } from "../streams/encoded_rows.ts";

export { type RowSource, toStream } from "../streams/source_stream.ts";

/** Options of {@link writeParquet}. */
export interface WriteOptions extends ValidateOptions, EncodeOptions, OpenOptions {
  /** The table the rows belong to. */
  table: TableDefinition;
  /** Replace an existing file of the same name. Default `false`. */
  overwrite?: boolean;
  /** Validate rows first. Default `true`; turn off only for rows already validated. */
  validate?: boolean;
  /** Cancels the write; nothing is left visible. */
  signal?: AbortSignal;
  /** Compute the file's SHA-256 while writing (for manifests). Default `false`. */
  checksum?: boolean;
  /** A counter of the rows and bytes written, for a progress line. */
  progress?: ProgressCounter;
}

/** What a write produced. */
export interface WriteResult {
  /** The file written: a local path or `s3://bucket/key`. */
  location: string;
  /** Rows written. */
  rows: number;
  /** Rows dropped by validation (`onInvalid: "skip"` or a callback). */
  skipped: number;
  /** File size in bytes. */
  bytes: number;
  /** SHA-256 of the file, when `checksum` was asked for. */
  sha256?: string;
}

/**
 * Writes rows to one new Parquet file. `location` is a folder (a new immutable name
 * `{table}_{YYYYMMDD}_{HHMMSS}_{uuid8}.parquet` is made in it) or a path ending in `.parquet`. The file
 * appears only when every row has been validated and written; on any error nothing is left visible.
 *
 * @example
 * ```ts
 * import { defineTable, int, readParquet, text, writeParquet } from "@parquet-storage/engine";
 * const table = defineTable("t", { id: int(), name: text() });
 * const dir = await Deno.makeTempDir();
 * const { location } = await writeParquet(dir, [{ id: 1, name: "a" }], { table });
 * console.assert((await readParquet(location)).length === 1);
 * ```
 */
export async function writeParquet(
  location: string,
  rows: RowSource,
  options: WriteOptions,
): Promise<WriteResult> {
  const { table, overwrite = false, validate = true, signal } = options;
  if (!table || typeof table !== "object" || !("columns" in table)) {
    throw new ParquetStorageError(
      "Cannot write Parquet without a table definition: pass { table } from defineTable()",
    );
  }
  const storage = await storageFor(location, options);
  const target = location.endsWith(".parquet")
    ? location
    : storage.join(location, parquetFileName(table.name));
  // Validation and encoding in one stage: each row checked and written into the column buffers in one
  // pass, with no stream hop per row between source, validator and encoder.
  const counter = options.progress;
  const { stream, counts } = encodedRows(rows, table, { ...options, validate, progress: counter });
  // The signal reaches the sink through the pipe, whose abort waits until the sink has removed what it
  // wrote (a signal of the sink's own would only start that).
  const file = await pipeFile(stream, storage, target, {
    overwrite,
    checksum: options.checksum ?? false,
    progress: counter,
    signal,
  });
  return {
    location: file.location,
    rows: counts.rows,
    skipped: counts.skipped,
    bytes: file.bytes,
    ...(file.sha256 ? { sha256: file.sha256 } : {}),
  };
}
