// This module is browser compatible.

/**
 * The fast path from PostgreSQL to Parquet bytes: a binary COPY stream decoded field by field into the
 * bytes Parquet stores (no row objects, no JS value per field), one row group at a time, each column
 * written as pages by `ColumnChunkWriter`. The file's framing and footer are hyparquet-writer's. The
 * bytes go to any sink, like EncodeStream's.
 *
 * @module
 */

import type { ColumnChunk } from "hyparquet";
import type { ParquetWriter } from "hyparquet-writer";
import { ParquetStorageError } from "../errors.ts";
import { ColumnChunkWriter } from "../parquet/column_chunk.ts";
import { parquetLayout } from "../schema/parquet_schema.ts";
import type { TableDefinition } from "../schema/table.ts";
import { type Compressor, loadCompressors } from "../streams/codecs.ts";
import { type EncodeOptions, encodeSettings, openParquetWriter } from "../streams/parquet_writer.ts";
import { CopyBinaryDecoder } from "./copy_binary.ts";

/** What {@link copyBinaryToParquet} reports as its stream goes. */
export interface CopyBinaryProgress {
  /** Rows encoded so far (it grows once per row group). */
  rows: number;
}

/**
 * Turns the bytes of `COPY (…) TO STDOUT (FORMAT binary)` (see `copyBinaryStatement`) into a Parquet
 * file's bytes. `copy` is any async iterable of chunks, such as postgres.js's `.readable()`. Memory is
 * one row group of column bytes plus its encoded pages.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * const sql = postgres(url);
 * const copy = await sql.unsafe(copyBinaryStatement(table, "public", "logs")).readable();
 * await copyBinaryToParquet(copy, table).stream.pipeTo(storage.createSink(path));
 * ```
 */
export function copyBinaryToParquet(
  copy: AsyncIterable<Uint8Array>,
  table: TableDefinition,
  options: EncodeOptions = {},
): { stream: ReadableStream<Uint8Array>; progress: CopyBinaryProgress } {
  const settings = encodeSettings(table, options, "copyBinaryToParquet");
  const { rowGroupSize, rowGroupBytes } = settings;
  const layout = parquetLayout(table);
  const elements = layout.schema.slice(1);
  const decoder = new CopyBinaryDecoder(table, elements);
  const progress = { rows: 0 };
  const chunks = copy[Symbol.asyncIterator]();
  let parquet!: ParquetWriter;
  let pages!: ColumnChunkWriter;
  let groupBytes = 0;

  const writeGroup = () => {
    const rows = decoder.buffered;
    if (!rows) return;
    const start = parquet.writer.offset;
    let total_byte_size = 0n;
    const columns: ColumnChunk[] = [];
    try {
      decoder.buffers.forEach((buffer, i) => {
        const chunk = pages.write(buffer, elements[i], [elements[i].name]);
        total_byte_size += chunk.meta_data!.total_uncompressed_size;
        columns.push(chunk);
      });
    } catch (cause) {
      throw new ParquetStorageError(`Cannot encode a row group: ${(cause as Error).message}`, {
        table: table.name,
        cause,
      });
    }
    parquet.row_groups.push({
      columns,
      total_byte_size,
      num_rows: BigInt(rows),
      total_compressed_size: BigInt(parquet.writer.offset - start),
    });
    parquet.num_rows += BigInt(rows);
    progress.rows += rows;
    decoder.reset();
    groupBytes = 0;
    parquet.writer.flush?.();
  };

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      parquet = await openParquetWriter(table, layout.schema, settings, (bytes) => controller.enqueue(bytes));
      const compressors: Record<string, Compressor> = await loadCompressors(settings.codec);
      pages = new ColumnChunkWriter(parquet.writer as never, {
        codec: settings.codec,
        compress: compressors[settings.codec],
        pageSize: settings.pageSize,
      });
    },
    async pull(controller) {
      // One row group per pull: the consumer's pace sets how fast PostgreSQL is read.
      for (;;) {
        if (decoder.decode(rowGroupSize) || groupBytes >= rowGroupBytes) return writeGroup();
        if (decoder.done) break;
        const next = await chunks.next();
        if (next.done) {
          throw new ParquetStorageError("The COPY stream ended before its trailer: the file would be short", {
            table: table.name,
          });
        }
        decoder.push(next.value);
        groupBytes += next.value.length;
      }
      writeGroup();
      parquet.finish();
      controller.close();
    },
    async cancel(reason) {
      await chunks.return?.(reason);
    },
  });
  return { stream, progress };
}
