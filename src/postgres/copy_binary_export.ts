// This module is browser compatible.

/**
 * The fast path from PostgreSQL to Parquet bytes: a binary COPY stream decoded into column arrays
 * (no row objects) and encoded one row group at a time. The bytes go to any sink, like EncodeStream's.
 *
 * @module
 */

import type { ParquetWriter } from "hyparquet-writer";
import { ParquetStorageError } from "../errors.ts";
import { parquetLayout } from "../schema/parquet_schema.ts";
import type { TableDefinition } from "../schema/table.ts";
import { type EncodeOptions, encodeSettings, openParquetWriter } from "../streams/parquet_writer.ts";
import { CopyBinaryDecoder, physicalSchema } from "./copy_binary.ts";

/** What {@link copyBinaryToParquet} reports once its stream is done. */
export interface CopyBinaryProgress {
  /** Rows encoded so far. */
  rows: number;
}

/**
 * Turns the bytes of `COPY (…) TO STDOUT (FORMAT binary)` (see `copyBinaryStatement`) into a Parquet
 * file's bytes. `copy` is any async iterable of chunks, such as postgres.js's `.readable()`. Memory is
 * one row group of column arrays plus its encoded bytes.
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
  const { rowGroupSize, rowGroupBytes, pageSize } = settings;
  const layout = parquetLayout(table);
  const decoder = new CopyBinaryDecoder(table);
  const progress = { rows: 0 };
  const chunks = copy[Symbol.asyncIterator]();
  let parquet!: ParquetWriter;
  const decimalColumns = new Set(
    layout.schema.filter((e) => e.converted_type === "DECIMAL" && e.type === "INT32").map((e) => e.name),
  );
  let groupBytes = 0;

  const writeGroup = () => {
    const rows = decoder.buffered;
    if (!rows) return;
    try {
      parquet.write({ columnData: decoder.take(), rowGroupSize: rows, pageSize });
    } catch (cause) {
      throw new ParquetStorageError(`Cannot encode a row group: ${(cause as Error).message}`, {
        table: table.name,
        cause,
      });
    }
    // Statistics are turned into bytes with the annotated schema, which reads a number in a DECIMAL
    // column as scaled: hand it the unscaled bigint it was.
    for (const column of parquet.row_groups.at(-1)!.columns) {
      const statistics = column.meta_data?.statistics;
      if (!statistics || !decimalColumns.has(column.meta_data!.path_in_schema[0])) continue;
      if (typeof statistics.min_value === "number") statistics.min_value = BigInt(statistics.min_value);
      if (typeof statistics.max_value === "number") statistics.max_value = BigInt(statistics.max_value);
    }
    progress.rows += rows;
    groupBytes = 0;
  };

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      // Values arrive physical; the annotated schema goes back on before the footer is written.
      parquet = await openParquetWriter(
        table,
        physicalSchema(layout.schema),
        settings,
        (bytes) => controller.enqueue(bytes),
      );
    },
    async pull(controller) {
      // One row group per pull: the consumer's pace sets how fast PostgreSQL is read.
      while (!decoder.done) {
        const next = await chunks.next();
        if (next.done) {
          throw new ParquetStorageError("The COPY stream ended before its trailer: the file would be short", {
            table: table.name,
          });
        }
        decoder.push(next.value);
        groupBytes += next.value.length;
        if (decoder.buffered >= rowGroupSize || groupBytes >= rowGroupBytes) return writeGroup();
      }
      writeGroup();
      parquet.schema = layout.schema;
      parquet.finish();
      controller.close();
    },
    async cancel(reason) {
      await chunks.return?.(reason);
    },
  });
  return { stream, progress };
}
