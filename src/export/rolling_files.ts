/**
 * A table written as a run of files of at most about `maxFileBytes` each: once a file's row groups reach
 * the size, at the next row-group boundary, its footer is written, the file completed (a new immutable
 * file, as any), and the rows go on into the next one. Every file is recorded in the batch.
 *
 * A file may pass the size by less than one row group and its footer: the check is made as each row group
 * is emitted, so lower `rowGroupSize` for a tighter fit.
 *
 * @module
 */

import type { BatchWriter } from "./batch_writer.ts";
import type { ManifestFile, ManifestTable } from "../read/manifest.ts";
import { ParquetStorageError } from "../errors.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import { parquetFileName, safeName } from "../sinks/file_name.ts";
import { type EncodeOptions, EncodeStream } from "../streams/encode_stream.ts";
import type { ProgressCounter } from "../streams/progress.ts";
import { ValidateStream } from "../streams/validate_stream.ts";
import { filePipeline, type PipedFile } from "./pipeline.ts";

/** Options of {@link writeRolling}. */
export interface RollingOptions extends EncodeOptions {
  /** Bytes a file reaches before the next is begun. */
  maxFileBytes: number;
  /** How the batch records the table. Default `"full"`. */
  mode?: "full" | "incremental";
  /** Validate rows first. Default `true`. */
  validate?: boolean;
  /** The table's counter: the bytes are added to it as they leave (its rows are counted upstream). */
  progress?: ProgressCounter;
  /** Stops the write: the open file is aborted and the files already completed are removed. */
  signal?: AbortSignal;
}

/** One file being written. */
interface OpenFile {
  encoder: EncodeStream;
  writer: WritableStreamDefaultWriter<Row>;
  /** The encoder's bytes into the file's pipeline. */
  piped: Promise<void>;
  /** The file once visible. */
  done: Promise<PipedFile>;
}

/**
 * Writes `rows` of `table` into the batch as files of about `maxFileBytes` at most, rolling over at
 * row-group boundaries; a table of no rows is one file with the schema.
 *
 * @throws {ParquetStorageError} for a `maxFileBytes` that is not a positive integer, naming the table.
 * @example
 * ```ts
 * import { defineTable, int, text } from "@parquet-storage/engine";
 * import { BatchWriter } from "@parquet-storage/engine/batch";
 * import { writeRolling } from "./rolling_files.ts";
 * const table = defineTable("t", { id: int(), note: text() });
 * const rows = ReadableStream.from(Array.from({ length: 3000 }, (_, id) => ({ id, note: `row ${id}` })));
 * const batch = new BatchWriter(await Deno.makeTempDir());
 * const entry = await writeRolling(batch, table, rows, { maxFileBytes: 4096, rowGroupSize: 500 });
 * console.assert(entry.files.length > 1 && entry.files.reduce((n, f) => n + f.rows, 0) === 3000);
 * ```
 */
export async function writeRolling(
  batch: BatchWriter,
  table: TableDefinition,
  rows: ReadableStream<Row>,
  options: RollingOptions,
): Promise<ManifestTable> {
  const { maxFileBytes, mode = "full", validate = true, signal, progress, ...encoding } = options;
  if (!Number.isSafeInteger(maxFileBytes) || maxFileBytes < 1) {
    throw new ParquetStorageError(
      `Cannot roll files over as maxFileBytes must be a positive integer: current value is ${maxFileBytes}`,
      { table: table.name },
    );
  }
  new EncodeStream(table, encoding); // the encoding options checked before anything is opened
  const storage = await batch.storage();
  const folder = storage.join(batch.root, safeName(table.name));
  const source = validate ? rows.pipeThrough(new ValidateStream(table), { signal }) : rows;
  const reader = source.getReader();
  const done: ManifestFile[] = [];
  let file: OpenFile | undefined;

  const open = (): OpenFile => {
    const encoder = new EncodeStream(table, encoding);
    const pipe = filePipeline(storage, storage.join(folder, parquetFileName(table.name)), { progress });
    const piped = encoder.readable.pipeTo(pipe.writable, { signal });
    piped.catch(() => {});
    return { encoder, writer: encoder.writable.getWriter(), piped, done: pipe.done };
  };
  const close = async (open: OpenFile) => {
    await open.writer.close();
    await open.piped;
    const file = await open.done;
    done.push({
      path: batch.relative(file.location),
      rows: open.encoder.rows,
      bytes: file.bytes,
      sha256: file.sha256!,
    });
  };

  try {
    let written = 0;
    let failure: unknown;
    for (;;) {
      signal?.throwIfAborted();
      const next = await reader.read();
      if (next.done) break;
      if (!file) {
        file = open();
        written = 0;
      }
      const { writer, encoder } = file;
      if (writer.desiredSize !== null && writer.desiredSize <= 0) await writer.ready;
      // Not awaited per row (a promise per row halves the speed): the encoder takes the row at once
      // unless its output is backed up, and then the write is awaited before the size is looked at.
      const wrote = writer.write(next.value);
      wrote.catch((error) => failure ??= error);
      written++;
      if (encoder.rows !== written) await wrote;
      if (failure) throw failure;
      // Right after a row group is emitted, the file's size is known exactly: roll over if it is reached.
      if (encoder.bufferedRows === 0 && encoder.bytes >= maxFileBytes) {
        const full = file;
        file = undefined;
        await close(full);
      }
    }
    if (file || !done.length) await close(file ?? open());
    file = undefined;
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    await file?.writer.abort(error).catch(() => {});
    await file?.piped.catch(() => {});
    await file?.done.catch(() => {});
    await Promise.all(done.map((f) => storage.remove(`${batch.root}/${f.path}`).catch(() => {})));
    throw signal?.aborted ? signal.reason : error;
  }
  return batch.record(table, done, { mode });
}
