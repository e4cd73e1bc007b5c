// This module is browser compatible.

/**
 * The encode stage: rows in, Parquet bytes out, one row group at a time. Each row's values go straight
 * into the row group's column buffers (the rows door of `src/parquet`), which the same page and footer
 * writers as the binary COPY path turn into bytes.
 *
 * @module
 */

import { ParquetStorageError, ValidationError } from "../errors.ts";
import type { ColumnBuffer } from "../parquet/column_buffer.ts";
import type { ParquetFileWriter } from "../parquet/file_writer.ts";
import { type EncodedRowGroup, stateEncoder } from "../parquet/row_group_encoder.ts";
import { geoKeyValues } from "../parquet/geo_metadata.ts";
import { RowColumns, type RowValueError } from "../parquet/row_columns.ts";
import { parquetLayout } from "../schema/parquet_schema.ts";
import { describe } from "../schema/values.ts";
import { kindOf } from "../schema/kinds/registry.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import {
  type EncodeOptions,
  encodeSettings,
  openFileWriter,
  rowGroupSettings,
} from "../parquet/parquet_writer.ts";

export { ENCODE_DEFAULTS, type EncodeOptions } from "../parquet/parquet_writer.ts";

/**
 * Encodes validated rows of one table into a Parquet file, emitting bytes as each row group completes and
 * the footer on close. Memory is bounded by one row group. Zero rows give a valid file with the schema.
 *
 * @example
 * ```ts
 * import { defineTable, EncodeStream, int, text } from "@parquet-storage/engine";
 * const table = defineTable("t", { id: int(), name: text() });
 * const bytes = await new Response(
 *   ReadableStream.from([{ id: 1, name: "a" }]).pipeThrough(new EncodeStream(table)),
 * ).arrayBuffer();
 * console.assert(new TextDecoder().decode(bytes.slice(0, 4)) === "PAR1");
 * ```
 */
export class EncodeStream extends TransformStream<Row, Uint8Array> {
  /** Rows encoded so far. */
  get rows(): number {
    return this.#state.rows;
  }

  /** Bytes of the file emitted so far (complete row groups; the footer once flushed). */
  get bytes(): number {
    return this.#state.bytes;
  }

  /** Rows taken but not yet emitted: 0 right after a row group is emitted, at a row-group boundary. */
  get bufferedRows(): number {
    return this.#state.buffered();
  }

  #state: { rows: number; bytes: number; buffered: () => number };

  /** Builds an encoder for `table`; the options are checked here, not at the first row. */
  constructor(table: TableDefinition, options: EncodeOptions = {}) {
    const settings = encodeSettings(table, options, "EncodeStream");
    const { rowGroupSize, rowGroupBytes } = settings;
    const layout = parquetLayout(table, { fieldIds: settings.fieldIds });
    const columns = new RowColumns(table, layout.schema);
    const sizeOf = rowSizer(table);
    const state = { rows: 0, bytes: 0, buffered: () => columns.rows };
    let bufferedBytes = 0;
    let encode: (buffers: ColumnBuffer[]) => EncodedRowGroup;
    let file: ParquetFileWriter;

    const flushGroup = () => {
      if (!columns.rows) return;
      let group: EncodedRowGroup;
      try {
        group = encode(columns.buffers);
      } catch (cause) {
        throw new ParquetStorageError(`Cannot encode a row group: ${(cause as Error).message}`, {
          table: table.name,
          cause,
        });
      }
      file.append(group, columns.rows);
      columns.reset();
      bufferedBytes = 0;
    };

    super({
      async start(controller) {
        encode = await stateEncoder(rowGroupSettings(layout.schema, settings));
        file = openFileWriter(table, layout.schema, settings, (bytes) => {
          state.bytes += bytes.length;
          controller.enqueue(bytes);
        });
      },
      transform(row) {
        if (typeof row !== "object" || row === null || Array.isArray(row)) {
          throw new ValidationError(`expected a row object, received ${row === null ? "null" : typeof row}`, {
            table: table.name,
            row: state.rows + 1,
          });
        }
        // A row that would take a row group that has rows past its bytes starts the next one instead,
        // so that a huge value never joins a full row group.
        const size = sizeOf(row);
        if (columns.rows && bufferedBytes + size > rowGroupBytes) flushGroup();
        try {
          columns.add(row);
        } catch (cause) {
          const { column, message } = cause as RowValueError;
          // A ValidationError (the value is wrong, not the encoder), worded as the encoder's refusal.
          throw new ValidationError(
            `Cannot encode a row group: cannot store ${describe(row[column])} in ${column}: ${message}`,
            { table: table.name, row: state.rows + 1, column, cause },
          );
        }
        state.rows++;
        bufferedBytes += size;
        if (columns.rows >= rowGroupSize || bufferedBytes >= rowGroupBytes) flushGroup();
      },
      flush() {
        flushGroup();
        file.finish(geoKeyValues(columns.facts));
      },
    });
    this.#state = state;
  }
}

/** An approximate in-memory size of a row, cheap enough to run on every row. */
function rowSizer(table: TableDefinition): (row: Row) => number {
  const sizers = Object.entries(table.columns).map(([name, { spec }]) => {
    const size = kindOf(spec).size(spec);
    return (row: Row) => size(row[name]);
  });
  return (row) => {
    let size = 0;
    for (const sizer of sizers) size += sizer(row);
    return size;
  };
}
