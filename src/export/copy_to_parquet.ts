// This module is browser compatible.

/**
 * The fast path from PostgreSQL to Parquet bytes: a binary COPY stream decoded field by field into the
 * bytes Parquet stores (no row objects, no JS value per field), one row group at a time. A table of
 * more than one row group has its row groups paged and compressed in a worker, on another core, while
 * the next one is decoded. The file's framing and footer are src/parquet's, as for EncodeStream. The bytes go to any
 * sink, like EncodeStream's.
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";
import {
  type EncodedRowGroup,
  inThreadEncoder,
  type RowGroupEncoder,
  workerEncoder,
  workerPays,
} from "../parquet/row_group_encoder.ts";
import { geoKeyValues } from "../parquet/geo_metadata.ts";
import { parquetLayout } from "../schema/parquet_schema.ts";
import type { TableDefinition } from "../schema/table.ts";
import type { ParquetFileWriter } from "../parquet/file_writer.ts";
import {
  type EncodeOptions,
  encodeSettings,
  openFileWriter,
  rowGroupSettings,
} from "../parquet/parquet_writer.ts";
import { CopyBinaryDecoder } from "../postgres/copy_binary.ts";
import type { LastTuple } from "../postgres/copy_last_tuple.ts";

/** Options of {@link copyBinaryToParquet}. */
export interface CopyEncodeOptions extends EncodeOptions {
  /**
   * Page and compress row groups in a worker, on another core, while the next is decoded (for tables
   * of more than one row group). Default: where there are three cores or more.
   */
  worker?: boolean;
  /** The counter to add the rows to as they are encoded (a table's `ProgressCounter`). Default: a new one. */
  progress?: CopyBinaryProgress;
  /** The frame row groups are appended to. Default: one file. */
  openFile?: FileOpener;
  /** Keeps the last tuple's watermark and key fields (an incremental COPY's next watermark). */
  last?: LastTuple;
}

/**
 * Makes the frame row groups are appended to, from the one file `open` makes: a writer of several files
 * in a row (`--max-file-size`) wraps it; all their bytes still come out of the one stream.
 */
export type FileOpener = (open: () => ParquetFileWriter) => Pick<ParquetFileWriter, "append" | "finish">;

/** What {@link copyBinaryToParquet} reports as its stream goes. */
export interface CopyBinaryProgress {
  /** Rows encoded so far (it grows once per row group). */
  rows: number;
}

/**
 * Turns the bytes of `COPY (…) TO STDOUT (FORMAT binary)` (see `copyBinaryStatement`) into a Parquet
 * file's bytes. `copy` is any async iterable of chunks, such as postgres.js's `.readable()`. Memory is
 * one row group of column bytes plus its encoded pages. Should the stream fail or be cancelled midway,
 * the COPY is still running on its connection: end that connection (`exportTables` instead cancels the
 * COPY and reads it to its end).
 *
 * @example
 * ```ts ignore
 * import { LocalFileSink } from "@parquet-storage/engine/local";
 * import { connectPostgres, copyBinaryStatement, copyBinaryToParquet } from "@parquet-storage/engine/postgres";
 * const sql = connectPostgres();
 * const copy = await sql.unsafe(copyBinaryStatement(table, "public", "logs")).readable();
 * await copyBinaryToParquet(copy, table, { codec: "ZSTD" }).stream.pipeTo(new LocalFileSink("logs.parquet"));
 * ```
 */
export function copyBinaryToParquet(
  copy: AsyncIterable<Uint8Array>,
  table: TableDefinition,
  options: CopyEncodeOptions = {},
): { stream: ReadableStream<Uint8Array>; progress: CopyBinaryProgress } {
  const { worker = workerPays(), progress = { rows: 0 }, openFile, last, ...encode } = options;
  const settings = encodeSettings(table, encode, "copyBinaryToParquet");
  const { rowGroupSize, rowGroupBytes } = settings;
  const layout = parquetLayout(table, { fieldIds: settings.fieldIds });
  const groupSettings = rowGroupSettings(layout.schema, settings);
  const decoder = new CopyBinaryDecoder(table, layout.schema, last);
  const chunks = copy[Symbol.asyncIterator]();
  let file!: Pick<ParquetFileWriter, "append" | "finish">;
  let encoder: RowGroupEncoder | undefined;
  const inFlight: { rows: number; group: Promise<EncodedRowGroup> }[] = [];
  let groupBytes = 0;

  /** Hands the decoded row group to the encoder; the first full one decides between worker and thread. */
  const send = async (full: boolean) => {
    const rows = decoder.buffered;
    if (!rows) return;
    // A table of one row group is not worth a worker's start-up.
    encoder ??= (full && worker && workerEncoder(groupSettings)) || await inThreadEncoder(groupSettings);
    inFlight.push({ rows, group: encoder.encode(decoder.buffers) });
    decoder.reset();
    groupBytes = 0;
  };

  /** Writes out the oldest row group sent, once encoded. */
  const emit = async () => {
    const { rows, group } = inFlight.shift()!;
    let encoded: EncodedRowGroup;
    try {
      encoded = await group;
    } catch (cause) {
      throw new ParquetStorageError(`Cannot encode a row group: ${(cause as Error).message}`, {
        table: table.name,
        cause,
      });
    }
    progress.rows += rows;
    file.append(encoded, rows);
  };

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const open = () => openFileWriter(table, layout.schema, settings, (bytes) => controller.enqueue(bytes));
      file = openFile ? openFile(open) : open();
    },
    async pull(controller) {
      try {
        // One row group out per pull (the consumer's pace sets how fast PostgreSQL is read), while the
        // encoder works on the next.
        for (;;) {
          if (
            decoder.decode(rowGroupSize, rowGroupBytes) ||
            (groupBytes >= rowGroupBytes && decoder.buffered > 0)
          ) {
            await send(true);
            if (inFlight.length > 1 || !encoder!.inWorker) return await emit();
            continue;
          }
          if (decoder.done) break;
          const next = await chunks.next();
          if (next.done) {
            throw new ParquetStorageError(
              "The COPY stream ended before its trailer: the file would be short",
              {
                table: table.name,
              },
            );
          }
          decoder.push(next.value);
          groupBytes += next.value.length;
        }
        await send(false);
        while (inFlight.length) await emit();
        file.finish(geoKeyValues(decoder.columns!.facts));
        encoder?.close();
        controller.close();
      } catch (error) {
        encoder?.close();
        throw error;
      }
    },
    async cancel(reason) {
      encoder?.close();
      await chunks.return?.(reason);
    },
  });
  return { stream, progress };
}
