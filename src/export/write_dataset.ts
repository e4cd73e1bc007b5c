// This module is browser compatible.

/**
 * The partitioned write path: rows → validate → partition → one encoder and one immutable sink per open
 * partition, in hive-style folders below a dataset root (a local folder or an `s3://` prefix).
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";
import { type Row, tableSpec } from "../schema/table.ts";
import { parquetFileName } from "../sinks/file_name.ts";
import { storageFor } from "../storage/open_location.ts";
import type { Storage } from "../storage/storage.ts";
import { EncodeStream } from "../streams/encode_stream.ts";
import { DATASET_METADATA_KEY, type DatasetSpec, keyEntry } from "../schema/partition_key.ts";
import { type PartitionedRow, PartitionStream } from "../streams/partition_stream.ts";
import { ValidateStream } from "../streams/validate_stream.ts";
import type { RowSource, WriteOptions } from "./write_parquet.ts";
import { sourceStream } from "../streams/source_stream.ts";
import { filePipeline, type PipedFile } from "./pipeline.ts";

/** Options of {@link writeDataset}. */
export interface WriteDatasetOptions extends Omit<WriteOptions, "overwrite"> {
  /** Partition keys, in folder order: columns (`"project_id"`) or time keys (`"created_at:month"`). */
  partitionBy: readonly string[];
  /**
   * Partitions with a file open at once. When a row needs one more, the least recently used partition's
   * file is finished (a complete, visible file) and a later row for it starts a new file, so rows sorted
   * or clustered by partition make fewer, larger files. Memory is up to this many row groups (see
   * `rowGroupSize` and `rowGroupBytes`) plus, on S3, this many upload part buffers (`s3.partSize`, 8 MiB
   * by default, each taken at the file's first bytes). Default 64.
   */
  maxOpenPartitions?: number;
  /** Rows per file (at most); a partition's file is finished when it holds this many. Default: no limit. */
  maxRowsPerFile?: number;
  /** The storage to write through, instead of the one `storageFor(location)` picks. */
  storage?: Storage;
  /**
   * Keep the partition columns in the files too (as Iceberg data files must hold them), and record no
   * dataset in them. Default `false`: a hive dataset, whose folder names hold those values.
   */
  keepPartitionColumns?: boolean;
}

/**
 * Default values of {@link WriteDatasetOptions}.
 *
 * @example
 * ```ts
 * import { DATASET_DEFAULTS } from "@parquet-storage/engine/write";
 * console.assert(DATASET_DEFAULTS.maxOpenPartitions === 64);
 * ```
 */
export const DATASET_DEFAULTS: { maxOpenPartitions: number } = { maxOpenPartitions: 64 };

/** One file a partitioned write made. */
export interface DatasetFile {
  /** The file: a local path or `s3://bucket/key`. */
  location: string;
  /** Its partition folder below the dataset root, escaped: `project_id=7/status=open`. */
  partition: string;
  /** The partition's values by key, as unescaped text (`null` for SQL NULL). */
  values: Record<string, string | null>;
  /** Rows in the file. */
  rows: number;
  /** File size in bytes. */
  bytes: number;
  /** SHA-256 of the file, when `checksum` was asked for. */
  sha256?: string;
}

/** What {@link writeDataset} produced. */
export interface WriteDatasetResult {
  /** The files written, sorted by location. */
  files: DatasetFile[];
  /** Rows written, over all files. */
  rows: number;
  /** Rows dropped by validation (`onInvalid: "skip"` or a callback). */
  skipped: number;
}

interface OpenFile {
  path: string;
  values: Record<string, string | null>;
  encoder: EncodeStream;
  writer: WritableStreamDefaultWriter<Row>;
  /** The encoder's bytes into the file's pipeline. */
  piped: Promise<void>;
  /** The file once visible. */
  done: Promise<PipedFile>;
}

/**
 * Writes rows as a hive-partitioned dataset below `location`: each row goes to the file of its partition
 * folder (`project_id=7/created_at_month=2026-11/`), named `{table}_{YYYYMMDD}_{HHMMSS}_{uuid8}.parquet`,
 * never replacing anything, so a second write adds files beside the first.
 *
 * Partition columns are left out of the files and recorded in the folder names; every file records the
 * whole table and the keys in its key-value metadata, so {@link readDataset} restores them with their types.
 *
 * On any error (a bad row, a failing store, `signal`), every file still open is aborted and leaves
 * nothing visible. Files finished before the error (partitions closed to respect `maxOpenPartitions` or
 * `maxRowsPerFile`) stay: they are complete and valid. For all-or-nothing, record the files in a batch
 * (the `sha256` that manifests need comes with `checksum: true`). On local disk the partition folders of
 * aborted files may remain, empty. With no rows, no file is written.
 *
 * @example
 * ```ts
 * import { defineTable, int, readDataset, text, writeDataset } from "@parquet-storage/engine";
 * const table = defineTable("tasks", { project_id: int(), status: text(), title: text() });
 * const dir = await Deno.makeTempDir();
 * const { files } = await writeDataset(dir, [
 *   { project_id: 1, status: "open", title: "a" },
 *   { project_id: 2, status: "done", title: "b" },
 * ], { table, partitionBy: ["project_id", "status"] });
 * console.assert(files.length === 2 && files[0].partition === "project_id=1/status=open");
 * const rows = await readDataset(dir, { filters: { project_id: 2 } });
 * console.assert(rows.length === 1 && rows[0].title === "b" && rows[0].project_id === 2);
 * ```
 */
export async function writeDataset(
  location: string,
  rows: RowSource,
  options: WriteDatasetOptions,
): Promise<WriteDatasetResult> {
  const { table, partitionBy, validate = true, signal, checksum = false } = options ?? {};
  if (!table || typeof table !== "object" || !("columns" in table)) {
    throw new ParquetStorageError(
      "Cannot write a dataset without a table definition: pass { table } from defineTable()",
    );
  }
  const { maxOpenPartitions = DATASET_DEFAULTS.maxOpenPartitions, maxRowsPerFile } = options;
  for (const [name, value] of Object.entries({ maxOpenPartitions, maxRowsPerFile })) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
      throw new ParquetStorageError(
        `Cannot write a dataset as ${name} must be a positive integer: current value is ${value}`,
        { table: table.name },
      );
    }
  }
  const { keepPartitionColumns = false } = options;
  const partitioner = new PartitionStream(table, partitionBy, { keepPartitionColumns });
  const spec: DatasetSpec = { table: tableSpec(table), partitionBy: partitioner.keys.map(keyEntry) };
  const encodeOptions = keepPartitionColumns ? options : {
    ...options,
    metadata: { ...options.metadata, [DATASET_METADATA_KEY]: JSON.stringify(spec) },
  };
  // Checks the encoding options (codec, sizes) before anything is opened.
  new EncodeStream(partitioner.fileTable, encodeOptions);
  const storage = options.storage ?? await storageFor(location, options);
  const source = sourceStream(rows, table.name);
  const validator = validate ? new ValidateStream(table, options) : undefined;
  const files: DatasetFile[] = [];
  const open = new Map<string, OpenFile>(); // in least recently used order

  const openFile = ({ path, values }: PartitionedRow): OpenFile => {
    const target = storage.join(location, ...path.split("/"), parquetFileName(table.name));
    // Aborted by abortAll, which waits for the sink to remove what it wrote, not by the signal directly.
    const pipe = filePipeline(storage, target, { checksum });
    const encoder = new EncodeStream(partitioner.fileTable, encodeOptions);
    const piped = encoder.readable.pipeTo(pipe.writable);
    piped.catch(() => {}); // awaited on close or abort; this keeps an early failure from going unhandled
    return { path, values, encoder, writer: encoder.writable.getWriter(), piped, done: pipe.done };
  };

  const finish = async (file: OpenFile) => {
    open.delete(file.path);
    // Both settle before anything is reported, so a failed file's sink has finished aborting.
    const [closed, piped, done] = await Promise.allSettled([file.writer.close(), file.piped, file.done]);
    if (closed.status === "rejected") throw closed.reason;
    if (piped.status === "rejected") throw piped.reason;
    if (done.status === "rejected") throw done.reason;
    const { location, bytes, sha256 } = done.value;
    files.push({
      location,
      partition: file.path,
      values: file.values,
      rows: file.encoder.rows,
      bytes,
      ...(sha256 ? { sha256 } : {}),
    });
  };

  // Aborting a file's encoder errors its pipe, which aborts the sink: the temporary file or multipart
  // upload is removed before `done` settles, so waiting on `done` means nothing half-written remains.
  const abortAll = async (reason: unknown) => {
    const aborting = [...open.values()];
    open.clear();
    await Promise.all(aborting.map(async (file) => {
      await file.writer.abort(reason).catch(() => {});
      await file.piped.catch(() => {});
      await file.done.catch(() => {});
    }));
  };

  const writable = new WritableStream<PartitionedRow>({
    async write(routed) {
      try {
        let file = open.get(routed.path);
        if (file) open.delete(routed.path);
        else {
          if (open.size >= maxOpenPartitions) await finish(open.values().next().value!);
          file = openFile(routed);
        }
        open.set(routed.path, file);
        await file.writer.write(routed.row);
        if (maxRowsPerFile !== undefined && file.encoder.rows >= maxRowsPerFile) await finish(file);
      } catch (error) {
        await abortAll(error);
        throw error;
      }
    },
    async close() {
      const closing = [...open.values()];
      const results = await Promise.allSettled(closing.map(finish));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) {
        await abortAll(failed.reason);
        throw failed.reason;
      }
    },
    async abort(reason) {
      await abortAll(reason);
    },
  });

  const validated = validator ? source.pipeThrough(validator, { signal }) : source as ReadableStream<Row>;
  await validated.pipeThrough(partitioner, { signal }).pipeTo(writable, { signal });
  files.sort((a, b) => a.location < b.location ? -1 : a.location > b.location ? 1 : 0);
  return {
    files,
    rows: files.reduce((sum, file) => sum + file.rows, 0),
    skipped: validator?.skipped ?? 0,
  };
}
